"""The barometer's raw figures: one statement each, grouped by network, over the editions each network
shares. What comes out is counts, sums and day histograms with the number of people or companies behind
each (what the small-number rule needs); nothing personal.

`raw()` gathers them for a year and a set of networks: the page reads them from the stored snapshots
(`snapshots`), and computes here only the networks whose snapshot is missing or out of date.
"""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from sqlalchemy import Integer, cast, exists, extract, func, or_, select, union
from sqlalchemy.orm import aliased

from crm.base.extensions import db
from crm.checkin.models import Attendance
from crm.contacts.models import Organisation
from crm.federation.models import BarometerConsent, Category
from crm.followups.models import Answer, Choice, Enrolment, Path, Sequence
from crm.followups.seen import held_meeting
from crm.impact.models import EditionFootprint, Outcome, OutcomeDate, OutcomeStatus
from crm.impact.report import REPORTED, _day_difference
from crm.invitations.models import Invitation
from crm.meetings.models import Meeting, MeetingSession
from crm.showcase.models import Assignment, Edition, Registration, Slot, SlotStatus

CONFIRMED = OutcomeStatus.CONFIRMED


def raw(year, today, consents) -> tuple[dict, list]:
    """({network id: {metric key: (value, behind[, day counts])}}, [(network id, département, dates,
    fees, companies)]) for the year, over the networks of `consents` ({network id: consent})."""
    ids = list(consents)
    found = defaultdict(dict)
    for network_id, figures in _activity(_scope([Category.ACTIVITY], year, today, ids)).items():
        found[network_id] |= figures
    for network_id, figures in _follow_up(_scope([Category.FOLLOW_UP], year, today, ids), year).items():
        found[network_id] |= figures
    dated = _scope([Category.BOOKINGS, Category.TERRITORY], year, today, ids)
    booked, places = _bookings_and_places(dated, consents)
    for network_id, figures in booked.items():
        found[network_id] |= figures
    for network_id, figures in _travel(_scope([Category.TRAVEL], year, today, ids)).items():
        found[network_id] |= figures
    return dict(found), [tuple(row) for row in places]


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
