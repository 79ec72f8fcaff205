"""The IMAP poller against a real IMAP server (dovecot on loopback): it stores what it finds through the
one pipeline, marks nothing read that it leaves, moves what it stored, and survives a dropped
connection without handling a message twice."""

from datetime import timedelta

from sqlalchemy import func, select

from crm.base.extensions import db
from crm.followups.models import Interaction, InteractionKind
from crm.mail import imap, inbound
from crm.mail.models import InboundKind, InboundMessage
from crm.scheduler import run_due
from tests.mail.inbound_scene import corpus, sent_to
from tests.scene import D2, travel

LATER = D2 + timedelta(hours=3)


def _replies(person):
    return db.session.scalars(
        select(Interaction).where(
            Interaction.programmer_id == person.id, Interaction.kind == InteractionKind.REPLY
        )
    ).all()


def test_the_worker_tick_reads_the_mailbox_and_handles_each_message(answered, imap_server):
    imap_server.append(
        corpus("gmail_reply_fr.eml", sent_to(answered.came)),
        corpus("outlook_out_of_office.eml", sent_to(answered.came_once)),
        corpus("postfix_bounce.eml", sent_to(answered.missed)),
    )
    with travel(LATER):
        counts = run_due()
    assert counts["inbound"] == 3
    kinds = sorted(db.session.scalars(select(InboundMessage.kind)).all())
    assert kinds == sorted([InboundKind.REPLY, InboundKind.AUTO_REPLY, InboundKind.BOUNCE])
    [reply] = _replies(answered.came)
    assert reply.summary.startswith("Bonjour,\n\nLe deuxième spectacle m'intéresse")
    assert (imap_server.count("INBOX"), imap_server.count("Vitrine-traites")) == (0, 3)
    with travel(LATER + timedelta(minutes=1)):
        assert run_due()["inbound"] == 0  # nothing left: nothing handled twice


def test_a_dropped_connection_loses_nothing_and_handles_nothing_twice(answered, imap_server, monkeypatch):
    first = corpus("gmail_reply_fr.eml", sent_to(answered.came))
    second = corpus("apple_reply_fr.eml", sent_to(answered.came_once))
    imap_server.append(first, second)
    real_receive = inbound.receive
    calls = []

    def drop_after_storing_the_first(raw, **kwargs):
        row = real_receive(raw, **kwargs)
        calls.append(row.id)
        if len(calls) == 1:
            imap_server.kick()  # stored, not yet moved: the server drops the connection
        return row

    monkeypatch.setattr(inbound, "receive", drop_after_storing_the_first)
    with travel(LATER):
        assert imap.poll(now=LATER) == 0  # stopped before the first could be moved
    monkeypatch.setattr(inbound, "receive", real_receive)
    assert imap_server.count("INBOX") == 2
    with travel(LATER + timedelta(minutes=1)):
        assert imap.poll(now=LATER) == 2
    assert db.session.scalar(select(func.count()).select_from(InboundMessage)) == 2
    assert len(_replies(answered.came)) == 1 and len(_replies(answered.came_once)) == 1
    assert (imap_server.count("INBOX"), imap_server.count("Vitrine-traites")) == (0, 2)


def test_the_poller_leaves_the_other_messages_unread(answered, imap_server, app):
    app.config["MAIL_IMAP_DONE_FOLDER"] = "Vitrine-traites"
    imap_server.append(corpus("gmail_reply_fr.eml", sent_to(answered.came)))
    with imap_server.client() as client:
        client.create_folder("Autre")
        client.append("Autre", b"Subject: not ours\r\n\r\nhello\r\n")
    with travel(LATER):
        imap.poll(now=LATER)
    with imap_server.client() as client:
        client.select_folder("Autre", readonly=True)
        assert client.search(["UNSEEN"]) == client.search(["ALL"]) != []


def test_an_unreachable_server_is_retried_next_tick(answered, app):
    from tests.scene import free_port

    app.config.update(MAIL_IMAP_HOST="127.0.0.1", MAIL_IMAP_PORT=free_port(), MAIL_IMAP_TLS=False)
    with travel(LATER):
        counts = run_due()
    app.config.update(MAIL_IMAP_HOST="")
    assert counts["inbound"] == 0  # logged and left for the next tick; the tick itself went on
