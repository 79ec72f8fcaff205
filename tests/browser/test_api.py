"""The coordination makes an API token in Chromium, a script uses it, the coordination revokes it; the
reference page reads on a phone."""

import json

import pytest

from tests.browser.test_home import _screenshot, _sign_in

pytestmark = pytest.mark.browser


def test_a_coordinator_makes_uses_and_revokes_a_token(world, live_server, browser):
    page = browser.new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    _sign_in(page, live_server, "coord-a@example.org")
    page.get_by_role("button", name="Menu").click()
    page.locator(".user-menu summary").click()
    page.get_by_role("link", name="API et webhooks").click()
    page.get_by_label("Nom du jeton").fill("Site du réseau")
    page.get_by_label("Droits").select_option(label="Lecture")
    page.get_by_role("button", name="Créer le jeton").click()
    secret = page.locator("#new-token").inner_text()
    assert secret.startswith("vit_")
    _screenshot(page, "api-token-created-phone")

    script = browser.browser.new_context()  # a website's script: no cookie, only the token
    editions, token = f"{live_server}/api/v1/editions", {"Authorization": f"Bearer {secret}"}
    answer = script.request.get(editions, headers=token)
    assert answer.status == 200
    assert {e["name"] for e in json.loads(answer.text())["items"]} == {"Édition A", "Programme A"}

    page.goto(f"{live_server}/api-tokens")  # the token is never shown again
    assert page.locator("#new-token").count() == 0
    assert secret not in page.content()
    page.get_by_role("button", name="Révoquer").click()
    assert page.get_by_text("Jeton révoqué").is_visible()
    refused = script.request.get(editions, headers=token)
    assert refused.status == 401
    assert json.loads(refused.text())["status"] == 401
    page.set_viewport_size({"width": 1280, "height": 900})
    _screenshot(page, "api-tokens-desktop")
    script.close()


def test_the_reference_reads_on_a_phone(world, live_server, browser):
    page = browser.new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/api/v1/")
    assert page.get_by_role("heading", level=1).inner_text() == "Vitrine API v1"
    page.get_by_role("link", name="POST /api/v1/bookings").click()
    assert page.url.endswith("#post-api-v1-bookings")
    assert page.locator("#post-api-v1-bookings").get_by_text("Record a booking").is_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the reference scrolls sideways on a phone"
    _screenshot(page, "api-reference-phone")
