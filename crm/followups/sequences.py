"""The follow-up's sequence: its steps and settings, launching it, and enrolling who came."""

import logging
from datetime import time, timedelta

from flask_babel import gettext as _
from sqlalchemy import and_, insert, or_, select

from crm.base.errors import DomainError
from crm.base.extensions import db
from crm.base.timeutil import to_utc
from crm.checkin.models import Attendance
from crm.contacts.models import Programmer
from crm.followups import messages
from crm.followups.models import (
    Action,
    Enrolment,
    Path,
    RunState,
    Sequence,
    Step,
    StepKind,
    StepRun,
)
from crm.followups.seen import held_meeting
from crm.invitations.models import Answer as RsvpAnswer
from crm.invitations.models import Invitation
from crm.mail.services import new_message_id
from crm.meetings.models import Meeting, MeetingSession
from crm.showcase import editions
from crm.showcase.models import EditionStatus, Slot

log = logging.getLogger(__name__)

SEND_HOUR = time(9, 0)  # steps fall due at 9:00, local time, on their day


# --- The sequence -------------------------------------------------------------------------------------


def sequence_for(edition, *, create=False) -> Sequence | None:
    found = db.session.scalar(select(Sequence).where(Sequence.edition_id == edition.id))
    if found is None and create:
        found = Sequence(edition_id=edition.id, max_calls_per_week=2)
        found.steps = [Step(**{"action": None, **data}) for data in messages.DEFAULT_STEPS]
        db.session.add(found)
        db.session.flush()
    return found


def _check_templates(data: dict) -> None:
    for field in ("subject_fr", "body_fr", "subject_en", "body_en"):
        messages.check(data.get(field), field)


def save_step(sequence, step, data: dict) -> Step:
    """Add (step None) or edit a step. Once active, only the texts and titles may change."""
    kind = StepKind(data["kind"]) if data.get("kind") else (step.kind if step else None)
    if kind == StepKind.MESSAGE and not (data.get("subject_fr") and data.get("body_fr")):
        raise DomainError(_("Un message a besoin d'un objet et d'un texte en français."), field="body_fr")
    if kind != StepKind.MESSAGE and not data.get("action"):
        raise DomainError(_("Dites ce que la tâche demande."), field="action")
    _check_templates(data)
    if sequence.activated_at is not None:
        if step is None:
            raise DomainError(_("Le suivi est lancé : on ne peut plus ajouter d'étape."))
        changed = [
            k for k in ("offset_days", "kind", "path", "action") if k in data and data[k] != getattr(step, k)
        ]
        if changed:
            raise DomainError(
                _("Le suivi est lancé : seuls le titre et les textes peuvent encore changer."),
                field=changed[0],
            )
    if step is None:
        step = Step(sequence_id=sequence.id)
        db.session.add(step)
    for key in ("offset_days", "kind", "path", "title", "subject_fr", "body_fr", "subject_en", "body_en"):
        if key in data:
            setattr(step, key, data[key] or None if key.startswith(("subject", "body")) else data[key])
    step.action = Action(data["action"]) if data.get("action") else None
    db.session.flush()
    return step


def delete_step(step) -> None:
    if step.sequence.activated_at is not None:
        raise DomainError(_("Le suivi est lancé : ses étapes ne peuvent plus être supprimées."))
    db.session.delete(step)
    db.session.flush()


def save_settings(sequence, data: dict) -> Sequence:
    sequence.max_calls_per_week = data["max_calls_per_week"]
    db.session.flush()
    return sequence


def activate(sequence, *, now) -> int:
    """Start the follow-up: enrol everyone concerned, with one row per person and step."""
    if sequence.activated_at is not None:
        raise DomainError(_("Ce suivi est déjà lancé."))
    if not sequence.steps:
        raise DomainError(_("Ajoutez au moins une étape avant de lancer le suivi."))
    for step in sequence.steps:
        _check_templates({f: getattr(step, f) for f in ("subject_fr", "body_fr", "subject_en", "body_en")})
    sequence.activated_at = now
    edition = sequence.edition
    if edition.status == EditionStatus.HELD:
        editions.advance(edition, EditionStatus.FOLLOW_UP, now=now)
    return enrol(sequence, now=now)


def enrol(sequence, *, now) -> int:
    """Enrol who is not yet: those who came (attendance, or a held meeting in a session of the edition),
    and those who said yes and did not come. Their step rows are created in the same transaction.
    Idempotent; a bounded number of queries."""
    edition = sequence.edition
    checked_in_q = (
        select(Attendance.programmer_id)
        .join(Slot, Slot.id == Attendance.slot_id)
        .where(Slot.edition_id == edition.id)
    )
    met_q = (
        select(Meeting.programmer_id)
        .join(MeetingSession, MeetingSession.id == Meeting.session_id)
        .where(MeetingSession.edition_id == edition.id, held_meeting())
    )
    enrolled_q = select(Enrolment.programmer_id).where(Enrolment.sequence_id == sequence.id)
    contactable = and_(
        Programmer.opted_out_at.is_(None), Programmer.erased_at.is_(None), Programmer.bounced_at.is_(None)
    )
    attended = db.session.scalars(
        select(Programmer.id)
        .where(
            or_(Programmer.id.in_(checked_in_q), Programmer.id.in_(met_q)),
            Programmer.id.not_in(enrolled_q),
            contactable,
        )
        .order_by(Programmer.id)
    ).all()
    missed = db.session.scalars(
        select(Invitation.programmer_id)
        .join(Programmer, Programmer.id == Invitation.programmer_id)
        .where(
            Invitation.edition_id == edition.id,
            Invitation.answer == RsvpAnswer.COMING,
            Invitation.programmer_id.not_in(checked_in_q),
            Invitation.programmer_id.not_in(met_q),
            Invitation.programmer_id.not_in(enrolled_q),
            contactable,
        )
        .order_by(Invitation.programmer_id)
    ).all()
    paths = {p: Path.ATTENDED for p in attended} | {p: Path.MISSED for p in missed}
    if not paths:
        return 0
    rows = [
        {"sequence_id": sequence.id, "programmer_id": p, "path": path, "enrolled_at": now}
        for p, path in paths.items()
    ]
    # One statement per table whatever the number of people; each id comes back with its person
    # (the order of RETURNING rows is not guaranteed on every database).
    enrolments = db.session.execute(
        insert(Enrolment).returning(Enrolment.id, Enrolment.programmer_id), rows
    ).all()
    runs = [
        {
            "step_id": step.id,
            "enrolment_id": enrolment_id,
            "due_at": to_utc(edition.ends_on + timedelta(days=step.offset_days), SEND_HOUR),
            "state": RunState.PENDING,
            "message_id": new_message_id(),
        }
        for enrolment_id, programmer_id in enrolments
        for step in sequence.steps
        if step.path == paths[programmer_id]
    ]
    if runs:
        db.session.execute(insert(StepRun), runs)
    log.info("sequence %s: %d enrolled, %d step rows", sequence.id, len(enrolments), len(runs))
    return len(enrolments)
