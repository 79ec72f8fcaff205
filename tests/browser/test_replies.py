"""An e-mail reply through a real Chromium: the company's member finds the task with the person's own
words, answers from it, and the answer leaves in the thread; the coordination sees it counted."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from crm.base.extensions import db
from crm.mail import inbound
from crm.mail.models import OutboxMessage
from tests.browser.test_home import _screenshot, _sign_in, _sign_out
from tests.mail.inbound_scene import corpus, sent_to
from tests.scene import D2

pytestmark = pytest.mark.browser


def test_a_member_answers_a_programmers_email_from_the_task(answered, live_server, browser):
    reply = inbound.receive(
        corpus("outlook_reply_fr.eml", sent_to(answered.came)), via="pipe", now=D2 + timedelta(hours=3)
    )
    db.session.commit()
    page = browser.new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    _sign_in(page, live_server, "member-a1@example.org")
    page.goto(f"{live_server}/taches?vue=upcoming")
    row = page.get_by_role("row").filter(has_text=f"Répondre à {answered.came.full_name} (e-mail)")
    row.get_by_role("button", name="Lire et répondre").click()
    quote = page.locator("blockquote.reply-text")
    assert quote.inner_text() == "Oui, envoyez-moi le dossier complet du premier spectacle, merci."
    page.get_by_label("Votre réponse").fill("Bien sûr, le dossier part aujourd'hui.")
    _screenshot(page, "reply-task-phone")
    page.get_by_role("button", name="Envoyer la réponse").click()
    assert "Réponse envoyée" in page.locator("p.flash").first.inner_text()
    sent = db.session.scalar(select(OutboxMessage).where(OutboxMessage.in_reply_to == reply.message_id))
    assert sent.to_address == answered.came.email and "le dossier part aujourd'hui" in sent.body_text
    _sign_out(page)
    _sign_in(page, live_server, "coord-a@example.org")
    page.goto(f"{live_server}/programmers/{answered.came.id}")
    assert page.get_by_text("Réponse envoyée : Bien sûr, le dossier part aujourd'hui.").is_visible()
