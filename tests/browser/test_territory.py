"""A coordinator gives a venue its commune when the postcode covers several, then reads the travel of an
edition on its report (phone and desktop)."""

import pytest

from crm.base.extensions import db
from tests import factories
from tests.browser.test_home import ARTIFACTS, _screenshot, _sign_in
from tests.impact.test_travel import scene  # noqa: F401 (the fixture)

pytestmark = pytest.mark.browser


def test_the_form_asks_for_the_commune_when_the_postcode_covers_several(world, live_server, browser):
    page = browser.new_page()
    _sign_in(page, live_server, "coord-a@example.org")
    page.goto(f"{live_server}/structures/new")
    page.get_by_label("Nom de la structure").fill("Salle des fêtes du Boischaut")
    page.get_by_label("Type de structure").select_option(label="Centre culturel / MJC")
    page.get_by_label("Code postal").fill("18200")
    page.get_by_role("button", name="Enregistrer").click()
    error = page.locator(".field-error", has_text="couvre plusieurs communes")
    assert error.is_visible()
    assert page.get_by_label("Nom de la structure").input_value() == "Salle des fêtes du Boischaut"
    _screenshot(page, "commune-asked")
    page.get_by_label("Commune").select_option(label="Saint-Amand-Montrond (18197)")
    page.get_by_role("button", name="Enregistrer").click()
    assert "Structure enregistrée." in page.content()
    row = page.get_by_role("row").filter(has_text="Salle des fêtes du Boischaut")
    assert "18200 Saint-Amand-Montrond" in row.inner_text()


@pytest.mark.parametrize("size", [(390, 844), (1280, 900)], ids=["phone", "desktop"])
def test_the_report_shows_the_editions_travel(scene, live_server, browser, size):  # noqa: F811
    net, edition, _people = scene
    coordinator = factories.user(net=net, email="coord-territoire@example.org")
    db.session.commit()
    page = browser.new_page()
    page.set_viewport_size({"width": size[0], "height": size[1]})
    _sign_in(page, live_server, coordinator.email)
    page.goto(f"{live_server}/editions/{edition.id}/impact#travel")
    section = page.locator("table.travel")
    assert section.is_visible()
    text = section.inner_text().replace("\u202f", " ")
    assert "1 118" in text and "1 602" in text
    page.get_by_text("Comment c'est compté").click()
    assert page.get_by_text("Base Carbone : voiture particulière").first.is_visible()
    _screenshot(page, f"report-travel-{size[0]}")
    if ARTIFACTS:
        page.locator("section#travel").screenshot(path=f"{ARTIFACTS}/report-travel-section-{size[0]}.png")
