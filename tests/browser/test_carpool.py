"""Carpooling in Chromium, on two people's invitation pages (no account): the driver offers seats, the
passenger looks for one, each sees only the other's commune until both have accepted, then both see the
other's name, e-mail and phone."""

import pytest
import time_machine
from playwright.sync_api import expect

from tests.browser.test_home import _screenshot
from tests.invitations.test_carpool import BEFORE, scene  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("size", [(390, 844), (1366, 900)], ids=["phone", "desktop"])
def test_two_programmers_see_each_others_contact_only_after_both_accept(scene, live_server, browser, size):  # noqa: F811
    _net, _edition, people = scene
    driver, passenger = people["blois"], people["vierzon"]
    pages = {}
    with time_machine.travel(BEFORE, tick=True):
        for key, invitation in (("driver", driver), ("passenger", passenger)):
            page = browser.new_page()
            page.set_viewport_size({"width": size[0], "height": size[1]})
            page.goto(f"{live_server}/rsvp/{invitation.token}")
            pages[key] = page
        offer = pages["driver"]
        day = offer.get_by_role("group", name="jeudi 4 mars 2027")
        day.get_by_label("Je viens en voiture").check()
        offer.get_by_label("Places libres (si vous conduisez)").first.fill("2")
        expect(offer.get_by_label("Commune", exact=True)).to_have_value("Blois")  # the structure's
        offer.get_by_role("button", name="Enregistrer mon covoiturage").click()
        expect(offer.get_by_role("status").first).to_contain_text("C'est noté")

        ask = pages["passenger"]
        ask.get_by_role("group", name="jeudi 4 mars 2027").get_by_label("Je cherche une place").check()
        ask.get_by_role("button", name="Enregistrer mon covoiturage").click()
        proposal = ask.locator(".carpool-match")
        expect(proposal).to_contain_text("une personne part en voiture de Blois")
        expect(ask.locator("body")).not_to_contain_text(driver.programmer.email)
        _screenshot(ask, f"carpool-proposed-{size[0]}")
        proposal.get_by_role("button", name="Accepter ce covoiturage").click()
        expect(ask.locator(".carpool-match")).to_contain_text("quand l'autre personne aura accepté aussi")
        expect(ask.locator("body")).not_to_contain_text(driver.programmer.email)

        offer.reload()
        match = offer.locator(".carpool-match")
        expect(match).to_contain_text("une personne cherche une place au départ de Vierzon, sur votre route")
        expect(offer.locator("body")).not_to_contain_text(passenger.programmer.email)
        match.get_by_role("button", name="Accepter ce covoiturage").click()
        expect(offer.locator(".carpool-contact")).to_contain_text(passenger.programmer.email)
        expect(offer.locator(".carpool-contact")).to_contain_text("06 12 34 56 78")
        _screenshot(offer, f"carpool-accepted-{size[0]}")

        ask.reload()
        expect(ask.locator(".carpool-contact")).to_contain_text(driver.programmer.full_name)
        expect(ask.locator(".carpool-contact")).to_contain_text(driver.programmer.email)
        ask.locator(".carpool-match").get_by_role("button", name="Annuler ce covoiturage").click()
        expect(ask.locator(".carpool-match")).to_have_count(0)
        expect(ask.locator("body")).not_to_contain_text(driver.programmer.email)
