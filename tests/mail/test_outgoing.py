"""What goes out, as a real SMTP server on loopback receives it: who it is from, where replies go,
where bounces come back (VERP), RFC 3834 and RFC 8058 headers, and the DKIM signature when configured."""

import subprocess
from datetime import timedelta

import dkim
from sqlalchemy import select

from crm.base.extensions import db
from crm.mail import delivery
from crm.mail.models import OutboxMessage
from crm.mail.services import send
from crm.scheduler import run_due
from tests.scene import D2, launch, travel


def _by_recipient(smtp_server):
    return {m["To"]: m for m in smtp_server.received}


def test_follow_up_mail_says_who_it_is_from_and_where_replies_and_bounces_go(scene, smtp_server, app):
    app.config.update(
        MAIL_REPLY_ADDRESS="suivi@reseau-a.example", MAIL_BOUNCE_ADDRESS="retours@reseau-a.example"
    )
    launch(scene)
    with travel(D2):
        run_due()
    app.config.update(MAIL_REPLY_ADDRESS="", MAIL_BOUNCE_ADDRESS="")
    received = _by_recipient(smtp_server)
    mail = received[scene.came.email]
    stored = db.session.scalar(select(OutboxMessage).where(OutboxMessage.programmer_id == scene.came.id))
    assert mail["From"] == "Réseau A — coordination <vitrine@localhost>"
    assert mail["Reply-To"] == f"suivi+{stored.reply_token}@reseau-a.example"
    assert mail["Auto-Submitted"] == "auto-generated"
    assert " ".join(mail["List-Unsubscribe"].split()) == (
        f"<{stored.unsubscribe_url}>, "
        f"<mailto:suivi+{stored.reply_token}@reseau-a.example?subject=unsubscribe>"
    )
    envelope_from = {rcpt[0]: sender for sender, rcpt, _data in smtp_server.envelopes}
    assert envelope_from[scene.came.email] == f"retours+{stored.reply_token}@reseau-a.example"
    tokens = [m["Reply-To"] for m in received.values()]
    assert len(set(tokens)) == len(tokens) == 3


def test_without_a_reply_address_no_reply_to_and_the_usual_envelope(world, smtp_server):
    send(world.a.network.id, ["quelqu-un@example.org"], "Objet", "Texte")
    db.session.commit()
    delivery.deliver_due(worker="test")
    [mail] = smtp_server.received
    assert mail["Reply-To"] is None
    assert smtp_server.envelopes[0][0] == "vitrine@localhost"


def test_a_network_chooses_its_sender_name_and_address(world, client, smtp_server):
    from tests.conftest import post_form, sign_in

    sign_in(client, world.admin)
    response = post_form(
        client,
        f"/admin/networks/{world.a.network.id}/edit",
        {
            "name": "Réseau A",
            "slug": "reseau-a",
            "sender_name": "Les Plateaux",
            "sender_address": "bonjour@plateaux.example",
        },
        token_from="/admin/networks",
    )
    assert response.status_code == 302
    db.session.expire_all()  # the network was changed by the request's own session, not this one
    send(world.a.network.id, ["quelqu-un@example.org"], "Objet", "Texte")
    send(world.a.network.id, ["autre@example.org"], "Objet", "Texte", from_name="Compagnie A1 via Réseau A")
    db.session.commit()
    delivery.deliver_due(worker="test")
    froms = sorted(m["From"] for m in smtp_server.received)
    assert froms == [
        "Compagnie A1 via Réseau A <bonjour@plateaux.example>",
        "Les Plateaux <bonjour@plateaux.example>",
    ]


def test_messages_are_dkim_signed_over_the_unsubscribe_headers_when_a_key_is_set(
    world, smtp_server, app, tmp_path
):
    key = tmp_path / "dkim.pem"
    subprocess.run(["openssl", "genrsa", "-out", str(key), "2048"], check=True, capture_output=True)
    public = subprocess.run(
        ["openssl", "rsa", "-in", str(key), "-pubout", "-outform", "DER"], check=True, capture_output=True
    ).stdout
    app.config.update(MAIL_DKIM_SELECTOR="vitrine", MAIL_DKIM_DOMAIN="localhost", MAIL_DKIM_KEY_FILE=str(key))
    try:
        send(
            world.a.network.id, ["quelqu-un@example.org"], "Objet signé", "Texte",
            unsubscribe_url="https://vitrine.example/stop/x",
        )  # fmt: skip
        db.session.commit()
        delivery.deliver_due(worker="test")
    finally:
        app.config.update(MAIL_DKIM_KEY_FILE="")
    import base64

    record = b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)
    data = smtp_server.envelopes[0][2]
    assert dkim.verify(
        data, dnsfunc=lambda name, timeout=5: record if name == b"vitrine._domainkey.localhost." else None
    )
    signature = data.split(b"DKIM-Signature:", 1)[1].split(b"\r\n\r\n", 1)[0].lower()
    assert b"list-unsubscribe" in signature and b"list-unsubscribe-post" in signature
    tampered = data.replace(b"https://vitrine.example/stop/x", b"https://evil.example/stop/x")
    assert not dkim.verify(tampered, dnsfunc=lambda name, timeout=5: record)


def test_a_company_answers_a_reply_from_its_task_in_the_same_thread(answered, client, smtp_server):
    """The programmer's e-mail becomes a task; the member answers from it; the answer leaves from the
    network's address in the company's name, threaded, and a reply to it concerns that company only."""
    from crm.followups.models import Action, Task
    from crm.mail import inbound
    from tests.conftest import post_form, sign_in
    from tests.mail.inbound_scene import corpus, sent_to

    later = D2 + timedelta(hours=3)
    with travel(later):
        reply = inbound.receive(corpus("gmail_reply_fr.eml", sent_to(answered.came)), via="pipe", now=later)
        db.session.commit()
        member = answered.a.members[0]
        task = db.session.scalar(
            select(Task).where(Task.action == Action.REPLY, Task.company_id == member.company_id)
        )
        sign_in(client, member)
        page = client.get(f"/taches/{task.id}").get_data(as_text=True)
        assert "Le deuxième spectacle m&#39;intéresse beaucoup" in page
        done = post_form(
            client, f"/taches/{task.id}/reponse",
            {"reply-text": "Avec plaisir, je vous appelle jeudi à 14 h."},
            token_from=f"/taches/{task.id}",
        )  # fmt: skip
        assert done.status_code == 302
        delivery.deliver_due(worker="test")
    mail = _by_recipient(smtp_server)[answered.came.email]
    company = db.session.get(type(member.company), member.company_id)
    assert mail["From"].startswith(f"{company.name} via Réseau A <")
    assert mail["In-Reply-To"] == reply.message_id and mail["Auto-Submitted"] is None
    assert "Avec plaisir, je vous appelle jeudi" in mail.get_body(("plain",)).get_content()
    db.session.refresh(task)
    assert task.done_at is not None
    ours = db.session.scalar(select(OutboxMessage).where(OutboxMessage.message_id == mail["Message-ID"]))
    answer = corpus("apple_reply_fr.eml", ours)
    with travel(later + timedelta(hours=1)):
        inbound.receive(answer, via="pipe", now=later + timedelta(hours=1))
        db.session.commit()
    new_tasks = db.session.scalars(
        select(Task).where(Task.action == Action.REPLY, Task.done_at.is_(None))
    ).all()
    assert {t.company_id for t in new_tasks} >= {member.company_id}
    assert all(t.company_id == member.company_id for t in new_tasks if t.created_at > later)
