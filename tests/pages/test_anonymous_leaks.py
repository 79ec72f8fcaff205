"""The pages anyone can open (the published programme, a network's map) show no person's e-mail address
or phone number, in any form: every address and number the database holds is looked for, and anything
shaped like one."""

import re

import pytest
from sqlalchemy import select

from crm.accounts.models import User
from crm.base.extensions import db
from crm.base.phones import display_phone
from crm.contacts.models import Organisation, Programmer
from tests import factories

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
PHONE = re.compile(r"(?:\+33|\b0)\s*[1-9](?:[\s.-]*\d{2}){4}\b")


def _public_urls(world):
    a = world.a
    a.network.public_map = True
    for org, code in ((a.companies[0], "18033"), (a.companies[1], "37261"), (a.venue, "45234")):
        org.commune_code = code
        org.email = f"direction.{org.id}@compagnie.example"
        org.phone = "+33238000000"
    a.programmers[0].phone = "+33612345678"
    factories.programmer(a.network, a.coordinator, a.venue, last_name="Voisine", phone="06 98 76 54 32")
    db.session.commit()
    return [
        "/programme/",
        f"/programme/{a.planned.slug}",
        f"/map/{a.network.slug}",
        f"/map/{a.network.slug}?departement=18&discipline=theatre",
    ]


def _held(column):
    return [value for value in db.session.scalars(select(column).where(column.is_not(None))) if value]


@pytest.mark.parametrize("index", range(4))
def test_a_public_page_shows_no_address_nor_number(client, world, index):
    url = _public_urls(world)[index]
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.get_data(as_text=True)
    emails = _held(User.email) + _held(Programmer.email) + _held(Organisation.email)
    phones = _held(Programmer.phone) + _held(Organisation.phone)
    assert len(emails) > 10 and len(phones) >= 3  # the fixture really holds some
    for email in emails:
        assert email.lower() not in html.lower(), (url, email)
    for phone in phones:
        for shown in {phone, display_phone(phone), phone.replace("+33", "0")}:
            assert shown not in html, (url, shown)
    assert EMAIL.findall(html) == [], url
    assert PHONE.findall(html) == [], url
    assert "mailto:" not in html and "tel:" not in html
