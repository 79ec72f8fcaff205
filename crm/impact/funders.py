"""The figures funders ask of an edition (« bilan pour les financeurs »): performances and fees per company
and per département, companies from the network's region, bookings in small communes, young audiences,
new and returning programmers, and the artistic direction of the companies programmed.

Counts come from the database; the commune populations and the départements' regions are reference
tables in Vitrine, applied to those counts. A group of fewer than 3 companies is never shown: its figure
reads « moins de 3 », and, where the total would give it away, the next smallest group is hidden too.
"""

from dataclasses import dataclass, field

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import aliased

from crm.base.enums import Audience
from crm.base.extensions import db
from crm.base.geo import departement, departements
from crm.checkin.models import Attendance
from crm.contacts.models import ArtisticDirection, Organisation
from crm.impact.models import Outcome, OutcomeDate, OutcomeStatus
from crm.impact.report import breakdown
from crm.showcase.models import Assignment, Edition, Registration, Show, Slot, SlotStatus
from crm.territory import communes

THRESHOLD = 3  # fewest companies a published figure may describe
SMALL_COMMUNE = 15_000  # inhabitants
CONFIRMED = OutcomeStatus.CONFIRMED


@dataclass
class Group:
    label: str
    count: object  # None: not shown
    hidden: str | None = None  # "small": fewer than THRESHOLD; "secondary": hidden so that none is deduced


@dataclass
class Figures:
    companies: list[tuple]  # (name, performances, fees)
    departements: list[tuple]  # (label, performances, fees), small ones folded into the last line
    programmed: int
    from_region: int
    region_name: str | None
    small_communes: int
    larger_communes: int
    unknown_communes: int
    performances: int
    young_performances: int
    new_people: int
    returning_people: int
    directions: list[Group] = field(default_factory=list)
    directions_given: int = 0


def suppress(groups: list[tuple[str, int]]) -> list[Group]:
    """Hide every group under THRESHOLD (none included: a zero tells as much); if exactly one is hidden,
    hide the smallest shown one as well, so that the total does not give it away."""
    return protect([(label, count, count) for label, count in groups])


def protect(groups: list[tuple[str, object, int]]) -> list[Group]:
    """`suppress` for figures that are not head counts: (label, figure, people or companies behind it).
    A group whose figure rests on fewer than THRESHOLD is hidden; if exactly one is, the group with the
    smallest figure among the others is hidden too, so that the total does not give it away."""
    small = {label for label, _figure, behind in groups if behind < THRESHOLD}
    shown = sorted((figure, label) for label, figure, behind in groups if behind >= THRESHOLD)
    secondary = {shown[0][1]} if len(small) == 1 and shown else set()
    return [
        Group(label, None, "small") if label in small
        else Group(label, None, "secondary") if label in secondary
        else Group(label, figure)
        for label, figure, _behind in groups
    ]  # fmt: skip


def _programmed(edition):
    """The companies with a show on stage in the edition (cancelled slots aside)."""
    return (
        select(Registration.company_id)
        .join(Assignment, Assignment.registration_id == Registration.id)
        .join(Slot, Slot.id == Assignment.slot_id)
        .where(Slot.edition_id == edition.id, Slot.status != SlotStatus.CANCELLED)
        .distinct()
    )


def _companies(edition) -> list[tuple]:
    rows = breakdown([edition.id], "company")
    names = dict(db.session.execute(
        select(Organisation.id, Organisation.name).where(Organisation.id.in_([r[0] for r in rows]))
    ).all())  # fmt: skip
    return sorted(((names.get(r[0], "?"), r[2] or 0, r[3] or 0) for r in rows), key=lambda r: (-r[1], r[0]))


def _departements(edition, other_label) -> list[tuple]:
    """Performances and fees per département of the dates; a département where fewer than 3 companies
    played is folded into one line."""
    rows = db.session.execute(
        select(OutcomeDate.departement_code, func.count(OutcomeDate.id),
               func.coalesce(func.sum(Outcome.fee_per_performance), 0),
               func.count(func.distinct(Outcome.company_id)))
        .join(Outcome, Outcome.id == OutcomeDate.outcome_id)
        .where(Outcome.edition_id == edition.id, Outcome.status == CONFIRMED)
        .group_by(OutcomeDate.departement_code)
    ).all()  # fmt: skip
    shown, folded = [], [0, 0]
    for code, dates, fees, companies in rows:
        if code and companies >= THRESHOLD:
            found = departement(code)
            shown.append((found.label if found else code, dates, fees))
        else:
            folded[0] += dates
            folded[1] += fees
    shown.sort(key=lambda r: (-r[1], r[0]))
    if folded[0]:
        shown.append((other_label, folded[0], folded[1]))
    return shown


def _places(edition) -> tuple[int, int, int, int, int]:
    """(dates in communes under 15,000, in larger ones, commune unknown, all dates, young-audience dates)."""
    buyer = aliased(Organisation)
    rows = db.session.execute(
        select(buyer.commune_code, func.count(OutcomeDate.id),
               func.count(OutcomeDate.id).filter(Show.audience == Audience.YOUNG))
        .join(Outcome, Outcome.id == OutcomeDate.outcome_id)
        .join(Show, Show.id == Outcome.show_id)
        .outerjoin(buyer, buyer.id == Outcome.organisation_id)
        .where(Outcome.edition_id == edition.id, Outcome.status == CONFIRMED)
        .group_by(buyer.commune_code)
    ).all()  # fmt: skip
    small = larger = unknown = total = young = 0
    for code, dates, young_dates in rows:
        total, young = total + dates, young + young_dates
        commune = communes.get(code)
        if commune is None:
            unknown += dates
        elif commune.population < SMALL_COMMUNE:
            small += dates
        else:
            larger += dates
    return small, larger, unknown, total, young


def _people(edition) -> tuple[int, int]:
    """(people at their first edition of the network, people who had come to an earlier one)."""
    earlier_slot, earlier_edition, before = aliased(Slot), aliased(Edition), aliased(Attendance)
    came_before = exists().where(
        before.programmer_id == Attendance.programmer_id,
        earlier_slot.id == before.slot_id,
        earlier_edition.id == earlier_slot.edition_id,
        and_(earlier_edition.network_id == edition.network_id, earlier_edition.starts_on < edition.starts_on),
    )
    rows = db.session.execute(
        select(came_before.label("came_before"), func.count(func.distinct(Attendance.programmer_id)))
        .join(Slot, Slot.id == Attendance.slot_id)
        .where(Slot.edition_id == edition.id)
        .group_by("came_before")
    ).all()
    counts = {bool(returning): n for returning, n in rows}
    return counts.get(False, 0), counts.get(True, 0)


def figures(edition, network, other_label) -> Figures:
    rows = db.session.execute(
        select(Organisation.departement_code, Organisation.artistic_direction, func.count())
        .where(Organisation.id.in_(_programmed(edition)))
        .group_by(Organisation.departement_code, Organisation.artistic_direction)
    ).all()
    programmed = sum(n for _code, _direction, n in rows)
    from_region = sum(
        n for code, _direction, n in rows
        if network.region_code and (found := departement(code)) and found.region_code == network.region_code
    )  # fmt: skip
    per_direction = dict.fromkeys(ArtisticDirection, 0)
    for _code, direction, n in rows:
        if direction is not None:
            per_direction[ArtisticDirection(direction)] += n
    region = next(
        (d.region_name for d in departements().values() if d.region_code == network.region_code), None
    )
    small, larger, unknown, total, young = _places(edition)
    new, returning = _people(edition)
    return Figures(
        companies=_companies(edition),
        departements=_departements(edition, other_label),
        programmed=programmed,
        from_region=from_region,
        region_name=region,
        small_communes=small,
        larger_communes=larger,
        unknown_communes=unknown,
        performances=total,
        young_performances=young,
        new_people=new,
        returning_people=returning,
        directions=suppress([(str(d.label), n) for d, n in per_direction.items()]),
        directions_given=sum(per_direction.values()),
    )
