"""The impact report: every figure is an aggregate computed by the database, for one edition or for
several editions of a network."""

from sqlalchemy import case, func, select

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
from crm.impact.models import Outcome, OutcomeDate, OutcomeKind, OutcomeStatus
from crm.invitations.models import Invitation
from crm.showcase.models import Edition, Show, Slot

CONFIRMED = OutcomeStatus.CONFIRMED


def _attributed(edition_ids):
    return Outcome.edition_id.in_(edition_ids)


def funnel(edition_ids) -> dict:
    """Programmers invited, present, then of those present: messaged, answered, interested; those who
    booked (confirmed). The people who said yes and did not come follow a path of their own, counted
    beside ("missed"), so that no step of the funnel counts more people than the one before.
    The follow-up's dashboard shows these same figures."""
    enrolled = select(Enrolment.id).join(Sequence).where(Sequence.edition_id.in_(edition_ids))
    came, missed = Enrolment.path == Path.ATTENDED, Enrolment.path == Path.MISSED
    invited = db.session.scalar(
        select(func.count(func.distinct(Invitation.programmer_id))).where(
            Invitation.edition_id.in_(edition_ids)
        )
    )
    present = db.session.scalar(
        select(func.count(func.distinct(Attendance.programmer_id)))
        .select_from(Attendance)
        .join(Slot, Slot.id == Attendance.slot_id)
        .where(Slot.edition_id.in_(edition_ids))
    )
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
    """Everything the report page shows; a company sees its own line of the per-company table only."""
    companies = breakdown(edition_ids, "company")
    names = dict(db.session.execute(select(Organisation.id, Organisation.name).where(
        Organisation.id.in_([c[0] for c in companies]))).all())  # fmt: skip
    if viewer.role != Role.COORDINATOR:
        companies = [c for c in companies if c[0] == viewer.company_id]
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
        "departements": by_departement(edition_ids),
        "months": by_month_after(edition_ids),
    }
