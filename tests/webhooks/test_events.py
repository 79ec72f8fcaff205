"""Each domain change queues its webhook, in the transaction of the change, for the network's endpoints."""

from datetime import time

from sqlalchemy import select

from crm.base.database import utcnow
from crm.base.extensions import db
from crm.checkin import services as checkin
from crm.followups import services as followups
from crm.followups.models import Enrolment
from crm.impact import services as impact
from crm.meetings import services as meetings
from crm.scheduler import run_due
from crm.showcase import board, planning, registrations
from crm.webhooks.models import WebhookMessage
from tests import factories
from tests.meetings.test_services import BEFORE, meet, new_session, wish  # noqa: F401  (meet: a fixture)
from tests.scene import D2, launch, travel
from tests.webhooks.conftest import register

URL = "https://93.184.216.34/hooks"  # never reached: nothing is delivered here


def _queued():
    db.session.expire_all()
    rows = db.session.scalars(select(WebhookMessage).order_by(WebhookMessage.id)).all()
    return [(m.event_type, m.object_id) for m in rows]


def test_a_programme_built_and_published_queues_decisions_slots_and_publication(app, world):
    a = world.a
    register(a.network, URL)
    found = factories.planned_edition(
        a.network, a.venue, a.companies[1], a.shows[1], a.coordinator, name="Programme neuf"
    )
    db.session.commit()
    assert _queued() == [
        ("registration.decided", found["registration"].id),
        ("slot.changed", found["slot"].id),
        ("edition.published", found["planned"].id),
    ]


def test_a_slot_moved_then_cancelled(app, world):
    a = world.a
    register(a.network, URL)
    data = {"venue_id": a.venue.id, "day": a.planned.starts_on, "starts": time(19), "ends": time(21)}
    planning.move_slot(a.slot, data)
    planning.cancel_slot(a.slot)
    db.session.commit()
    assert _queued() == [("slot.changed", a.slot.id), ("slot.cancelled", a.slot.id)]


def test_a_show_taken_off_a_slot_and_put_back_in_one_transaction_is_queued_once(app, world):
    a = world.a
    register(a.network, URL)
    registration, slot = a.registration, a.slot
    board.move(a.planned, registration, to_slot=None, from_slot=slot, actor=a.coordinator)
    board.move(a.planned, registration, to_slot=slot, from_slot=None, actor=a.coordinator)
    db.session.commit()
    assert _queued() == [("slot.changed", slot.id)]


def test_a_decision_queues_registration_decided(app, world):
    a = world.a
    register(a.network, URL)
    registrations.decide(a.registration, "waitlisted", "Plus de place")
    db.session.commit()
    assert _queued() == [("registration.decided", a.registration.id)]


def test_a_tick_at_the_door_queues_attendance_once(app, world):
    a = world.a
    register(a.network, URL)
    checkin.check_in(a.slot, a.programmers[0], actor=a.coordinator, now=utcnow())
    checkin.check_in(a.slot, a.programmers[0], actor=a.coordinator, now=utcnow())  # a double tap
    db.session.commit()
    [(kind, attendance_id)] = _queued()
    assert kind == "attendance.recorded"
    assert attendance_id is not None


def test_a_walk_in_queues_attendance(app, world):
    a = world.a
    register(a.network, URL)
    data = {"first_name": "Nina", "last_name": "Sanspapier", "email": "nina@example.org"}
    checkin.walk_in(a.slot, a.network, data, actor=a.coordinator, now=utcnow())
    db.session.commit()
    assert [kind for kind, _id in _queued()] == ["attendance.recorded"]


def test_an_answer_queues_answered_stopped_and_the_booking_it_drafts(app, scene):
    launch(scene)
    with travel(D2):
        run_due()
        db.session.commit()
        register(scene.a.network, URL)
        enrolment = db.session.scalar(select(Enrolment).where(Enrolment.programmer_id == scene.came.id))
        followups.record_answer(enrolment, scene.shows[0].id, "book", now=D2)
        db.session.commit()
    queued = _queued()
    assert sorted(kind for kind, _id in queued) == [
        "booking.recorded",
        "followup.answered",
        "followup.stopped",
    ]
    assert {object_id for kind, object_id in queued if kind.startswith("followup")} == {scene.came.id}


def test_a_person_who_stops_everything_queues_followup_stopped(app, scene):
    launch(scene)
    register(scene.a.network, URL)
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.programmer_id == scene.came.id))
    followups.stop_everything(enrolment, reason="opt_out", now=D2)
    followups.stop_everything(enrolment, reason="opt_out", now=D2)  # already stopped: nothing new
    db.session.commit()
    assert _queued() == [("followup.stopped", scene.came.id)]


def test_a_booking_recorded_then_changed(app, world):
    a = world.a
    register(a.network, URL)
    data = {
        "company_id": a.companies[0].id, "show_id": a.shows[0].id, "programmer_id": None,
        "edition_id": a.planned.id, "kind": "performances", "status": "option", "dates": [],
    }  # fmt: skip
    booking = impact.save_outcome(None, a.network, dict(data), actor=a.coordinator, now=utcnow())
    impact.save_outcome(
        booking, a.network, {**data, "status": "cancelled"}, actor=a.coordinator, now=utcnow()
    )
    db.session.commit()
    assert _queued() == [("booking.recorded", booking.id), ("booking.changed", booking.id)]


def test_a_meeting_schedule_published_queues_meeting_planned(app, meet):  # noqa: F811
    register(meet.a.network, URL)
    session = new_session(meet)
    wish(session, meet.people[0], meet.companies[0], "must")
    meetings.plan(session, now=BEFORE, seconds=2, repeatable=True)
    meetings.publish(session, now=BEFORE, tell=lambda *a, **k: True)
    db.session.commit()
    assert _queued() == [("meeting.planned", session.id)]
