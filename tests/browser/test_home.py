"""Signing in through a real Chromium: each role lands on its own home page."""

import os

import pytest

from tests.factories import PASSWORD

pytestmark = pytest.mark.browser
ARTIFACTS = os.environ.get("VITRINE_TEST_ARTIFACTS")


def _sign_in(page, base_url, email):
    page.goto(f"{base_url}/login")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()


def _sign_out(page):
    """As people do: open the menu on a phone, then the menu under their name."""
    menu = page.get_by_role("button", name="Menu")
    if menu.is_visible():
        menu.click()
    page.locator(".user-menu summary").click()
    page.get_by_role("button", name="Se déconnecter").click()


def _screenshot(page, name):
    if ARTIFACTS:
        os.makedirs(ARTIFACTS, exist_ok=True)
        page.screenshot(path=os.path.join(ARTIFACTS, f"{name}.png"), full_page=True)


def test_coordinator_signs_in_and_sees_the_editions_to_handle(world, live_server, browser):
    page = browser.new_page()
    _sign_in(page, live_server, "coord-a@example.org")
    _screenshot(page, "home-coordinator")
    assert page.url == f"{live_server}/"
    assert page.get_by_role("heading", level=2).first.inner_text() == "Ce qui vous attend"
    assert page.get_by_role("link", name="Édition A").is_visible()
    page.get_by_role("link", name="Fixez la date de clôture des candidatures").click()
    assert page.url.endswith("/rules")
    assert page.get_by_role("link", name="Édition B").count() == 0
    assert page.get_by_role("link", name="Compagnies", exact=True).is_visible()


def test_member_signs_in_and_sees_their_company_and_shows(world, live_server, browser):
    page = browser.new_page()
    _sign_in(page, live_server, "member-a1@example.org")
    _screenshot(page, "home-member")
    assert page.get_by_role("heading", level=1).inner_text() == "Compagnie A1"
    assert page.get_by_role("listitem").get_by_role("link", name="Spectacle A1").is_visible()
    assert page.get_by_role("link", name="Spectacle A2").count() == 0
    assert page.get_by_role("link", name="Compagnies", exact=True).count() == 0


def test_wrong_password_shows_the_message_in_the_page(world, live_server, browser):
    page = browser.new_page()
    page.goto(f"{live_server}/login")
    page.get_by_label("Adresse e-mail").fill("coord-a@example.org")
    page.get_by_label("Mot de passe").fill("pas le bon")
    page.get_by_role("button", name="Se connecter").click()
    assert page.get_by_role("alert").inner_text() == "Adresse e-mail ou mot de passe incorrect."
    assert page.get_by_label("Adresse e-mail").input_value() == "coord-a@example.org"


def test_member_adds_a_show_from_a_phone(world, live_server, browser):
    page = browser.new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    _sign_in(page, live_server, "member-a1@example.org")
    page.get_by_role("button", name="Ajouter un spectacle").click()
    page.get_by_label("Titre").fill("Sous le ciel de Lou")
    page.get_by_label("Discipline").select_option("dance")
    page.get_by_role("combobox", name="Public", exact=True).select_option("young")
    page.get_by_label("Âge minimum").fill("5")
    page.get_by_label("Durée (minutes)").fill("40")
    page.get_by_label("Personnes au plateau").fill("2")
    page.get_by_role("button", name="Enregistrer").click()
    _screenshot(page, "company-member-phone")
    assert page.get_by_role("status").inner_text() == "Spectacle enregistré."
    assert page.get_by_role("cell", name="Sous le ciel de Lou").is_visible()


def test_on_a_phone_the_navigation_folds_into_a_menu_on_every_page(world, live_server, browser):
    a = world.a
    page = browser.new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    _sign_in(page, live_server, "coord-a@example.org")
    links = page.locator("#site-links")
    for path in ("/", f"/editions/{a.planned.id}/checkin", f"/editions/{a.planned.id}/invitations"):
        page.goto(f"{live_server}{path}")
        assert not links.is_visible(), path
        assert page.locator("main h1").bounding_box()["y"] < 150, path  # the page starts with its content
        _screenshot(page, "phone-" + (path.strip("/").replace("/", "-") or "home"))
    page.get_by_role("button", name="Menu").click()
    assert page.get_by_role("link", name="Éditions").is_visible()
    page.locator(".user-menu summary").click()
    page.get_by_role("button", name="Se déconnecter").click()
    assert "/login" in page.url
    programme = browser.new_page()
    programme.set_viewport_size({"width": 390, "height": 844})
    programme.goto(f"{live_server}/programme/{a.planned.slug}")
    _screenshot(programme, "phone-programme")
    assert programme.locator("main h1").bounding_box()["y"] < 150
    programme.goto(f"{live_server}/rsvp/{a.invitation_token}")
    _screenshot(programme, "phone-rsvp")
    assert programme.locator("main h1").bounding_box()["y"] < 150


def test_on_a_large_screen_the_menu_button_is_hidden_and_the_links_are_shown(world, live_server, browser):
    page = browser.new_page()
    page.set_viewport_size({"width": 1366, "height": 800})
    _sign_in(page, live_server, "coord-a@example.org")
    assert page.get_by_role("link", name="Éditions").is_visible()
    assert not page.get_by_role("button", name="Menu").is_visible()
    header = page.locator("header nav").bounding_box()
    assert header["height"] < 100  # one row: the name and sign-out live in the user menu
    assert page.request.get(f"{live_server}/favicon.ico").ok
