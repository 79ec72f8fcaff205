"""Bad input: a message beside the field, what was typed kept, nothing saved."""

import re

from sqlalchemy import func, select

from crm.base.extensions import db
from crm.contacts.models import Organisation, Programmer
from tests.conftest import post_form, sign_in

TOKEN_PAGE = "/account/password"


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_programmer_with_bad_phone_comes_back_with_the_message_and_the_input(app, world, client):
    sign_in(client, world.a.coordinator)
    before = _count(Programmer)
    data = {
        "first_name": "Gaëlle", "last_name": "Le Gall", "email": "gaelle@example.org",
        "phone": "12 34", "lawful_basis": "legitimate_interest", "source": "Rencontre au festival",
        "disciplines": ["dance", "circus"],
    }  # fmt: skip
    response = post_form(client, "/programmers/new", data, token_from=TOKEN_PAGE)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="phone-error">Numéro de téléphone invalide : 12 34' in html
    assert 'value="Gaëlle"' in html
    assert 'value="Rencontre au festival"' in html
    assert '<option selected value="dance">' in html
    assert _count(Programmer) == before


def test_programmer_missing_fields_are_named(app, world, client):
    sign_in(client, world.a.coordinator)
    response = post_form(client, "/programmers/new", {"email": "not-an-email"}, token_from=TOKEN_PAGE)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    for field in ("first_name", "last_name", "email", "source"):
        assert f'id="{field}-error"' in html
    assert 'value="not-an-email"' in html


def test_programmer_created_by_a_member_is_recorded_with_its_author(app, world, client):
    sign_in(client, world.a.members[0])
    data = {
        "first_name": "Rémi", "last_name": "Faure", "email": "Remi.Faure@example.org",
        "phone": "02 61 91 12 34", "organisation_id": str(world.a.venue.id),
        "lawful_basis": "legitimate_interest", "source": "Carte de visite", "disciplines": ["music"],
    }  # fmt: skip
    response = post_form(client, "/programmers/new", data, token_from=TOKEN_PAGE)
    assert response.status_code == 302
    person = db.session.scalar(select(Programmer).where(Programmer.last_name == "Faure"))
    assert (person.email, person.phone, person.created_by_id) == (
        "remi.faure@example.org", "+33261911234", world.a.members[0].id,
    )  # fmt: skip
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "02 61 91 12 34" in page
    assert "Musique" in page


def test_duplicate_company_name_is_refused_beside_the_name(app, world, client):
    sign_in(client, world.a.coordinator)
    before = _count(Organisation)
    response = post_form(
        client, "/companies/new", {"name": "Compagnie A2", "city": "Tours"}, token_from=TOKEN_PAGE
    )
    assert response.status_code == 422
    assert 'id="name-error">Ce nom existe déjà dans le réseau.' in response.get_data(as_text=True)
    assert _count(Organisation) == before


def test_member_edits_their_company_but_not_its_membership_date(app, world, client):
    sign_in(client, world.a.members[0])
    company = world.a.companies[0]
    response = post_form(
        client,
        f"/companies/{company.id}/edit",
        {
            "name": "Compagnie A1 renommée",
            "member_since": "2000-01-01",
            "postcode": "37000",
            "city": "Tours",
            "departement_code": "",
        },
        token_from=TOKEN_PAGE,
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert (company.name, company.member_since, company.departement_code) == (
        "Compagnie A1 renommée",
        None,
        "37",
    )


def test_postcode_and_departement_that_disagree_are_refused(app, world, client):
    sign_in(client, world.a.coordinator)
    company = world.a.companies[0]
    data = {"name": company.name, "postcode": "37000", "city": "Tours", "departement_code": "45"}
    response = post_form(client, f"/companies/{company.id}/edit", data, token_from=TOKEN_PAGE)
    assert response.status_code == 422
    assert "Tours (37000) est dans le département 37 – Indre-et-Loire, pas dans le 45." in response.get_data(
        as_text=True
    )
    db.session.expire_all()
    assert (company.postcode, company.departement_code) == ("45000", "45")


def test_user_text_is_escaped(app, world, client):
    sign_in(client, world.a.coordinator)
    post_form(
        client,
        "/companies/new",
        {"name": "<script>alert(1)</script> Cie", "city": "Tours"},
        token_from=TOKEN_PAGE,
    )
    html = client.get("/companies").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Cie" in html
    assert "<script>alert(1)" not in html


def test_lists_are_paginated(app, world, client):
    sign_in(client, world.a.coordinator)
    from tests import factories

    for n in range(30):
        factories.programmer(world.a.network, world.a.coordinator, last_name=f"Zpage{n:02d}")
    db.session.commit()
    first = client.get("/programmers").get_data(as_text=True)
    second = client.get("/programmers?page=2").get_data(as_text=True)
    assert "Page 1 sur 2" in first
    assert "33 résultats" in first
    row_link = re.compile(r'href="/programmers/\d+"')
    assert (len(row_link.findall(first)), len(row_link.findall(second))) == (25, 8)
    assert "Zpage29" in second
    assert "Zpage29" not in first


def test_the_departement_filter_lists_those_in_use_first(app, world, client):
    from crm.base.extensions import db
    from tests.conftest import sign_in

    world.a.programmers[0].departement_code = "37"
    world.a.programmers[1].departement_code = "45"
    world.b.programmers[0].departement_code = "2A"  # another network's: not "in use" here
    db.session.commit()
    sign_in(client, world.a.coordinator)
    html = client.get("/programmers").get_data(as_text=True)
    in_use, others = html.split('<optgroup label="Autres départements">', 1)
    first = in_use.split('<optgroup label="Utilisés dans ce réseau">', 1)[1]
    assert first.count("<option") == 2 and 'value="37"' in first and 'value="45"' in first
    assert 'value="2A"' in others and 'value="37"' not in others
