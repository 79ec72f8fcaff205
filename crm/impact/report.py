"""The impact report: every figure is an aggregate computed by the database, for one edition or for
several editions of a network."""

from sqlalchemy import case, exists, func, literal, select, union, union_all

from crm.base.enums import Role
from crm.base.extensions import db
from crm.checkin.models import Attendance
from crm.contacts.models import Organisation
from crm.followups.models import (
    Answer,
    Choice,
    Enrolment,
    Path,
    RunState,
    Sequence,
    Step,
    StepKind,
    StepRun,
)
from crm.followups.seen import held_meeting
from crm.impact import projection, travel
from crm.impact.models import Outcome, OutcomeDate, OutcomeKind, OutcomeStatus
from crm.invitations.models import Invitation
from crm.meetings.models import Meeting, MeetingOutcome, MeetingSession
from crm.showcase.models import (
    Edition,
    EditionStatus,
    EditionVenue,
    Registration,
    RegistrationStatus,
    Show,
    Slot,
)

# The editions a report covers when none is chosen: those that were shown to programmers.
REPORTED = (EditionStatus.PUBLISHED, EditionStatus.HELD, EditionStatus.FOLLOW_UP)

CONFIRMED = OutcomeStatus.CONFIRMED


def _attributed(edition_ids):
    return Outcome.edition_id.in_(edition_ids)


def funnel(edition_ids) -> dict:
    """Programmers invited, present (checked in, or in a held meeting), then of those present: messaged,
    answered, interested; those who booked (confirmed). The people who said yes and did not come follow
    a path of their own, counted beside ("missed"), so that no step of the funnel counts more people
    than the one before. The follow-up's dashboard shows these same figures."""
    enrolled = select(Enrolment.id).join(Sequence).where(Sequence.edition_id.in_(edition_ids))
    came, missed = Enrolment.path == Path.ATTENDED, Enrolment.path == Path.MISSED
    invited = db.session.scalar(
        select(func.count(func.distinct(Invitation.programmer_id))).where(
            Invitation.edition_id.in_(edition_ids)
        )
    )
    # Present: checked in at a slot, or met a company in a held meeting (who is followed up as having come).
    checked_in = (
        select(Attendance.programmer_id.label("programmer_id"))
        .join(Slot, Slot.id == Attendance.slot_id)
        .where(Slot.edition_id.in_(edition_ids))
    )
    met = (
        select(Meeting.programmer_id.label("programmer_id"))
        .join(MeetingSession, MeetingSession.id == Meeting.session_id)
        .where(MeetingSession.edition_id.in_(edition_ids), held_meeting())
    )
    present = db.session.scalar(select(func.count()).select_from(union(checked_in, met).subquery()))
    messaged, missed_messaged = db.session.execute(  # from the editions' few message steps to their rows
        select(
            func.count(func.distinct(case((came, Enrolment.programmer_id)))),
            func.count(func.distinct(case((missed, Enrolment.programmer_id)))),
        )
        .select_from(Step)
        .join(Sequence, Sequence.id == Step.sequence_id)
        .join(StepRun, StepRun.step_id == Step.id)
        .join(Enrolment, Enrolment.id == StepRun.enrolment_id)
        .where(
            Sequence.edition_id.in_(edition_ids),
            Step.kind == StepKind.MESSAGE,
            StepRun.state == RunState.DONE,
        )
    ).one()
    # Answered: a one-click answer or an e-mail reply (both set answered_at); interested: "book" or "file".
    wants = Answer.choice.in_([Choice.BOOK, Choice.FILE])
    said_yes, answered, interested, missed_answered = db.session.execute(
        select(
            func.count(func.distinct(case((missed, Enrolment.programmer_id)))),
            func.count(
                func.distinct(case((came & Enrolment.answered_at.is_not(None), Enrolment.programmer_id)))
            ),
            func.count(func.distinct(case((came & wants, Enrolment.programmer_id)))),
            func.count(
                func.distinct(case((missed & Enrolment.answered_at.is_not(None), Enrolment.programmer_id)))
            ),
        )
        .select_from(Enrolment)
        .outerjoin(Answer, Answer.enrolment_id == Enrolment.id)
        .where(Enrolment.id.in_(enrolled))
    ).one()
    booked = db.session.scalar(
        select(func.count(func.distinct(Outcome.programmer_id))).where(
            _attributed(edition_ids), Outcome.status == CONFIRMED
        )
    )
    return {
        "invited": invited,
        "present": present,
        "messaged": messaged,
        "answered": answered,
        "interested": interested,
        "booked": booked,
        "conversion": (booked / present) if present else None,
        "missed": {"said_yes": said_yes, "messaged": missed_messaged, "answered": missed_answered},
    }


def meetings_by_company(edition_ids) -> list[tuple]:
    """(company id, planned, held, answered, booked) for the meetings of the editions' published sessions.
    Planned: every meeting of a published session; held: those marked held; answered: held, and the
    programmer gave a one-click answer about one of that company's shows in the edition's follow-up (an
    e-mail reply names no company, it is not counted); booked: held, and a confirmed booking is attributed
    to that meeting (chosen in the booking form, or set on the draft a one-click answer made). Meetings,
    not bookings, are counted: two bookings from one meeting count once. One GROUP BY query."""
    held = Meeting.outcome == MeetingOutcome.HELD
    answered = (
        exists()
        .where(
            Answer.company_id == Meeting.company_id,
            Answer.enrolment_id == Enrolment.id,
            Enrolment.programmer_id == Meeting.programmer_id,
            Enrolment.sequence_id == Sequence.id,
            Sequence.edition_id == MeetingSession.edition_id,
        )
        .correlate(Meeting, MeetingSession)
    )
    booked = exists().where(Outcome.meeting_id == Meeting.id, Outcome.status == CONFIRMED).correlate(Meeting)
    rows = db.session.execute(
        select(
            Meeting.company_id,
            func.count(),
            func.count().filter(held),
            func.count().filter(held & answered),
            func.count().filter(held & booked),
        )
        .join(MeetingSession, MeetingSession.id == Meeting.session_id)
        .where(MeetingSession.edition_id.in_(edition_ids), MeetingSession.published_at.is_not(None))
        .group_by(Meeting.company_id)
    ).all()
    return [tuple(row) for row in rows]


def bookings_by_origin(edition_ids) -> dict:
    """Confirmed bookings attributed to the editions, from a meeting (attributed to one) or from the shows
    (all the others): the two add up to the confirmed bookings of the report."""
    from_meetings, from_shows = db.session.execute(
        select(
            func.count().filter(Outcome.meeting_id.is_not(None)),
            func.count().filter(Outcome.meeting_id.is_(None)),
        ).where(_attributed(edition_ids), Outcome.status == CONFIRMED)
    ).one()
    return {"meetings": from_meetings, "shows": from_shows}


def outcomes_by_kind_and_status(edition_ids) -> dict:
    rows = db.session.execute(
        select(Outcome.kind, Outcome.status, func.count())
        .where(_attributed(edition_ids))
        .group_by(Outcome.kind, Outcome.status)
    ).all()
    table = {kind: dict.fromkeys(OutcomeStatus, 0) for kind in OutcomeKind}
    for kind, status, count in rows:
        table[kind][status] = count
    return table


def performances_and_fees(edition_ids) -> tuple[int, object]:
    """Performances obtained (dates of confirmed outcomes) and the fees they bring (fee × dates)."""
    count, fees = db.session.execute(
        select(func.count(OutcomeDate.id), func.coalesce(func.sum(Outcome.fee_per_performance), 0))
        .join(Outcome, Outcome.id == OutcomeDate.outcome_id)
        .where(_attributed(edition_ids), Outcome.status == CONFIRMED)
    ).one()
    return count, fees


def median_days_to_booking(edition_ids) -> float | None:
    """Median of (decision day − the edition's last day) over confirmed outcomes: the middle row(s)
    picked by the database (ORDER BY … LIMIT/OFFSET), the same on SQLite and PostgreSQL."""
    days = _day_difference(Outcome.decided_on, Edition.ends_on).label("days")
    base = (
        select(days)
        .join(Edition, Edition.id == Outcome.edition_id)
        .where(_attributed(edition_ids), Outcome.status == CONFIRMED)
    )
    total = db.session.scalar(select(func.count()).select_from(base.subquery()))
    if not total:
        return None
    middle = db.session.scalars(base.order_by(days).limit(2 - total % 2).offset((total - 1) // 2)).all()
    return sum(middle) / len(middle)


def _day_difference(later, earlier):
    """Whole days between two DATE columns, portable: julianday on SQLite, date subtraction elsewhere."""
    if db.session.connection().dialect.name == "sqlite":
        return func.cast(func.julianday(later) - func.julianday(earlier), db.Integer)
    return later - earlier


def breakdown(edition_ids, by) -> list[tuple]:
    """(label, outcomes confirmed, performances, fees) grouped by discipline, structure type or company."""
    column = {
        "discipline": Show.discipline,
        "structure_type": Organisation.structure_type,
        "company": Outcome.company_id,
    }[by]
    per_outcome = (
        select(
            Outcome.id.label("id"),
            func.count(OutcomeDate.id).label("dates"),
            func.coalesce(func.max(Outcome.fee_per_performance), 0).label("fee"),
        )
        .outerjoin(OutcomeDate, OutcomeDate.outcome_id == Outcome.id)
        .where(_attributed(edition_ids), Outcome.status == CONFIRMED)
        .group_by(Outcome.id)
        .subquery()
    )
    query = (
        select(
            column,
            func.count(Outcome.id),
            func.sum(per_outcome.c.dates),
            func.sum(per_outcome.c.fee * per_outcome.c.dates),
        )
        .join(per_outcome, per_outcome.c.id == Outcome.id)
        .join(Show, Show.id == Outcome.show_id)
        .outerjoin(Organisation, Organisation.id == Outcome.organisation_id)
        .group_by(column)
        .order_by(func.count(Outcome.id).desc())
    )
    return [tuple(row) for row in db.session.execute(query).all()]


def by_departement(edition_ids) -> dict:
    """Performances obtained per département (for the map and its table)."""
    rows = db.session.execute(
        select(OutcomeDate.departement_code, func.count())
        .join(Outcome, Outcome.id == OutcomeDate.outcome_id)
        .where(
            _attributed(edition_ids), Outcome.status == CONFIRMED, OutcomeDate.departement_code.is_not(None)
        )
        .group_by(OutcomeDate.departement_code)
    ).all()
    return dict(rows)


def places(edition_ids) -> list[dict]:
    """The editions' venues (chosen for them, or holding a slot) and the home communes of the companies
    they accepted, as points on the département map: {kind, name, x, y}. One statement."""
    venue_ids = union(
        select(EditionVenue.venue_id).where(EditionVenue.edition_id.in_(edition_ids)),
        select(Slot.venue_id).where(Slot.edition_id.in_(edition_ids)),
    )
    company_ids = select(Registration.company_id).where(
        Registration.edition_id.in_(edition_ids), Registration.status == RegistrationStatus.ACCEPTED
    )

    def located(kind, ids):
        return select(literal(kind).label("kind"), Organisation.name, Organisation.commune_code).where(
            Organisation.id.in_(ids), Organisation.commune_code.is_not(None)
        )

    rows = db.session.execute(
        union_all(located("venue", venue_ids), located("company", company_ids)).order_by("name")
    ).all()
    found = []
    for kind, name, code in rows:
        point = projection.place(code)
        if point is not None:
            found.append({"kind": kind, "name": name, "x": point[0], "y": point[1]})
    return found


def by_month_after(edition_ids) -> list[tuple[int, int]]:
    """Confirmed outcomes by month after the edition (0 = the month that follows it)."""
    days = _day_difference(Outcome.decided_on, Edition.ends_on)
    month = (
        func.floor(days / 30.0)
        if db.session.connection().dialect.name != "sqlite"
        else func.cast(days / 30, db.Integer)
    )
    rows = db.session.execute(
        select(month, func.count())
        .join(Edition, Edition.id == Outcome.edition_id)
        .where(_attributed(edition_ids), Outcome.status == CONFIRMED)
        .group_by(month)
        .order_by(month)
    ).all()
    return [(int(m), n) for m, n in rows if m is not None and m >= 0]


def figures(edition_ids, *, viewer) -> dict:
    """Everything the report page shows; a company sees its own line of the per-company tables only (and
    the network's totals)."""
    companies = breakdown(edition_ids, "company")
    meetings = meetings_by_company(edition_ids)
    names = dict(db.session.execute(select(Organisation.id, Organisation.name).where(
        Organisation.id.in_({c[0] for c in companies} | {m[0] for m in meetings}))).all())  # fmt: skip
    meetings_total = tuple(sum(m[i] for m in meetings) for i in range(1, 5)) if meetings else (0, 0, 0, 0)
    if viewer.role != Role.COORDINATOR:
        companies = [c for c in companies if c[0] == viewer.company_id]
        meetings = [m for m in meetings if m[0] == viewer.company_id]
    performances, fees = performances_and_fees(edition_ids)
    return {
        "funnel": funnel(edition_ids),
        "kinds": outcomes_by_kind_and_status(edition_ids),
        "performances": performances,
        "fees": fees,
        "median_days": median_days_to_booking(edition_ids),
        "disciplines": breakdown(edition_ids, "discipline"),
        "structures": breakdown(edition_ids, "structure_type"),
        "companies": [(names.get(c[0], "?"), *c[1:]) for c in companies],
        "meetings": sorted(((names.get(m[0], "?"), *m[1:]) for m in meetings), key=lambda m: m[0]),
        "meetings_total": meetings_total,
        "origins": bookings_by_origin(edition_ids),
        "departements": by_departement(edition_ids),
        "months": by_month_after(edition_ids),
        "travel": travel.travel(
            edition_ids, travel.network_factors(viewer.network_id), travel.rides(edition_ids)
        ),
        "places": places(edition_ids),
    }
