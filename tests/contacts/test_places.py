"""Every place has a commune: chosen from its postcode and town, asked when the postcode covers several,
refused with the reason when postcode, town and département disagree — in the forms and the import."""

import csv
import io

from sqlalchemy import select

from crm.base.extensions import db
from crm.contacts import importing
from crm.contacts.models import Organisation, Programmer
from crm.contacts.places import locate
from crm.imports.reading import read_table
from tests.conftest import post_form, sign_in

TOKEN_PAGE = "/account/password"


def test_locate_agrees_refuses_or_asks(app):
    with app.test_request_context():
        assert locate("18000", "Bourges").commune.code == "18033"
        assert locate("18000", "bourges cedex 9").commune.code == "18033"
        assert locate("", "Bourges").commune is None and locate("", "Bourges").problem is None
        unknown = locate("99999", "Nulle-Part")
        assert (unknown.field, unknown.problem) == ("postcode", "Code postal inconnu : 99999.")
        wrong_town = locate("18000", "Vierzon")
        assert (
            wrong_town.field == "city"
            and "« Vierzon » n'a pas le code postal 18000 (Bourges)" in wrong_town.problem
        )
        several = locate("18200", None)
        assert several.field == "commune_code" and "18197" in {c.code for c in several.choices}
        assert locate("18200", None, chosen="18197").commune.name == "Saint-Amand-Montrond"
        # a commune chosen under an earlier postcode does not stick to a new one
        assert locate("37000", "Tours", chosen="18197").commune.code == "37261"
        wrong_dep = locate("18000", "Bourges", dep="45")
        assert wrong_dep.field == "departement_code"
        assert wrong_dep.problem == "Bourges (18000) est dans le département 18 – Cher, pas dans le 45."


def test_the_form_asks_which_commune_then_keeps_it_with_its_departement(app, world, client):
    sign_in(client, world.a.coordinator)
    data = {
        "name": "Le Petit Théâtre",
        "structure_type": "municipal_theatre",
        "postcode": "18200",
        "city": "",
    }
    asked = post_form(client, "/structures/new", data, token_from=TOKEN_PAGE)
    assert asked.status_code == 422
    html = asked.get_data(as_text=True)
    assert "Le code postal 18200 couvre plusieurs communes" in html
    assert '<option value="18197">Saint-Amand-Montrond (18197)</option>' in html
    assert 'value="Le Petit Théâtre"' in html  # what was typed is kept
    assert db.session.scalar(select(Organisation).where(Organisation.name == "Le Petit Théâtre")) is None
    saved = post_form(client, "/structures/new", {**data, "commune_code": "18197"}, token_from=TOKEN_PAGE)
    assert saved.status_code == 302
    place = db.session.scalar(select(Organisation).where(Organisation.name == "Le Petit Théâtre"))
    assert (place.commune_code, place.city, place.departement_code) == ("18197", "Saint-Amand-Montrond", "18")


def test_the_form_refuses_a_town_that_is_not_the_postcodes(app, world, client):
    sign_in(client, world.a.coordinator)
    company = world.a.companies[0]
    data = {"name": company.name, "postcode": "18000", "city": "Vierzon"}
    refused = post_form(client, f"/companies/{company.id}/edit", data, token_from=TOKEN_PAGE)
    assert refused.status_code == 422
    assert "n&#39;a pas le code postal 18000 (Bourges)" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert (company.postcode, company.commune_code) == ("45000", "45234")


def _import(net, coordinator, rows):
    out = io.StringIO()
    csv.writer(out, delimiter=";").writerows(
        [["Prénom", "Nom", "E-mail", "Structure", "CP", "Ville", "Département"], *rows]
    )
    table = read_table(out.getvalue().encode("utf-8"))
    planned = importing.apply(
        net.id, table, importing.guess_mapping(table.headers), actor=coordinator, source="Carnet",
        lawful_basis="legitimate_interest",
    )  # fmt: skip
    db.session.commit()
    return planned


def test_the_import_checks_postcode_commune_and_departement(app, net, coordinator):
    planned = _import(net, coordinator, [
        ["Ana", "Bon", "ana@example.org", "Scène de Bourges", "18000", "Bourges", ""],
        ["Bea", "Ville", "bea@example.org", "Salle de Vierzon", "18000", "Vierzon", ""],
        ["Cid", "Dep", "cid@example.org", "Salle des Fêtes", "18000", "Bourges", "45"],
        ["Dan", "Code", "dan@example.org", "Salle Inconnue", "99999", "Nulle-Part", ""],
        ["Eve", "Choix", "eve@example.org", "Foyer rural", "18200", "", ""],
    ])  # fmt: skip
    reasons = {row.values["email"]: row.reasons for row in planned}
    assert reasons["ana@example.org"] == [] and reasons["eve@example.org"] == []
    assert "n'a pas le code postal 18000 (Bourges)" in reasons["bea@example.org"][0]
    assert reasons["cid@example.org"] == [
        "Bourges (18000) est dans le département 18 – Cher, pas dans le 45."
    ]
    assert reasons["dan@example.org"] == ["Code postal inconnu : 99999."]
    imported = {
        p.email: p for p in db.session.scalars(select(Programmer).where(Programmer.network_id == net.id))
    }
    assert set(imported) == {"ana@example.org", "eve@example.org"}  # nothing of a refused row is saved
    assert (
        imported["ana@example.org"].organisation.commune_code,
        imported["ana@example.org"].departement_code,
    ) == (
        "18033",
        "18",
    )
    # a postcode of several communes, the town not saying which: kept, the commune left to choose
    assert imported["eve@example.org"].organisation.commune_code is None
    assert imported["eve@example.org"].organisation.departement_code == "18"


def test_places_whose_commune_is_unknown_are_listed_to_choose(app, world, client):
    from crm.base.extensions import db as database

    company = world.a.companies[1]
    # as the migration leaves it: the postcode's département, no commune
    company.postcode, company.city, company.commune_code, company.departement_code = "18200", "", None, "18"
    other = world.b.companies[0]
    other.postcode, other.city, other.commune_code = "18200", "", None  # another network's: never listed
    database.session.commit()
    sign_in(client, world.a.coordinator)
    listing = client.get("/companies").get_data(as_text=True)
    assert "1 adresse dont la commune reste à préciser" in listing
    page = client.get("/places/to-settle").get_data(as_text=True)
    assert company.name in page and other.name not in page
    assert f"/companies/{company.id}/edit" in page
    data = {"name": company.name, "postcode": "18200", "city": "", "commune_code": "18197"}
    assert post_form(client, f"/companies/{company.id}/edit", data, token_from=TOKEN_PAGE).status_code == 302
    assert "Toutes les communes sont connues." in client.get("/places/to-settle").get_data(as_text=True)
    assert "reste à préciser" not in client.get("/companies").get_data(as_text=True)
