"""What each person saw at an edition, and who answers for each company."""

import logging

from sqlalchemy import select

from crm.accounts.models import Role, User
from crm.base.extensions import db
from crm.checkin.models import Attendance
from crm.contacts.models import Organisation
from crm.showcase.models import Assignment, Registration, Show, Slot

log = logging.getLogger(__name__)


# --- What each person saw, and who is in charge at each company ---------------------------------------


def _shows_on_stage(*extra_columns):
    """Slots with their show and company, as the messages list them (add the columns you need)."""

    return (
        select(
            Slot.edition_id,
            *extra_columns,
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
            Slot.starts_at,
        )
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
