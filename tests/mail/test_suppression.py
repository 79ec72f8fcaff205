"""An objection, an erasure or a bounce stops mail already queued, at the last moment, whoever queued it:
queued while the SMTP server is down, then the server comes back (a real one, on loopback)."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from crm.base.extensions import db
from crm.invitations import services as invitations
from crm.mail import delivery
from crm.mail.models import DeliveryAttempt, MailState, MailSuppression, OutboxMessage, SuppressionReason
from crm.mail.services import send
from crm.mail.suppression import address_digest
from crm.scheduler import run_due
from tests import factories
from tests.conftest import post_form, sign_in
from tests.scene import D2, Recorder, free_port, launch, travel


def _links(token):
    return (f"http://localhost/rsvp/{token}", f"http://localhost/stop/{token}")


def _to(person):
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.programmer_id == person.id)).all()


def _bring_up(app, port):
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    return recorder, controller


def test_objection_and_erasure_stop_every_message_already_queued(scene, app, client):
    a = scene.a
    port = free_port()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_TIMEOUT_SECONDS=2, MAIL_RETRY_SECONDS=60)
    guests = [factories.programmer(a.network, a.coordinator, a.venue) for _ in range(3)]
    objecting_guest, erased_guest, happy_guest = guests
    with travel(D2):
        invitations.invite(a.planned, guests, link_for=_links, now=D2)
        db.session.commit()
        launch(scene)
        counts = run_due()  # the J+2 follow-up messages are queued, and SMTP is down
    assert counts["mail_sent"] == 0
    waiting = db.session.scalars(select(OutboxMessage).where(OutboxMessage.state == MailState.PENDING)).all()
    assert len(waiting) == 6 and {m.attempts for m in waiting} == {1}
    old_address = erased_guest.email

    with travel(D2 + timedelta(seconds=10)):
        # one-click unsubscribe, as a mail provider posts it: no cookie, no CSRF token
        [followup_message] = _to(scene.came)
        assert client.post(urlsplit(followup_message.unsubscribe_url).path).status_code == 200
        [invitation] = _to(objecting_guest)
        assert client.post(urlsplit(invitation.unsubscribe_url).path).status_code == 200
        sign_in(client, a.coordinator)
        for person in (scene.came_once, erased_guest):
            response = post_form(
                client, f"/programmers/{person.id}/erase", {"confirm": "1"}, token_from="/outbox"
            )
            assert response.status_code == 302

    recorder, controller = _bring_up(app, port)
    try:
        with travel(D2 + timedelta(minutes=5)):
            counts = run_due()
    finally:
        controller.stop()
        app.config.update(MAIL_SERVER="")
    received = sorted(m["To"] for m in recorder.received)
    assert received == sorted([scene.missed.email, happy_guest.email])
    assert counts["mail_sent"] == 2
    for person in (scene.came, objecting_guest):
        [message] = _to(person)
        assert (message.state, message.cancel_reason) == (MailState.CANCELLED, SuppressionReason.OBJECTION)
    for person in (scene.came_once, erased_guest):
        for message in _to(person):
            assert (message.state, message.cancel_reason) == (MailState.CANCELLED, SuppressionReason.ERASURE)
            assert message.to_address == "effacee@invalid" and old_address not in message.body_text
            assert message.mime is None  # the bytes built when it was queued are forgotten too
    with travel(D2 + timedelta(minutes=6)):
        outbox = client.get("/outbox").get_data(as_text=True)
    assert outbox.count("Annulé : la personne s'est opposée aux messages") == 2
    assert old_address not in outbox and "Annulé : les données de la personne ont été effacées" in outbox


@pytest.mark.parametrize("how", ["objection", "bare_list_entry"])
def test_a_message_claimed_before_the_objection_is_still_not_sent(world, app, smtp_server, monkeypatch, how):
    """The objection lands while the batch is being sent: the statement that takes each message for
    sending checks the list itself (a bare entry, written by no one else, shows that check alone)."""
    from crm.base.database import utcnow
    from crm.contacts.privacy import opt_out

    person = world.a.programmers[0]
    first = send(world.a.network.id, ["x@example.org"], "Objet", "Texte")[0]
    second = send(world.a.network.id, [person.email], "Objet", "Texte")[0]
    db.session.commit()
    real_attempt = delivery.attempt

    def object_in_between(connection, message):
        if message.id == first.id:
            if how == "objection":
                opt_out(db.session.get(type(person), person.id), now=utcnow())
            else:
                db.session.add(
                    MailSuppression(
                        network_id=world.a.network.id,
                        address_hash=address_digest(person.email),
                        reason=SuppressionReason.OBJECTION,
                    )
                )
            db.session.commit()
        return real_attempt(connection, message)

    monkeypatch.setattr(delivery, "attempt", object_in_between)
    counts = delivery.deliver_due(worker="test")
    assert (counts["sent"], counts["cancelled"]) == (1, 1)
    assert [m["To"] for m in smtp_server.received] == ["x@example.org"]
    db.session.refresh(second)
    assert (second.state, second.attempts) == (MailState.CANCELLED, 0)
    assert second.cancel_reason == SuppressionReason.OBJECTION


def test_a_permanent_refusal_lists_the_address_and_cancels_what_waits_for_it(scene, smtp_server):
    smtp_server.rcpt_replies[scene.came.email] = ["550 5.1.1 No such user"]
    later = send(scene.a.network.id, [scene.came.email], "Autre", "Texte", programmer_id=scene.came.id)[0]
    later.next_attempt_at = D2 + timedelta(days=1)
    db.session.commit()
    launch(scene)
    with travel(D2):
        run_due()
    entry = db.session.scalar(select(MailSuppression))
    assert (entry.address_hash, entry.reason) == (address_digest(scene.came.email), SuppressionReason.BOUNCE)
    db.session.refresh(later)
    assert (later.state, later.cancel_reason) == (MailState.CANCELLED, SuppressionReason.BOUNCE)


def test_mail_queued_to_a_listed_address_is_cancelled_at_once_even_without_smtp(world):
    person = world.a.programmers[0]
    from crm.base.database import utcnow
    from crm.contacts.privacy import opt_out

    opt_out(person, now=utcnow())
    [notice] = send(world.a.network.id, [person.email.upper()], "Objet", "Texte")
    [elsewhere] = send(world.b.network.id, [person.email], "Objet", "Texte")
    assert notice.state == MailState.CANCELLED and notice.cancel_reason == SuppressionReason.OBJECTION
    assert elsewhere.state == MailState.KEPT  # another network's list is its own


def test_erasure_forgets_the_address_in_notices_that_name_the_person(scene, client):
    from crm.followups import services as followups
    from crm.followups.models import Choice, Enrolment

    launch(scene)
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.programmer_id == scene.came.id))
    with travel(D2):
        followups.record_answer(enrolment, scene.shows[0].id, Choice.BOOK, now=D2)
    db.session.commit()
    address = scene.came.email
    notices = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.about_programmer_id == scene.came.id)
    ).all()
    assert notices and all(address in n.body_text for n in notices)
    attempt = DeliveryAttempt(message_id=notices[0].id, worker="w", outcome="sent", detail=f"250 <{address}>")
    db.session.add(attempt)
    db.session.commit()
    sign_in(client, scene.a.coordinator)
    post_form(client, f"/programmers/{scene.came.id}/erase", {"confirm": "1"}, token_from="/outbox")
    for notice in notices:
        recipient = notice.to_address
        db.session.refresh(notice)
        assert notice.body_text == "(effacé avec les données de la personne)"
        assert notice.to_address == recipient  # the company's address is not the person's data
    db.session.refresh(attempt)
    assert attempt.detail == ""
    stored = " ".join(
        f"{m.to_address} {m.subject} {m.body_text} {m.body_html or ''} {m.unsubscribe_url or ''}"
        for m in db.session.scalars(select(OutboxMessage))
    )
    assert address not in stored
