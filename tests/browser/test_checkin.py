"""Checking two programmers in from a phone-sized screen."""

import pytest
from sqlalchemy import select

from crm.base.extensions import db
from crm.checkin.models import Attendance
from tests.browser.test_home import _screenshot, _sign_in

pytestmark = pytest.mark.browser


def test_check_in_two_programmers_from_a_phone(world, live_server, browser):
    a = world.a
    page = browser.new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    _sign_in(page, live_server, "coord-a@example.org")
    page.goto(f"{live_server}/editions/{a.planned.id}/checkin")
    page.get_by_role("button").filter(has_text="Théâtre A").first.click()
    for name in ("ProgrammateurA1", "ProgrammateurA2"):
        page.get_by_role("searchbox").fill(name[-3:].lower())  # three characters: "ra1", "ra2"
        page.get_by_role("button", name="Chercher").click()
        page.get_by_role("button", name=f"Pointer Claire {name}").click()
        assert page.get_by_role("status").inner_text() == f"Claire {name} est pointé·e."
    _screenshot(page, "checkin-phone")
    assert "2 présent·es" in page.content()
    present = set(db.session.scalars(select(Attendance.programmer_id).where(Attendance.slot_id == a.slot.id)))
    assert present == {p.id for p in a.programmers}
