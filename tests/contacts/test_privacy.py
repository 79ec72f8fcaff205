"""A programmer's rights: export of everything held, objection honoured by the sender, erasure."""

import csv
import io
import json

import pytest
from sqlalchemy import func, select

from crm.base.database import utcnow
from crm.base.errors import DomainError
from crm.base.extensions import db
from crm.contacts import privacy, services
from crm.mail.models import OutboxMessage
from crm.mail.services import RefusedRecipientError, send_to_programmer
from tests import factories
from tests.conftest import post_form, sign_in

TOKEN = "/account/password"


def _outbox():
    return db.session.scalar(select(func.count()).select_from(OutboxMessage))


def test_export_holds_everything_and_neutralises_formulas(app, world, client):
    person = world.a.programmers[0]
    person.job_title = '=HYPERLINK("http://evil.example")'
    db.session.commit()
    sign_in(client, world.a.coordinator)
    data = client.get(f"/programmers/{person.id}/export.json").get_json()
    assert (data["email"], data["source"], data["lawful_basis"]) == (
        person.email,
        "Carte de visite",
        "legitimate_interest",
    )
    assert data["disciplines"] == ["theatre"]
    response = client.get(f"/programmers/{person.id}/export.csv")
    rows = dict(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig")), delimiter=";"))
    assert rows["job_title"] == '\'=HYPERLINK("http://evil.example")'
    assert rows["email"] == person.email
    assert client.get(f"/programmers/{world.b.programmers[0].id}/export.json").status_code == 404
    sign_in(member := app.test_client(), world.a.members[0])
    assert member.get(f"/programmers/{person.id}/export.json").status_code == 403


def test_an_objection_stops_every_message_at_once(app, world):
    person = world.a.programmers[0]
    before = _outbox()
    send_to_programmer(person, "Invitation", "Bonjour")
    assert _outbox() == before + 1
    privacy.opt_out(person, now=utcnow())
    with pytest.raises(RefusedRecipientError):
        send_to_programmer(person, "Relance", "Bonjour")
    assert _outbox() == before + 1


def test_erasure_wipes_the_person_but_keeps_the_row(app, world, client):
    person = world.a.programmers[0]
    person_id, email = person.id, person.email
    sign_in(client, world.a.coordinator)
    refused = post_form(client, f"/programmers/{person_id}/erase", {}, token_from=TOKEN)
    assert refused.status_code == 302
    db.session.expire_all()
    assert person.erased_at is None
    post_form(client, f"/programmers/{person_id}/erase", {"confirm": "1"}, token_from=TOKEN)
    db.session.expire_all()
    erased = db.session.get(type(person), person_id)
    assert (erased.first_name, erased.last_name, erased.phone, erased.disciplines) == (
        "",
        "Personne effacée",
        None,
        [],
    )
    assert email not in json.dumps(privacy.export(erased))
    assert erased.opted_out_at is not None
    listed = db.session.scalars(services.programmers_query(world.a.network.id)).all()
    assert person_id not in {p.id for p in listed}
    assert client.get(f"/programmers/{person_id}/edit").status_code == 403
    with pytest.raises(DomainError):
        privacy.erase(erased, now=utcnow())
    with pytest.raises(RefusedRecipientError):
        send_to_programmer(erased, "Relance", "Bonjour")


def test_an_erased_address_can_be_added_again_by_its_owner_later(app, world):
    person = world.a.programmers[0]
    email = person.email
    privacy.erase(person, now=utcnow())
    again = factories.programmer(world.a.network, world.a.coordinator, email=email, last_name="Revenue")
    assert again.id != person.id


def test_records_without_news_for_three_years_are_listed_and_purged(app, world, client):
    from datetime import timedelta

    from crm.checkin.services import check_in

    a = world.a
    old = utcnow() - timedelta(days=4 * 365)
    silent, came = a.programmers
    for person in (silent, came, a.member_contact):
        person.created_at = old
    check_in(a.slot, came, actor=a.coordinator, now=utcnow())
    db.session.commit()
    stale = db.session.scalars(privacy.stale_query(a.network.id, now=utcnow())).all()
    assert {p.id for p in stale} == {silent.id, a.member_contact.id}
    from crm.followups.services import log_interaction

    log_interaction(
        a.member_contact,
        {"kind": "call", "result": "reached", "summary": "Joint"},
        actor=a.members[0],
        now=utcnow(),
    )
    log_interaction(
        silent,
        {"kind": "call", "result": "left_message", "summary": "Répondeur"},
        actor=a.members[0],
        now=utcnow(),
    )
    db.session.commit()
    stale = db.session.scalars(privacy.stale_query(a.network.id, now=utcnow())).all()
    assert {p.id for p in stale} == {silent.id}  # a message left on a machine is not news from the person
    sign_in(client, a.coordinator)
    assert silent.last_name in client.get("/programmers/review").get_data(as_text=True)
    post_form(client, "/programmers/review/purge", {"confirm": "1"}, token_from=TOKEN)
    db.session.expire_all()
    assert silent.erased_at is not None and came.erased_at is None
    assert db.session.scalars(privacy.stale_query(a.network.id, now=utcnow())).all() == []
