"""The webhooks page in Chromium, on a phone and a desktop: add an endpoint, copy its secret, ping it."""

import pytest
from playwright.sync_api import expect
from standardwebhooks import Webhook

from crm.base.database import utcnow
from crm.base.extensions import db
from crm.webhooks import delivery
from tests.browser.test_home import _screenshot, _sign_in
from tests.webhooks.receiver import receiver  # noqa: F401  (a fixture)

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("size", "name"), [((390, 844), "phone"), ((1280, 900), "desktop")])
def test_a_coordinator_adds_an_endpoint_copies_its_secret_and_pings_it(
    app,
    world,
    live_server,
    browser,
    receiver,  # noqa: F811
    size,
    name,
):
    app.config.update(WEBHOOKS_ALLOW_HTTP=True, WEBHOOKS_ALLOW_PRIVATE=True)
    page = browser.new_page()
    page.set_viewport_size({"width": size[0], "height": size[1]})
    _sign_in(page, live_server, "coord-a@example.org")
    page.get_by_role("link", name="webhooks").click()  # from the coordinator's home
    page.get_by_role("button", name="Ajouter un point d'arrivée").click()
    page.get_by_label("Adresse (URL)").fill(receiver.url)
    page.get_by_label("Créneau annulé").check()
    page.get_by_label("Date obtenue enregistrée").check()
    page.get_by_label("Description").fill("Site du réseau <b>A</b>")
    _screenshot(page, f"webhooks-new-{name}")
    page.get_by_role("button", name="Enregistrer").click()
    secret = page.locator("#secret").inner_text().strip()
    assert secret.startswith("whsec_")
    _screenshot(page, f"webhooks-secret-{name}")
    page.get_by_role("button", name="J'ai copié le secret").click()
    expect(page.get_by_text("Site du réseau <b>A</b>")).to_be_visible()
    assert page.get_by_text("whsec_").count() == 0
    page.get_by_role("button", name="Envoyer un essai").click()
    expect(page.get_by_text("Essai envoyé dans la minute.")).to_be_visible()
    delivery.deliver_due(worker="browser-test", now=utcnow())
    db.session.remove()
    page.reload()
    expect(page.locator(".webhook-deliveries .status", has_text="Reçu")).to_be_visible()
    page.locator(".webhook-deliveries summary").first.click()
    _screenshot(page, f"webhooks-{name}")
    [got] = receiver.got
    assert Webhook(secret).verify(got.body, got.headers)["type"] == "ping"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= size[0]  # nothing wider than the screen, long addresses wrap
