"""A held edition with three companies on stage, people who came and one who said yes and did not."""

import asyncio
import email
import socket
import threading
from datetime import UTC, date, datetime, time
from email.policy import default
from types import SimpleNamespace

import pytest
import time_machine
from aiosmtpd.controller import Controller

from crm.base.extensions import db
from crm.checkin import services as checkin
from crm.followups import services as followups
from crm.invitations.models import Answer, Invitation, InvitationShow
from crm.meetings.models import Meeting, MeetingOutcome, MeetingSession
from crm.showcase.models import Assignment, Registration, RegistrationStatus, ShowFormat, Slot
from tests import factories

# World A's planned edition runs on 4 and 5 March 2027: J+2 is 7 March, 9:00 in Paris (8:00 UTC).
ENDED = datetime(2027, 3, 6, 12, tzinfo=UTC)
D2 = datetime(2027, 3, 7, 8, 30, tzinfo=UTC)
D10 = datetime(2027, 3, 15, 8, 30, tzinfo=UTC)
D30 = datetime(2027, 4, 4, 8, 30, tzinfo=UTC)


def travel(moment):
    return time_machine.travel(moment, tick=False)


def on_stage(edition, venue, company, show, hour, member=None):
    """Another show of the programme, in its own slot."""
    registration = Registration(
        edition_id=edition.id,
        company_id=company.id,
        show_id=show.id,
        format=ShowFormat.FULL,
        status=RegistrationStatus.ACCEPTED,
        cast_size=2,
        video_url=f"https://video.example/{show.id}",
        created_by_id=member.id if member else None,
    )
    slot = Slot(
        edition_id=edition.id,
        venue_id=venue.id,
        format=ShowFormat.FULL,
        starts_at=datetime(2027, 3, 5, hour, tzinfo=UTC),
        ends_at=datetime(2027, 3, 5, hour + 1, tzinfo=UTC),
    )
    db.session.add_all([registration, slot])
    db.session.flush()
    db.session.add(Assignment(slot_id=slot.id, registration_id=registration.id))
    db.session.flush()
    return slot


# --- Meetings (speed-dating), inserted as rows: a session on 5 March, rounds of 15 minutes every 20 -------


def meeting_session(edition, venue, *, name="Rencontres du vendredi", day=date(2027, 3, 5), starts=time(9),
                    rounds=20, tables=3, published=True):  # fmt: skip
    """A session of the edition at the venue: round n starts at 9:00 + 20 × (n − 1) minutes, Paris time."""
    session = MeetingSession(
        network_id=edition.network_id, edition_id=edition.id, venue_id=venue.id, name=name, day=day,
        starts=starts, rounds=rounds, round_minutes=15, changeover_minutes=5, tables=tables, break_after=[],
        break_minutes=0, max_per_programmer=6, max_per_company=40, min_per_company=0,
        published_at=datetime(2027, 3, 1, 9, tzinfo=UTC) if published else None,
    )  # fmt: skip
    db.session.add(session)
    db.session.flush()
    return session


def meet(session, person, company, round_, table=1, outcome="held"):
    """A meeting of the session (the person's invitation to the edition made if missing), marked held,
    missed, or not marked (outcome None)."""
    invitation = db.session.scalar(
        db.select(Invitation).where(
            Invitation.edition_id == session.edition_id, Invitation.programmer_id == person.id
        )
    ) or factories.invitation(session.edition, person)
    meeting = Meeting(
        session_id=session.id, programmer_id=person.id, invitation_id=invitation.id, company_id=company.id,
        round=round_, table_number=table, outcome=MeetingOutcome(outcome) if outcome else None,
        marked_at=ENDED if outcome else None,
    )  # fmt: skip
    db.session.add(meeting)
    db.session.flush()
    return meeting


@pytest.fixture
def scene(world):
    a = world.a
    edition = a.planned
    third = factories.company(a.network, name="Compagnie A3")
    third_show = factories.show(third, title="Spectacle A3, « virgule ; point-virgule »")
    slots = [
        a.slot,
        on_stage(edition, a.venue, a.companies[1], a.shows[1], 10, member=a.members[1]),
        on_stage(edition, a.venue, third, third_show, 13),
    ]
    came, came_once = a.programmers
    for slot in slots:
        checkin.check_in(slot, came, actor=a.coordinator, now=ENDED)
    checkin.check_in(slots[0], came_once, actor=a.coordinator, now=ENDED)
    missed = a.member_contact
    invitation = factories.invitation(edition, missed)
    invitation.answer = Answer.COMING
    db.session.add(InvitationShow(invitation_id=invitation.id, show_id=a.shows[1].id))
    sequence = followups.sequence_for(edition, create=True)
    db.session.commit()
    return SimpleNamespace(
        world=world,
        a=a,
        edition=edition,
        sequence=sequence,
        slots=slots,
        companies=[*a.companies, third],
        shows=[a.shows[0], a.shows[1], third_show],
        came=came,
        came_once=came_once,
        missed=missed,
    )


def launch(scene, now=ENDED):
    count = followups.activate(scene.sequence, now=now)
    db.session.commit()
    return count


# --- A real SMTP server on loopback ------------------------------------------------------------------


class Recorder:
    """Keeps what it receives; replies to given recipients with given codes (one per attempt)."""

    def __init__(self):
        self.received = []
        self.envelopes = []  # (MAIL FROM, RCPT TO, bytes) of each message received
        self.rcpt_replies = {}
        self.data_replies = {}  # recipient → replies to the end of DATA, one per attempt
        self.greylist = False  # answer 451 to the first DATA of each message (by Message-ID)
        self.seen_ids = set()
        self.delay = 0.0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        replies = self.rcpt_replies.get(address)
        if replies:
            return replies.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        if self.delay:
            await asyncio.sleep(self.delay)
        parsed = email.message_from_bytes(envelope.content, policy=default)
        for address in envelope.rcpt_tos:
            replies = self.data_replies.get(address)
            if replies:
                return replies.pop(0)
        if self.greylist and parsed["Message-ID"] not in self.seen_ids:
            self.seen_ids.add(parsed["Message-ID"])
            return "451 4.7.1 Greylisted, please try again later"
        with self.lock:
            self.received.append(parsed)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"

    def message_ids(self):
        with self.lock:
            return [m["Message-ID"] for m in self.received]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server(app):
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MAIL_RETRY_SECONDS=60)
    recorder.port = controller.port
    yield recorder
    controller.stop()
    app.config.update(MAIL_SERVER="")
