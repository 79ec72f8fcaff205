"""Real SMTP on loopback (aiosmtpd): multipart messages with their headers, retries with backoff on 4xx,
bounces on 5xx that stop the person's sequence, and every attempt logged."""

from datetime import timedelta

from sqlalchemy import select

from crm.base.extensions import db
from crm.followups.models import Enrolment, RunState, StepRun
from crm.mail import delivery
from crm.mail.models import DeliveryAttempt, MailState, OutboxMessage
from crm.mail.services import send
from crm.scheduler import run_due
from tests.scene import D2, D30, free_port, launch, travel


def _message_to(person):
    return db.session.scalar(select(OutboxMessage).where(OutboxMessage.programmer_id == person.id))


def test_a_follow_up_message_leaves_multipart_with_unsubscribe_headers(scene, smtp_server):
    launch(scene)
    with travel(D2):
        counts = run_due()
    assert counts["mail_sent"] == 3
    received = {m["To"]: m for m in smtp_server.received}
    mail = received[scene.came.email]
    stored = _message_to(scene.came)
    assert stored.state == MailState.SENT and mail["Message-ID"] == stored.message_id
    assert mail.is_multipart()
    assert {part.get_content_type() for part in mail.iter_parts()} == {"text/plain", "text/html"}
    assert mail["List-Unsubscribe"].strip() == f"<{stored.unsubscribe_url}>"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = mail.get_body(("html",)).get_content()
    assert "&lt;" not in scene.came.full_name and '<a href="http' in html
    assert scene.shows[2].title.replace("«", "&laquo;") in html or "Spectacle A3" in html
    plain = mail.get_body(("plain",)).get_content()
    assert scene.shows[0].title in plain


def test_a_temporary_refusal_is_retried_later_with_the_same_message_id(scene, smtp_server, app):
    smtp_server.rcpt_replies[scene.came.email] = ["451 4.7.1 Try again later", "452 4.2.2 Mailbox full"]
    launch(scene)
    with travel(D2):
        run_due()
    message = _message_to(scene.came)
    assert message.state == MailState.PENDING and message.attempts == 1
    assert message.next_attempt_at == D2 + timedelta(seconds=60)
    with travel(D2 + timedelta(seconds=30)):
        run_due()  # not yet due again
    db.session.refresh(message)
    assert message.attempts == 1
    with travel(D2 + timedelta(seconds=61)):
        run_due()
    db.session.refresh(message)
    assert message.attempts == 2 and message.next_attempt_at == D2 + timedelta(seconds=61 + 120)
    with travel(D2 + timedelta(seconds=200)):
        run_due()
    db.session.refresh(message)
    assert message.state == MailState.SENT and message.attempts == 3
    assert smtp_server.message_ids().count(message.message_id) == 1
    outcomes = db.session.scalars(
        select(DeliveryAttempt.outcome)
        .where(DeliveryAttempt.message_id == message.id)
        .order_by(DeliveryAttempt.id)
    ).all()
    assert outcomes == ["temporary", "temporary", "sent"]


def test_temporary_refusals_give_up_after_the_limit_and_flag_the_message(scene, smtp_server, app):
    app.config["MAIL_MAX_ATTEMPTS"] = 2
    smtp_server.rcpt_replies[scene.came.email] = ["451 4.7.1 Later"] * 5
    launch(scene)
    with travel(D2):
        run_due()
    with travel(D2 + timedelta(hours=1)):
        run_due()
    message = _message_to(scene.came)
    assert message.state == MailState.FAILED and "Later" in message.last_error
    assert delivery.flagged_count(scene.a.network.id) == 1


def test_a_permanent_refusal_marks_the_address_and_stops_the_sequence(scene, smtp_server):
    smtp_server.rcpt_replies[scene.came.email] = ["550 5.1.1 No such user"]
    launch(scene)
    with travel(D2):
        run_due()
    message = _message_to(scene.came)
    assert message.state == MailState.BOUNCED
    db.session.refresh(scene.came)
    assert scene.came.bounced_at is not None
    with travel(D30):
        run_due()
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.programmer_id == scene.came.id))
    assert enrolment.stop_reason == "bounce"
    states = db.session.scalars(
        select(StepRun.state).where(StepRun.enrolment_id == enrolment.id, StepRun.done_at.is_not(None))
    ).all()
    assert states.count(RunState.SKIPPED) >= 2  # J+10 calls and J+30 reminder: none for a dead address
    assert [m["To"] for m in smtp_server.received].count(scene.came.email) == 0


def test_a_server_that_cannot_be_reached_leaves_messages_queued(world, app):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT_SECONDS=2)
    [message] = send(world.a.network.id, ["quelqu-un@example.org"], "Objet", "Texte")
    db.session.commit()
    counts = delivery.deliver_due(worker="test")
    assert counts["temporary"] == 1
    db.session.refresh(message)
    assert message.state == MailState.PENDING and message.attempts == 1
    app.config.update(MAIL_SERVER="")


def test_without_a_mail_server_messages_stay_in_the_development_outbox(world, client):
    from tests.conftest import sign_in

    [message] = send(world.a.network.id, ["quelqu-un@example.org"], "Objet <test>", "Texte")
    db.session.commit()
    assert message.state == MailState.KEPT
    nothing = {"sent": 0, "temporary": 0, "permanent": 0, "refused": 0, "unknown": 0, "cancelled": 0}
    assert delivery.deliver_due(worker="test") == nothing
    sign_in(client, world.a.coordinator)
    page = client.get("/outbox").get_data(as_text=True)
    assert "Objet &lt;test&gt;" in page and "Gardé (boîte d" in page


def test_a_coordinator_decides_on_a_message_of_unknown_fate(world, client):
    from tests.conftest import post_form, sign_in

    [message] = send(world.a.network.id, ["quelqu-un@example.org"], "Objet", "Texte")
    message.state = MailState.UNKNOWN
    db.session.commit()
    sign_in(client, world.a.coordinator)
    assert "Objet" in client.get("/outbox?etat=flagged").get_data(as_text=True)
    post_form(client, f"/outbox/{message.id}", {"decision": "resend"}, token_from="/outbox")
    db.session.refresh(message)
    assert message.state == MailState.PENDING
    other = app_client_of(world.b.coordinator, client)
    assert other.status_code == 404


def app_client_of(user, client):
    from tests.conftest import post_form, sign_in

    sign_in(client, user)
    message = db.session.scalar(select(OutboxMessage))
    return post_form(client, f"/outbox/{message.id}", {"decision": "delivered"}, token_from="/outbox")
