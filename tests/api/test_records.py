"""Reading a network's records (cursor, filters, updated_since) and writing through the pages' services."""

from datetime import time

import time_machine
from sqlalchemy import func, select

from crm.base.database import utcnow
from crm.base.extensions import db
from crm.checkin.models import Attendance
from crm.contacts.models import Programmer
from crm.contacts.privacy import erase
from crm.impact.models import Outcome
from crm.showcase import planning
from tests import factories
from tests.api.conftest import bearer


def _all_pages(client, url, token, limit, cursor=None):
    seen, pages = [], 0
    while True:
        query = f"{url}?limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        body = client.get(query, headers=bearer(token)).get_json()
        seen += [item["id"] for item in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            return seen, pages


def test_lists_go_by_cursor_without_losing_or_repeating_a_row(client, world, tokens):
    a = world.a
    for i in range(7):
        factories.programmer(a.network, a.coordinator, last_name=f"Liste{i}")
    db.session.commit()
    ids, pages = _all_pages(client, "/api/v1/programmers", tokens["read"], 3)
    expected = db.session.scalars(select(Programmer.id).where(Programmer.network_id == a.network.id)).all()
    assert sorted(ids) == sorted(expected) and len(ids) == len(set(ids)) == 10
    assert pages == 4
    first = client.get("/api/v1/programmers?limit=3", headers=bearer(tokens["read"])).get_json()
    factories.programmer(a.network, a.coordinator, last_name="Arrivée")  # a row added while paging
    db.session.commit()
    rest, _ = _all_pages(client, "/api/v1/programmers", tokens["read"], 3, cursor=first["next_cursor"])
    assert not set(rest) & {p["id"] for p in first["items"]} and len(rest) == 8


def test_filters_are_the_pages_filters(client, world, tokens):
    a = world.a
    factories.programmer(a.network, a.coordinator, last_name="Loiret", departement_code="45",
                         disciplines=["dance"])  # fmt: skip
    db.session.commit()
    read = lambda url: client.get(url, headers=bearer(tokens["read"])).get_json()["items"]  # noqa: E731
    assert [p["last_name"] for p in read("/api/v1/programmers?departement=45")] == ["Loiret"]
    assert [p["last_name"] for p in read("/api/v1/programmers?discipline=dance")] == ["Loiret"]
    assert [p["last_name"] for p in read("/api/v1/programmers?q=loiret")] == ["Loiret"]
    assert [r["id"] for r in read(f"/api/v1/registrations?edition={a.planned.id}&status=accepted")] == [
        a.registration.id
    ]
    assert read(f"/api/v1/registrations?edition={a.edition.id}") == []
    assert [s["registration_id"] for s in read(f"/api/v1/slots?edition={a.planned.id}")] == [
        a.registration.id
    ]
    unknown = client.get("/api/v1/programmers?discipline=opera", headers=bearer(tokens["read"]))
    assert unknown.status_code == 422 and unknown.get_json()["errors"][0]["field"] == "discipline"
    typo = client.get("/api/v1/programmers?departemnt=45", headers=bearer(tokens["read"]))
    assert typo.status_code == 422 and typo.get_json()["errors"][0]["field"] == "departemnt"


def test_updated_since_gives_what_changed_erasures_included(client, world, tokens):
    a = world.a
    with time_machine.travel("2027-01-10 09:00:00+00:00", tick=False):
        changed = factories.programmer(a.network, a.coordinator, last_name="Changée")
        gone = factories.programmer(a.network, a.coordinator, last_name="Effacée")
        db.session.commit()
    with time_machine.travel("2027-01-12 09:00:00+00:00", tick=False):
        answer = client.patch(f"/api/v1/programmers/{changed.id}", json={"job_title": "Programmatrice"},
                              headers=bearer(tokens["write"]))  # fmt: skip
        assert answer.status_code == 200
        erase(db.session.get(Programmer, gone.id), now=utcnow())
        db.session.commit()
    since = client.get(
        "/api/v1/programmers?updated_since=2027-01-11T00:00:00Z", headers=bearer(tokens["read"])
    )
    items = {p["id"]: p for p in since.get_json()["items"]}
    assert set(items) == {changed.id, gone.id}
    assert items[gone.id]["erased_at"].startswith("2027-01-12") and items[gone.id]["email"].endswith(
        "@invalid"
    )
    assert items[changed.id]["job_title"] == "Programmatrice"
    naive = client.get(
        "/api/v1/programmers?updated_since=2027-01-11T00:00:00", headers=bearer(tokens["read"])
    )
    assert {p["id"] for p in naive.get_json()["items"]} == set(items)  # no offset: UTC
    plain = client.get("/api/v1/programmers?limit=200", headers=bearer(tokens["read"])).get_json()["items"]
    assert gone.id not in {p["id"] for p in plain}  # the directory itself no longer lists them


def test_a_slot_moved_shows_in_updated_since(client, world, tokens):
    a = world.a
    with time_machine.travel("2027-02-20 09:00:00+00:00", tick=False):
        planning.move_slot(a.slot, {"venue_id": a.venue.id, "day": a.planned.starts_on, "starts": time(19),
                                    "ends": time(21)})  # fmt: skip
        db.session.commit()
    read = client.get(
        "/api/v1/slots?updated_since=2027-02-19T00:00:00%2B01:00", headers=bearer(tokens["read"])
    )
    assert [s["id"] for s in read.get_json()["items"]] == [a.slot.id]
    assert read.get_json()["items"][0]["starts_at"] == "2027-03-04T18:00:00+00:00"
    later = client.get("/api/v1/slots?updated_since=2027-02-21T00:00:00Z", headers=bearer(tokens["read"]))
    assert later.get_json()["items"] == []


def test_a_person_added_is_checked_as_an_imported_row(client, world, tokens):
    a = world.a
    post = lambda body: client.post("/api/v1/programmers", json=body, headers=bearer(tokens["write"]))  # noqa: E731
    base = {"first_name": "Inès", "last_name": "Roux", "email": "Ines.Roux@Example.org"}
    for bad, field in (({"email": "ines@"}, "email"), ({"phone": "12"}, "phone"),
                       ({"departement_code": "99"}, "departement_code"),
                       ({"organisation_id": world.b.venue.id}, "organisation_id")):  # fmt: skip
        refused = post({**base, **bad})
        assert refused.status_code == 422, bad
        assert refused.content_type == "application/problem+json"
        assert [e["field"] for e in refused.get_json()["errors"]] == [field]
    assert (
        db.session.scalar(select(func.count()).select_from(Programmer).where(Programmer.last_name == "Roux"))
        == 0
    )
    made = post({**base, "phone": "06 12 34 56 78", "departement_code": "45", "disciplines": ["circus"]})
    assert made.status_code == 201
    body = made.get_json()
    assert (body["email"], body["phone"], body["disciplines"]) == (
        "ines.roux@example.org",
        "+33612345678",
        ["circus"],
    )
    person = db.session.get(Programmer, body["id"])
    assert person.source == "API\u202f: Outil de billetterie" and person.network_id == a.network.id
    again = post({**base, "last_name": "Roux-Martin"})
    assert again.status_code == 409
    assert again.get_json()["existing"].endswith(f"/api/v1/programmers/{person.id}")
    assert again.get_json()["errors"][0]["field"] == "email"


def test_a_change_keeps_what_it_does_not_name(client, world, tokens):
    person = world.a.programmers[0]
    changed = client.patch(f"/api/v1/programmers/{person.id}", json={"phone": "0238000000"},
                           headers=bearer(tokens["write"]))  # fmt: skip
    assert changed.status_code == 200, changed.get_json()
    body = changed.get_json()
    assert (body["phone"], body["email"], body["organisation_id"]) == (
        "+33238000000",
        person.email,
        world.a.venue.id,
    )
    assert body["disciplines"] == ["theatre"]
    taken = client.patch(f"/api/v1/programmers/{person.id}", json={"email": world.a.programmers[1].email},
                         headers=bearer(tokens["write"]))  # fmt: skip
    assert taken.status_code == 409
    erase(db.session.get(Programmer, person.id), now=utcnow())
    db.session.commit()
    gone = client.patch(f"/api/v1/programmers/{person.id}", json={"first_name": "Revenue"},
                        headers=bearer(tokens["write"]))  # fmt: skip
    assert gone.status_code == 409


def test_a_booking_goes_through_the_booking_service(client, world, tokens):
    a = world.a
    # The person saw the show at the published edition: the edition is found for them, as on the form.
    factories_attendance = Attendance(
        slot_id=a.slot.id, programmer_id=a.programmers[0].id, checked_in_at=utcnow()
    )
    db.session.add(factories_attendance)
    db.session.commit()
    body = {"company_id": a.companies[0].id, "show_id": a.shows[0].id, "programmer_id": a.programmers[0].id,
            "kind": "performances", "status": "confirmed", "decided_on": "2027-04-02", "fee": "1200,50",
            "dates": [{"on": "2027-10-12", "town": "Orléans", "departement_code": "45"}]}  # fmt: skip
    made = client.post("/api/v1/bookings", json=body, headers=bearer(tokens["write"]))
    assert made.status_code == 201, made.get_json()
    data = made.get_json()
    assert (data["edition_id"], data["fee_per_performance"], data["dates"][0]["on"]) == (
        a.planned.id,
        "1200.50",
        "2027-10-12",
    )
    for bad, field in (
        ({"dates": []}, "dates"),
        ({"fee": "beaucoup"}, "fee"),
        ({"show_id": a.shows[1].id}, "show_id"),
    ):
        refused = client.post("/api/v1/bookings", json={**body, **bad}, headers=bearer(tokens["write"]))
        assert refused.status_code == 422 and refused.get_json()["errors"][0]["field"] == field, bad
    assert db.session.scalar(select(func.count()).select_from(Outcome)) == 1
    listed = client.get(
        f"/api/v1/bookings?edition={a.planned.id}&status=confirmed", headers=bearer(tokens["read"])
    )
    assert [b["id"] for b in listed.get_json()["items"]] == [data["id"]]


def test_attendance_is_recorded_once_and_never_on_a_cancelled_slot(client, world, tokens):
    a = world.a
    body = {"slot_id": a.slot.id, "programmer_id": a.programmers[1].id}
    first = client.post("/api/v1/attendance", json=body, headers=bearer(tokens["write"]))
    second = client.post("/api/v1/attendance", json=body, headers=bearer(tokens["write"]))
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.get_json()["id"] == second.get_json()["id"]
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == 1
    read = client.get(f"/api/v1/attendance?programmer={a.programmers[1].id}", headers=bearer(tokens["read"]))
    assert [r["slot_id"] for r in read.get_json()["items"]] == [a.slot.id]
    planning.cancel_slot(a.slot)
    db.session.commit()
    refused = client.post("/api/v1/attendance", json={**body, "programmer_id": a.programmers[0].id},
                          headers=bearer(tokens["write"]))  # fmt: skip
    assert refused.status_code == 422
    assert "annulé" in refused.get_json()["detail"]
    assert refused.get_json()["errors"] == [{"field": "slot_id", "detail": refused.get_json()["detail"]}]


def test_the_public_programme_answers_304_until_it_changes(client, world):
    a = world.a
    url = f"/api/v1/programme/{a.planned.slug}"
    first = client.get(url)
    assert first.status_code == 200 and first.headers["ETag"]
    assert first.get_json()["venues"][0]["name"] == a.venue.name
    assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    planning.move_slot(a.slot, {"venue_id": a.venue.id, "day": a.planned.starts_on, "starts": time(19),
                                "ends": time(21)})  # fmt: skip
    db.session.commit()
    changed = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and changed.headers["ETag"] != first.headers["ETag"]
    assert client.get(f"/api/v1/programme/{a.edition.slug}").status_code == 404  # a draft is not public
    index = client.get("/api/v1/programme/").get_json()["items"]
    assert {e["slug"] for e in index} == {a.planned.slug, world.b.planned.slug}


def test_the_report_gives_the_pages_figures(client, world, tokens):
    a = world.a
    figures = client.get(f"/api/v1/report?edition={a.planned.id}", headers=bearer(tokens["read"])).get_json()
    assert figures["editions"] == [a.planned.id]
    assert figures["figures"]["funnel"]["invited"] == 1
