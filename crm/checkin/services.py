"""Ticking programmers in and out of a slot, and adding walk-ins without creating duplicates."""

from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from crm.base.database import search_key
from crm.base.errors import DomainError
from crm.base.extensions import db
from crm.checkin.events import AttendanceRecorded, attendance_recorded
from crm.checkin.models import Attendance
from crm.contacts.models import Programmer
from crm.contacts.services import programmers_query, save_programmer
from crm.invitations.models import Invitation
from crm.showcase.models import SlotStatus


def check_in(slot, programmer, *, actor, now) -> None:
    """Tick a person in; ticking someone already in does nothing (a second volunteer, a double tap)."""
    if slot.status == SlotStatus.CANCELLED:
        raise DomainError(_("Ce créneau est annulé."), field="slot_id")
    if programmer.network_id != actor.network_id:
        raise DomainError(_("Personne inconnue."), field="programmer_id")
    if programmer.erased_at is not None:
        raise DomainError(_("Cette personne a été effacée à sa demande."), field="programmer_id")
    attendance = Attendance(
        slot_id=slot.id, programmer_id=programmer.id, checked_in_by_id=actor.id, checked_in_at=now
    )
    try:
        with db.session.begin_nested():
            db.session.add(attendance)
    except IntegrityError:
        return  # already ticked by someone else a moment ago: the tick stands, nothing is lost
    attendance_recorded.send(
        programmer.network_id,
        event=AttendanceRecorded(
            network_id=programmer.network_id,
            attendance_id=attendance.id,
            slot_id=slot.id,
            programmer_id=programmer.id,
        ),
    )


def check_out(slot, programmer) -> None:
    db.session.execute(
        delete(Attendance).where(Attendance.slot_id == slot.id, Attendance.programmer_id == programmer.id)
    )


def present_ids(slot) -> set[int]:
    return set(db.session.scalars(select(Attendance.programmer_id).where(Attendance.slot_id == slot.id)))


def count(slot) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Attendance).where(Attendance.slot_id == slot.id)
    )


def find(network_id, text, limit=15) -> list[Programmer]:
    """Two or three letters of a name, a structure or a town are enough."""
    if len(search_key(text)) < 2:
        return []
    return list(db.session.scalars(programmers_query(network_id, text).limit(limit)))


def answers(edition_id, programmer_ids) -> dict:
    """What each person answered to this edition's invitation (None: invited, no answer yet)."""

    if not programmer_ids:
        return {}
    rows = db.session.execute(
        select(Invitation.programmer_id, Invitation.answer).where(
            Invitation.edition_id == edition_id, Invitation.programmer_id.in_(programmer_ids)
        )
    )
    return dict(rows.all())


def look_alikes(network_id, data) -> list[Programmer]:
    """Directory records a walk-in may already be: same e-mail, or same first and last name."""
    email = (data.get("email") or "").strip().lower()
    name = search_key(data.get("first_name"), data.get("last_name"))
    query = select(Programmer).where(Programmer.network_id == network_id, Programmer.erased_at.is_(None))
    found = {p.id: p for p in db.session.scalars(query.where(Programmer.email == email))} if email else {}
    for person in db.session.scalars(
        query.where(Programmer.last_name.ilike((data.get("last_name") or "").strip()))
    ):
        if search_key(person.first_name, person.last_name) == name:
            found[person.id] = person
    return list(found.values())


def walk_in(slot, network, data, *, actor, now) -> Programmer:
    """A person not invited: added to the directory (source: check-in) and ticked in."""
    data = {
        **data,
        "lawful_basis": "legitimate_interest",
        "source": _("Accueil de l'édition (entrée sans invitation)"),
    }
    person = save_programmer(None, network, data, actor=actor)
    check_in(slot, person, actor=actor, now=now)
    return person
