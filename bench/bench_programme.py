"""The 1,000-event edition side by side with the floor, in one interleaved run under gunicorn: the
public programme page, its JSON and its calendar feed (warm, and in a worker that never served it),
a revalidation (304) of each, against a static file of the page's size and `/healthz` (what any
request costs on this machine). Then, in-process: the first render of the page, and a revalidation
at 100 and at 5,000 events (it must not grow with them).

The ratios are printed with their goals; a missed goal says MISSED (and `make bench` exits 1).
"""

import http.client
import statistics
import tempfile
import time
from contextlib import suppress
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bench.harness import ROOT, CallCase, free_port, gunicorn, on_both, p95

EVENTS = 1000
FLOOR_FILE = ROOT / "static" / "bench-floor.html"  # removed after the run (and ignored by git)
GOALS = {
    "page warm, p95 / static file of its size": 2.0,
    "304, p95 / /healthz": 1.5,
    "first render of the page, ms": 150,
    "feed in a fresh worker, ms": 100,
    "304 at 5,000 events / at 100": 1.5,
}


def world(events, *, days=4, venues=5):
    """One published edition of `events` slots over `days` days and `venues` venues, each played."""
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
    places = [
        Organisation(
            network_id=network.id,
            kind=OrganisationKind.STRUCTURE,
            name=f"Théâtre n°{v}",
            is_venue=True,
            address=f"{v} place du Marché",
            postcode="49000",
            city="Angers",
        )  # fmt: skip
        for v in range(venues)
    ]
    company = Organisation(network_id=network.id, kind=OrganisationKind.COMPANY, name="Compagnie, la; belle")
    edition = Edition(
        network_id=network.id, name="Grand temps fort", slug="grand", starts_on=date(2027, 3, 1),
        ends_on=date(2027, 3, days), status=EditionStatus.PUBLISHED,
        published_at=datetime(2027, 1, 1, tzinfo=UTC),
    )  # fmt: skip
    db.session.add_all([*places, company, edition])
    db.session.flush()
    now = datetime(2027, 1, 1, tzinfo=UTC)
    shows = [
        {"network_id": network.id, "company_id": company.id, "title": f"Spectacle n°{n}, « titre »",
         "discipline": Discipline.THEATRE, "audience": Audience.ALL, "duration_minutes": 50, "cast_size": 2,
         "setup_minutes": 0, "strike_minutes": 0, "created_at": now}
        for n in range(events)
    ]  # fmt: skip
    show_ids = db.session.scalars(insert(Show).returning(Show.id, sort_by_parameter_order=True), shows).all()
    registrations = [
        {"edition_id": edition.id, "company_id": company.id, "show_id": s, "format": ShowFormat.FULL,
         "status": RegistrationStatus.ACCEPTED, "cast_size": 2, "setup_minutes": 0, "strike_minutes": 0,
         "needs_blackout": False, "max_slots": 1, "created_at": now, "updated_at": now}
        for s in show_ids
    ]  # fmt: skip
    registration_ids = db.session.scalars(
        insert(Registration).returning(Registration.id, sort_by_parameter_order=True), registrations
    ).all()
    per_day_and_venue = -(-events // (days * venues))
    minutes = max(5, (14 * 60) // per_day_and_venue)  # from 8:00 to 22:00
    slots = []
    for n in range(events):
        day, rest = divmod(n, venues * per_day_and_venue)
        venue, k = divmod(rest, per_day_and_venue)
        starts = datetime(2027, 3, 1 + day, 7, tzinfo=UTC) + timedelta(minutes=k * minutes)
        slots.append(
            {"edition_id": edition.id, "venue_id": places[venue].id, "format": ShowFormat.FULL,
             "status": "planned", "sequence": 0, "starts_at": starts,
             "ends_at": starts + timedelta(minutes=minutes - 2), "updated_at": now}
        )  # fmt: skip
    slot_ids = db.session.scalars(insert(Slot).returning(Slot.id, sort_by_parameter_order=True), slots).all()
    db.session.execute(
        insert(Assignment),
        [
            {"slot_id": s, "registration_id": r, "created_at": now}
            for s, r in zip(slot_ids, registration_ids, strict=True)
        ],
    )
    db.session.commit()
    return edition.slug


def _filled(database_url, events):
    from flask_migrate import upgrade

    from crm import create_app
    from crm.base.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        upgrade()
        slug = world(events)
        db.session.remove()
    return app, slug


def _get(connection, path, headers=None):
    started = time.perf_counter()
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    body = response.read()
    return (time.perf_counter() - started) * 1000, response.status, response.headers, body


def _verdict(name, value, what=""):
    goal = GOALS[name]
    label = name.replace("304", f"{what} 304") if what else name
    return f"{label}: {value:.2f} (goal ≤ {goal}: {'met' if value <= goal else 'MISSED'})"


def _side_by_side(database_url, slug, rounds, workers=2):
    """Every path once per round, in turn, on kept-alive connections: the same noise for all."""
    pages = {
        "page": f"/programme/{slug}",
        "JSON": f"/programme/{slug}.json",
        "feed": f"/programme/{slug}.ics",
    }
    times = {name: [] for name in ["static file", "/healthz", *pages, *(f"{n} 304" for n in pages)]}
    port = free_port()  # the same address for every server: feeds hold absolute links, keyed by it
    with gunicorn(database_url, workers, port) as server:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        etags, sizes = {}, {}
        for name, path in pages.items():
            _ms, status, headers, body = _get(connection, path)
            assert status == 200, (path, status)
            etags[name], sizes[name] = headers["ETag"], len(body)
        FLOOR_FILE.write_bytes(b"x" * sizes["page"])
        paths = {"static file": "/static/bench-floor.html", "/healthz": "/healthz", **pages}
        for _ in range(3):  # each worker has served each path once at least (cache warm everywhere)
            for path in paths.values():
                _get(connection, path)
        for _ in range(rounds):
            for name, path in paths.items():
                ms, status, _headers, _body = _get(connection, path)
                assert status == 200, (path, status)
                times[name].append(ms)
            for name, path in pages.items():
                ms, status, _headers, _body = _get(connection, path, {"If-None-Match": etags[name]})
                assert status == 304, (path, status)
                times[f"{name} 304"].append(ms)
        connection.close()
    fresh = []
    for _ in range(max(3, rounds // 40)):  # a worker that never served the feed (the store has it)
        with gunicorn(database_url, 1, port) as server:
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
            _get(connection, "/programme/")  # the worker has served a page: what is timed is the feed
            ms, status, _headers, _body = _get(connection, pages["feed"])
            assert status == 200
            fresh.append(ms)
            connection.close()
    return times, fresh, sizes


def _in_process(quick):
    """{events: (first render of the page in ms, its revalidation in ms)} at 100, 1,000 and 5,000."""
    from crm.base import rendered
    from crm.base.extensions import db

    results = {}
    for events in (30, 100) if quick else (100, EVENTS, 5000):
        with tempfile.TemporaryDirectory() as folder:
            app, slug = _filled(f"sqlite:///{Path(folder) / 'p.sqlite3'}", events)
            client = app.test_client()
            first = []
            for _ in range(3 if quick else 7):
                with app.app_context():
                    rendered.clear()
                started = time.perf_counter()
                answer = client.get(f"/programme/{slug}")
                first.append((time.perf_counter() - started) * 1000)
            assert answer.status_code == 200
            revalidate = []
            for _ in range(50 if quick else 500):
                started = time.perf_counter()
                again = client.get(f"/programme/{slug}", headers={"If-None-Match": answer.headers["ETag"]})
                revalidate.append((time.perf_counter() - started) * 1000)
            assert again.status_code == 304
            results[events] = (statistics.median(first), statistics.median(revalidate))
            with app.app_context():
                db.engine.dispose()
    return results


def _measure(database_url, quick):
    from crm.base.extensions import db

    events, rounds = (60, 10) if quick else (EVENTS, 200)
    app, slug = _filled(database_url, events)
    with app.app_context():
        db.engine.dispose()
    try:
        times, fresh, sizes = _side_by_side(database_url, slug, rounds)
    finally:
        with suppress(FileNotFoundError):
            FLOOR_FILE.unlink()
    notes = [f"{events} events; page {sizes['page'] // 1024} KiB, JSON {sizes['JSON'] // 1024} KiB, "
             f"feed {sizes['feed'] // 1024} KiB"]  # fmt: skip
    for name, values in times.items():
        notes.append(f"{name}: median {statistics.median(values):.1f} ms, p95 {p95(values):.1f} ms")
    notes.append(f"feed in a fresh worker: median {statistics.median(fresh):.1f} ms")
    if quick:
        return notes
    floor_page, floor_small = p95(times["static file"]), p95(times["/healthz"])
    notes.append(_verdict("page warm, p95 / static file of its size", p95(times["page"]) / floor_page))
    for name in ("page", "JSON", "feed"):
        notes.append(_verdict("304, p95 / /healthz", p95(times[f"{name} 304"]) / floor_small, name))
    notes.append(_verdict("feed in a fresh worker, ms", statistics.median(fresh)))
    return notes


_sqlite, _postgresql = on_both("programme", _measure)


def _render(quick):
    results = _in_process(quick)
    notes = [
        f"{events} events: first render {first:.1f} ms, 304 {again:.2f} ms"
        for events, (first, again) in sorted(results.items())
    ]
    if not quick:
        notes.append(_verdict("first render of the page, ms", results[EVENTS][0]))
        notes.append(_verdict("304 at 5,000 events / at 100", results[5000][1] / results[100][1]))
    return notes


CASES = [
    CallCase("programme side by side, 1,000 events (SQLite)", _sqlite, repeats=1),
    CallCase("programme side by side, 1,000 events (PostgreSQL)", _postgresql, repeats=1),
    CallCase("programme first render and 304 by size", _render, repeats=1),
]
