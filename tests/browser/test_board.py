"""The planning board in Chromium: drag, conflict and override, undo, keyboard, proposal, no script."""

from datetime import time

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from crm.base.extensions import db
from crm.showcase import planning
from crm.showcase.models import Assignment
from tests import factories
from tests.browser.test_home import _screenshot, _sign_in

pytestmark = pytest.mark.browser


def _accepted(a, title, duration=60):
    company = factories.company(a.network, name=f"Compagnie {title}")
    return factories.accepted(
        a.planned, company, factories.show(company, title=title, duration_minutes=duration)
    )


def _slot(a, starts, ends):
    return planning.create_slot(
        a.planned, {"venue_id": a.venue.id, "day": a.planned.starts_on, "starts": starts, "ends": ends}
    )


def _where(registration):
    db.session.expire_all()
    return db.session.scalars(
        select(Assignment.slot_id).where(Assignment.registration_id == registration.id)
    ).all()


def _card(page, title):
    return page.locator(".board-card", has_text=title)


def _slot_box(page, slot):
    return page.locator(f'[data-slot="{slot.id}"]')


def test_drag_see_the_conflict_override_it_undo_and_move_by_keyboard(world, live_server, browser):
    a = world.a
    large, long_one = _accepted(a, "Le Grand Large"), _accepted(a, "Trop long", duration=150)
    afternoon, morning, late = (
        _slot(a, time(14), time(16)),
        _slot(a, time(10), time(11)),
        _slot(a, time(16, 30), time(18)),
    )
    db.session.commit()
    page = browser.new_page()
    page.set_viewport_size({"width": 1366, "height": 900})
    _sign_in(page, live_server, "coord-a@example.org")
    page.goto(f"{live_server}/editions/{a.planned.id}/planning")
    status = page.locator("#board-status")

    _card(page, "Le Grand Large").drag_to(_slot_box(page, afternoon))
    expect(status).to_contain_text("« Le Grand Large » placé à Théâtre A, 14:00.")
    assert "Le Grand Large" in _slot_box(page, afternoon).inner_text()
    assert _where(large) == [afternoon.id]

    _card(page, "Trop long").drag_to(_slot_box(page, morning))
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("ne tient pas dans le créneau")
    assert "refused" in _slot_box(page, morning).get_attribute("class")
    dialog.get_by_role("button", name="Placer quand même").click()
    assert dialog.locator(".board-reason-error").is_visible()  # no reason, no override
    dialog.get_by_label("Raison pour passer outre").fill("Extrait de 40 minutes, convenu")
    dialog.get_by_role("button", name="Placer quand même").click()
    expect(status).to_contain_text("« Trop long » placé")
    assert "conflict" in _slot_box(page, morning).get_attribute("class")
    assert _where(long_one) == [morning.id]
    _screenshot(page, "board-desktop")

    page.get_by_role("button", name="Annuler le dernier déplacement").click()
    expect(status).to_contain_text("de retour dans la liste à placer")
    assert _card(page, "Trop long").is_visible()
    assert _where(long_one) == []

    _slot_box(page, afternoon).focus()
    page.keyboard.press("Enter")  # takes the show placed there
    expect(status).to_contain_text("choisissez un créneau")
    _slot_box(page, late).focus()
    page.keyboard.press("Enter")
    expect(status).to_contain_text("« Le Grand Large » placé à Théâtre A, 16:30.")
    assert _where(large) == [late.id]


def test_a_proposal_is_accepted_in_part(world, live_server, browser):
    a = world.a
    first, second = _accepted(a, "Aube"), _accepted(a, "Crépuscule")
    _slot(a, time(10), time(12)), _slot(a, time(14), time(16))
    db.session.commit()
    page = browser.new_page()
    page.set_viewport_size({"width": 1366, "height": 900})
    _sign_in(page, live_server, "coord-a@example.org")
    page.goto(f"{live_server}/editions/{a.planned.id}/planning")
    page.get_by_role("button", name="Proposer une attribution automatique").click()
    proposal = page.locator(".proposal")
    assert "2 candidatures sur 2 trouvent un créneau." in proposal.inner_text()
    assert "1 spectacle déjà placé reste où il est." in proposal.inner_text()
    expect(page.locator(".slot.proposed")).to_have_count(2)
    page.reload()  # a GET after the POST: reloading shows the same proposal and saves nothing
    assert _where(first) == [] and _where(second) == []
    proposal.get_by_role("checkbox", name="Crépuscule").uncheck()
    proposal.get_by_role("button", name="Enregistrer les placements cochés").click()
    expect(page.locator(".flash")).to_contain_text("1 placement enregistré.")
    assert len(_where(first)) == 1 and _where(second) == []
    assert _card(page, "Crépuscule").is_visible()


def test_without_its_script_the_board_is_the_forms(world, live_server, browser):
    a = world.a
    registration = _accepted(a, "Sans script")
    free = _slot(a, time(14), time(16))
    db.session.commit()
    page = browser.new_page()
    page.route("**/static/js/board.js*", lambda route: route.abort())
    page.set_viewport_size({"width": 390, "height": 844})
    _sign_in(page, live_server, "coord-a@example.org")
    page.goto(f"{live_server}/editions/{a.planned.id}/planning")
    assert "board-on" not in page.locator("#board").get_attribute("class")
    _slot_box(page, free).get_by_role("link", name="Attribuer").click()
    page.get_by_label("Candidature retenue").select_option(
        label="Sans script — Compagnie Sans script (Spectacle en entier)"
    )
    page.get_by_role("button", name="Attribuer").click()
    expect(page.locator(".flash")).to_contain_text("Créneau attribué.")
    assert _where(registration) == [free.id]
    _screenshot(page, "board-phone-without-script")
