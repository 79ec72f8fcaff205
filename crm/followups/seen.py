"""What each person saw at an edition, whom they met, and who answers for each company."""

import logging
from types import SimpleNamespace

from sqlalchemy import and_, case, select

from crm.accounts.models import Role, User
from crm.base.extensions import db
from crm.checkin.models import Attendance
from crm.contacts.models import Organisation
from crm.meetings.models import Meeting, MeetingOutcome, MeetingSession
from crm.meetings.services import round_times
from crm.showcase.models import Assignment, Registration, RegistrationStatus, Show, Slot, SlotStatus

log = logging.getLogger(__name__)


# --- What each person saw, and who is in charge at each company ---------------------------------------


def _show_columns():
    """A registered show and its company, as the messages list them."""
    return (
        Show.id.label("show_id"),
        Show.title,
        Show.discipline,
        Show.audience,
        Show.min_age,
        Organisation.id.label("company_id"),
        Organisation.name.label("company"),
        Organisation.phone.label("company_phone"),
        Organisation.email.label("company_email"),
        db.func.coalesce(Registration.video_url, Show.video_url).label("video"),
        Registration.created_by_id,
    )


def _shows_on_stage(*extra_columns):
    """Slots with their show and company, as the messages list them (add the columns you need)."""

    return (
        select(Slot.edition_id, *extra_columns, *_show_columns(), Slot.starts_at)
        .select_from(Slot)
        .join(Assignment, Assignment.slot_id == Slot.id)
        .join(Registration, Registration.id == Assignment.registration_id)
        .join(Show, Show.id == Registration.show_id)
        .join(Organisation, Organisation.id == Registration.company_id)
        .order_by(Slot.starts_at, Slot.id)
    )


def _each_show_once(rows, key) -> dict:
    grouped = {}
    for row in rows:
        shows = grouped.setdefault(key(row), [])
        if all(s.show_id != row.show_id for s in shows):
            shows.append(row)
    return grouped


def shows_seen(edition_ids, programmer_ids) -> dict:
    """{(edition_id, programmer_id): [show row, …]} in the order they were seen; one query."""
    if not programmer_ids:
        return {}
    rows = db.session.execute(
        _shows_on_stage(Attendance.programmer_id)
        .join(Attendance, Attendance.slot_id == Slot.id)
        .where(Slot.edition_id.in_(edition_ids), Attendance.programmer_id.in_(programmer_ids))
    ).all()
    return _each_show_once(rows, lambda row: (row.edition_id, row.programmer_id))


def held_meeting():
    """A meeting that took place: marked held, in a published session (marking one needs the session
    published; a row saying otherwise counts nowhere). For a query that joins meetings to their session."""
    return and_(Meeting.outcome == MeetingOutcome.HELD, MeetingSession.published_at.is_not(None))


def companies_met(edition_ids, programmer_ids) -> dict:
    """{(edition_id, programmer_id): [show row, …]}: for each company the person met in a held meeting of
    the edition, in the order of the meetings, that company's show in the edition: the show of one of its
    accepted registrations, the one on the programme first (a planned slot before a cancelled one, the
    earliest first), else the first registered (a registration the programme could not place). Each row
    carries `met` (true) and `met_at`, the start of the person's first held meeting with that company
    (UTC); one query."""
    if not programmer_ids:
        return {}
    placed = case((Slot.id.is_(None), 2), (Slot.status == SlotStatus.CANCELLED, 1), else_=0)
    rows = db.session.execute(
        select(
            MeetingSession.edition_id,
            Meeting.programmer_id,
            Meeting.round,
            MeetingSession,
            *_show_columns(),
            Slot.starts_at,
        )
        .select_from(Meeting)
        .join(MeetingSession, MeetingSession.id == Meeting.session_id)
        .join(
            Registration,
            and_(
                Registration.edition_id == MeetingSession.edition_id,
                Registration.company_id == Meeting.company_id,
                Registration.status == RegistrationStatus.ACCEPTED,
            ),
        )
        .join(Show, Show.id == Registration.show_id)
        .join(Organisation, Organisation.id == Registration.company_id)
        .outerjoin(Assignment, Assignment.registration_id == Registration.id)
        .outerjoin(Slot, Slot.id == Assignment.slot_id)
        .where(
            MeetingSession.edition_id.in_(edition_ids),
            Meeting.programmer_id.in_(programmer_ids),
            held_meeting(),
        )
        .order_by(
            MeetingSession.day,
            MeetingSession.starts,
            MeetingSession.id,
            Meeting.round,
            placed,
            Slot.starts_at,
            Slot.id,
            Registration.id,
        )
    ).all()
    starts = {}
    grouped = {}
    for row in rows:
        session = row.MeetingSession
        if session.id not in starts:
            starts[session.id] = {number: start for number, start, _end in round_times(session)}
        met = grouped.setdefault((row.edition_id, row.programmer_id), {})
        if row.company_id not in met:
            fields = {k: v for k, v in row._asdict().items() if k not in ("MeetingSession", "round")}
            met_at = starts[session.id].get(row.round)
            met[row.company_id] = SimpleNamespace(**fields, met=True, met_at=met_at)
    return {key: list(met.values()) for key, met in grouped.items()}


def shows_and_meetings(edition_ids, programmer_ids) -> dict:
    """{(edition_id, programmer_id): [item, …]}: what the follow-up lists for each person who came. The
    shows they saw, in the order seen; then, for each company they met in a held meeting and of which no
    show is listed yet, that company's show (see `companies_met`), in the order of the meetings. Each item
    has the columns of a show row, `seen` (they saw it), `met` (they met its company in a held meeting: a
    show seen of a company also met says so too) and `met_at` (the start of that meeting, UTC, or None).
    Two queries."""
    seen = shows_seen(edition_ids, programmer_ids)
    met = companies_met(edition_ids, programmer_ids)
    found = {}
    for key in sorted(seen.keys() | met.keys()):
        meetings = {row.company_id: row for row in met.get(key, [])}
        items = [
            SimpleNamespace(
                **row._asdict(),
                seen=True,
                met=row.company_id in meetings,
                met_at=meetings[row.company_id].met_at if row.company_id in meetings else None,
            )
            for row in seen.get(key, [])
        ]
        listed = {item.company_id for item in items}
        unlisted = [row for row in meetings.values() if row.company_id not in listed]
        items += [SimpleNamespace(**vars(row), seen=False) for row in unlisted]
        found[key] = items
    return found


def programme(edition_ids) -> dict:
    """{edition_id: [show row, …]}: the whole programme, for those who said yes and did not come."""
    rows = db.session.execute(_shows_on_stage().where(Slot.edition_id.in_(edition_ids))).all()
    return _each_show_once(rows, lambda row: row.edition_id)


def people_in_charge(show_rows) -> dict:
    """{company_id: User}: who registered the show if still an active member, else the company's first
    active member; one query."""
    company_ids = {r.company_id for r in show_rows}
    if not company_ids:
        return {}
    members = db.session.scalars(
        select(User)
        .where(User.company_id.in_(company_ids), User.role == Role.MEMBER, User.active.is_(True))
        .order_by(User.id)
    ).all()
    by_id = {u.id: u for u in members}
    chosen = {}
    for row in show_rows:
        if row.created_by_id in by_id and by_id[row.created_by_id].company_id == row.company_id:
            chosen.setdefault(row.company_id, by_id[row.created_by_id])
    for user in members:
        chosen.setdefault(user.company_id, user)
    return chosen


def answerable(enrolment, show_id: int):
    """The show a link is about, if it was registered for the person's edition (links stay valid when the
    programme or the check-in changes after the message left); None otherwise."""

    return db.session.execute(
        select(
            Show.id.label("show_id"),
            Show.title,
            Organisation.id.label("company_id"),
            Organisation.name.label("company"),
            Organisation.phone.label("company_phone"),
            Organisation.email.label("company_email"),
            Registration.created_by_id,
        )
        .join(Registration, Registration.show_id == Show.id)
        .join(Organisation, Organisation.id == Registration.company_id)
        .where(Registration.edition_id == enrolment.sequence.edition_id, Show.id == show_id)
        .limit(1)
    ).first()
