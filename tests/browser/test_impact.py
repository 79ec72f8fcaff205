"""A company member records a booking obtained after the showcase and sees it in the edition's report."""

import pytest

from tests.browser.test_home import _screenshot, _sign_in

pytestmark = pytest.mark.browser


def test_member_records_an_outcome_and_sees_it_in_the_report(scene, live_server, browser):
    member = scene.a.members[0]
    page = browser.new_page()
    _sign_in(page, live_server, member.email)
    page.get_by_role("link", name="Dates obtenues").click()
    page.get_by_role("button", name="Enregistrer une date obtenue").click()
    page.get_by_label("Spectacle").select_option(label=f"{scene.companies[0].name} — {scene.shows[0].title}")
    page.get_by_label("E-mail du programmateur ou de la programmatrice").fill(scene.came.email)
    page.get_by_label("Statut").select_option(label="Confirmé")
    page.get_by_label("Prix de cession par représentation (HT)").fill("1 250,00")
    page.locator("#dates-0-on").fill("2027-06-12")
    page.locator("#dates-0-town").fill("Saumur")
    page.locator("#dates-0-departement_code").fill("49")
    page.locator("#dates-1-on").fill("2027-06-13")
    page.locator("#dates-1-town").fill("Saumur")
    page.locator("#dates-1-departement_code").fill("49")
    _screenshot(page, "outcome-form")
    page.get_by_role("button", name="Enregistrer").click()
    assert f"Attribuée à {scene.edition.name}" in page.content()
    page.goto(f"{live_server}/editions/{scene.edition.id}/impact")
    _screenshot(page, "impact-report")
    row = page.get_by_role("row").filter(has_text=scene.companies[0].name).last
    assert "2 500,00" in row.inner_text().replace("\u202f", " ")
    assert "Maine-et-Loire (49) : 2" in page.content()
