"""The barometer: for one year, each sharing network's figures side by side, and their total.

Everything is an aggregate computed by the database, over the editions of the networks that share the
kind of figure, from the date each one chose; nothing personal leaves a network (no name, no person, no
company: counts, sums, a median). A network that did not share a kind of figure has no cell for it.

Small numbers: a cell that rests on fewer than 3 companies or 3 programmers reads « < 3 », and the total
beside it adds up the cells that are shown only, so that no hidden cell is found back by subtraction. The
map of performances by département counts only the networks whose own figure is shown, and hides a
département where fewer than 3 companies played (and, when only one is hidden, the smallest other one).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, cast, exists, extract, func, or_, select, union
from sqlalchemy.orm import aliased

from crm.base.enums import LabelledEnum
from crm.base.extensions import db
from crm.checkin.models import Attendance
from crm.contacts.models import Organisation
from crm.federation.models import BarometerConsent
from crm.followups.models import Answer, Choice, Enrolment, Path, Sequence
from crm.followups.seen import held_meeting
from crm.impact.funders import THRESHOLD, protect
from crm.impact.models import EditionFootprint, Outcome, OutcomeDate, OutcomeStatus
from crm.impact.report import REPORTED, _day_difference
from crm.invitations.models import Invitation
from crm.meetings.models import Meeting, MeetingSession
from crm.networks.models import Network
from crm.showcase.models import Assignment, Edition, Registration, Slot, SlotStatus

CONFIRMED = OutcomeStatus.CONFIRMED


class Category(LabelledEnum):
    """What a network may share; each is a boolean column of BarometerConsent of the same name."""

    ACTIVITY = "activity", _l("Activité (éditions, compagnies présentées, rencontres)")
    FOLLOW_UP = "follow_up", _l("Suivi des programmateurs et programmatrices")
    BOOKINGS = "bookings", _l("Dates obtenues et cessions")
    TERRITORY = "territory", _l("Territoire (départements des représentations)")
    TRAVEL = "travel", _l("Déplacements (km et CO₂e)")


# How a cell is guarded: by the companies behind it, the programmers, both, or not at all (editions).
COMPANIES, PROGRAMMERS, BOTH, NONE = "companies", "programmers", "both", "none"
SUM, UNION, MEDIAN = "sum", "union", "median"  # how the total is made of the cells shown


@dataclass(frozen=True)
class Metric:
    key: str
    category: Category
    label: object
    guard: str
    total: str = SUM
    money: bool = False


METRICS = [
    Metric("editions", Category.ACTIVITY, _l("Éditions tenues"), NONE),
    Metric("companies", Category.ACTIVITY, _l("Compagnies présentées"), COMPANIES),
    Metric("company_departements", Category.ACTIVITY, _l("Départements d'où viennent ces compagnies"),
           COMPANIES, UNION),
    Metric("meetings", Category.ACTIVITY, _l("Rencontres professionnelles tenues"), BOTH),
    Metric("invited", Category.FOLLOW_UP, _l("Programmateurs et programmatrices invités"), PROGRAMMERS),
    Metric("present", Category.FOLLOW_UP, _l("… venus"), PROGRAMMERS),
    Metric("answered", Category.FOLLOW_UP, _l("… qui ont répondu à la relance"), PROGRAMMERS),
    Metric("interested", Category.FOLLOW_UP, _l("… intéressés (réserver, garder le dossier)"), PROGRAMMERS),
    Metric("booked", Category.FOLLOW_UP, _l("… qui ont programmé"), PROGRAMMERS),
    Metric("new", Category.FOLLOW_UP, _l("Venus pour la première fois"), PROGRAMMERS),
    Metric("returning", Category.FOLLOW_UP, _l("Déjà venus une année précédente"), PROGRAMMERS),
    Metric("bookings", Category.BOOKINGS, _l("Dates obtenues (confirmées)"), COMPANIES),
    Metric("performances", Category.BOOKINGS, _l("Représentations obtenues"), COMPANIES),
    Metric("fees", Category.BOOKINGS, _l("Cessions (HT)"), COMPANIES, money=True),
    Metric("median_days", Category.BOOKINGS, _l("Délai médian jusqu'à la date (jours)"), COMPANIES, MEDIAN),
    Metric("departements", Category.TERRITORY, _l("Départements où les spectacles ont été joués"),
           COMPANIES, UNION),
    Metric("km", Category.TRAVEL, _l("Déplacements (km)"), BOTH),
    Metric("kg", Category.TRAVEL, _l("Émissions (kg CO₂e)"), BOTH),
]  # fmt: skip


@dataclass
class Cell:
    value: object = None  # None: not shown
    state: str = "shown"  # "shown", "small" (under the threshold) or "not_shared"

    @property
    def shown(self) -> bool:
        return self.state == "shown"


@dataclass
class Row:
    metric: Metric
    cells: dict[int, Cell]  # by network id
    total: Cell
    partial: bool = False  # some cell is hidden: the total leaves it out


@dataclass
class Barometer:
    year: int | None
    years: list[int]
    networks: list[Network]
    rows: list[Row] = field(default_factory=list)
    map_groups: list = field(default_factory=list)  # funders.Group per département code
    map_total: int = 0

    @property
    def map_counts(self) -> dict:
        return {g.label: g.count for g in self.map_groups if g.count is not None}

    @property
    def map_hidden(self) -> set:
        return {g.label for g in self.map_groups if g.count is None}

    def row(self, key) -> Row:
        return next(row for row in self.rows if row.metric.key == key)

    def by_category(self):
        grouped = defaultdict(list)
        for row in self.rows:
            grouped[row.metric.category].append(row)
        return [(category, grouped[category]) for category in Category if grouped[category]]


def sharing(public=False):
    """The networks that share figures (and their consent), by name; `public`: only when every one of
    them also agreed to the public barometer (else none: the public page stays closed)."""
    rows = db.session.execute(
        select(Network, BarometerConsent)
        .join(BarometerConsent, BarometerConsent.network_id == Network.id)
        .order_by(Network.name)
    ).all()
    if public and not (rows and all(consent.public for _n, consent in rows)):
        return []
    return [tuple(row) for row in rows]


def _year(column):
    return cast(extract("year", column), Integer)


def _scope(categories, year, today, network_ids):
    """(edition_id, network_id) of the editions some category covers in the year: the network shares it,
    the edition starts on or after the network's date, was shown to programmers, and has begun."""
    shared = or_(*(getattr(BarometerConsent, c.value).is_(True) for c in categories))
    return (
        select(Edition.id.label("edition_id"), Edition.network_id.label("network_id"))
        .join(BarometerConsent, BarometerConsent.network_id == Edition.network_id)
        .where(
            shared,
            Edition.network_id.in_(network_ids),
            Edition.starts_on >= BarometerConsent.since,
            Edition.status.in_(REPORTED),
            Edition.starts_on <= today,
            _year(Edition.starts_on) == year,
        )
        .subquery()
    )


def years(network_ids, today) -> list[int]:
    """The years with at least one edition in the barometer, latest first."""
    found = db.session.scalars(
        select(_year(Edition.starts_on).label("y"))
        .join(BarometerConsent, BarometerConsent.network_id == Edition.network_id)
        .where(
            Edition.network_id.in_(network_ids),
            Edition.starts_on >= BarometerConsent.since,
            Edition.status.in_(REPORTED),
            Edition.starts_on <= today,
        )
        .group_by("y")
        .order_by(_year(Edition.starts_on).desc())
    ).all()
    return [int(y) for y in found]


# --- The raw figures: one statement each, grouped by network --------------------------------------------


def _activity(scope):
    editions = dict(
        db.session.execute(select(scope.c.network_id, func.count()).group_by(scope.c.network_id)).all()
    )
    on_stage = db.session.execute(  # companies on stage (cancelled slots aside), by their département
        select(scope.c.network_id, Organisation.departement_code,
               func.count(func.distinct(Registration.company_id)))
        .select_from(Slot)
        .join(scope, scope.c.edition_id == Slot.edition_id)
        .join(Assignment, Assignment.slot_id == Slot.id)
        .join(Registration, Registration.id == Assignment.registration_id)
        .join(Organisation, Organisation.id == Registration.company_id)
        .where(Slot.status != SlotStatus.CANCELLED)
        .group_by(scope.c.network_id, Organisation.departement_code)
    ).all()  # fmt: skip
    companies, codes = defaultdict(int), defaultdict(set)
    for network_id, code, count in on_stage:
        companies[network_id] += count  # a company has one département: the sum counts it once
        if code:
            codes[network_id].add(code)
    meetings = {
        network_id: (count, people, companies_met)
        for network_id, count, people, companies_met in db.session.execute(
            select(scope.c.network_id, func.count(), func.count(func.distinct(Meeting.programmer_id)),
                   func.count(func.distinct(Meeting.company_id)))
            .select_from(Meeting)
            .join(MeetingSession, MeetingSession.id == Meeting.session_id)
            .join(scope, scope.c.edition_id == MeetingSession.edition_id)
            .where(held_meeting())
            .group_by(scope.c.network_id)
        ).all()
    }  # fmt: skip
    raw = {}
    for network_id in editions:
        count, people, met = meetings.get(network_id, (0, 0, 0))
        raw[network_id] = {
            "editions": (editions[network_id], None),
            "companies": (companies[network_id], companies[network_id]),
            "company_departements": (codes[network_id], companies[network_id]),
            "meetings": (count, min(people, met)),
        }
    return raw


def _follow_up(scope, year):
    invited = dict(db.session.execute(
        select(scope.c.network_id, func.count(func.distinct(Invitation.programmer_id)))
        .select_from(Invitation)
        .join(scope, scope.c.edition_id == Invitation.edition_id)
        .group_by(scope.c.network_id)
    ).all())  # fmt: skip
    checked_in = (
        select(scope.c.network_id, Attendance.programmer_id)
        .select_from(Attendance)
        .join(Slot, Slot.id == Attendance.slot_id)
        .join(scope, scope.c.edition_id == Slot.edition_id)
    )
    met = (
        select(scope.c.network_id, Meeting.programmer_id)
        .select_from(Meeting)
        .join(MeetingSession, MeetingSession.id == Meeting.session_id)
        .join(scope, scope.c.edition_id == MeetingSession.edition_id)
        .where(held_meeting())
    )
    came = union(checked_in, met).subquery()
    present = dict(db.session.execute(
        select(came.c.network_id, func.count(func.distinct(came.c.programmer_id))).group_by(came.c.network_id)
    ).all())  # fmt: skip
    attended = Enrolment.path == Path.ATTENDED
    wants = Answer.choice.in_([Choice.BOOK, Choice.FILE])
    answers = {
        network_id: (answered, interested)
        for network_id, answered, interested in db.session.execute(
            select(
                scope.c.network_id,
                func.count(func.distinct(Enrolment.programmer_id)).filter(Enrolment.answered_at.is_not(None)),
                func.count(func.distinct(Enrolment.programmer_id)).filter(wants),
            )
            .select_from(Enrolment)
            .join(Sequence, Sequence.id == Enrolment.sequence_id)
            .join(scope, scope.c.edition_id == Sequence.edition_id)
            .outerjoin(Answer, Answer.enrolment_id == Enrolment.id)
            .where(attended)
            .group_by(scope.c.network_id)
        ).all()
    }
    booked = dict(db.session.execute(
        select(scope.c.network_id, func.count(func.distinct(Outcome.programmer_id)))
        .select_from(Outcome)
        .join(scope, scope.c.edition_id == Outcome.edition_id)
        .where(Outcome.status == CONFIRMED)
        .group_by(scope.c.network_id)
    ).all())  # fmt: skip
    new, returning = _new_and_returning(scope, year)
    raw = {}
    for network_id in set(invited) | set(present) | set(answers) | set(booked) | set(new) | set(returning):
        answered, interested = answers.get(network_id, (0, 0))
        figures = {
            "invited": invited.get(network_id, 0), "present": present.get(network_id, 0),
            "answered": answered, "interested": interested, "booked": booked.get(network_id, 0),
            "new": new.get(network_id, 0), "returning": returning.get(network_id, 0),
        }  # fmt: skip
        raw[network_id] = {key: (value, value) for key, value in figures.items()}
    return raw


def _new_and_returning(scope, year):
    """Programmers checked in this year: at a network's edition for the first time, or who had come to one
    of its editions in an earlier year (any earlier edition of that network, shared or not: it is the
    network's own knowledge of its people, and only the two counts leave it). A person's record belongs to
    one network, so an earlier check-in of the same record is one at that network."""
    this_year = (
        select(scope.c.network_id, Attendance.programmer_id)
        .select_from(Attendance)
        .join(Slot, Slot.id == Attendance.slot_id)
        .join(scope, scope.c.edition_id == Slot.edition_id)
        .distinct()
        .subquery()
    )
    before, before_slot = aliased(Attendance), aliased(Slot)
    came_before = (
        exists()
        .where(before.programmer_id == this_year.c.programmer_id, before_slot.id == before.slot_id,
               Edition.id == before_slot.edition_id, Edition.starts_on < date(year, 1, 1))
        .correlate(this_year)
    )  # fmt: skip
    flagged = select(this_year.c.network_id, came_before.label("back")).subquery()
    rows = db.session.execute(
        select(flagged.c.network_id, func.count(), func.count().filter(flagged.c.back))
        .group_by(flagged.c.network_id)
    ).all()  # fmt: skip
    return {n: people - back for n, people, back in rows}, {n: back for n, _people, back in rows}


def _bookings_and_places(scope, consents):
    """Confirmed bookings, their performances and fees, the départements they were played in, and the
    median days from the edition's end to the booking, by network."""
    bookings = {
        network_id: (count, companies)
        for network_id, count, companies in db.session.execute(
            select(scope.c.network_id, func.count(), func.count(func.distinct(Outcome.company_id)))
            .select_from(Outcome)
            .join(scope, scope.c.edition_id == Outcome.edition_id)
            .where(Outcome.status == CONFIRMED)
            .group_by(scope.c.network_id)
        ).all()
    }
    dated = (
        select(OutcomeDate.id)
        .select_from(OutcomeDate)
        .join(Outcome, Outcome.id == OutcomeDate.outcome_id)
        .join(scope, scope.c.edition_id == Outcome.edition_id)
        .where(Outcome.status == CONFIRMED)
    )
    playing = dict(db.session.execute(  # the companies behind the dates (one has dates in several places)
        dated.with_only_columns(scope.c.network_id, func.count(func.distinct(Outcome.company_id)))
        .group_by(scope.c.network_id)
    ).all())  # fmt: skip
    places = db.session.execute(
        dated.with_only_columns(
            scope.c.network_id, OutcomeDate.departement_code, func.count(OutcomeDate.id),
            func.coalesce(func.sum(Outcome.fee_per_performance), 0),
            func.count(func.distinct(Outcome.company_id)),
        ).group_by(scope.c.network_id, OutcomeDate.departement_code)
    ).all()  # fmt: skip
    days = _days_to_booking(scope)
    raw = defaultdict(dict)
    per_network = defaultdict(lambda: [0, Decimal(0), set()])
    for network_id, code, dates, fees, _companies in places:
        per_network[network_id][0] += dates
        per_network[network_id][1] += Decimal(fees)
        if code:
            per_network[network_id][2].add(code)
    for network_id in set(bookings) | set(per_network):
        consent = consents[network_id]
        behind = playing.get(network_id, 0)
        dates, fees, codes = per_network[network_id]
        if consent.bookings:
            count, companies = bookings.get(network_id, (0, 0))
            raw[network_id] |= {
                "bookings": (count, companies), "performances": (dates, behind), "fees": (fees, behind),
                "median_days": (median(days.get(network_id, [])), companies, days.get(network_id, [])),
            }  # fmt: skip
        if consent.territory:
            raw[network_id]["departements"] = (codes, behind)
    return dict(raw), places


def _days_to_booking(scope) -> dict:
    """{network id: [(days, bookings), …]}: how many confirmed bookings came that many days after the
    edition's end, counted by the database; the medians are read off these counts (exact)."""
    days = _day_difference(Outcome.decided_on, Edition.ends_on)
    rows = db.session.execute(
        select(scope.c.network_id, days.label("days"), func.count())
        .select_from(Outcome)
        .join(scope, scope.c.edition_id == Outcome.edition_id)
        .join(Edition, Edition.id == Outcome.edition_id)
        .where(Outcome.status == CONFIRMED)
        .group_by(scope.c.network_id, "days")
    ).all()
    found = defaultdict(list)
    for network_id, value, count in rows:
        found[network_id].append((int(value), count))
    return found


def median(counts) -> float | None:
    """The median of values given as (value, how many): the middle one, or the mean of the two middle."""
    counts = sorted(counts)
    total = sum(n for _v, n in counts)
    if not total:
        return None
    wanted, seen, picked = {(total - 1) // 2, total // 2}, 0, []
    for value, n in counts:
        picked += [value for rank in wanted if seen <= rank < seen + n]
        seen += n
    return sum(picked) / len(picked)


def _travel(scope):
    rows = db.session.execute(
        select(scope.c.network_id, func.sum(EditionFootprint.km), func.sum(EditionFootprint.kg),
               func.max(EditionFootprint.programmers), func.max(EditionFootprint.companies))
        .select_from(EditionFootprint)
        .join(scope, scope.c.edition_id == EditionFootprint.edition_id)
        .group_by(scope.c.network_id)
    ).all()  # fmt: skip
    # at least THRESHOLD people travelled to one of the editions: as many behind the year's total
    return {
        network_id: {
            "km": (int(km), min(people, companies)),
            "kg": (Decimal(str(kg)), min(people, companies)),
        }
        for network_id, km, kg, people, companies in rows
    }


# --- Putting the table together ----------------------------------------------------------------------


def _cell(metric, raw) -> Cell:
    if raw is None:
        return Cell(state="not_shared")
    value, behind = raw[0], raw[1]
    if metric.guard != NONE and (behind or 0) < THRESHOLD:
        return Cell(state="small")
    if metric.total == UNION:
        return Cell(len(value))
    return Cell(value)


def compute(year: int | None = None, *, today: date, public=False) -> Barometer:
    """The barometer of a year (the latest with figures when none is asked)."""
    shared = sharing(public=public)
    networks = [network for network, _consent in shared]
    consents = {network.id: consent for network, consent in shared}
    ids = list(consents)
    found_years = years(ids, today) if ids else []
    if year is None or year not in found_years:
        year = found_years[0] if found_years else None
    result = Barometer(year=year, years=found_years, networks=networks)
    if year is None:
        return result
    raw = defaultdict(dict)
    activity = _scope([Category.ACTIVITY], year, today, ids)
    for network_id, figures in _activity(activity).items():
        raw[network_id] |= figures
    for network_id, figures in _follow_up(_scope([Category.FOLLOW_UP], year, today, ids), year).items():
        raw[network_id] |= figures
    dated = _scope([Category.BOOKINGS, Category.TERRITORY], year, today, ids)
    booked, places = _bookings_and_places(dated, consents)
    for network_id, figures in booked.items():
        raw[network_id] |= figures
    for network_id, figures in _travel(_scope([Category.TRAVEL], year, today, ids)).items():
        raw[network_id] |= figures
    for metric in METRICS:
        cells = {}
        for network_id, consent in consents.items():
            if not getattr(consent, metric.category.value):
                cells[network_id] = Cell(state="not_shared")
            else:
                cells[network_id] = _cell(metric, raw[network_id].get(metric.key, _nothing(metric)))
        result.rows.append(_row(metric, cells, raw))
    _map(result, places, consents, {n for n, c in result.row("departements").cells.items() if c.shown})
    return result


def _nothing(metric):
    """A shared kind with no row this year: zero, resting on no one (so it reads « < 3 »)."""
    if metric.total == UNION:
        return (set(), 0)
    if metric.total == MEDIAN:
        return (None, 0)
    return (Decimal(0) if metric.money or metric.key == "kg" else 0, 0)


def _row(metric, cells, raw) -> Row:
    shown = [n for n, cell in cells.items() if cell.shown]
    partial = any(cell.state == "small" for cell in cells.values())
    if not shown:
        return Row(metric, cells, Cell(state="small" if partial else "not_shared"), partial)
    if metric.total == UNION:
        total = len(set().union(*(raw[n][metric.key][0] for n in shown)))
    elif metric.total == MEDIAN:
        total = median([pair for n in shown for pair in raw[n][metric.key][2]])
    else:
        total = sum((cells[n].value for n in shown), Decimal(0) if metric.money or metric.key == "kg" else 0)
    return Row(metric, cells, Cell(total), partial)


def _map(result, places, consents, shown_networks):
    """Performances by département, all the networks whose territory figure is shown, together."""
    dates, behind = defaultdict(int), defaultdict(int)
    for network_id, code, count, _fees, companies in places:
        if code and network_id in shown_networks and consents[network_id].territory:
            dates[code] += count
            behind[code] += companies  # companies belong to one network: the sum counts each once
    result.map_groups = sorted(
        protect([(code, dates[code], behind[code]) for code in dates]),
        key=lambda g: (g.count is None, -(g.count or 0), g.label),
    )
    result.map_total = sum(dates.values())
