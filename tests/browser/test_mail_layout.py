"""Every kind of message a programmer receives, its HTML rendered in a real Chromium at a phone's width
and a desktop's: nothing scrolls sideways, the answers are buttons one can press, no raw address is shown
as a link, and every answer link of the HTML is in the text part too."""

import os
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from crm.base.extensions import db
from crm.invitations import services as invitations
from crm.mail.delivery import build
from crm.mail.models import OutboxMessage
from crm.scheduler import run_due
from tests import factories
from tests.scene import D2, launch, travel

pytestmark = pytest.mark.browser
ARTIFACTS = Path(
    os.environ.get("VITRINE_TEST_ARTIFACTS") or Path(__file__).resolve().parents[2] / "test-artifacts"
)


def _messages(scene):
    """The J+2 follow-up (seen, and 'we missed you'), an invitation and a reminder, as they would leave."""
    launch(scene)
    with travel(D2):
        run_due()
    a = scene.a
    guest = factories.programmer(a.network, a.coordinator, a.venue)
    with travel(D2):
        invitations.invite(
            a.planned, [guest], link_for=lambda t: (f"http://x/rsvp/{t}", f"http://x/stop/{t}"), now=D2
        )
    db.session.commit()
    rows = {
        "suivi-vus": (scene.came, "Les spectacles que vous avez vus"),
        "suivi-manques": (scene.missed, "vous nous avez manqué"),
        "invitation": (guest, "Invitation"),
    }
    found = {}
    for name, (person, _subject) in rows.items():
        message = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.programmer_id == person.id).order_by(OutboxMessage.id)
        ).first()
        found[name] = build(message)
    return found


@pytest.mark.parametrize("width", [390, 800])
def test_each_message_fits_the_screen_with_real_buttons(scene, browser, width):
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page()
    page.set_viewport_size({"width": width, "height": 900})
    for name, mime in _messages(scene).items():
        html = mime.get_body(("html",)).get_content()
        text = mime.get_body(("plain",)).get_content()
        page.set_content(html)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} scrolls sideways by {overflow} px at {width} px"
        for link in page.locator("a").all():
            label = link.inner_text().strip()
            assert label and not label.startswith("http"), f"{name}: a link shows its raw address: {label}"
        page.screenshot(path=str(ARTIFACTS / f"mail-{name}-{width}.png"), full_page=True)
        hrefs = [a.get_attribute("href") for a in page.locator("a").all()]
        answers = [h for h in hrefs if "/reponse/" in h]
        for href in answers:
            assert href in text, f"{name}: {href} is missing from the text part"
        if name.startswith("suivi"):
            buttons = page.locator("a.button, a.button-soft")
            assert (
                buttons.count() >= 3
                and len(answers) == buttons.filter(has_text=re.compile("programmer|dossier|saison")).count()
            )
            box = buttons.first.bounding_box()
            assert box["height"] >= 40 and box["width"] >= min(width - 80, 300)  # a thumb can press it
            assert page.get_by_role("link", name="Je souhaite le programmer").first.is_visible()
        assert page.evaluate("document.documentElement.lang") in ("fr", "en")
