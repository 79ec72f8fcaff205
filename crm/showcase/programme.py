"""The published programme, as people read it and as networks' websites fetch it."""

import functools
from collections import defaultdict
from typing import NamedTuple
from urllib.parse import quote

from flask_babel import gettext as _
from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import aliased, joinedload

from crm.base.enums import Audience, Discipline
from crm.base.extensions import db
from crm.base.stamps import EDITION, ChangeStamp
from crm.base.timeutil import local, zone
from crm.contacts.models import Organisation
from crm.showcase.models import (
    Assignment,
    Edition,
    EditionStatus,
    Registration,
    Show,
    ShowFormat,
    Slot,
    SlotStatus,
)

PUBLIC = (EditionStatus.PUBLISHED, EditionStatus.HELD, EditionStatus.FOLLOW_UP)


def published_editions():
    return (
        select(Edition)
        .where(Edition.status.in_(PUBLIC))
        .options(joinedload(Edition.network))
        .order_by(Edition.starts_on.desc())
    )


def published_edition(slug):
    return db.session.scalar(select(Edition).where(Edition.slug == slug, Edition.status.in_(PUBLIC)))


def stamped_query(*columns):
    """(edition id, its network, its stamp's version, its last change, *columns) for the `slug`
    parameter: all a
    revalidation of its public page or feed reads, in one statement. `columns` may refer to the
    edition (correlated subqueries). Build it once and execute it with parameters: making a statement
    costs more than running this one. The edition itself is loaded only to render (ids, no object)."""
    stamp = aliased(ChangeStamp)
    return (
        select(Edition.id, Edition.network_id, stamp.version, stamp.changed_at, *columns)
        .outerjoin(stamp, (stamp.kind == EDITION) & (stamp.object_id == Edition.id))
        # statuses as plain comparisons: an IN list would be written out again at each execution
        .where(Edition.slug == bindparam("slug"), or_(*(Edition.status == status for status in PUBLIC)))
    )


_STAMPED = functools.cache(stamped_query)


def published_stamped(slug):
    return db.session.execute(_STAMPED(), {"slug": slug}).one_or_none()


def programme_slots(edition) -> list[Slot]:
    """Assigned slots of the edition, cancelled ones included (shown as cancelled)."""
    query = (
        select(Slot)
        .join(Assignment, Assignment.slot_id == Slot.id)
        .where(Slot.edition_id == edition.id)
        .options(
            joinedload(Slot.venue),
            joinedload(Slot.assignment).joinedload(Assignment.registration).joinedload(Registration.show),
            joinedload(Slot.assignment).joinedload(Assignment.registration).joinedload(Registration.company),
        )
        .order_by(Slot.starts_at, Slot.venue_id)
    )
    return list(db.session.scalars(query).unique())


def by_day(slots) -> dict:
    days = defaultdict(list)
    for slot in slots:
        days[local(slot.starts_at).date()].append(slot)
    return dict(days)


def as_json(edition, slots) -> dict:
    """The programme for a network's website; field names are part of the public interface."""
    venues = {s.venue.id: s.venue for s in slots}
    return {
        "edition": {
            "name": edition.name,
            "slug": edition.slug,
            "starts_on": edition.starts_on.isoformat(),
            "ends_on": edition.ends_on.isoformat(),
            "network": edition.network.name,
        },
        "venues": [
            {"id": v.id, "name": v.name, "address": v.address, "postcode": v.postcode, "city": v.city}
            for v in venues.values()
        ],
        "slots": [_slot_json(s) for s in slots],
    }


def _slot_json(slot) -> dict:
    registration = slot.assignment.registration
    show = registration.show
    return {
        "id": slot.id,
        "starts_at": local(slot.starts_at).isoformat(),
        "ends_at": local(slot.ends_at).isoformat(),
        "venue_id": slot.venue_id,
        "status": slot.status.value,
        "format": slot.format.value,
        "show": {
            "title": show.title,
            "discipline": show.discipline.value,
            "audience": show.audience.value,
            "min_age": show.min_age,
            "duration_minutes": show.duration_minutes,
            "video_url": registration.video_url or show.video_url,
        },
        "company": {"name": registration.company.name, "city": registration.company.city},
    }


class Line(NamedTuple):
    """One row of the public page, every text already made: the page writes 1,000 of them."""

    slot_id: int
    hours: str
    cancelled: bool
    calendar_label: str
    venue: str
    address: str
    map_query: str
    title: str
    video_url: str | None
    company: str
    audience: str
    format: str


def page_days(edition) -> dict:
    """The programme as the public page shows it, day by day: rows read as tuples, each label
    translated once for the page and each time written by one formatter (no object per row)."""
    venue, company = aliased(Organisation), aliased(Organisation)
    rows = db.session.execute(
        select(
            Slot.id,
            Slot.starts_at,
            Slot.ends_at,
            Slot.status,
            Slot.format,
            venue.name,
            venue.address,
            venue.postcode,
            venue.city,
            Show.title,
            Show.discipline,
            Show.audience,
            Show.min_age,
            Show.duration_minutes,
            Show.video_url,
            Registration.video_url,
            company.name,
        )  # fmt: skip
        .join(Assignment, Assignment.slot_id == Slot.id)
        .join(Registration, Registration.id == Assignment.registration_id)
        .join(Show, Show.id == Registration.show_id)
        .join(company, company.id == Registration.company_id)
        .join(venue, venue.id == Slot.venue_id)
        .where(Slot.edition_id == edition.id)
        .order_by(Slot.starts_at, Slot.venue_id)
    )
    labels = {member: str(member.label) for enum in (Discipline, Audience, ShowFormat) for member in enum}
    add_to_calendar, minutes, from_age = (
        _("Ajouter %(title)s à mon calendrier"), _("%(n)s min"), _("dès %(n)s ans")
    )  # fmt: skip
    zone_of = zone()
    days = defaultdict(list)
    for (slot_id, starts, ends, status, slot_format, venue_name, address, postcode, city, title,
         discipline, audience, min_age, duration, show_video, video, company_name) in rows:  # fmt: skip
        starts, ends = starts.astimezone(zone_of), ends.astimezone(zone_of)
        place = f"{address or ''} {postcode or ''} {city or ''}"
        length = duration if slot_format == ShowFormat.FULL else int((ends - starts).total_seconds() // 60)
        public = f"{labels[discipline]}, {labels[audience]}"
        if min_age:
            public += f" ({from_age % {'n': min_age}})"
        days[starts.date()].append(
            Line(
                slot_id,
                f"{starts:%H:%M}–{ends:%H:%M}",
                status == SlotStatus.CANCELLED,
                add_to_calendar % {"title": title},
                venue_name,
                place,
                quote(place, safe="/"),
                title,
                video or show_video,
                company_name,
                public,
                f"{labels[slot_format]}, {minutes % {'n': length}}",
            )  # fmt: skip
        )
    return dict(days)
