"""A message's bytes are built once, when it is queued, and every attempt sends those very bytes; a batch
costs a fixed number of statements and commits per message; a worker stopped by an error keeps what the
server said and does not leave behind the messages it never handed over."""

import pytest
from sqlalchemy import event, select, update

from crm.base.database import utcnow
from crm.base.extensions import db
from crm.base.querycount import count_queries
from crm.mail import delivery
from crm.mail.models import DeliveryAttempt, MailState, OutboxMessage
from crm.mail.services import message_values, queue_many, send


def _stored(message_id):
    db.session.expire_all()
    return db.session.get(OutboxMessage, message_id)


def test_the_bytes_stored_when_queued_are_those_sent_and_a_build_from_the_row_gives_them(world, smtp_server):
    [message] = send(
        world.a.network.id, ["quelqu-un@example.org"], "Objet : « accents »", "Texte\n.\nfin",
        unsubscribe_url="https://vitrine.example/stop/x", attachment_ics="BEGIN:VCALENDAR\nEND:VCALENDAR",
    )  # fmt: skip
    queue_many([message_values(world.a.network.id, "autre@example.org", "Lot", "Texte", now=utcnow())])
    db.session.commit()
    rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.state == MailState.PENDING)).all()
    assert len(rows) == 2
    stored = {row.id: row.mime for row in rows}
    assert all(stored.values())
    for row in rows:  # read back from the database: Date is the created_at, the Message-ID the row's
        assert delivery.serialise(_stored(row.id)) == stored[row.id]
    assert b"Message-ID: " + message.message_id.encode() in stored[message.id]

    assert delivery.deliver_due(worker="test")["sent"] == 2
    sent = {to[0]: data for _sender, to, data in smtp_server.envelopes}
    assert sent["quelqu-un@example.org"] == stored[message.id]
    assert _stored(message.id).mime is None  # sent: not kept twice


def test_a_message_queued_without_stored_bytes_is_built_when_sent(world, smtp_server):
    [message] = send(world.a.network.id, ["quelqu-un@example.org"], "Objet", "Texte")
    db.session.commit()
    expected = message.mime
    db.session.execute(update(OutboxMessage).values(mime=None))  # as queued before the bytes were kept
    db.session.commit()
    assert delivery.deliver_due(worker="test")["sent"] == 1
    assert smtp_server.envelopes[0][2] == expected


def test_a_temporary_refusal_is_retried_with_the_same_bytes(world, smtp_server):
    smtp_server.rcpt_replies["quelqu-un@example.org"] = ["451 4.7.1 Later"]
    [message] = send(world.a.network.id, ["quelqu-un@example.org"], "Objet", "Texte")
    db.session.commit()
    stored = message.mime
    assert delivery.deliver_due(worker="test")["temporary"] == 1
    assert _stored(message.id).mime == stored
    db.session.execute(update(OutboxMessage).values(next_attempt_at=utcnow()))
    db.session.commit()
    assert delivery.deliver_due(worker="test")["sent"] == 1
    assert smtp_server.envelopes[0][2] == stored


def _deliver_counted(world, count):
    send(world.a.network.id, [f"personne{n}@example.org" for n in range(count)], "Objet", "Texte")
    db.session.commit()
    commits = []
    listener = lambda connection: commits.append(1)  # noqa: E731
    event.listen(db.engine, "commit", listener)
    try:
        with count_queries(db.engine) as statements:
            counts = delivery.deliver_due(worker="test")
    finally:
        event.remove(db.engine, "commit", listener)
    assert counts["sent"] == count
    db.session.execute(update(OutboxMessage).values(state=MailState.SENT))
    db.session.commit()
    return len(statements), len(commits)


def test_a_batch_costs_a_fixed_number_of_statements_and_commits_per_message(world, smtp_server):
    few_statements, few_commits = _deliver_counted(world, 10)
    many_statements, many_commits = _deliver_counted(world, 50)
    group = delivery.SENDING_GROUP
    # 40 messages more: a read just before each, and a mark, an UPDATE and an INSERT for each group
    assert many_statements - few_statements == 40 + 3 * 40 // group  # 1.6 a message
    assert many_commits - few_commits == 40 // group  # one for each group


def test_an_error_mid_group_keeps_what_the_server_said_and_requeues_what_it_never_got(
    world, smtp_server, monkeypatch
):
    messages = send(world.a.network.id, [f"personne{n}@example.org" for n in range(4)], "Objet", "Texte")
    db.session.commit()
    first, in_flight, *never = [m.id for m in messages]
    real_attempt = delivery.attempt

    def broken(connection, message):
        if message.id == in_flight:
            raise RuntimeError("the worker breaks while handing this one over")
        return real_attempt(connection, message)

    monkeypatch.setattr(delivery, "attempt", broken)
    with pytest.raises(RuntimeError):
        delivery.deliver_due(worker="test")
    states = {m.id: _stored(m.id).state for m in messages}
    assert states[first] == MailState.SENT  # recorded, with its attempt
    assert states[in_flight] == MailState.SENDING  # the server may have it: UNKNOWN once the lease ends
    assert {states[n] for n in never} == {MailState.CLAIMED}  # taken again once the lease ends
    assert db.session.scalars(select(DeliveryAttempt.message_id)).all() == [first]
    assert len(smtp_server.received) == 1
