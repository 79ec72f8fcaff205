"""Travel in Chromium: counting it a lot in the automatic assignment, then the rotation across editions."""

from datetime import time

import pytest
from playwright.sync_api import expect

from crm.base.extensions import db
from crm.contacts.models import StructureType
from crm.showcase import editions, planning
from tests import factories
from tests.browser.test_home import _screenshot, _sign_in

pytestmark = pytest.mark.browser
TOURS, ORLEANS, CHARTRES = "37261", "45234", "28085"


def _set_up(a):
    """Théâtre A in Tours (where Compagnie A1, from Orléans, plays: 2 × 140 km), a second venue in Orléans,
    and a company from Chartres (Tours 171 km, Orléans 88) waiting for one of two slots at 10:00."""
    a.venue.commune_code, a.venue.departement_code = TOURS, "37"
    a.companies[0].commune_code = ORLEANS
    orleans = factories.structure(
        a.network, name="Scène d'Orléans", structure_type=StructureType.MUNICIPAL_THEATRE, is_venue=True
    )
    orleans.commune_code, orleans.departement_code = ORLEANS, "45"
    editions.set_venues(a.planned, [a.venue.id, orleans.id], {})
    chartres = factories.company(a.network, name="Compagnie de Chartres")
    chartres.commune_code, chartres.departement_code = CHARTRES, "28"
    factories.accepted(a.planned, chartres, factories.show(chartres, title="La Route"), cast_size=2)
    for venue in (a.venue, orleans):
        planning.create_slot(
            a.planned, {"venue_id": venue.id, "day": a.planned.ends_on, "starts": time(10), "ends": time(12)}
        )
    db.session.commit()


@pytest.mark.parametrize("size", [(390, 844), (1366, 900)], ids=["phone", "desktop"])
def test_counting_travel_a_lot_and_seeing_the_km(world, live_server, browser, size):
    a = world.a
    _set_up(a)
    page = browser.new_page()
    page.set_viewport_size({"width": size[0], "height": size[1]})
    _sign_in(page, live_server, "coord-a@example.org")
    page.goto(f"{live_server}/editions/{a.planned.id}/planning")
    expect(page.get_by_label("Trajets des compagnies comptés")).to_have_value("none")
    _screenshot(page, f"travel-form-{size[0]}")
    page.get_by_label("Trajets des compagnies comptés").select_option(label="Beaucoup")
    page.get_by_role("button", name="Proposer une attribution automatique").click()
    proposal = page.locator(".proposal")
    expect(proposal).to_contain_text(
        "Déplacements des compagnies\u202f: 456\u00a0km (plan actuel\u202f: 280\u00a0km)."
    )
    expect(proposal).to_contain_text("Trajets comptés\u202f: beaucoup.")
    expect(proposal.get_by_role("checkbox", name="La Route")).to_be_visible()
    assert "Scène d'Orléans" in proposal.get_by_role("checkbox", name="La Route").locator("..").inner_text()
    _screenshot(page, f"travel-proposal-{size[0]}")

    page.goto(f"{live_server}/editions")
    page.get_by_role("button", name="Tour de rôle et déplacements").click()  # a link drawn as a button
    expect(page.get_by_role("heading", level=1)).to_have_text("Tour de rôle et déplacements")
    row = page.get_by_role("row", name="Compagnie A1")
    expect(row).to_contain_text("Joue à Théâtre A")
    expect(row).to_contain_text("280\u00a0km")
    _screenshot(page, f"travel-rotation-{size[0]}")
