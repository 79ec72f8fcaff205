"""The shared follow-up's J+2: an edition of 40 companies and 400 programmers who each saw 8 shows.
Enrolling everyone and running every due step (through the development outbox), in-process, on a fresh
SQLite database and, when it is reachable, on a fresh PostgreSQL database."""

import random
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from bench.harness import CallCase, on_fresh_postgresql

COMPANIES, PEOPLE, SEEN = 40, 400, 8


def _world(companies, people, seen):
    from crm.accounts.models import Role
    from crm.accounts.services import create_user
    from crm.admin.services import save_network
    from crm.base.enums import Audience, Discipline
    from crm.base.extensions import db
    from crm.checkin.models import Attendance
    from crm.contacts.models import LawfulBasis, Organisation, OrganisationKind, Programmer
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

    rng = random.Random(8)
    network = save_network(None, {"name": "Réseau", "slug": "reseau"})
    venue = Organisation(
        network_id=network.id, kind=OrganisationKind.STRUCTURE, name="Théâtre", is_venue=True
    )
    edition = Edition(
        network_id=network.id,
        name="Temps fort",
        slug="temps-fort",
        starts_on=date(2027, 3, 4),
        ends_on=date(2027, 3, 5),
        status=EditionStatus.HELD,
    )
    db.session.add_all([venue, edition])
    db.session.flush()
    slots = []
    for n in range(companies):
        company = Organisation(network_id=network.id, kind=OrganisationKind.COMPANY, name=f"Compagnie {n}")
        db.session.add(company)
        db.session.flush()
        create_user(
            email=f"diffusion{n}@example.org",
            full_name=f"Chargée de diffusion {n}",
            role=Role.MEMBER,
            password="un mot de passe long",  # noqa: S106 - a throwaway benchmark account
            company=company,
        )
        show = Show(
            network_id=network.id,
            company_id=company.id,
            title=f"Spectacle {n}",
            discipline=Discipline.THEATRE,
            audience=Audience.ALL,
            duration_minutes=60,
            cast_size=3,
            video_url=f"https://video.example/{n}",
        )
        db.session.add(show)
        db.session.flush()
        registration = Registration(
            edition_id=edition.id,
            company_id=company.id,
            show_id=show.id,
            format=ShowFormat.FULL,
            status=RegistrationStatus.ACCEPTED,
            cast_size=3,
        )
        hour = 8 + n % 12
        slot = Slot(
            edition_id=edition.id,
            venue_id=venue.id,
            format=ShowFormat.FULL,
            starts_at=datetime(2027, 3, 4 + n // 12 % 2, hour, tzinfo=UTC),
            ends_at=datetime(2027, 3, 4 + n // 12 % 2, hour, 50, tzinfo=UTC),
        )
        db.session.add_all([registration, slot])
        db.session.flush()
        db.session.add(Assignment(slot_id=slot.id, registration_id=registration.id))
        slots.append(slot)
    for n in range(people):
        person = Programmer(
            network_id=network.id,
            first_name="Camille",
            last_name=f"Personne {n}",
            email=f"personne{n}@example.org",
            lawful_basis=LawfulBasis.LEGITIMATE_INTEREST,
            source="Banc d'essai",
        )
        db.session.add(person)
        db.session.flush()
        db.session.add_all(
            Attendance(slot_id=slot.id, programmer_id=person.id) for slot in rng.sample(slots, seen)
        )
    db.session.commit()
    return edition


def _measure(database_url, quick):
    from flask_migrate import upgrade

    from crm import create_app
    from crm.base.extensions import db
    from crm.base.querycount import count_queries
    from crm.followups import services
    from crm.mail.models import OutboxMessage
    from crm.scheduler import BATCH, run_due

    companies, people = (4, 40) if quick else (COMPANIES, PEOPLE)
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "PASSWORD_HASH_METHOD": "scrypt:1024:8:1"})
    with app.app_context():
        upgrade()
        edition = _world(companies, people, min(SEEN, companies))
        started = time.perf_counter()
        with count_queries(db.engine) as statements:
            services.activate(
                services.sequence_for(edition, create=True), now=datetime(2027, 3, 6, tzinfo=UTC)
            )
            db.session.commit()
            counts = run_due(now=datetime(2027, 3, 7, 9, tzinfo=UTC), worker="bench")
        seconds = time.perf_counter() - started
        messages = db.session.scalar(db.select(db.func.count()).select_from(OutboxMessage))
        db.session.remove()
        db.engine.dispose()
    batches = -(-people // BATCH)
    return [
        f"{companies} companies, {people} people: {counts.get('messages', 0)} messages "
        f"({messages} in the outbox) in {seconds:.2f} s",
        f"{len(statements)} statements in all, for {batches} batch(es) of up to {BATCH} people",
    ]


def _sqlite(quick):
    with tempfile.TemporaryDirectory() as folder:
        return _measure(f"sqlite:///{Path(folder) / 'followups.sqlite3'}", quick)


def _postgresql(quick):
    return on_fresh_postgresql("vitrine_bench_followups", _measure, quick)


CASES = [
    CallCase("follow-up J+2, 400 people (SQLite)", _sqlite, repeats=3, median_goal_ms=10_000),
    CallCase("follow-up J+2, 400 people (PostgreSQL)", _postgresql, repeats=3, median_goal_ms=10_000),
]
