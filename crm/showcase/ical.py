"""Building the calendars with the `icalendar` package. A feed's bytes depend only on the data: DTSTAMP
and LAST-MODIFIED are the time of the item's last change, never the time of the request, so two
fetches with nothing changed in between are byte-identical (and share an ETag)."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from icalendar import (
    Alarm,
    Calendar,
    Event,
    Timezone,
    TimezoneDaylight,
    TimezoneStandard,
    vCalAddress,
    vDuration,
    vText,
)

from crm.base.timeutil import zone
from crm.showcase.models import ShowFormat, SlotStatus

PRODID = "-//Vitrine//Programme et suivi//FR"
TTL = timedelta(hours=1)
KEEP_CANCELLED = timedelta(days=30)  # a cancelled slot stays (struck) until well after its date
EPOCH = datetime(2020, 1, 1, tzinfo=UTC)


def vtimezone(tz: ZoneInfo) -> Timezone:
    """The zone as today's rules, written with RRULEs (the EU rule: last Sunday of March and of October
    at 01:00 UTC). Long lists of RDATE transitions make Outlook shift times by an hour."""
    winter = datetime(2025, 1, 15, tzinfo=tz).utcoffset()
    summer = datetime(2025, 7, 15, tzinfo=tz).utcoffset()
    component = Timezone()
    component.add("tzid", tz.key)
    if winter == summer:
        standard = TimezoneStandard()
        standard.add("dtstart", datetime(1970, 1, 1))
        standard.add("tzoffsetfrom", winter)
        standard.add("tzoffsetto", winter)
        component.add_component(standard)
        return component
    local_change = (datetime(2025, 3, 30, 1, tzinfo=UTC) + winter).replace(tzinfo=None)
    daylight = TimezoneDaylight()
    daylight.add("tzname", datetime(2025, 7, 15, tzinfo=tz).tzname())
    daylight.add("dtstart", datetime(1970, 3, 29, local_change.hour, 0))
    daylight.add("rrule", {"freq": "yearly", "bymonth": 3, "byday": "-1su"})
    daylight.add("tzoffsetfrom", winter)
    daylight.add("tzoffsetto", summer)
    back = (datetime(2025, 10, 26, 1, tzinfo=UTC) + summer).replace(tzinfo=None)
    standard = TimezoneStandard()
    standard.add("tzname", datetime(2025, 1, 15, tzinfo=tz).tzname())
    standard.add("dtstart", datetime(1970, 10, 25, back.hour, 0))
    standard.add("rrule", {"freq": "yearly", "bymonth": 10, "byday": "-1su"})
    standard.add("tzoffsetfrom", summer)
    standard.add("tzoffsetto", winter)
    component.add_component(daylight)
    component.add_component(standard)
    return component


def new_calendar(name: str, *, method: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    if method:
        calendar.add("method", method)
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", zone().key)
    calendar.add("refresh-interval", TTL, parameters={"VALUE": "DURATION"})
    # An X- property is written as text: give it the duration's own form ("PT1H"), not str(timedelta).
    calendar.add("x-published-ttl", vDuration(TTL).to_ical().decode())
    calendar.add_component(vtimezone(zone()))
    return calendar


def _address(venue) -> str:
    parts = [venue.name, venue.address, " ".join(p for p in (venue.postcode, venue.city) if p)]
    return ", ".join(p for p in parts if p)


def slot_event(slot, *, url: str, alarm_minutes: int | None = None, note: str | None = None) -> Event:
    """One slot: stable UID, SEQUENCE from the slot, times in the local zone, STATUS when cancelled."""
    registration = slot.assignment.registration
    show = registration.show
    changed = max(slot.updated_at, registration.updated_at)
    event = Event()
    event.add("uid", f"slot-{slot.id}@vitrine")
    event.add("sequence", slot.sequence)
    event.add("dtstamp", changed)
    event.add("last-modified", changed)
    event.add("created", slot.updated_at if slot.updated_at < changed else changed)
    event.add("dtstart", slot.starts_at.astimezone(zone()))
    event.add("dtend", slot.ends_at.astimezone(zone()))
    event.add("summary", f"{show.title} — {registration.company.name}")
    event.add("location", _address(slot.venue))
    minutes = show.duration_minutes if slot.format == ShowFormat.FULL else slot.minutes
    description = [
        f"{slot.format.label} · {show.discipline.label}, {show.audience.label} · {minutes} min",
    ]
    video = registration.video_url or show.video_url
    if video:
        description.append(_("Vidéo : %(url)s", url=video))
    if note:
        description.append(note)
    event.add("description", "\n".join(description))
    event.add("url", url)
    event.add("status", "CANCELLED" if slot.status == SlotStatus.CANCELLED else "CONFIRMED")
    if alarm_minutes:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", show.title)
        alarm.add("trigger", timedelta(minutes=-alarm_minutes))
        event.add_component(alarm)
    return event


def organizer_of(network) -> vCalAddress:
    """RFC 5546 wants an ORGANIZER on published (METHOD:PUBLISH) events: the network's coordination."""
    address = vCalAddress(f"mailto:{network.contact_email or 'coordination@invalid'}")
    address.params["cn"] = vText(network.name)
    return address


def days_calendar(edition, *, url: str) -> Calendar:
    """The edition's days as all-day events, with METHOD:PUBLISH (the invitation's attachment)."""
    calendar = new_calendar(edition.name, method="PUBLISH")
    day = edition.starts_on
    changed = edition.published_at or edition.created_at
    while day <= edition.ends_on:
        event = Event()
        event.add("uid", f"edition-{edition.id}-{day.isoformat()}@vitrine")
        event.add("sequence", 0)
        event.add("dtstamp", changed)
        event.add("dtstart", day)
        event.add("dtend", day + timedelta(days=1))
        event.add("summary", edition.name)
        event.add("url", url)
        event.add("organizer", organizer_of(edition.network))
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
        day += timedelta(days=1)
    return calendar


def tasks_calendar(name, tasks, *, url_for_task) -> Calendar:
    """Open follow-up tasks as all-day events on their due date (VEVENT rather than VTODO: Google
    Calendar and Outlook show no VTODO from a subscribed calendar)."""
    calendar = new_calendar(name)
    for task in tasks:
        event = Event()
        event.add("uid", f"task-{task.id}@vitrine")
        event.add("sequence", 0)
        event.add("dtstamp", task.created_at)
        event.add("dtstart", task.due_on)
        event.add("dtend", task.due_on + timedelta(days=1))
        event.add("summary", task.title)
        event.add("description", f"{task.action.label} — {task.programmer.full_name}")
        event.add("url", url_for_task(task))
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return calendar


def outcome_date_event(date) -> Event:
    """A confirmed performance obtained: an all-day event (the hour is the venue's to tell)."""
    outcome = date.outcome
    event = Event()
    event.add("uid", f"outcome-date-{date.id}@vitrine")
    event.add("sequence", 0)
    event.add("dtstamp", outcome.updated_at)
    event.add("last-modified", outcome.updated_at)
    event.add("dtstart", date.on)
    event.add("dtend", date.on + timedelta(days=1))
    event.add("summary", _("Représentation : %(show)s", show=outcome.show.title))
    event.add("location", ", ".join(p for p in (date.venue, date.town) if p))
    event.add("status", "CONFIRMED")
    event.add("transp", "TRANSPARENT")
    return event


def last_changed(slots) -> datetime:
    return max((max(s.updated_at, s.assignment.registration.updated_at) for s in slots), default=EPOCH)
