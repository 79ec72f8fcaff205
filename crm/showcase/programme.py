"""The published programme, as people read it and as networks' websites fetch it."""

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import aliased, joinedload

from crm.base.extensions import db
from crm.base.stamps import EDITION, ChangeStamp
from crm.base.timeutil import local
from crm.showcase.models import Assignment, Edition, EditionStatus, Registration, Slot

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


def published_stamped(slug, *columns):
    """(edition, its stamp's version, its last change, *columns) in one statement: all a revalidation
    of its public page or feed reads. `columns` may refer to the edition (correlated subqueries)."""
    stamp = aliased(ChangeStamp)
    query = (
        select(Edition, stamp.version, stamp.changed_at, *columns)
        .outerjoin(stamp, (stamp.kind == EDITION) & (stamp.object_id == Edition.id))
        .where(Edition.slug == slug, Edition.status.in_(PUBLIC))
    )
    return db.session.execute(query).one_or_none()


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
