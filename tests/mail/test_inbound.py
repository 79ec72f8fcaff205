"""Mail that comes back — replies, out-of-office notices, bounces, complaints — through the one inbound
pipeline: stored first, matched to the message it answers, classified, acted on once."""

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from crm.base.extensions import db
from crm.contacts.models import Programmer
from crm.followups.models import Action, Enrolment, Interaction, InteractionKind, RunState, StepRun, Task
from crm.mail import inbound
from crm.mail.models import (
    InboundKind,
    InboundMessage,
    InboundState,
    MailState,
    MailSuppression,
    OutboxMessage,
    SuppressionReason,
)
from crm.scheduler import run_due
from tests.conftest import DATABASE_URL, post_form, sign_in
from tests.mail.inbound_scene import corpus, sent_to
from tests.scene import D2, D30, travel

LATER = D2 + timedelta(hours=3)
ROOT = Path(__file__).resolve().parents[2]


def _receive(raw, **kwargs):
    with travel(LATER):
        return inbound.receive(raw, via="pipe", now=LATER, **kwargs)


def _timeline(person, kind):
    return db.session.scalars(
        select(Interaction).where(Interaction.programmer_id == person.id, Interaction.kind == kind)
    ).all()


@pytest.mark.parametrize(
    ("name", "words"),
    [
        (
            "gmail_reply_fr.eml",
            "Bonjour,\n\nLe deuxième spectacle m'intéresse beaucoup, appelez-moi jeudi après 14 h.",
        ),
        ("outlook_reply_fr.eml", "Oui, envoyez-moi le dossier complet du premier spectacle, merci."),
        ("apple_reply_fr.eml", "Volontiers pour le troisième, il irait bien dans notre saison jeune public."),
    ],
)
def test_a_reply_puts_the_persons_own_words_on_their_timeline_once(answered, runner, name, words):
    person = answered.came
    raw = corpus(name, sent_to(person))
    for _ in range(2):  # the MTA hands the same message over twice
        result = runner.invoke(args=["mail", "receive"], input=raw)
        assert result.exit_code == 0, result.output
    [reply] = _timeline(person, InteractionKind.REPLY)
    assert reply.summary.startswith(words)
    assert "a écrit" not in reply.summary and "Merci d" not in reply.summary
    assert db.session.scalar(select(func.count()).select_from(InboundMessage)) == 1


def test_a_reply_stops_the_sequence_and_hands_each_company_a_task_and_an_email(answered, app):
    person = answered.came
    _receive(corpus("gmail_reply_fr.eml", sent_to(person)))
    db.session.commit()
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.programmer_id == person.id))
    assert enrolment.answered_at == LATER
    tasks = db.session.scalars(
        select(Task).where(Task.action == Action.REPLY, Task.programmer_id == person.id)
    ).all()
    assert sorted(t.company_id for t in tasks) == sorted(c.id for c in answered.companies)
    assert all(t.inbound_message_id is not None for t in tasks)
    notices = db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.subject == f"Suivi : {person.full_name} a répondu par e-mail"
        )
    ).all()
    assert notices and all("> Le deuxième spectacle m'intéresse" in n.body_text for n in notices)
    assert all(f"/taches/{tasks[0].id}" in n.body_text or "/taches/" in n.body_text for n in notices)
    with travel(D30):
        run_due()
    reminder = db.session.scalars(
        select(StepRun).where(StepRun.enrolment_id == enrolment.id, StepRun.note == "answered")
    ).all()
    assert reminder  # the J+30 reminder was skipped: the person answered


def test_the_dashboard_counts_the_replies_to_read(answered, client):
    _receive(corpus("apple_reply_fr.eml", sent_to(answered.came)))
    db.session.commit()
    with travel(LATER):
        sign_in(client, answered.a.coordinator)
        page = client.get(f"/editions/{answered.edition.id}/suivi").get_data(as_text=True)
    assert "1 réponse par e-mail à lire" in page
    assert "Volontiers pour le troisième" in page
    assert '<span class="figure">1</span>ont répondu' in page  # the funnel counts it as an answer


def test_an_out_of_office_stops_nothing_and_the_next_steps_wait_for_the_return(answered):
    person = answered.came
    row = _receive(corpus("outlook_out_of_office.eml", sent_to(person)))
    db.session.commit()
    assert row.kind == InboundKind.AUTO_REPLY
    [note] = _timeline(person, InteractionKind.AUTO_REPLY)
    assert "22/03/2027" in note.summary
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.programmer_id == person.id))
    assert enrolment.answered_at is None and enrolment.stopped_at is None
    pending = db.session.scalars(
        select(StepRun).where(StepRun.enrolment_id == enrolment.id, StepRun.state == RunState.PENDING)
    ).all()
    assert pending and min(r.due_at for r in pending).date().isoformat() >= "2027-03-23"
    assert db.session.scalar(select(func.count()).select_from(Task).where(Task.action == Action.REPLY)) == 0


def test_a_vacation_notice_without_a_year_is_read_as_the_next_such_day(answered):
    row = _receive(corpus("gmail_vacation.eml", sent_to(answered.came)))
    db.session.commit()
    [note] = _timeline(answered.came, InteractionKind.AUTO_REPLY)
    assert row.kind == InboundKind.AUTO_REPLY and "15/03/2027" in note.summary


@pytest.mark.parametrize("name", ["postfix_bounce.eml", "exchange_bounce.eml"])
def test_a_later_bounce_marks_the_address_as_refused_on_the_persons_page(answered, client, name):
    person = answered.came
    message = sent_to(person)
    message.state = MailState.SENT
    db.session.commit()
    row = _receive(corpus(name, message, TO="retours@reseau-a.example"))
    db.session.commit()
    assert (row.kind, row.state) == (InboundKind.BOUNCE, InboundState.HANDLED)
    assert db.session.get(Programmer, person.id).bounced_at == LATER
    assert db.session.get(OutboxMessage, message.id).state == MailState.BOUNCED
    assert db.session.scalar(select(MailSuppression.reason)) == SuppressionReason.BOUNCE
    with travel(LATER):
        sign_in(client, answered.a.coordinator)
        page = client.get(f"/programmers/{person.id}").get_data(as_text=True)
    assert "est refusée par son serveur" in page


def test_a_bounce_found_by_its_verp_token_alone(answered):
    """A relay that keeps nothing of the original: the token in the bounce address is enough."""
    message = sent_to(answered.came)
    raw = (
        f"From: MAILER-DAEMON@relay.example.net\nTo: retours+{message.reply_token}@reseau-a.example\n"
        "Subject: Undelivered Mail Returned to Sender\nMIME-Version: 1.0\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\n\n'
        "--B\nContent-Type: text/plain\n\nSorry.\n\n--B\nContent-Type: message/delivery-status\n\n"
        f"Reporting-MTA: dns; relay.example.net\n\nFinal-Recipient: rfc822; {message.to_address}\n"
        "Action: failed\nStatus: 5.1.1\n\n--B--\n"
    ).encode()
    row = _receive(raw)
    db.session.commit()
    assert (row.kind, row.outbox_message_id) == (InboundKind.BOUNCE, message.id)
    assert db.session.get(Programmer, answered.came.id).bounced_at is not None


def test_a_delay_notice_stops_nothing(answered):
    row = _receive(corpus("delay.eml", sent_to(answered.came)))
    db.session.commit()
    assert row.kind == InboundKind.DELAY and row.state == InboundState.HANDLED
    assert db.session.get(Programmer, answered.came.id).bounced_at is None


def test_a_complaint_is_an_objection(answered):
    row = _receive(corpus("arf_complaint.eml", sent_to(answered.came)))
    db.session.commit()
    assert row.kind == InboundKind.COMPLAINT
    assert db.session.get(Programmer, answered.came.id).opted_out_at == LATER


def test_a_mail_to_the_unsubscribe_address_is_an_objection(answered):
    message = sent_to(answered.came)
    raw = (
        f"From: {message.to_address}\nTo: suivi+{message.reply_token}@reseau-a.example\n"
        f"Subject: unsubscribe\nMessage-ID: <u1@example.org>\n\n"
    ).encode()
    assert _receive(raw).kind == InboundKind.UNSUBSCRIBE
    db.session.commit()
    assert db.session.get(Programmer, answered.came.id).opted_out_at is not None


def test_an_attachment_is_listed_not_stored(answered):
    row = _receive(corpus("reply_with_attachment.eml", sent_to(answered.came)))
    db.session.commit()
    assert json.loads(row.attachments) == [["fiche-technique.pdf", 74]]
    assert row.text == "Voici notre fiche technique pour voir si le spectacle entre chez nous."


def test_a_reply_found_by_its_sender_alone_when_it_reached_the_bare_address(answered):
    message = sent_to(answered.came)
    headers = f"From: {message.to_address}\nTo: suivi@reseau-a.example\nSubject: Bonjour\n"
    raw = (headers + "\nJe vous rappelle.\n").encode()
    row = _receive(raw)
    db.session.commit()
    assert (row.kind, row.programmer_id) == (InboundKind.REPLY, answered.came.id)


def test_an_oversized_message_is_kept_as_headers_only(answered, app):
    app.config["MAIL_MAX_INBOUND_BYTES"] = 2000
    raw = corpus("reply_with_attachment.eml", sent_to(answered.came)) + b"x" * 5000
    row = _receive(raw)
    db.session.commit()
    assert row.truncated and row.size == len(raw) and len(row.raw) < 2000


@pytest.mark.parametrize(
    "raw",
    [
        b"From: inconnu@example.net\nTo: suivi@reseau-a.example\nSubject: Bonjour\n\nQui etes-vous ?\n",
        (Path(__file__).parent / "corpus" / "broken_mime.eml").read_bytes(),
        b"\x00\x01\x02 not a message at all \xff",
        b"",
    ],
    ids=["unknown-sender", "broken-mime", "garbage", "empty"],
)
def test_unmatched_mail_and_garbage_are_stored_and_listed_and_exit_zero(answered, runner, client, raw):
    result = runner.invoke(args=["mail", "receive"], input=raw)
    assert result.exit_code == 0, result.output
    row = db.session.scalar(select(InboundMessage))
    assert row.state == InboundState.UNMATCHED and row.reason
    with travel(LATER):
        sign_in(client, answered.world.admin)
        page = client.get("/inbox").get_data(as_text=True)
    assert row.reason.replace("'", "&#39;") in page or row.reason in page


def test_the_pipe_command_stores_through_a_real_pipe_and_exits_zero(answered):
    raw = corpus("apple_reply_fr.eml", sent_to(answered.came))
    env = {**os.environ, "DATABASE_URL": DATABASE_URL, "SECRET_KEY": "pipe-test"}
    env.update(MAIL_REPLY_ADDRESS="suivi@reseau-a.example", MAIL_BOUNCE_ADDRESS="retours@reseau-a.example")
    flask = Path(sys.executable).with_name("flask")
    done = subprocess.run(
        [str(flask), "--app", "wsgi", "mail", "receive"],
        input=raw,
        cwd=ROOT,
        env=env,
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    db.session.remove()
    [reply] = _timeline(answered.came, InteractionKind.REPLY)
    assert reply.summary.startswith("Volontiers pour le troisième")


def test_a_message_half_handled_by_a_crash_is_handled_by_the_next_tick(answered):
    raw = corpus("apple_reply_fr.eml", sent_to(answered.came))
    import hashlib

    db.session.add(
        InboundMessage(
            digest=hashlib.sha256(raw).hexdigest(), via="pipe", raw=raw, size=len(raw), received_at=LATER
        )
    )
    db.session.commit()
    with travel(LATER):
        counts = run_due()
    assert counts["inbound"] == 1
    assert len(_timeline(answered.came, InteractionKind.REPLY)) == 1


def test_erasure_empties_what_the_person_wrote_to_us(answered, client):
    row = _receive(corpus("gmail_reply_fr.eml", sent_to(answered.came)))
    db.session.commit()
    address = answered.came.email
    with travel(LATER):
        sign_in(client, answered.a.coordinator)
        post_form(client, f"/programmers/{answered.came.id}/erase", {"confirm": "1"}, token_from="/outbox")
    db.session.refresh(row)
    assert (row.raw, row.text, row.from_address) == (b"", None, None)
    assert address.encode() not in b"".join(r.raw for r in db.session.scalars(select(InboundMessage)))


def test_a_bounce_about_another_address_leaves_the_persons_alone(answered):
    """The person's own forwarding to another mailbox failed: their address is fine."""
    message = sent_to(answered.came)
    raw = corpus("postfix_bounce.eml", message, RECIPIENT="ancienne-adresse@elsewhere.example")
    row = _receive(raw)
    db.session.commit()
    assert row.kind == InboundKind.BOUNCE and "autre adresse" in row.reason
    assert db.session.get(Programmer, answered.came.id).bounced_at is None
    assert db.session.scalar(select(func.count()).select_from(MailSuppression)) == 0


def test_the_pipe_asks_the_mail_server_to_retry_when_nothing_could_be_stored(tmp_path):
    """A database that cannot be reached: exit 75 (EX_TEMPFAIL), the mail server keeps the message."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/missing/dir/db.sqlite3", "SECRET_KEY": "x"}
    flask = Path(sys.executable).with_name("flask")
    done = subprocess.run(
        [str(flask), "--app", "wsgi", "mail", "receive"], input=b"Subject: x\n\ny\n", cwd=ROOT, env=env,
        capture_output=True, check=False,
    )  # fmt: skip
    assert done.returncode == 75, done.stderr.decode()[-1500:]


def test_a_message_that_makes_handling_fail_is_kept_and_does_not_hold_up_the_next(answered, monkeypatch):
    from crm.mail import reading

    poison = corpus("apple_reply_fr.eml", sent_to(answered.came))
    monkeypatch.setattr(reading, "own_words", lambda *_a: 1 / 0)  # a defect met on one odd message
    row = _receive(poison)
    assert row.state == InboundState.UNMATCHED and "ZeroDivisionError" in row.reason
    monkeypatch.undo()
    with travel(LATER):
        counts = run_due()
    assert counts["inbound"] == 0  # not tried again at every tick
    assert _receive(corpus("gmail_reply_fr.eml", sent_to(answered.came_once))).state == InboundState.HANDLED
