"""An edition from registration to published programme, clicked through in Chromium."""

from datetime import time

import pytest

from crm.base.extensions import db
from crm.showcase import editions, planning
from tests import factories
from tests.browser.test_home import _screenshot, _sign_in

pytestmark = pytest.mark.browser


def _open_edition(world):
    edition = factories.open_for_registrations(world.a)
    editions.add_band(
        edition,
        {
            "day": edition.starts_on,
            "label": "Soirée",
            "starts": time(18),
            "ends": time(23),
            "accepts_young": True,
            "accepts_all": True,
        },
    )
    db.session.commit()
    return edition


def test_register_accept_assign_publish_and_read_the_programme(world, live_server, browser):
    edition = _open_edition(world)
    member = browser.new_page()
    _sign_in(member, live_server, "member-a1@example.org")
    member.get_by_role("button", name="Candidater").click()
    member.get_by_role("combobox", name="Spectacle", exact=True).select_option(label="Spectacle A1")
    member.get_by_label("jeudi 4 mars, Soirée, 18:00–23:00 — jeune public et tout public").check()
    member.get_by_label("Montage (minutes)", exact=True).fill("20")
    member.get_by_label("Démontage (minutes)").fill("10")
    member.get_by_role("button", name="Enregistrer").click()
    assert member.get_by_role("status").inner_text() == "Candidature enregistrée."
    assert "Déposée" in member.content()

    browser.clear_cookies()  # the coordinator works in the same browser, after the company member
    coordinator = browser.new_page()
    _sign_in(coordinator, live_server, "coord-a@example.org")
    coordinator.goto(f"{live_server}/editions/{edition.id}")
    coordinator.get_by_role("button", name="→ Candidatures closes").click()
    coordinator.get_by_role("button", name="Examiner les candidatures").click()
    coordinator.get_by_label("Décision pour Spectacle A1").select_option("accepted")
    coordinator.get_by_role("button", name="Valider").click()
    assert "la compagnie est prévenue" in coordinator.get_by_role("status").inner_text()
    coordinator.goto(f"{live_server}/editions/{edition.id}/planning")
    coordinator.get_by_role("button", name="Nouveau créneau").click()
    coordinator.get_by_label("Début (montage compris)").fill("20:00")
    coordinator.get_by_label("Fin (démontage compris)").fill("22:00")
    coordinator.get_by_role("button", name="Enregistrer").click()
    coordinator.get_by_role("button", name="Proposer une attribution automatique").click()
    assert (
        "1 candidature sur 1 trouve un créneau."
        in coordinator.locator(".proposal [role=status]").inner_text()
    )
    coordinator.get_by_role("button", name="Enregistrer les placements cochés").click()
    assert "1 placement enregistré." in coordinator.locator(".flash").inner_text()
    coordinator.goto(f"{live_server}/editions/{edition.id}")
    coordinator.get_by_role("button", name="→ Programme publié").click()
    assert coordinator.get_by_role("status").inner_text() == "État de l'édition mis à jour."
    coordinator.get_by_role("link", name="Programme public").click()
    _screenshot(coordinator, "programme-public")
    row = coordinator.get_by_role("row").filter(has_text="Spectacle A1")
    assert "20:00–22:00" in row.inner_text()
    assert "Compagnie A1" in row.inner_text()
    assert planning.edition_slots(edition)[0].assignment is not None
