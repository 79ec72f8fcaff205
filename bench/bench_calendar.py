"""A calendar feed of 1,000 events: full answer and 304 answer, in-process (the Flask test client, so
the figure is the app's own work), on a fresh SQLite database and, when reachable, PostgreSQL."""

import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bench.harness import CallCase, on_fresh_postgresql, p95

EVENTS = 1000
GOALS_MS = {"feed": 200, "304": 20}


def _world(events):
    from sqlalchemy import insert

    from crm.admin.services import save_network
    from crm.base.enums import Audience, Discipline
    from crm.base.extensions import db
    from crm.contacts.models import Organisation, OrganisationKind
    from crm.showcase.models import (
        Assignment,
        Edition,
        EditionStatus,
        Registration,
        RegistrationStatus,
        Show,
        ShowFormat,
        Slot,
    )

    network = save_network(None, {"name": "Réseau", "slug": "reseau"})
    venue = Organisation(
        network_id=network.id, kind=OrganisationKind.STRUCTURE, name="Théâtre", is_venue=True,
        address="1 place du Marché", postcode="49000", city="Angers",
    )  # fmt: skip
    company = Organisation(network_id=network.id, kind=OrganisationKind.COMPANY, name="Compagnie, la; belle")
    edition = Edition(
        network_id=network.id, name="Grand temps fort", slug="grand", starts_on=date(2027, 3, 1),
        ends_on=date(2027, 3, 31), status=EditionStatus.PUBLISHED,
        published_at=datetime(2027, 1, 1, tzinfo=UTC),
    )  # fmt: skip
    db.session.add_all([venue, company, edition])
    db.session.flush()
    now = datetime(2027, 1, 1, tzinfo=UTC)
    shows = [
        {"network_id": network.id, "company_id": company.id, "title": f"Spectacle n°{n}, « titre »",
         "discipline": Discipline.THEATRE, "audience": Audience.ALL, "duration_minutes": 50, "cast_size": 2,
         "setup_minutes": 0, "strike_minutes": 0, "created_at": now}
        for n in range(events)
    ]  # fmt: skip
    show_ids = (
        db.session.execute(insert(Show).returning(Show.id, sort_by_parameter_order=True), shows)
        .scalars()
        .all()
    )
    registrations = [
        {"edition_id": edition.id, "company_id": company.id, "show_id": s, "format": ShowFormat.FULL,
         "status": RegistrationStatus.ACCEPTED, "cast_size": 2, "setup_minutes": 0, "strike_minutes": 0,
         "needs_blackout": False, "max_slots": 1, "created_at": now, "updated_at": now}
        for s in show_ids
    ]  # fmt: skip
    registration_ids = (
        db.session.execute(
            insert(Registration).returning(Registration.id, sort_by_parameter_order=True), registrations
        )
        .scalars()
        .all()
    )
    start = datetime(2027, 3, 1, 8, tzinfo=UTC)
    slots = [
        {"edition_id": edition.id, "venue_id": venue.id, "format": ShowFormat.FULL, "status": "planned",
         "sequence": 0, "starts_at": start + timedelta(hours=n),
         "ends_at": start + timedelta(hours=n, minutes=50), "updated_at": now}
        for n in range(events)
    ]  # fmt: skip
    slot_ids = (
        db.session.execute(insert(Slot).returning(Slot.id, sort_by_parameter_order=True), slots)
        .scalars()
        .all()
    )
    db.session.execute(
        insert(Assignment),
        [
            {"slot_id": s, "registration_id": r, "created_at": now}
            for s, r in zip(slot_ids, registration_ids, strict=True)
        ],
    )
    db.session.commit()
    return edition.slug


def _measure(database_url, quick):
    from flask_migrate import upgrade

    from crm import create_app
    from crm.base.extensions import db

    events, repeats = (50, 5) if quick else (EVENTS, 30)
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        upgrade()
        slug = _world(events)
        db.session.remove()
    from sqlalchemy import update

    from crm.calendar import cache
    from crm.showcase.models import Slot

    client = app.test_client()
    url = f"/programme/{slug}.ics"
    first = client.get(url)
    assert first.status_code == 200 and first.data.count(b"BEGIN:VEVENT") == events
    timings = {"render": [], "one": [], "feed": [], "304": []}
    for n in range(repeats):
        cache.clear()  # as after a change: the events are written again
        started = time.perf_counter()
        assert client.get(url).status_code == 200
        timings["render"].append((time.perf_counter() - started) * 1000)
        with app.app_context():  # one slot moves: only its event is written again
            db.session.execute(update(Slot).where(Slot.id == n + 1).values(sequence=Slot.sequence + 1))
            db.session.commit()
        started = time.perf_counter()
        changed = client.get(url)
        timings["one"].append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        assert client.get(url).data == changed.data
        timings["feed"].append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        assert client.get(url, headers={"If-None-Match": changed.headers["ETag"]}).status_code == 304
        timings["304"].append((time.perf_counter() - started) * 1000)
    with app.app_context():
        db.engine.dispose()
    notes = [f"{events} events, {len(first.data) // 1024} KiB"]
    labels = {
        "render": "all written anew (new process)",
        "one": "one slot changed",
        "feed": "unchanged, 200",
        "304": "unchanged, 304",
    }
    for name, values in timings.items():
        median = statistics.median(values)
        goal = GOALS_MS["304" if name == "304" else "feed"]
        verdict = "" if quick else f" (goal < {goal} ms: {'met' if median < goal else 'MISSED'})"
        notes.append(f"{labels[name]}: median {median:.1f} ms, p95 {p95(values):.1f} ms{verdict}")
    return notes


def _sqlite(quick):
    with tempfile.TemporaryDirectory() as folder:
        return _measure(f"sqlite:///{Path(folder) / 'calendar.sqlite3'}", quick)


def _postgresql(quick):
    return on_fresh_postgresql("vitrine_bench_calendar", _measure, quick)


CASES = [
    CallCase("calendar feed, 1,000 events (SQLite)", _sqlite, repeats=1),
    CallCase("calendar feed, 1,000 events (PostgreSQL)", _postgresql, repeats=1),
]
