"""The server's reply to the end of DATA decides a message's fate: smtplib returns it rather than
raising, and a 451 or a 554 there means the message was not taken (real SMTP server on loopback)."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from crm.base.extensions import db
from crm.contacts.models import Programmer
from crm.mail import delivery
from crm.mail.models import DeliveryAttempt, MailState, MailSuppression
from crm.mail.services import send
from tests.scene import travel

NOW = datetime(2027, 1, 11, 9, tzinfo=UTC)


def _queue(world, count):
    addresses = [f"personne{i}@example.org" for i in range(count)]
    messages = [send(world.a.network.id, [a], f"Objet {i}", "Texte")[0] for i, a in enumerate(addresses)]
    db.session.commit()
    return messages


def test_a_greylisting_server_gets_every_message_once_after_the_retry(world, smtp_server):
    smtp_server.greylist = True
    with travel(NOW):
        messages = _queue(world, 5)
        first = delivery.deliver_due(worker="test")
    assert (first["sent"], first["temporary"]) == (0, 5)
    assert smtp_server.received == []
    for message in messages:
        db.session.refresh(message)
        assert (message.state, message.sent_at, message.attempts) == (MailState.PENDING, None, 1)
        assert "Greylisted" in message.last_error
    with travel(NOW + timedelta(seconds=61)):
        second = delivery.deliver_due(worker="test")
    assert second["sent"] == 5
    assert sorted(smtp_server.message_ids()) == sorted(m.message_id for m in messages)
    codes = db.session.scalars(select(DeliveryAttempt.code).order_by(DeliveryAttempt.id)).all()
    assert codes == [451] * 5 + [250] * 5


@pytest.mark.parametrize(
    "reply",
    ["554 5.7.1 Message content rejected", "552 5.3.4 Message too big", "554 Transaction failed"],
)
def test_a_refused_content_is_flagged_and_the_address_is_not_marked(world, smtp_server, reply):
    person = world.a.programmers[0]
    smtp_server.data_replies[person.email] = [reply]
    [message] = send(world.a.network.id, [person.email], "Objet", "Texte", programmer_id=person.id)
    db.session.commit()
    counts = delivery.deliver_due(worker="test")
    assert counts["refused"] == 1 and counts["sent"] == 0
    db.session.refresh(message)
    assert message.state == MailState.REFUSED and message.last_error == reply.split(" ", 1)[1]
    assert delivery.flagged_count(world.a.network.id) == 1
    assert db.session.get(Programmer, person.id).bounced_at is None
    assert db.session.scalar(select(MailSuppression.id)) is None


@pytest.mark.parametrize(
    "reply", ["550 5.1.1 User unknown", "553 Mailbox name not allowed", "550 No such user"]
)
def test_a_refused_recipient_at_the_end_of_data_is_a_bounce(world, smtp_server, reply):
    person = world.a.programmers[0]
    smtp_server.data_replies[person.email] = [reply]
    [message] = send(world.a.network.id, [person.email], "Objet", "Texte", programmer_id=person.id)
    db.session.commit()
    assert delivery.deliver_due(worker="test")["permanent"] == 1
    db.session.refresh(message)
    assert message.state == MailState.BOUNCED
    assert db.session.get(Programmer, person.id).bounced_at is not None


@pytest.mark.parametrize(
    ("code", "reply", "outcome"),
    [
        (250, "2.0.0 Ok: queued", "sent"),
        (451, "4.7.1 Greylisted", "temporary"),
        (421, "Service not available", "temporary"),
        (550, "5.1.1 User unknown", "permanent"),
        (550, "5.7.1 Spam detected", "refused"),
        (554, "5.7.1 Rejected", "refused"),
        (552, "5.2.2 Mailbox full", "refused"),
        (550, "5.2.1 Mailbox disabled", "permanent"),
        (551, "User not local", "permanent"),
        (553, "", "permanent"),
        (554, "", "refused"),
        (None, "", "temporary"),
    ],
)
def test_replies_are_classified_by_code_and_enhanced_status(code, reply, outcome):
    assert delivery.classify(code, reply) == outcome
