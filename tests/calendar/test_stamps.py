"""Change stamps and the shared render cache: every change that alters the public programme (page,
JSON, feeds) or a private feed changes its ETag, nothing else does; a revalidation is one statement
whatever the number of events; another worker serves the stored bytes."""

import inspect
import os
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from crm.base import rendered, stamps
from crm.base.extensions import db
from crm.base.querycount import count_queries
from crm.calendar import services as calendars
from crm.calendar.models import FeedKind
from crm.invitations.models import Answer, Invitation, InvitationDay
from crm.showcase import planning
from crm.showcase.models import SlotStatus
from tests import factories
from tests.conftest import sign_in
from tests.scene import on_stage


def _public(edition):
    slug = edition.slug
    return {
        "page": f"/programme/{slug}",
        "JSON": f"/programme/{slug}.json",
        "feed": f"/programme/{slug}.ics",
    }


def _etags(client, urls) -> dict:
    found = {}
    for name, url in urls.items():
        answer = client.get(url)
        assert answer.status_code == 200, url
        found[name] = answer.headers["ETag"]
    return found


def _company_feed(company):
    subscription = calendars.subscription_for(FeedKind.COMPANY, company.id)
    db.session.commit()
    return f"/calendars/{calendars.token_for(subscription)}.ics"


def _changes(world):
    """(what, change) pairs: each alters what the public programme of world A shows."""
    a = world.a

    def moved():
        a.slot.starts_at += timedelta(minutes=30)
        a.slot.ends_at += timedelta(minutes=30)

    def cancelled():
        a.slot.status = SlotStatus.CANCELLED

    def deleted():
        slot = on_stage(a.planned, a.venue, a.companies[1], factories.show(a.companies[1]), 15)
        db.session.commit()
        yield
        planning.unassign(slot.assignment)
        db.session.delete(slot)

    def added():
        on_stage(a.planned, a.venue, a.companies[1], factories.show(a.companies[1]), 16)

    def renamed_show():
        a.shows[0].title = "Un autre titre"

    def venue_address():
        a.venue.address = "2 rue Neuve"

    def renamed_company():
        a.companies[0].name = "Compagnie renommée"

    def renamed_edition():
        a.planned.name = "Temps fort du printemps"

    def video():
        a.slot.assignment.registration.video_url = "https://video.example/nouvelle"

    return [
        ("slot moved", moved),
        ("slot cancelled", cancelled),
        ("slot deleted", deleted),
        ("show added", added),
        ("show renamed", renamed_show),
        ("venue address edited", venue_address),
        ("company renamed", renamed_company),
        ("edition renamed", renamed_edition),
        ("video link", video),
    ]


def test_every_change_of_the_programme_changes_every_etag(world, client):
    for name, change in _changes(world):
        steps = change() if inspect.isgeneratorfunction(change) else None
        if steps is not None:  # what the change needs first (the slot to delete)
            next(steps)
            db.session.commit()
        urls = {**_public(world.a.planned), "company feed": _company_feed(world.a.companies[0])}
        before = _etags(client, urls)
        change() if steps is None else next(steps, None)
        db.session.commit()
        after = _etags(client, urls)
        changed = {key for key in urls if before[key] != after[key]}
        expected = set(urls) - ({"company feed"} if name in ("show added", "slot deleted") else set())
        assert changed >= expected, f"{name}: unchanged {sorted(expected - changed)}"


def test_the_language_of_the_page_is_part_of_its_etag(world, client):
    page = f"/programme/{world.a.planned.slug}"
    french, english = client.get(page), client.get(f"{page}?lang=en")
    assert french.headers["ETag"] != english.headers["ETag"]
    assert b"Subscribe" in english.data or b"calendar" in english.data
    assert client.get(page, headers={"If-None-Match": french.headers["ETag"]}).status_code == 304
    assert client.get(f"{page}?lang=en", headers={"If-None-Match": french.headers["ETag"]}).status_code == 200


def test_what_no_page_shows_leaves_every_etag_alone(world, client):
    a, b = world.a, world.b
    urls = {**_public(a.planned), "company feed": _company_feed(a.companies[0])}
    before = _etags(client, urls)
    a.venue.phone = "02 41 00 00 00"  # on no programme
    a.companies[0].email = "bonjour@compagnie.example"
    a.programmers[0].last_name = "Autrenom"
    a.shows[0].summary = "Un résumé pour le dossier"
    on_stage(b.planned, b.venue, b.companies[0], factories.show(b.companies[0]), 14)  # another network's
    db.session.add(factories.edition(a.network, name="Édition en préparation"))
    db.session.commit()
    assert _etags(client, urls) == before
    # …and an unchanged programme answers a revalidation without a byte
    for name, url in urls.items():
        again = client.get(url, headers={"If-None-Match": before[name]})
        assert again.status_code == 304 and again.data == b"", name


def test_a_programmers_agenda_changes_with_their_days_and_answer_only(world, client):
    a = world.a
    invitation = db.session.scalar(select(Invitation).where(Invitation.edition_id == a.planned.id))
    invitation.answer = Answer.COMING
    invitation.days.append(InvitationDay(day=a.planned.starts_on))
    subscription = calendars.subscription_for(FeedKind.PROGRAMMER, invitation.id)
    db.session.commit()
    url = f"/calendars/{calendars.token_for(subscription)}.ics"
    first = client.get(url).headers["ETag"]
    invitation.reminded_at = datetime(2027, 2, 1, tzinfo=UTC)  # not on the agenda
    db.session.commit()
    assert client.get(url).headers["ETag"] == first
    invitation.days.append(InvitationDay(day=a.planned.ends_on))
    db.session.commit()
    second = client.get(url).headers["ETag"]
    assert second != first
    invitation.answer = Answer.NOT_COMING
    db.session.commit()
    assert client.get(url).headers["ETag"] != second


def _revalidations(client, urls) -> list[int]:
    found = []
    for url in urls:
        etag = client.get(url).headers["ETag"]
        with count_queries(db.engine) as statements:
            assert client.get(url, headers={"If-None-Match": etag}).status_code == 304, url
        found.append(len(statements))
    return found


def _stored_in_another_worker(client, urls) -> list[int]:
    """Statements of a worker that never served the page: the bytes come from the shared store."""
    found = []
    for url in urls:
        first = client.get(url).data
        rendered.memory.clear()
        with count_queries(db.engine) as statements:
            again = client.get(url)
        assert again.data == first, url
        found.append(len(statements))
    return found


def _written_anew(client, urls) -> list[int]:
    found = []
    for url in urls:
        rendered.clear()
        with count_queries(db.engine) as statements:
            assert client.get(url).status_code == 200, url
        found.append(len(statements))
    return found


def test_statements_do_not_grow_with_the_events(app, client):
    from bench.bench_programme import world

    slug = world(10)
    from crm.showcase.models import Edition

    edition = db.session.scalar(select(Edition).where(Edition.slug == slug))
    urls = list(_public(edition).values())
    small = (
        _revalidations(client, urls),
        _stored_in_another_worker(client, urls),
        _written_anew(client, urls),
    )
    for _ in range(99):  # 10 → 1,000 events, by the same bulk path
        world_more(edition, 10)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(_slots())) == 1000
    large = (
        _revalidations(client, urls),
        _stored_in_another_worker(client, urls),
        _written_anew(client, urls),
    )
    # 304: the edition and its stamp. Another worker: and the stored bytes. Written anew, after those
    # two: the edition and its network, then the page its rows, the JSON its slots with their venue,
    # show and company (joined), before storing itself; the feed its rows, stored events, slots to
    # write, the edition, then it stores events and itself.
    assert small == large == ([1, 1, 1], [2, 2, 2], [6, 6, 8])


def _slots():
    from crm.showcase.models import Slot

    return Slot.__table__


def world_more(edition, count):
    """`count` more played slots in the edition (bulk, as the benchmark builds them), stamps raised."""
    from sqlalchemy import insert

    from crm.base.enums import Audience, Discipline
    from crm.showcase.models import Assignment, Registration, RegistrationStatus, Show, ShowFormat, Slot

    company_id, venue_id = db.session.execute(
        select(Registration.company_id, Slot.venue_id)
        .join(Assignment, Assignment.registration_id == Registration.id)
        .join(Slot, Slot.id == Assignment.slot_id)
        .where(Slot.edition_id == edition.id)
        .limit(1)
    ).one()
    now = datetime(2027, 1, 1, tzinfo=UTC)
    start = db.session.scalar(select(func.count()).select_from(Slot.__table__))
    show_ids = db.session.scalars(
        insert(Show).returning(Show.id, sort_by_parameter_order=True),
        [{"network_id": edition.network_id, "company_id": company_id, "title": f"Autre n°{start + n}",
          "discipline": Discipline.DANCE, "audience": Audience.YOUNG, "duration_minutes": 30,
          "cast_size": 1, "setup_minutes": 0, "strike_minutes": 0, "created_at": now}
         for n in range(count)],
    ).all()  # fmt: skip
    registration_ids = db.session.scalars(
        insert(Registration).returning(Registration.id, sort_by_parameter_order=True),
        [{"edition_id": edition.id, "company_id": company_id, "show_id": s, "format": ShowFormat.FULL,
          "status": RegistrationStatus.ACCEPTED, "cast_size": 1, "setup_minutes": 0, "strike_minutes": 0,
          "needs_blackout": False, "max_slots": 1, "created_at": now, "updated_at": now}
         for s in show_ids],
    ).all()  # fmt: skip
    base = datetime(2027, 3, 2, 7, tzinfo=UTC) + timedelta(minutes=start)
    slot_ids = db.session.scalars(
        insert(Slot).returning(Slot.id, sort_by_parameter_order=True),
        [{"edition_id": edition.id, "venue_id": venue_id, "format": ShowFormat.FULL, "status": "planned",
          "sequence": 0, "starts_at": base + timedelta(minutes=n), "ends_at": base + timedelta(minutes=n + 1),
          "updated_at": now}
         for n in range(count)],
    ).all()  # fmt: skip
    db.session.execute(
        insert(Assignment),
        [
            {"slot_id": s, "registration_id": r, "created_at": now}
            for s, r in zip(slot_ids, registration_ids, strict=True)
        ],
    )
    stamps.touch(db.session, stamps.EDITION, [edition.id])  # a bulk write names what it changed


def test_the_shared_page_is_the_same_for_every_visitor_and_sets_no_cookie(world, client, app):
    page = f"/programme/{world.a.planned.slug}"
    answer = client.get(page)
    assert "Set-Cookie" not in answer.headers
    assert b"csrf_token" not in answer.data
    assert answer.headers["Cache-Control"] == "public, no-cache"
    assert "Cookie" in answer.headers["Vary"]
    other = app.test_client().get(page)
    assert other.data == answer.data and other.headers["ETag"] == answer.headers["ETag"]


def test_a_signed_in_visitor_gets_their_own_page_never_a_shared_one(world, app):
    client = app.test_client()
    sign_in(client, world.a.coordinator)
    page = f"/programme/{world.a.planned.slug}"
    answer = client.get(page)
    assert answer.status_code == 200
    assert world.a.coordinator.full_name.encode() in answer.data  # their menu
    assert answer.headers["Cache-Control"] == "no-store" and "ETag" not in answer.headers
    anonymous = app.test_client().get(page)
    assert world.a.coordinator.full_name.encode() not in anonymous.data
    assert b"Programme A" in anonymous.data and b"Spectacle A1" in anonymous.data


def test_the_shared_store_is_bounded_and_can_be_emptied(world, client, app, runner):
    from crm.base.rendered import Rendered

    for url in _public(world.a.planned).values():
        client.get(url)
    stored = db.session.scalar(select(func.count()).select_from(Rendered))
    assert stored >= 4  # page, its programme part, JSON, feed (and its event)
    sizes = db.session.scalars(select(Rendered.size).order_by(Rendered.created_at)).all()
    dropped = rendered.trim(limit_bytes=sum(sizes) - 1)
    assert dropped >= 1
    assert db.session.scalar(select(func.sum(Rendered.size))) <= sum(sizes) - 1
    result = runner.invoke(args=["cache", "clear"])
    assert result.exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(Rendered)) == 0
    assert client.get(_public(world.a.planned)["page"]).status_code == 200  # rendered again


def test_stamps_never_go_back_in_time_and_a_version_is_never_reused(app, world):
    a = world.a
    scope = (stamps.EDITION, a.planned.id)
    seen = set()
    moments = []
    for minute in range(3):
        a.planned.name = f"Nom {minute}"
        db.session.commit()
        (version,), changed = stamps.read(scope)
        seen.add(version)
        moments.append(changed)
    assert len(seen) == 3
    assert moments == sorted(moments) and len(set(moments)) == 3  # one second apart at least


def _redis_reachable():
    import socket

    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", 6379)) == 0


@pytest.mark.skipif(not _redis_reachable(), reason="needs the Redis server at 127.0.0.1:6379")
def test_with_redis_every_worker_finds_the_bytes_there(world, client, app):
    from crm.base.rendered import Rendered

    app.config["REDIS_URL"] = f"redis://127.0.0.1:6379/{os.getpid() % 14 + 1}"
    try:
        rendered.clear()
        urls = _public(world.a.planned)
        first = {name: client.get(url).data for name, url in urls.items()}
        rendered.memory.clear()  # another worker
        with count_queries(db.engine) as statements:
            again = {name: client.get(url).data for name, url in urls.items()}
        assert again == first
        assert len(statements) == 3  # the edition and its stamp, once per address: bytes from Redis
        assert db.session.scalar(select(func.count()).select_from(Rendered)) == 0
        stored = rendered._redis().keys(rendered.REDIS_PREFIX + "*")
        assert len(stored) >= 4  # page, its programme part, JSON, feed and its event
        rendered.clear()
        assert rendered._redis().keys(rendered.REDIS_PREFIX + "*") == []
    finally:
        rendered.clear()
        app.config["REDIS_URL"] = ""
