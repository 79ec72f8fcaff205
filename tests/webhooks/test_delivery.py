"""Deliveries to a real HTTP receiver on loopback: signed, retried, disabled, never redirected."""

import json
from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from sqlalchemy import func, select
from standardwebhooks import Webhook

from crm.base.database import utcnow
from crm.base.extensions import db
from crm.mail.models import OutboxMessage
from crm.showcase import planning
from crm.webhooks import delivery, services
from crm.webhooks.models import MessageState, WebhookAttempt, WebhookMessage
from tests.webhooks.conftest import register

WORKER = "test-worker"
AT = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)  # before the planned edition (4-5 March 2027)


def _deliver(now=None):
    counts = delivery.deliver_due(worker=WORKER, now=now or utcnow())
    db.session.expire_all()
    return counts


def _verified(secret, got):
    return Webhook(secret).verify(got.body, got.headers)


def _notices():
    """Who was told by e-mail that an endpoint is disabled."""
    query = select(OutboxMessage.to_address).where(OutboxMessage.subject.startswith("Webhooks"))
    return db.session.scalars(query).all()


def _messages():
    return db.session.scalars(select(WebhookMessage).order_by(WebhookMessage.id)).all()


def test_ping_reaches_the_receiver_signed_and_the_package_verifies_it(app, world, loopback, receiver):
    endpoint, secret = register(world.a.network, receiver.url)
    services.queue_ping(world.a.network, now=utcnow())
    db.session.commit()
    assert _deliver() == {"delivered": 1, "retried": 0, "failed": 0}
    assert len(receiver.got) == 1
    got = receiver.got[0]
    body = _verified(secret, got)
    assert body["type"] == "ping"
    assert body["data"] == {
        "id": world.a.network.id,
        "network": "reseau-a",
        "url": "http://127.0.0.1:5000/api/v1/network",
    }
    assert body["timestamp"].endswith("Z")
    assert got.headers["webhook-id"].startswith("msg_")
    assert got.headers["Content-Type"] == "application/json"
    assert got.path == "/hooks"
    assert len(got.body) < 20_000
    message = _messages()[0]
    assert (message.state, message.attempts, message.last_status) == (MessageState.DELIVERED, 1, 200)
    assert message.last_response == "ok"


def test_a_slot_moved_is_delivered_as_slot_changed(app, world, loopback, receiver):
    a = world.a
    _endpoint, secret = register(a.network, receiver.url)
    data = {"venue_id": a.venue.id, "day": a.planned.starts_on, "starts": time(19), "ends": time(21)}
    planning.move_slot(a.slot, data)
    db.session.commit()
    _deliver()
    assert [_verified(secret, g)["type"] for g in receiver.got] == ["slot.changed"]
    body = json.loads(receiver.got[0].body)
    assert body["data"]["url"] == f"http://127.0.0.1:5000/api/v1/slots/{a.slot.id}"
    assert body["data"]["id"] == a.slot.id


def test_a_receiver_answering_503_then_200_gets_the_event_twice_with_the_same_id(
    app, world, loopback, receiver
):
    a = world.a
    _endpoint, secret = register(a.network, receiver.url)
    receiver.answers = [503]
    planning.cancel_slot(a.slot)
    db.session.commit()
    assert _deliver()["retried"] == 1
    message = _messages()[0]
    assert (message.state, message.last_status) == (MessageState.PENDING, 503)
    assert message.last_response == "x" * 500  # the first 500 bytes of the answer
    assert _deliver()["delivered"] == 0  # not due before its 5 seconds
    assert _deliver(now=message.due_at)["delivered"] == 1
    first, second = receiver.got
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert first.body == second.body
    assert _verified(secret, second)["type"] == "slot.cancelled"
    assert db.session.scalar(select(func.count()).select_from(WebhookAttempt)) == 2


def test_a_change_rolled_back_sends_nothing(app, world, loopback, receiver):
    a = world.a
    register(a.network, receiver.url)
    planning.cancel_slot(a.slot)
    db.session.flush()
    db.session.rollback()
    assert _messages() == []
    assert _deliver() == {"delivered": 0, "retried": 0, "failed": 0}
    assert receiver.got == []


def test_410_disables_the_endpoint_at_once_and_tells_the_coordinators(app, world, loopback, receiver):
    endpoint, _secret = register(world.a.network, receiver.url)
    receiver.answers = [410]
    services.queue_ping(world.a.network, now=utcnow())
    db.session.commit()
    assert _deliver()["failed"] == 1
    assert endpoint.enabled is False
    assert "410" in endpoint.disabled_reason
    assert _messages()[0].state == MessageState.FAILED
    assert _notices() == ["coord-a@example.org"]


def test_exhausted_retries_disable_the_endpoint_and_queue_an_email_to_the_coordinators(
    app, world, loopback, receiver
):
    endpoint, _secret = register(world.a.network, receiver.url)
    receiver.answers = [500] * 50
    with time_machine.travel(AT, tick=False) as clock:
        services.queue_ping(world.a.network, now=utcnow())
        db.session.commit()
        for _try in range(delivery.MAX_ATTEMPTS):
            _deliver()
            message = _messages()[0]
            if message.state != MessageState.PENDING:
                break
            clock.move_to(message.due_at)
        spent = utcnow() - AT
    assert len(receiver.got) == delivery.MAX_ATTEMPTS == 13
    assert timedelta(days=3) <= spent <= timedelta(days=3, hours=6)
    assert message.state == MessageState.FAILED
    assert endpoint.enabled is False
    assert "3 jours" in endpoint.disabled_reason
    assert _notices() == ["coord-a@example.org"]
    notice = db.session.scalar(select(OutboxMessage).where(OutboxMessage.subject.startswith("Webhooks")))
    assert notice.to_address == "coord-a@example.org"
    assert receiver.url in notice.body_text
    assert "/webhooks" in notice.body_text


def test_during_a_rotation_both_signatures_are_sent_and_each_verifies(app, world, loopback, receiver):
    with time_machine.travel(AT, tick=False) as clock:
        endpoint, old = register(world.a.network, receiver.url)
        new = services.rotate_secret(endpoint, now=utcnow())
        db.session.commit()
        services.queue_ping(world.a.network, now=utcnow())
        db.session.commit()
        _deliver()
        got = receiver.got[-1]
        assert len(got.headers["webhook-signature"].split(" ")) == 2
        assert _verified(old, got)["type"] == _verified(new, got)["type"] == "ping"
        clock.move_to(AT + services.ROTATION_OVERLAP + timedelta(minutes=1))
        services.queue_ping(world.a.network, now=utcnow())
        db.session.commit()
        _deliver()
        got = receiver.got[-1]
        assert len(got.headers["webhook-signature"].split(" ")) == 1
        assert _verified(new, got)["type"] == "ping"
        with pytest.raises(Exception, match="No matching signature"):
            _verified(old, got)


def test_a_redirect_is_not_followed_and_counts_as_a_failure(app, world, loopback, receiver):
    register(world.a.network, receiver.url)
    receiver.answers = [302]
    receiver.location = receiver.url.replace("/hooks", "/elsewhere")
    services.queue_ping(world.a.network, now=utcnow())
    db.session.commit()
    assert _deliver()["retried"] == 1
    assert [g.path for g in receiver.got] == ["/hooks"]
    message = _messages()[0]
    assert message.last_status == 302
    assert "Redirection non suivie" in message.last_error


def test_a_receiver_too_slow_to_answer_is_tried_again(app, world, loopback, receiver):
    app.config["WEBHOOKS_TIMEOUT_SECONDS"] = 0.3
    register(world.a.network, receiver.url)
    receiver.delay = 1.0
    services.queue_ping(world.a.network, now=utcnow())
    db.session.commit()
    assert _deliver()["retried"] == 1
    attempt = db.session.scalar(select(WebhookAttempt))
    assert attempt.status_code is None
    assert "délai" in attempt.error
    assert attempt.duration_ms < 1000


def test_an_endpoint_gets_only_the_events_it_asked_for(app, world, loopback, receiver):
    a = world.a
    register(a.network, receiver.url, events=["booking.recorded"])
    register(world.b.network, receiver.url)  # another network's endpoint hears nothing of network A
    planning.cancel_slot(a.slot)
    db.session.commit()
    assert _messages() == []


def test_a_disabled_endpoint_is_queued_nothing_and_gets_what_waited_once_enabled(
    app, world, loopback, receiver
):
    endpoint, _secret = register(world.a.network, receiver.url)
    services.queue_ping(world.a.network, now=utcnow())
    services.set_enabled(endpoint, False, now=utcnow())
    db.session.commit()
    planning.cancel_slot(world.a.slot)
    db.session.commit()
    assert _deliver()["delivered"] == 0
    assert [m.event_type for m in _messages()] == ["ping"]
    services.set_enabled(endpoint, True, now=utcnow())
    db.session.commit()
    assert _deliver()["delivered"] == 1


def test_a_row_claimed_by_a_live_worker_is_not_taken_again_until_its_lease_ends(
    app, world, loopback, receiver
):
    register(world.a.network, receiver.url)
    services.queue_ping(world.a.network, now=utcnow())
    db.session.commit()
    message = _messages()[0]
    message.state, message.claimed_by = MessageState.CLAIMED, "other-worker"
    message.lease_until = utcnow() + timedelta(minutes=5)
    db.session.commit()
    assert _deliver()["delivered"] == 0
    assert _deliver(now=utcnow() + timedelta(minutes=6))["delivered"] == 1
    assert len(receiver.got) == 1


def test_replay_sends_the_same_id_and_body_again(app, world, loopback, receiver):
    register(world.a.network, receiver.url)
    services.queue_ping(world.a.network, now=utcnow())
    db.session.commit()
    _deliver()
    services.replay(_messages()[0], now=utcnow())
    db.session.commit()
    _deliver()
    first, second = receiver.got
    assert (first.headers["webhook-id"], first.body) == (second.headers["webhook-id"], second.body)


def test_each_coordinator_is_told_in_the_language_they_chose(app, world, loopback, receiver):
    from crm.base.enums import Role
    from tests import factories

    english = factories.user(Role.COORDINATOR, net=world.a.network, email="coord-en@example.org")
    english.locale = "en"
    endpoint, _secret = register(world.a.network, receiver.url)
    receiver.answers = [410]
    services.queue_ping(world.a.network, now=utcnow())
    db.session.commit()
    _deliver()
    notices = select(OutboxMessage.to_address, OutboxMessage.subject, OutboxMessage.body_text)
    found = db.session.execute(notices.where(OutboxMessage.subject.startswith("Webhooks"))).all()
    told = {to: subject for to, subject, _body in found}
    assert told == {
        "coord-a@example.org": "Webhooks\u202f: un point d'arrivée est désactivé",
        "coord-en@example.org": "Webhooks: an endpoint is disabled",
    }
    body = next(text for to, _subject, text in found if to == "coord-en@example.org")
    assert f"Vitrine no longer sends events to {endpoint.url}." in body
