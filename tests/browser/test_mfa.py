"""The second factor through a real Chromium: a coordinator whose role requires it enrols with the QR
code's key, keeps the recovery codes, signs out, and signs in again with a code from the app."""

import time

import pyotp
import pytest

from tests.browser.test_home import _screenshot, _sign_in, _sign_out

pytestmark = pytest.mark.browser


def test_a_coordinator_enrols_then_signs_in_with_a_code(app, world, live_server, browser):
    app.config["MFA_REQUIRED_ROLES"] = frozenset({"admin", "coordinator"})
    page = browser.new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    _sign_in(page, live_server, "coord-a@example.org")
    assert page.url == f"{live_server}/account/security"
    assert page.get_by_text("Votre rôle demande une double authentification").first.is_visible()
    page.goto(f"{live_server}/programmers")
    assert page.url == f"{live_server}/account/security"  # nothing else until enrolled

    page.get_by_role("button", name="Activer la double authentification").click()
    assert page.locator("figure.qr svg").is_visible()
    _screenshot(page, "mfa-enrol-phone")
    page.get_by_text("Impossible de scanner ? Tapez cette clé").click()
    secret = page.locator("code.secret").inner_text()
    totp = pyotp.TOTP(secret)
    page.get_by_label("Code à 6 chiffres").fill(totp.now())
    page.get_by_role("button", name="Activer", exact=True).click()
    assert page.get_by_role("heading", level=1).inner_text() == "Vos codes de secours"
    codes = page.locator("ol.recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    _screenshot(page, "mfa-recovery-codes-phone")
    page.get_by_role("button", name="C'est noté").click()
    assert "Il vous reste 10 codes de secours." in page.content()

    _sign_out(page)
    _sign_in(page, live_server, "coord-a@example.org")
    assert page.url == f"{live_server}/login/code"
    page.get_by_label("Code à 6 chiffres").fill("000000")
    page.get_by_role("button", name="Valider").click()
    assert "Ce code n'est pas le bon, ou a déjà servi." in page.content()
    page.get_by_label("Code à 6 chiffres").fill(totp.at(time.time() + 30))  # the next step: not a replay
    page.get_by_role("button", name="Valider").click()
    assert page.url == f"{live_server}/"
    page.goto(f"{live_server}/programmers")
    assert page.url == f"{live_server}/programmers"

    _sign_out(page)
    _sign_in(page, live_server, "coord-a@example.org")
    page.get_by_label("Code à 6 chiffres").fill(codes[0])
    page.get_by_role("button", name="Valider").click()
    assert page.url == f"{live_server}/"
    page.goto(f"{live_server}/account/security")
    assert "Il vous reste 9 codes de secours." in page.content()
