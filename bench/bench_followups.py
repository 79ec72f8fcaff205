"""The shared follow-up's J+2: an edition of 40 companies and 400 programmers who each saw 8 shows.
Enrolling everyone and running every due step (through the development outbox), in-process, on a fresh
SQLite database and, when it is reachable, on a fresh PostgreSQL database. Then the same 400 consolidated
messages delivered to an SMTP server on loopback, against bare smtplib on the same messages."""

import json
import random
import smtplib
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import UTC, date, datetime

from bench.harness import ROOT, CallCase, free_port, on_both

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


_sqlite, _postgresql = on_both("followups", _measure)


CASES = [
    CallCase("follow-up J+2, 400 people (SQLite)", _sqlite, repeats=3, median_goal_ms=10_000),
    CallCase("follow-up J+2, 400 people (PostgreSQL)", _postgresql, repeats=3, median_goal_ms=10_000),
]


# --- The consolidated messages leave: delivery to a real SMTP server on loopback ---------------------
#
# The J+2 messages are queued, then handed to an aiosmtpd server running in a process of its own (as a
# real server would: in this process, its thread would wait on the GIL whenever delivery does any work).
# The same messages, built beforehand, are handed to it by bare smtplib on one connection: the fastest
# any delivery could go, measured in the same run (batch by batch, each just before delivery sends the
# same batch), against which delivery is judged.

MAIL_GOAL_RATIO = 3.0  # the app's delivery at most this many times slower than bare smtplib
MAIL_BATCH = 100  # what one `deliver_due` claims


class _Counter:
    """An aiosmtpd handler that accepts everything and keeps only the Message-IDs it saw."""

    def __init__(self):
        self.ids = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        content = envelope.content
        start = content.find(b"Message-ID: ") + len(b"Message-ID: ")
        self.ids.append(content[start : content.find(b"\r\n", start)])
        return "250 Message accepted for delivery"


def serve_smtp(port):
    """The server process: to each line "take" on stdin, answers with the Message-IDs received since
    the last one (a JSON list on one line); stops at the end of stdin."""
    from aiosmtpd.controller import Controller

    handler = _Counter()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    for _line in sys.stdin:
        taken, handler.ids = handler.ids, []
        print(json.dumps([i.decode() for i in taken]), flush=True)
    controller.stop()


@contextmanager
def _smtp_process():
    """A loopback SMTP server in its own process; yields (port, take) where take() returns the
    Message-IDs it received since the last call."""
    port = free_port()
    code = f"from bench.bench_followups import serve_smtp; serve_smtp({port})"
    process = subprocess.Popen(
        [sys.executable, "-c", code], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        if process.stdout.readline().strip() != "ready":
            raise RuntimeError("the SMTP server did not start")

        def take():
            process.stdin.write("take\n")
            process.stdin.flush()
            return json.loads(process.stdout.readline())

        yield port, take
        process.stdin.close()
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def _measure_mail(database_url, quick):
    with _smtp_process() as (port, take):
        return _deliver(database_url, quick, port, take)


def _deliver(database_url, quick, port, take):
    from flask_migrate import upgrade
    from sqlalchemy import event

    from crm import create_app
    from crm.base.database import utcnow
    from crm.base.extensions import db
    from crm.base.querycount import count_queries
    from crm.followups import jobs as followup_jobs
    from crm.followups import services
    from crm.mail import delivery
    from crm.mail import jobs as mail_jobs
    from crm.mail.addresses import bounce_address
    from crm.mail.models import MailState, OutboxMessage

    companies, people = (4, 40) if quick else (COMPANIES, PEOPLE)
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": port,
        }
    )
    with app.app_context():
        upgrade()
        edition = _world(companies, people, min(SEEN, companies))
        now = datetime(2027, 3, 7, 9, tzinfo=UTC)
        services.activate(services.sequence_for(edition, create=True), now=datetime(2027, 3, 6, tzinfo=UTC))
        db.session.commit()
        started = time.perf_counter()
        followup_jobs.steps(now=now, worker="bench")  # the J+2 messages, queued (PENDING)
        queueing = time.perf_counter() - started
        db.session.commit()
        queued = db.session.scalars(
            db.select(OutboxMessage)
            .where(OutboxMessage.state == MailState.PENDING)
            .order_by(OutboxMessage.id)
        ).all()
        envelopes = [  # the very same messages, built beforehand: what bare smtplib is given
            (m.id, bounce_address(m.reply_token) or "vitrine@localhost", m.to_address, delivery.payload(m))
            for m in queued
        ]
        del queued
        db.session.remove()  # delivery starts with a session of its own, as in a worker's tick
        # In rounds of one batch, bare smtplib then delivery, so that both meet the same load of the
        # machine; the messages of a round are made due just before delivery runs.
        rounds = [envelopes[n : n + MAIL_BATCH] for n in range(0, len(envelopes), MAIL_BATCH)]
        raw_seconds = seconds = 0.0
        raw_received, received, statements, counts = [], [], [], {}
        commits, all_commits = [], []
        event.listen(db.engine, "commit", lambda conn: all_commits.append(1))
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            for batch in rounds:
                started = time.perf_counter()
                for _id, sender, recipient, data in batch:
                    smtp.sendmail(sender, [recipient], data)
                raw_seconds += time.perf_counter() - started
                raw_received += take()
                due = OutboxMessage.id.in_([e[0] for e in batch])
                db.session.execute(db.update(OutboxMessage).where(due).values(next_attempt_at=utcnow()))
                db.session.commit()
                db.session.remove()
                before = len(all_commits)
                started = time.perf_counter()
                with count_queries(db.engine) as counted:
                    for key, value in mail_jobs.deliver(now=utcnow(), worker="bench").items():
                        counts[key] = counts.get(key, 0) + value
                seconds += time.perf_counter() - started
                statements += counted
                commits += all_commits[before:]
                received += take()
        sent = db.session.scalar(
            db.select(db.func.count()).select_from(OutboxMessage).where(OutboxMessage.state == MailState.SENT)
        )
        db.session.remove()
        db.engine.dispose()
    count = len(envelopes)
    if len(raw_received) != count or counts.get("mail_sent") != count or sent != count:
        raise RuntimeError(f"delivery went wrong: {counts}, {sent} sent, {len(received)} received")
    if sorted(received) != sorted(raw_received):  # each message once, none missing
        raise RuntimeError("the server did not receive each message exactly once")
    raw_rate, rate = count / raw_seconds, count / seconds
    ratio = raw_rate / rate
    met = "met" if ratio <= MAIL_GOAL_RATIO else "MISSED"
    if quick:  # a few dozen messages take a few tens of milliseconds: too short to judge
        met = "judged on the full run only"
    return [
        f"{count} messages ({sum(len(e[3]) for e in envelopes) // count} bytes each) queued in "
        f"{queueing:.2f} s (bytes built there), delivered at {rate:.1f} msg/s",
        f"bare smtplib, same messages and server, one connection: {raw_rate:.1f} msg/s",
        f"{len(statements) / count:.2f} statements and {len(commits) / count:.2f} commits per message",
        f"{ratio:.1f}× bare smtplib, goal ≤ {MAIL_GOAL_RATIO:.0f}×: {met}",
    ]


_mail_sqlite, _mail_postgresql = on_both("mail", _measure_mail)


CASES += [
    CallCase("mail delivery, 400 messages (SQLite)", _mail_sqlite, repeats=1),
    CallCase("mail delivery, 400 messages (PostgreSQL)", _mail_postgresql, repeats=1),
]
