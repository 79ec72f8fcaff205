"""Who hosted and who was hosted, edition after edition: the network's rotation, with each company's travel.

For the steering committee: per company and per edition, whether it hosted a venue (host company) or played
as a guest, the venues where it played, and its road travel there (vehicle-km, as the automatic assignment
counts them: see travel.py). Read in a fixed number of queries whatever the number of companies.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import or_, select
from sqlalchemy.orm import aliased

from crm.base.extensions import db
from crm.contacts.models import Organisation, OrganisationKind
from crm.showcase.models import Assignment, Edition, EditionVenue, Registration, Slot, SlotStatus
from crm.territory.carbon import cars_for
from crm.territory.communes import distance_km

# Editions side by side on the page, the latest ones: enough for a few years of rotation.
EDITIONS_SHOWN = 6


@dataclass
class Season:
    """One company in one edition."""

    hosted: list[str] = field(default_factory=list)  # the venues it hosted
    played: list[str] = field(default_factory=list)  # the venues where it played, once each
    km: int = 0  # vehicle-km, home → venue → home for each slot, in each car of its cast
    unknown: bool = False  # some of its km are unknown (no commune for it or a venue)

    @property
    def role(self) -> str | None:
        return "host" if self.hosted else "guest" if self.played else None


def latest_editions(network_id: int, limit: int = EDITIONS_SHOWN) -> list[Edition]:
    """The network's latest editions, oldest first."""
    query = (
        select(Edition)
        .where(Edition.network_id == network_id)
        .order_by(Edition.starts_on.desc())
        .limit(limit)
    )
    return list(reversed(db.session.scalars(query).all()))


def _played(edition_ids):
    return (
        select(Registration.company_id)
        .join(Assignment, Assignment.registration_id == Registration.id)
        .join(Slot, Slot.id == Assignment.slot_id)
        .where(Slot.edition_id.in_(edition_ids), Slot.status == SlotStatus.PLANNED)
    )


def companies_query(network_id: int, edition_ids: list[int]):
    """The companies that played in or hosted one of these editions, by name."""
    hosted = select(EditionVenue.host_company_id).where(EditionVenue.edition_id.in_(edition_ids))
    return (
        select(Organisation)
        .where(
            Organisation.network_id == network_id,
            Organisation.kind == OrganisationKind.COMPANY,
            or_(Organisation.id.in_(_played(edition_ids)), Organisation.id.in_(hosted)),
        )
        .order_by(Organisation.name, Organisation.id)
    )


def seasons(edition_ids: list[int], companies) -> dict[tuple[int, int], Season]:
    """(company id, edition id) → Season, for these companies in these editions: two queries."""
    by_id = {c.id: c for c in companies}
    found = defaultdict(Season)
    venue = aliased(Organisation)
    played = db.session.execute(
        select(
            Registration.company_id, Slot.edition_id, venue.name, venue.commune_code, Registration.cast_size
        )
        .join(Assignment, Assignment.registration_id == Registration.id)
        .join(Slot, Slot.id == Assignment.slot_id)
        .join(venue, venue.id == Slot.venue_id)
        .where(
            Slot.edition_id.in_(edition_ids),
            Slot.status == SlotStatus.PLANNED,
            Registration.company_id.in_(list(by_id)),
        )
        .order_by(Slot.starts_at, Slot.id)
    ).all()
    for company_id, edition_id, venue_name, venue_commune, cast in played:
        season = found[company_id, edition_id]
        if venue_name not in season.played:
            season.played.append(venue_name)
        km = distance_km(by_id[company_id].commune_code, venue_commune)
        if km is None:
            season.unknown = True
        else:
            season.km += 2 * km * cars_for(cast)
    hosts = db.session.execute(
        select(EditionVenue.host_company_id, EditionVenue.edition_id, venue.name)
        .join(venue, venue.id == EditionVenue.venue_id)
        .where(EditionVenue.edition_id.in_(edition_ids), EditionVenue.host_company_id.in_(list(by_id)))
        .order_by(venue.name)
    ).all()
    for company_id, edition_id, venue_name in hosts:
        found[company_id, edition_id].hosted.append(venue_name)
    return dict(found)


def totals(seasons_found) -> dict[int, tuple[int, int, int]]:
    """company id → (editions hosted, editions as a guest, vehicle-km) over the editions shown."""
    out = defaultdict(lambda: [0, 0, 0])
    for (company_id, _edition_id), season in seasons_found.items():
        row = out[company_id]
        row[0] += season.role == "host"
        row[1] += season.role == "guest"
        row[2] += season.km
    return {k: tuple(v) for k, v in out.items()}


def csv_rows(editions, companies, seasons_found):
    """One row per company and edition it took part in, for the spreadsheet."""
    for company in companies:
        for edition in editions:
            season = seasons_found.get((company.id, edition.id))
            if season is None:
                continue
            yield company, edition, season
