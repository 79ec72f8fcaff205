"""Calendar feeds parsed back with `icalendar`, as clients read them: fields, time zone, stable UIDs,
SEQUENCE, cancellation, byte-identical bodies and 304s, and private links that can be revoked."""

from datetime import UTC, date, datetime, time, timedelta

import time_machine
from icalendar import Calendar
from sqlalchemy import select

from crm.base.extensions import db
from crm.calendar import services as calendars
from crm.calendar.models import FeedKind
from crm.followups.models import Action, Task
from crm.invitations.models import Answer, InvitationDay
from crm.showcase import planning
from tests import factories
from tests.conftest import post_form, sign_in, statement_counts


def _parse(response):
    assert response.status_code == 200, response.status_code
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.data)


def _events(calendar):
    return [c for c in calendar.walk("VEVENT")]


def test_the_programme_feed_has_what_clients_need(world, client):
    a = world.a
    a.shows[0].title = "Café, théâtre; et 🎭\nsur deux lignes"
    a.venue.address, a.venue.postcode, a.venue.city = "3 rue des Lices", "49000", "Angers"
    db.session.commit()
    body = client.get(f"/programme/{a.planned.slug}.ics").data
    calendar = Calendar.from_ical(body)
    assert "METHOD" not in calendar  # a subscribed feed: DTSTAMP means "last revised"
    assert str(calendar["PRODID"]).startswith("-//Vitrine") and str(calendar["VERSION"]) == "2.0"
    assert str(calendar["X-WR-CALNAME"]) == str(calendar["NAME"]) == a.planned.name
    assert str(calendar["X-WR-TIMEZONE"]) == "Europe/Paris"
    assert calendar["REFRESH-INTERVAL"].dt == timedelta(hours=1)
    assert b"\r\nX-PUBLISHED-TTL:PT1H\r\n" in body  # a duration, not "1:00:00"
    [zone] = calendar.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Europe/Paris"
    rules = [c for c in zone.subcomponents if "RRULE" in c]
    assert len(rules) == 2 and not any("RDATE" in c for c in zone.subcomponents)
    [event] = _events(calendar)
    assert str(event["UID"]) == f"slot-{a.slot.id}@vitrine" and event["SEQUENCE"] == a.slot.sequence
    start = event["DTSTART"]
    assert start.params["TZID"] == "Europe/Paris"
    assert start.dt.replace(tzinfo=None) == datetime.combine(a.planned.starts_on, time(20))
    assert str(event["SUMMARY"]) == f"{a.shows[0].title} — {a.companies[0].name}"  # round trip intact
    assert str(event["LOCATION"]) == "Théâtre A, 3 rue des Lices, 49000 Angers"
    assert "min" in str(event["DESCRIPTION"]) and str(event["URL"]).endswith(f"/programme/{a.planned.slug}")
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event["DTSTAMP"].dt == event["LAST-MODIFIED"].dt


def test_two_fetches_are_byte_identical_and_a_client_that_has_it_gets_304(world, client):
    url = f"/programme/{world.a.planned.slug}.ics"
    first = client.get(url)
    with time_machine.travel(datetime.now(UTC) + timedelta(hours=3)):
        second = client.get(url)
    assert first.data == second.data and first.headers["ETag"] == second.headers["ETag"]
    assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    since = client.get(url, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 304 and since.data == b""


def test_an_edit_keeps_the_uid_and_raises_the_sequence(world, client):
    a = world.a
    url = f"/programme/{a.planned.slug}.ics"
    [before] = _events(_parse(client.get(url)))
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=5)):
        planning.move_slot(
            a.slot, {"venue_id": a.venue.id, "day": a.planned.ends_on, "starts": time(19), "ends": time(21)}
        )
        db.session.commit()
    [after] = _events(_parse(client.get(url)))
    assert after["UID"] == before["UID"]
    assert after["SEQUENCE"] == before["SEQUENCE"] + 1
    assert after["DTSTAMP"].dt > before["DTSTAMP"].dt
    assert after["DTSTART"].dt.date() == a.planned.ends_on
    a.venue.city = "Saumur"  # a change with no timestamp of its own still reaches the feed
    a.shows[0].title = "Nouveau titre"
    db.session.commit()
    [renamed] = _events(_parse(client.get(url)))
    assert "Saumur" in str(renamed["LOCATION"]) and str(renamed["SUMMARY"]).startswith("Nouveau titre")


def test_a_cancelled_slot_stays_struck_until_a_month_after_unless_hidden(world, client, app):
    a = world.a
    a.planned.status = a.planned.status  # published
    planning_open = a.planned
    from crm.showcase.models import SlotStatus

    a.slot.status = SlotStatus.CANCELLED
    a.slot.sequence += 1
    db.session.commit()
    [event] = _events(_parse(client.get(f"/programme/{planning_open.slug}.ics")))
    assert str(event["STATUS"]) == "CANCELLED"
    subscription = calendars.subscription_for(FeedKind.COMPANY, a.companies[0].id)
    db.session.commit()
    private = f"/calendars/{calendars.token_for(subscription)}.ics"
    assert len(_events(_parse(client.get(private)))) == 1
    calendars.set_options(subscription, {"hide_cancelled": "1"})
    db.session.commit()
    assert _events(_parse(client.get(private))) == []
    with time_machine.travel(datetime.combine(a.planned.ends_on + timedelta(days=45), time(12), UTC)):
        assert _events(_parse(client.get(f"/programme/{a.planned.slug}.ics"))) == []


def test_private_links_are_revocable_and_reveal_nothing_when_wrong(world, app):
    a = world.a
    subscription = calendars.subscription_for(FeedKind.COMPANY, a.companies[0].id)
    db.session.commit()
    token = calendars.token_for(subscription)
    assert len(token.rsplit(".", 1)[1]) * 6 >= 128  # the HMAC's base64 characters: 160 bits
    client = app.test_client()
    body = client.get(f"/calendars/{token}.ics").get_data(as_text=True)
    for person in a.programmers:
        assert person.email not in body and person.last_name not in body
    member = app.test_client()
    sign_in(member, a.members[0])
    post_form(member, "/calendars/subscribe/company", {"action": "regenerate"}, token_from="/taches")
    assert client.get(f"/calendars/{token}.ics").status_code == 404
    db.session.refresh(subscription)
    fresh = calendars.token_for(subscription)
    assert client.get(f"/calendars/{fresh}.ics").status_code == 200
    post_form(member, "/calendars/subscribe/company", {"action": "revoke"}, token_from="/taches")
    gone = client.get(f"/calendars/{fresh}.ics")
    forged = client.get(f"/calendars/{subscription.id}-{'0' * 43}.ics")
    unknown = client.get("/calendars/999999-abc.ics")
    assert gone.status_code == forged.status_code == unknown.status_code == 404
    # No hint whether it ever existed: the same page, but for the address itself (the language switch)
    assert gone.data.replace(f"/calendars/{fresh}.ics".encode(), b"") == unknown.data.replace(
        b"/calendars/999999-abc.ics", b""
    )


def test_the_subscribe_page_is_the_owners_only(world, app):
    a = world.a
    owner, other = app.test_client(), app.test_client()
    sign_in(owner, a.members[0])
    sign_in(other, a.members[1])
    for client in (owner, other):
        post_form(
            client, "/calendars/subscribe/company", {"action": "create"}, token_from="/account/password"
        )
    mine = owner.get("/calendars/subscribe/company").get_data(as_text=True)
    theirs = other.get("/calendars/subscribe/company").get_data(as_text=True)
    first = calendars.subscription_for(FeedKind.COMPANY, a.companies[0].id)
    assert calendars.token_for(first) in mine and calendars.token_for(first) not in theirs
    assert "webcal://" in mine and "Google" in mine and "Outlook" in mine and "Apple" in mine


def test_the_programmers_agenda_keeps_the_days_they_chose_with_a_reminder(world, client):
    a = world.a
    invitation = factories.invitation(a.planned, a.programmers[1])
    invitation.answer = Answer.COMING
    invitation.days = [InvitationDay(day=a.planned.starts_on)]
    db.session.commit()
    assert "/calendars/" not in client.get(f"/rsvp/{invitation.token}/calendar").get_data(as_text=True)
    post_form(
        client,
        f"/rsvp/{invitation.token}/calendar",
        {"action": "create"},
        token_from=f"/rsvp/{invitation.token}",
    )
    page = client.get(f"/rsvp/{invitation.token}/calendar").get_data(as_text=True)
    assert "/calendars/" in page
    subscription = calendars.subscription_for(FeedKind.PROGRAMMER, invitation.id)
    post_form(client, f"/rsvp/{invitation.token}/calendar", {"action": "options", "alarm_minutes": "60"},
              token_from=f"/rsvp/{invitation.token}")  # fmt: skip
    [event] = _events(_parse(client.get(f"/calendars/{calendars.token_for(subscription)}.ics")))
    [alarm] = event.walk("VALARM")
    assert alarm["TRIGGER"].dt == timedelta(minutes=-60)
    invitation.days = [InvitationDay(day=a.planned.ends_on)]
    db.session.commit()
    assert _events(_parse(client.get(f"/calendars/{calendars.token_for(subscription)}.ics"))) == []


def test_the_tasks_feed_has_all_day_events_on_due_dates(world, client):
    a = world.a
    task = Task(network_id=a.network.id, programmer_id=a.programmers[0].id, company_id=a.companies[0].id,
                assignee_id=a.members[0].id, action=Action.CALL, title="Appeler, vite ; merci")  # fmt: skip
    task.due_on = date(2027, 3, 15)
    db.session.add(task)
    subscription = calendars.subscription_for(FeedKind.TASKS, a.members[0].id)
    db.session.commit()
    [event] = _events(_parse(client.get(f"/calendars/{calendars.token_for(subscription)}.ics")))
    assert event["DTSTART"].dt == date(2027, 3, 15) and event["DTEND"].dt == date(2027, 3, 16)
    assert str(event["SUMMARY"]) == "Appeler, vite ; merci"


def test_a_single_slot_download_is_published_with_an_organizer(world, client):
    a = world.a
    response = client.get(f"/programme/{a.planned.slug}/slots/{a.slot.id}.ics")
    calendar = _parse(response)
    assert str(calendar["METHOD"]) == "PUBLISH" and "attachment" in response.headers["Content-Disposition"]
    [event] = _events(calendar)
    assert str(event["ORGANIZER"]).startswith("mailto:") and event["ORGANIZER"].params["CN"] == a.network.name
    assert client.get(f"/programme/{a.planned.slug}/slots/{world.b.slot.id}.ics").status_code == 404


def test_the_invitation_carries_the_editions_days_as_an_attachment(world, app):
    from crm.invitations import services as invitations
    from crm.mail.delivery import build
    from crm.mail.models import OutboxMessage

    a = world.a
    invitations.invite(
        a.planned, [a.member_contact], link_for=lambda t: ("https://x/r", "https://x/s"), now=None
    )
    db.session.commit()
    message = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.programmer_id == a.member_contact.id)
    )
    mime = build(message)
    [attachment] = list(mime.iter_attachments())
    assert attachment.get_content_type() == "text/calendar" and attachment.get_filename() == "invitation.ics"
    assert attachment.get_content_charset() == "utf-8"
    calendar = Calendar.from_ical(attachment.get_content())
    assert str(calendar["METHOD"]) == "PUBLISH"
    days = sorted(e["DTSTART"].dt for e in _events(calendar))
    assert days == [a.planned.starts_on, a.planned.ends_on]
    assert all("ORGANIZER" in e for e in _events(calendar))


def test_a_venue_feed_holds_that_venues_slots_only(world, client):
    from tests.scene import on_stage

    a = world.a
    other = factories.structure(a.network, name="Salle des fêtes", is_venue=True)
    elsewhere = on_stage(a.planned, other, a.companies[1], a.shows[1], 10)
    db.session.commit()
    here = _parse(client.get(f"/programme/{a.planned.slug}/venues/{a.venue.id}.ics"))
    there = _parse(client.get(f"/programme/{a.planned.slug}/venues/{other.id}.ics"))
    assert [str(e["UID"]) for e in _events(here)] == [f"slot-{a.slot.id}@vitrine"]
    assert [str(e["UID"]) for e in _events(there)] == [f"slot-{elsewhere.id}@vitrine"]
    assert "Salle des fêtes" in str(there["X-WR-CALNAME"])
    assert client.get(f"/programme/{a.planned.slug}/venues/{world.b.venue.id}.ics").status_code == 404


def test_feed_query_counts_do_not_grow_with_the_events(world, app):
    from crm.base import rendered
    from tests.scene import on_stage

    a = world.a
    subscription = calendars.subscription_for(FeedKind.COMPANY, a.companies[1].id)
    db.session.commit()
    client = app.test_client()
    urls = [f"/programme/{a.planned.slug}.ics", f"/calendars/{calendars.token_for(subscription)}.ics"]

    def counts():
        for url in urls:
            client.get(url)  # the feed's mark (its last change) is up to date
        rendered.clear()  # written anew: the most statements a feed needs
        return statement_counts(client, urls)

    small = counts()
    for hour in range(8, 14):
        on_stage(a.planned, a.venue, a.companies[1], factories.show(a.companies[1]), hour)
    db.session.commit()
    assert counts() == small == [PUBLIC_FEED, PRIVATE_FEED]


# Written anew. Public: edition id and stamp, stored feed, rows, stored events, slots to write, the
# edition (its slug for the links), events and feed stored. Private: subscription, stamp, stored feed,
# rows, stored events (the public feed wrote them), booked dates, meetings, feed stored.
PUBLIC_FEED, PRIVATE_FEED = 8, 8


def test_last_modified_never_goes_back_when_the_newest_event_leaves_the_feed(world, client):
    from email.utils import parsedate_to_datetime

    from tests.scene import on_stage

    a = world.a
    start = datetime(2027, 2, 1, 9, tzinfo=UTC)
    url = f"/programme/{a.planned.slug}.ics"
    with time_machine.travel(start, tick=False):
        late = on_stage(a.planned, a.venue, a.companies[1], a.shows[1], 10)
        db.session.commit()
    with time_machine.travel(start + timedelta(hours=1), tick=False):
        first = client.get(url)
    with time_machine.travel(start + timedelta(hours=2), tick=False):
        planning.unassign(late.assignment)  # the newest event leaves the public programme
        db.session.commit()
        second = client.get(url)
        since = client.get(url, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    before = parsedate_to_datetime(first.headers["Last-Modified"])
    after = parsedate_to_datetime(second.headers["Last-Modified"])
    assert len(_events(_parse(second))) == len(_events(_parse(first))) - 1
    assert after > before
    assert since.status_code == 200 and since.data == second.data  # not a 304 for a changed feed
    with time_machine.travel(start + timedelta(hours=3), tick=False):
        third = client.get(url)
    assert third.headers["Last-Modified"] == second.headers["Last-Modified"]  # unchanged: kept
