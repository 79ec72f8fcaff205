"""Choosing whom to invite in a real Chromium: the button's count follows the boxes one unticks, and
what is sent is what the boxes say (the server counts again)."""

import pytest
from sqlalchemy import select

from crm.base.extensions import db
from crm.invitations.models import Invitation
from tests import factories
from tests.browser.test_home import _sign_in

pytestmark = pytest.mark.browser


def test_the_send_button_counts_the_ticked_people(world, live_server, browser):
    a = world.a
    extra = [factories.programmer(a.network, a.coordinator, a.venue, last_name=f"Liste{i}") for i in range(3)]
    db.session.commit()
    page = browser.new_page()
    _sign_in(page, live_server, "coord-a@example.org")
    page.goto(f"{live_server}/editions/{a.planned.id}/invitations")
    button = page.get_by_role("button", name="Envoyer l'invitation à 5 personnes")
    assert button.is_visible()  # A1 is invited already: A2, the member's contact and the three others
    page.get_by_label("Claire Liste0").uncheck()
    page.get_by_label("Claire Liste1").uncheck()
    assert page.get_by_role("button", name="Envoyer l'invitation à 3 personnes").is_visible()
    page.get_by_label("Claire Liste2").uncheck()
    page.get_by_label("Claire ContactMembreA").uncheck()
    one = page.get_by_role("button", name="Envoyer l'invitation à 1 personne")
    assert one.is_visible() and one.is_enabled()
    one.click()
    page.wait_for_load_state()
    invited = set(
        db.session.scalars(select(Invitation.programmer_id).where(Invitation.edition_id == a.planned.id))
    )
    assert invited == {a.programmers[0].id, a.programmers[1].id}
    assert not {p.id for p in extra} & invited
