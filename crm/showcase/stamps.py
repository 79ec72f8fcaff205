"""Which change stamps a programme change raises: the edition's (its public page, JSON and feeds) and
the companies' (their private feed of passages). Only rows on a programme count: a slot nobody plays,
a registration still under review or a venue's phone number change no page."""

from sqlalchemy import or_, select

from crm.base.stamps import COMPANY, EDITION, values, watch
from crm.contacts.models import Organisation
from crm.networks.models import Network
from crm.showcase.models import Assignment, Edition, Registration, Show, Slot


def _ids(rows, name="id") -> set:
    return set().union(*(values(row, name) for row in rows))


def _placed(connection, *where):
    """(edition, company) of the assigned registrations matching `where`."""
    query = (
        select(Registration.edition_id, Registration.company_id)
        .join(Assignment, Assignment.registration_id == Registration.id)
        .join(Slot, Slot.id == Assignment.slot_id)
        .where(or_(*where))
        .distinct()
    )
    for edition_id, company_id in connection.execute(query):
        yield EDITION, edition_id
        yield COMPANY, company_id


def _assignments(rows, connection):
    """A show placed, moved or taken off: the registration's edition and company, both before and after."""
    registrations = _ids(rows, "registration_id")
    found = connection.execute(
        select(Registration.edition_id, Registration.company_id).where(Registration.id.in_(registrations))
    )
    for edition_id, company_id in found:
        yield EDITION, edition_id
        yield COMPANY, company_id


def _slots(rows, connection):
    return _placed(connection, Slot.id.in_(_ids(rows)))


def _registrations(rows, connection):
    return _placed(connection, Registration.id.in_(_ids(rows)))


def _shows(rows, connection):
    return _placed(connection, Registration.show_id.in_(_ids(rows)))


def _organisations(rows, connection):
    ids = _ids(rows)
    yield from ((COMPANY, i) for i in ids)  # its own feed carries its name
    yield from _placed(connection, Registration.company_id.in_(ids), Slot.venue_id.in_(ids))


def _editions(rows, connection):
    ids = _ids(rows)
    yield from ((EDITION, i) for i in ids)
    yield from _placed(connection, Registration.edition_id.in_(ids))


def _networks(rows, connection):
    found = connection.execute(select(Edition.id).where(Edition.network_id.in_(_ids(rows))))
    yield from ((EDITION, i) for (i,) in found)


watch(Assignment, _assignments)
watch(Slot, _slots)  # every column: `updated_at` is the events' DTSTAMP
watch(Registration, _registrations)  # idem, and only assigned ones are on a programme
watch(Show, _shows, ["title", "discipline", "audience", "min_age", "duration_minutes", "video_url"])
watch(Organisation, _organisations, ["name", "address", "postcode", "city"])
watch(Edition, _editions, ["name", "slug", "starts_on", "ends_on", "status", "network_id"])
watch(Network, _networks, ["name", "contact_email"])
