"""What a client may send by mistake (or on purpose) gets a 4xx problem naming the cause, never a 500."""

import pytest
import time_machine
from sqlalchemy import func, select

from crm.base.database import utcnow
from crm.base.extensions import db
from crm.checkin.models import Attendance
from crm.contacts.models import Programmer
from crm.contacts.privacy import erase
from crm.impact.models import Outcome
from crm.showcase import planning
from tests.api.conftest import bearer

BIG = 10**30


def _post(client, token, url, **kwargs):
    return client.post(url, headers={**bearer(token), **kwargs.pop("headers", {})}, **kwargs)


@pytest.mark.parametrize(
    "raw", [b'{"first_name":', b'{"first_name":"\xff\xfe"}', b"[" * 100_000, b'"a string"', b"[1, 2]"]
)
def test_a_body_that_is_not_a_json_object_is_a_400_or_422_problem(client, world, tokens, raw):
    answer = _post(client, tokens["write"], "/api/v1/programmers", data=raw,
                   headers={"Content-Type": "application/json"})  # fmt: skip
    assert answer.status_code in (400, 422), answer.get_data(as_text=True)[:200]
    assert answer.content_type == "application/problem+json"
    assert answer.get_json()["errors"]


def test_a_body_sent_as_something_else_than_json_is_told_so(client, world, tokens):
    answer = _post(client, tokens["write"], "/api/v1/programmers", data="first_name=A&last_name=B",
                   headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert answer.status_code == 415
    assert "JSON" in answer.get_json()["detail"]


def test_numbers_beyond_an_id_are_refused_not_crashed_on(client, world, tokens):
    for url in (f"/api/v1/programmers/{BIG}", f"/api/v1/bookings/{BIG}", f"/api/v1/attendance/{BIG}"):
        assert client.get(url, headers=bearer(tokens["read"])).status_code == 404, url
    listed = client.get(f"/api/v1/slots?edition={BIG}", headers=bearer(tokens["read"]))
    assert listed.status_code == 422 and listed.get_json()["errors"][0]["field"] == "edition"
    for url, body, field in (
        ("/api/v1/attendance", {"slot_id": BIG, "programmer_id": 1}, "slot_id"),
        ("/api/v1/bookings", {"company_id": 2**70, "show_id": 1, "kind": "performances", "status": "option",
                              "decided_on": "2027-04-02"}, "company_id"),
        ("/api/v1/programmers", {"first_name": "A", "last_name": "B", "email": "ab@example.org",
                                 "organisation_id": BIG}, "organisation_id"),
        ("/api/v1/attendance", {"slot_id": 13.5, "programmer_id": 1}, "slot_id"),
        ("/api/v1/attendance", {"slot_id": "1", "programmer_id": 1}, "slot_id"),
    ):  # fmt: skip
        answer = _post(client, tokens["write"], url, json=body)
        assert answer.status_code == 422, (url, body, answer.get_data(as_text=True)[:200])
        assert [e["field"] for e in answer.get_json()["errors"]] == [field]


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00", "hier"])
def test_a_date_at_the_ends_of_the_calendar_is_refused(client, world, tokens, moment):
    answer = client.get("/api/v1/programmers", query_string={"updated_since": moment},
                        headers=bearer(tokens["read"]))  # fmt: skip
    assert answer.status_code == 422
    assert answer.get_json()["errors"][0]["field"] == "updated_since"


def test_text_is_trimmed_and_control_characters_refused(client, world, tokens):
    blank = _post(client, tokens["write"], "/api/v1/programmers",
                  json={"first_name": "  ", "last_name": "Roux", "email": "r@example.org"})  # fmt: skip
    assert blank.status_code == 422 and blank.get_json()["errors"][0]["field"] == "first_name"
    nul = _post(client, tokens["write"], "/api/v1/programmers",
                json={"first_name": "A\u0000B", "last_name": "Roux", "email": "r@example.org"})  # fmt: skip
    assert nul.status_code == 422 and nul.get_json()["errors"][0]["field"] == "first_name"
    made = _post(client, tokens["write"], "/api/v1/programmers",
                 json={"first_name": "  Inès ", "last_name": "Roux", "email": " r@example.org "})  # fmt: skip
    assert made.status_code == 201
    assert (made.get_json()["first_name"], made.get_json()["email"]) == ("Inès", "r@example.org")


def test_a_booking_refuses_what_the_form_would(client, world, tokens):
    a = world.a
    body = {"company_id": a.companies[0].id, "show_id": a.shows[0].id, "kind": "performances",
            "status": "option", "decided_on": "2027-04-02"}  # fmt: skip
    for bad, field in (({"currency": "$$$"}, "currency"), ({"dates": [{"on": "0001-01-01"}]}, "dates"),
                       ({"programmer_id": world.b.programmers[0].id}, "programmer_id"),
                       ({"programmer_id": a.programmers[0].id, "programmer_email": a.programmers[1].email},
                        "programmer_email")):  # fmt: skip
        answer = _post(client, tokens["write"], "/api/v1/bookings", json={**body, **bad})
        assert answer.status_code == 422, bad
        assert answer.get_json()["errors"][0]["field"] == field, answer.get_json()
    assert db.session.scalar(select(func.count()).select_from(Outcome)) == 0


def test_an_erased_person_is_never_ticked_in(client, world, tokens):
    a = world.a
    erase(db.session.get(Programmer, a.programmers[1].id), now=utcnow())
    db.session.commit()
    answer = _post(client, tokens["write"], "/api/v1/attendance",
                   json={"slot_id": a.slot.id, "programmer_id": a.programmers[1].id})  # fmt: skip
    assert answer.status_code == 422 and answer.get_json()["errors"][0]["field"] == "programmer_id"
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == 0


def test_every_token_route_refuses_a_query_parameter_it_does_not_know(client, world, tokens):
    for url in ("/api/v1/network?foo=1", f"/api/v1/programmers/{world.a.programmers[0].id}?foo=1"):
        answer = client.get(url, headers=bearer(tokens["read"]))
        assert answer.status_code == 422, url
        assert answer.get_json()["errors"][0]["field"] == "foo"
    public = client.get("/api/v1/programme/?updated_since=2099-01-01T00:00:00Z")
    assert public.status_code == 422  # the public list has no updated_since: said, not ignored


def test_a_departement_is_found_as_it_is_written(client, world, tokens):
    from tests import factories

    factories.programmer(world.a.network, world.a.coordinator, last_name="Ain", departement_code="01")
    factories.programmer(world.a.network, world.a.coordinator, last_name="Corse", departement_code="2A")
    db.session.commit()
    for code, name in (("1", "Ain"), ("01", "Ain"), ("2a", "Corse")):
        answer = client.get(f"/api/v1/programmers?departement={code}", headers=bearer(tokens["read"]))
        assert [p["last_name"] for p in answer.get_json()["items"]] == [name], code


def test_a_show_placed_or_taken_off_a_slot_moves_its_updated_at(client, world, tokens):
    a = world.a
    with time_machine.travel("2027-02-20 09:00:00+00:00", tick=False):
        planning.unassign(a.assignment)
        db.session.commit()
    changed = client.get("/api/v1/slots?updated_since=2027-02-19T00:00:00Z", headers=bearer(tokens["read"]))
    assert [(s["id"], s["registration_id"]) for s in changed.get_json()["items"]] == [(a.slot.id, None)]
