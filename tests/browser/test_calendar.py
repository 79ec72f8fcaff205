"""A visitor opens the programme's subscribe page and downloads the feed in Chromium."""

from pathlib import Path

import pytest
from icalendar import Calendar

from tests.browser.test_home import _screenshot

pytestmark = pytest.mark.browser


def test_visitor_opens_the_subscribe_page_and_downloads_the_feed(world, live_server, browser):
    a = world.a
    page = browser.new_page()
    page.goto(f"{live_server}/programme/{a.planned.slug}")
    page.get_by_role("button", name="S'abonner à ce programme dans mon calendrier").click()
    _screenshot(page, "calendar-subscribe")
    webcal = page.get_by_role("button", name="S'abonner dans mon agenda").get_attribute("href")
    https = page.get_by_label("Ou copiez ce lien dans votre agenda :").input_value()
    assert webcal == "webcal://" + https.split("://", 1)[1]
    assert "Google Agenda" in page.content() and "Outlook" in page.content()
    page.goto(f"{live_server}/programme/{a.planned.slug}")
    with page.expect_download() as download:
        page.get_by_role("link", name=f"Ajouter {a.shows[0].title} à mon calendrier").click()
    calendar = Calendar.from_ical(Path(download.value.path()).read_bytes())
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == f"slot-{a.slot.id}@vitrine"
    feed = page.request.get(https.replace("http://127.0.0.1:5000", live_server))
    assert feed.ok and feed.headers["content-type"] == "text/calendar; charset=utf-8"
    assert Calendar.from_ical(feed.body()).walk("VEVENT")
