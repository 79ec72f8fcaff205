"""SIRET, APE, VAT and licence numbers: refused with their reason where they are typed (forms and
imports), stored normalised, shown formatted; a company's page warns of a cession recorded without a
licence in force."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import select

from crm.base import identifiers
from crm.base.errors import DomainError
from crm.base.extensions import db
from crm.contacts import importing
from crm.contacts.models import Organisation, Programmer
from crm.impact import contract
from crm.impact.models import Outcome, OutcomeKind, OutcomeStatus
from crm.imports.reading import read_table
from tests.conftest import post_form, sign_in

TOKEN_PAGE = "/account/password"
PINNED = time_machine.travel(date(2026, 12, 3), tick=False)


def _refused(check, raw, *args, **kwargs) -> str:
    with pytest.raises(DomainError) as refused:
        check(raw, *args, **kwargs)
    return str(refused.value.message)


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("732 829 320 00074", "73282932000074"),
        ("552.100.554.00021", "55210055400021"),
        ("35600000000048", "35600000000048"),  # La Poste's head office: an ordinary key
        ("356 000 000 49837", "35600000049837"),  # a post office: digits adding up to a multiple of 5
    ],
)
def test_siret_accepts_real_looking_numbers_and_stores_the_digits(app, typed, stored):
    with app.test_request_context():
        assert identifiers.siret(typed) == stored


def test_siret_refusals_say_what_is_wrong(app):
    with app.test_request_context():
        assert "clé" not in _refused(identifiers.siret, "73282932000075")
        assert "un chiffre est faux" in _refused(identifiers.siret, "73282932000075")
        # La Poste: 35600000049839 has a right Luhn key, but its digits add up to 62
        assert "un chiffre est faux" in _refused(identifiers.siret, "35600000049839")
        assert "SIREN" in _refused(identifiers.siret, "732 829 320")
        assert "14 chiffres (ici 12)" in _refused(identifiers.siret, "732829320000")
        assert "que des chiffres" in _refused(identifiers.siret, "73282932O00074")
        assert identifiers.siret("  ") is None


def test_ape_code_is_written_as_insee_does():
    assert identifiers.ape("9001z") == identifiers.ape("90 01 Z") == "90.01Z"
    with pytest.raises(DomainError, match="4 chiffres et une lettre"):
        identifiers.ape("900")


def test_vat_number_is_checked_and_must_match_the_siren(app):
    with app.test_request_context():
        assert identifiers.vat("fr 40 303 265 045") == identifiers.vat("40303265045") == "FR40303265045"
        assert identifiers.vat("DE 136 695 976") == "DE136695976"
        assert "un chiffre est faux" in _refused(identifiers.vat, "FR41303265045")
        assert "pays de l'Union" in _refused(identifiers.vat, "US123456789")
        assert "longueur" in _refused(identifiers.vat, "FR4030326504")
        assert "SIREN 303\u00a0265\u00a0045" in _refused(
            identifiers.vat, "FR40303265045", siret_number="73282932000074"
        )
        assert identifiers.vat("FR40303265045", siret_number="30326504500011") == "FR40303265045"
        assert identifiers.vat_display("FR40303265045") == "FR\u00a040\u00a0303\u00a0265\u00a0045"


@PINNED
@pytest.mark.parametrize(
    "typed, expected, found",
    [
        ("PLATESV-R-2021-1234", 2, (2, "PLATESV-R-2021-001234")),
        ("2-PLATESV-D-2020-000812", None, (2, "PLATESV-D-2020-000812")),
        ("N° PLATESV R 2022 004567", 3, (3, "PLATESV-R-2022-004567")),
        ("L-R-19-839", 1, (1, "PLATESV-R-2019-000839")),  # the abbreviation the ministry allows
        ("Licence n° 2-1051234", None, (2, "2-1051234")),  # the former regime's form
        ("2 - 1051234", 2, (2, "2-1051234")),
    ],
)
def test_licence_numbers_in_the_forms_people_type(app, typed, expected, found):
    with app.test_request_context():
        assert identifiers.licence(typed, expected) == found


@PINNED
def test_licence_refusals_say_what_is_wrong(app):
    with app.test_request_context():
        assert "PLATESV-R-2024-001234" in _refused(identifiers.licence, "123456", 2)
        assert "de 2019 à 2026" in _refused(identifiers.licence, "PLATESV-R-2027-000001", 2)
        assert "de 2019 à 2026" in _refused(identifiers.licence, "PLATESV-R-2018-000001", 2)
        assert "catégorie 2, pas 1" in _refused(identifiers.licence, "2-1051234", 1)
        assert "catégorie 3, pas 2" in _refused(identifiers.licence, "3-PLATESV-R-2024-000001", 2)


def test_a_licence_is_in_force_for_five_years_and_the_former_regime_has_expired():
    today = date(2026, 12, 3)
    assert identifiers.licence_in_force("PLATESV-R-2021-001234", today)
    assert not identifiers.licence_in_force("PLATESV-D-2020-000812", today)
    assert not identifiers.licence_in_force("2-1051234", today)


def _company_form(company, **numbers):
    return {"name": company.name, "postcode": "45000", "city": "Orléans", "on_public_map": "y", **numbers}


@PINNED
def test_the_company_form_refuses_bad_numbers_beside_them_and_keeps_what_was_typed(world, client):
    company = world.a.companies[0]
    sign_in(client, world.a.members[0])
    url = f"/companies/{company.id}/edit"
    typed = {"siret": "732 829 320 00075", "ape_code": "90.01Z", "vat_number": "FR41303265045",
             "licence_2": "PLATESV-X-2021-1", "licence_3": "2-PLATESV-R-2024-000001"}  # fmt: skip
    response = post_form(client, url, _company_form(company, **typed), token_from=TOKEN_PAGE)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="siret-error">Ce SIRET n&#39;existe pas' in html and 'value="732 829 320 00075"' in html
    assert 'id="vat_number-error">Ce n° de TVA n&#39;existe pas' in html
    assert 'id="licence_2-error">Numéro de licence non reconnu' in html and 'value="PLATESV-X-2021-1"' in html
    assert 'id="licence_3-error">Ce numéro est celui d&#39;une licence de catégorie 2, pas 3' in html
    assert 'id="ape_code-error"' not in html
    db.session.expire_all()
    assert db.session.get(Organisation, company.id).siret is None  # nothing saved


@PINNED
def test_good_numbers_are_stored_normalised_and_shown_formatted(world, client):
    company = world.a.companies[0]
    sign_in(client, world.a.members[0])
    url = f"/companies/{company.id}/edit"
    typed = {"siret": "303 265 045 00011", "ape_code": "9001z", "vat_number": "fr 40 303 265 045",
             "licence_2": "L-R-24-1234"}  # fmt: skip
    response = post_form(client, url, _company_form(company, **typed), token_from=TOKEN_PAGE)
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Organisation, company.id)
    assert (saved.siret, saved.ape_code, saved.vat_number, saved.licence_2) == (
        "30326504500011", "90.01Z", "FR40303265045", "PLATESV-R-2024-001234",
    )  # fmt: skip
    page = client.get(f"/companies/{company.id}").get_data(as_text=True)
    assert "303\u00a0265\u00a0045\u00a000011" in page and "FR\u00a040\u00a0303\u00a0265\u00a0045" in page
    assert "PLATESV-R-2024-001234 (catégorie 2)" in page
    form = client.get(url).get_data(as_text=True)
    assert 'value="303\u00a0265\u00a0045\u00a000011"' in form  # the form opens on the formatted number
    # a VAT number of another SIREN than the SIRET's is refused
    other = _company_form(company, siret="30326504500011", vat_number="FR22800000002")
    refused = post_form(client, url, other, token_from=TOKEN_PAGE)
    assert refused.status_code == 422 and "pas celui du SIRET (303\u00a0265\u00a0045)" in refused.get_data(
        as_text=True
    )


def test_a_structure_form_refuses_a_bad_siret_too(world, client):
    sign_in(client, world.a.coordinator)
    data = {
        "name": "Salle des fêtes de Meung",
        "structure_type": "municipal_theatre",
        "siret": "12345678901234",
    }
    response = post_form(client, "/structures/new", data, token_from=TOKEN_PAGE)
    assert response.status_code == 422 and 'id="siret-error"' in response.get_data(as_text=True)
    assert db.session.scalar(select(Organisation).where(Organisation.name == data["name"])) is None


def _csv(rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


@PINNED
def test_import_refuses_rows_with_bad_numbers_and_keeps_the_others(app, world):
    a = world.a
    table = read_table(_csv([
        ["Prénom", "Nom", "E-mail", "Structure", "SIRET", "Code APE", "N° TVA", "Licences"],
        ["Léa", "Morin", "lea@example.org", "Théâtre de Blois", "303 265 045 00011", "9001Z", "FR40303265045",
         "1-PLATESV-R-2024-000310; 3-PLATESV-R-2024-000311"],
        ["Jean", "Roy", "jean@example.org", "Salle de Vendôme", "73282932000075", "", "", ""],
        ["Ana", "Sol", "ana@example.org", "Salle de Vendôme", "", "", "", "PLATESV-R-2024-000312"],
        ["Ida", "Noé", "ida@example.org", "", "35600000049837", "", "", ""],
        ["Max", "Roc", "max@example.org", "Salle de Vendôme", "35600000049837", "", "FR41303265045", ""],
        ["Éva", "Lys", "eva@example.org", "Salle de Vendôme", "35600000049837", "90.04Z", "", "2-1051234"],
    ]))  # fmt: skip
    mapping = importing.guess_mapping(table.headers)
    assert set(mapping.values()) >= {"siret", "ape_code", "vat_number", "licences"}
    planned = importing.apply(a.network.id, table, mapping, actor=a.coordinator, source="Fichier DRAC",
                              lawful_basis="legitimate_interest")  # fmt: skip
    db.session.commit()
    by_line = {p.line: p for p in planned}
    assert [p.action for p in planned].count(importing.Action.REFUSED) == 4
    assert "un chiffre est faux" in by_line[3].reasons[0] and "73282932000075" in by_line[3].reasons[0]
    assert "catégorie de la licence inconnue" in by_line[4].reasons[0]
    assert "sans structure" in by_line[5].reasons[0]
    assert "TVA" in by_line[6].reasons[0]
    blois = db.session.scalar(select(Organisation).where(Organisation.name == "Théâtre de Blois"))
    assert (blois.siret, blois.ape_code, blois.vat_number, blois.licence_1, blois.licence_3) == (
        "30326504500011", "90.01Z", "FR40303265045", "PLATESV-R-2024-000310", "PLATESV-R-2024-000311",
    )  # fmt: skip
    vendome = db.session.scalar(select(Organisation).where(Organisation.name == "Salle de Vendôme"))
    assert (vendome.siret, vendome.licence_2) == ("35600000049837", "2-1051234")  # La Poste's rule
    people = set(db.session.scalars(select(Programmer.email).where(Programmer.network_id == a.network.id)))
    assert {"lea@example.org", "eva@example.org"} <= people
    assert not {"jean@example.org", "ana@example.org", "ida@example.org", "max@example.org"} & people


def _cession(company, show, status=OutcomeStatus.CONFIRMED):
    outcome = Outcome(network_id=company.network_id, company_id=company.id, show_id=show.id,
                      kind=OutcomeKind.PERFORMANCES, status=status, fee_per_performance=Decimal("900"),
                      decided_on=date(2026, 11, 2), currency="EUR")  # fmt: skip
    db.session.add(outcome)
    db.session.commit()
    return outcome


WARNING = "aucune licence d&#39;entrepreneur de spectacles en cours de validité"


@PINNED
def test_the_company_page_warns_of_a_cession_without_a_licence_in_force(world, client):
    a = world.a
    company = a.companies[0]
    sign_in(client, a.members[0])
    url = f"/companies/{company.id}"
    assert WARNING not in client.get(url).get_data(as_text=True)  # no booking yet
    _cession(company, a.shows[0], OutcomeStatus.OPTION)
    assert WARNING in client.get(url).get_data(as_text=True)
    company.licence_2 = "PLATESV-D-2020-000812"  # more than five years old
    db.session.commit()
    assert WARNING in client.get(url).get_data(as_text=True)
    company.licence_2 = "2-1051234"
    db.session.commit()
    assert "à l&#39;ancien format" in client.get(url).get_data(as_text=True)
    company.licence_2 = "PLATESV-R-2025-000812"
    db.session.commit()
    page = client.get(url).get_data(as_text=True)
    assert WARNING not in page and "ancien format" not in page


def test_a_cancelled_cession_asks_for_no_licence(world, client):
    a = world.a
    _cession(a.companies[0], a.shows[0], OutcomeStatus.CANCELLED)
    sign_in(client, a.members[0])
    assert WARNING not in client.get(f"/companies/{a.companies[0].id}").get_data(as_text=True)


@PINNED
def test_the_contract_states_the_numbers_as_the_directory_shows_them(app, world):
    a = world.a
    company = a.companies[0]
    company.siret, company.ape_code, company.licence_2 = "30326504500011", "90.01Z", "PLATESV-R-2024-001234"
    outcome = _cession(company, a.shows[0])
    with app.test_request_context():
        values = contract.summary(outcome).values()
    assert values["vendeur_siret"] == "303\u00a0265\u00a0045\u00a000011" and values["vendeur_ape"] == "90.01Z"
    assert values["vendeur_licence"] == "PLATESV-R-2024-001234 (catégorie 2)"
    assert values["vendeur_tva"] == ""  # not given: listed as missing
