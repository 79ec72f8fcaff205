"""The follow-up's domain: the sequence and its steps, enrolment from attendance, one-click answers,
tasks and their results, and the shared interaction log. Plain functions; views commit."""

import logging
from datetime import time, timedelta

from flask_babel import gettext as _
from sqlalchemy import and_, case, insert, or_, select, update

from crm.accounts.models import Role, User
from crm.accounts.services import company_addresses
from crm.audit import security_event
from crm.checkin.models import Attendance
from crm.contacts.models import Organisation, Programmer
from crm.errors import DomainError
from crm.extensions import db
from crm.followups import messages
from crm.followups.events import BookingWished, booking_wished
from crm.followups.models import (
    Action,
    Answer,
    Choice,
    Enrolment,
    Interaction,
    InteractionKind,
    PairStop,
    Path,
    Result,
    RunState,
    Sequence,
    Step,
    StepKind,
    StepRun,
    Task,
)
from crm.invitations.models import Answer as RsvpAnswer
from crm.invitations.models import Invitation
from crm.mail.services import may_be_written_to, new_message_id, send, send_to_programmer
from crm.showcase import editions
from crm.showcase.models import Assignment, EditionStatus, Registration, Show, Slot
from crm.timeutil import to_utc
from crm.tokens import LinkError, sign, unsign

log = logging.getLogger(__name__)

SEND_HOUR = time(9, 0)  # steps fall due at 9:00, local time, on their day
ANSWER_DAYS = 365  # one-click answers stay open a year after the edition


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
    """Enrol who is not yet: those who came (attendance), and those who said yes and did not come.
    Their step rows are created in the same transaction. Idempotent; a bounded number of queries."""
    edition = sequence.edition
    attended_q = (
        select(Attendance.programmer_id)
        .join(Slot, Slot.id == Attendance.slot_id)
        .where(Slot.edition_id == edition.id)
    )
    enrolled_q = select(Enrolment.programmer_id).where(Enrolment.sequence_id == sequence.id)
    contactable = and_(
        Programmer.opted_out_at.is_(None), Programmer.erased_at.is_(None), Programmer.bounced_at.is_(None)
    )
    attended = db.session.scalars(
        select(Programmer.id)
        .where(Programmer.id.in_(attended_q), Programmer.id.not_in(enrolled_q), contactable)
        .order_by(Programmer.id)
    ).all()
    missed = db.session.scalars(
        select(Invitation.programmer_id)
        .join(Programmer, Programmer.id == Invitation.programmer_id)
        .where(
            Invitation.edition_id == edition.id,
            Invitation.answer == RsvpAnswer.COMING,
            Invitation.programmer_id.not_in(attended_q),
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


# --- Personal links ----------------------------------------------------------------------------------


def token_for(enrolment_id: int, version: int = 0) -> str:
    """The person's signed link; links written before any revocation carry the bare id (version 0)."""
    return sign("followup-enrolment", *((enrolment_id,) if not version else (enrolment_id, version)))


def _read(token: str) -> tuple[int | None, int]:
    ids = unsign("followup-enrolment", token)
    if ids is None or len(ids) > 2:
        return None, 0
    return ids[0], ids[1] if len(ids) == 2 else 0


def revoke_links(programmer, *, actor, now) -> int:
    """Every follow-up link the person was sent stops working (answers as an expired link does); the
    next messages carry new ones. Returns how many enrolments were concerned."""
    count = db.session.execute(
        update(Enrolment)
        .where(Enrolment.programmer_id == programmer.id)
        .values(link_version=Enrolment.link_version + 1),
        execution_options={"synchronize_session": "fetch"},
    ).rowcount
    security_event("followup.links_revoked", programmer=programmer.id, user=actor.id)
    return count


def by_token(token: str, *, now) -> Enrolment:
    enrolment_id, version = _read(token)
    enrolment = db.session.get(Enrolment, enrolment_id) if enrolment_id and 0 < enrolment_id < 2**31 else None
    if enrolment is None:
        raise LinkError(_("Ce lien n'est pas valide. Vérifiez qu'il a été copié en entier."))
    if enrolment.programmer.erased_at is not None:
        raise LinkError(_("Ce lien n'est plus valide : les données de cette personne ont été effacées."))
    too_old = now.date() > enrolment.sequence.edition.ends_on + timedelta(days=ANSWER_DAYS)
    if too_old or version != enrolment.link_version:
        raise LinkError(_("Ce lien a expiré."))
    return enrolment


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


# --- One-click answers --------------------------------------------------------------------------------


def record_answer(enrolment, show_id: int, choice: str, *, now) -> Answer:
    """Record (or change) an answer about one show: it stops the messages to this person and that
    company's tasks with them, gives the company a task when asked for, and tells the company."""
    choice = Choice(choice)
    row = answerable(enrolment, show_id)
    if row is None:
        raise DomainError(_("Ce spectacle ne fait pas partie de ceux qui vous ont été présentés."))
    edition = enrolment.sequence.edition
    answer = db.session.scalar(
        select(Answer).where(Answer.enrolment_id == enrolment.id, Answer.show_id == show_id)
    )
    if answer is not None and answer.choice == choice:
        return answer
    if answer is None:
        answer = Answer(enrolment_id=enrolment.id, show_id=show_id, company_id=row.company_id)
        db.session.add(answer)
    answer.choice, answer.answered_at = choice, now
    enrolment.answered_at = enrolment.answered_at or now
    stop_pair(enrolment, row.company_id, reason="answer")
    person = enrolment.programmer
    db.session.add(
        Interaction(
            network_id=person.network_id,
            programmer_id=person.id,
            company_id=row.company_id,
            edition_id=edition.id,
            kind=InteractionKind.ANSWER,
            summary=f"{row.title} : {choice.label}",
            occurred_at=now,
        )
    )
    if choice == Choice.BOOK:
        _booking_wished(enrolment, row, now=now)
    if choice in (Choice.BOOK, Choice.FILE):
        in_charge = people_in_charge([row]).get(row.company_id)
        db.session.add(
            Task(
                network_id=person.network_id,
                edition_id=edition.id,
                enrolment_id=enrolment.id,
                programmer_id=person.id,
                company_id=row.company_id,
                assignee_id=in_charge.id if in_charge else None,
                action=Action.CALL if choice == Choice.BOOK else Action.SEND_FILE,
                title=_(
                    "%(name)s souhaite programmer %(show)s : rappeler", name=person.full_name, show=row.title
                )
                if choice == Choice.BOOK
                else _("%(name)s demande le dossier de %(show)s", name=person.full_name, show=row.title),
                due_on=(now + timedelta(days=2)).date(),
                created_at=now,
            )
        )
    _notify_company(row, person, choice, edition)
    db.session.flush()
    return answer


def _notify_company(row, person, choice, edition) -> None:

    company = db.session.get(Organisation, row.company_id)
    organisation = person.organisation.name if person.organisation else ""
    send(
        person.network_id,
        company_addresses(company),
        _("Suivi %(edition)s : réponse de %(name)s", edition=edition.name, name=person.full_name),
        _(
            "%(name)s (%(organisation)s) a répondu à propos de « %(show)s » : %(choice)s.\n\n"
            "Ses coordonnées : %(email)s %(phone)s\n",
            name=person.full_name,
            organisation=organisation,
            show=row.title,
            choice=choice.label,
            email=person.email,
            phone=person.phone or "",
        ),
        about_programmer_id=person.id,
    )


def stop_pair(enrolment, company_id: int, *, reason: str) -> None:
    if db.session.get(PairStop, (enrolment.id, company_id)) is None:
        db.session.add(PairStop(enrolment_id=enrolment.id, company_id=company_id, reason=reason))


def stop_everything(enrolment, *, reason: str, now) -> None:
    if enrolment.stopped_at is None:
        enrolment.stopped_at, enrolment.stop_reason = now, reason


# --- Tasks and the interaction log --------------------------------------------------------------------


def may_handle(user, task) -> bool:
    if user.network_id != task.network_id:
        return False
    if user.role == Role.COORDINATOR:
        return True
    return task.company_id is not None and task.company_id == user.company_id


def complete(task, data: dict, *, actor, now) -> Task:
    """Mark a task done with its result; it joins the programmer's timeline. A booking or a refusal ends
    that company's follow-up with the person."""
    if not may_handle(actor, task):
        raise DomainError(_("Cette tâche ne vous est pas confiée."))
    if task.done_at is not None:
        raise DomainError(_("Cette tâche est déjà faite."))
    result = Result(data["result"])
    task.result_note = (data.get("note") or "").strip() or None
    kind = {Action.CALL: InteractionKind.CALL, Action.SEND_FILE: InteractionKind.EMAIL}.get(
        task.action, InteractionKind.NOTE
    )
    _done(task, result, kind, task.title + (f" — {task.result_note}" if task.result_note else ""),
          actor=actor, now=now)  # fmt: skip
    if task.enrolment_id and task.company_id and result in (Result.BOOKED, Result.NOT_INTERESTED):
        enrolment = db.session.get(Enrolment, task.enrolment_id)
        stop_pair(enrolment, task.company_id, reason=result.value)
        if result == Result.BOOKED:
            row = next((r for r in programme([task.edition_id]).get(task.edition_id, [])
                        if r.company_id == task.company_id), None)  # fmt: skip
            if row is not None:
                _booking_wished(enrolment, row, now=now)
    db.session.flush()
    return task


def answer_by_mail(task, text: str, *, actor, now):
    """A company answers a person's e-mail from its task: the message goes from the network's address
    in the company's name, in the same thread (a reply to it comes back to this company), and the task
    is done."""

    if not may_handle(actor, task):
        raise DomainError(_("Cette tâche ne vous est pas confiée."))
    person = task.programmer
    if not may_be_written_to(person):
        raise DomainError(
            _("Cette personne ne peut plus recevoir de message (opposition ou adresse refusée).")
        )
    inbound = task.inbound_message
    company = task.company
    network = company.network if company else person.network
    subject = (inbound.subject or "") if inbound else ""
    subject = subject if subject.lower().startswith(("re:", "re :")) else f"Re: {subject}".strip()
    signature = f"\n\n{actor.full_name}" + (f"\n{company.name}" if company else "")
    send_to_programmer(
        person,
        subject[:200] or _("Votre message"),
        text.strip() + signature,
        from_name=f"{company.name} via {network.name}" if company else None,
        company_id=company.id if company else None,
        in_reply_to=inbound.message_id if inbound else None,
        automatic=False,
        now=now,
    )
    task.result_note = text.strip()[:2000]
    summary = _("Réponse envoyée : %(text)s", text=text.strip()[:1000])
    _done(task, Result.REACHED, InteractionKind.EMAIL, summary, actor=actor, now=now)
    db.session.flush()


def _done(task, result, kind, summary, *, actor, now) -> None:
    """A task done: its result, and a line of the programmer's shared timeline."""
    task.done_at, task.done_by_id, task.result = now, actor.id, result
    db.session.add(
        Interaction(
            network_id=task.network_id,
            programmer_id=task.programmer_id,
            company_id=task.company_id,
            user_id=actor.id,
            edition_id=task.edition_id,
            kind=kind,
            result=result,
            summary=summary,
            occurred_at=now,
        )
    )


def log_interaction(programmer, data: dict, *, actor, now) -> Interaction:
    """An exchange logged by hand; a company member may keep a note for their company only."""
    kind = InteractionKind(data["kind"])
    if kind not in InteractionKind.logged_by_hand():
        raise DomainError(_("Choisissez un type d'échange."), field="kind")
    occurred = data.get("occurred_on")
    if occurred and occurred > now.date():
        raise DomainError(_("La date ne peut pas être dans le futur."), field="occurred_on")
    entry = Interaction(
        network_id=programmer.network_id,
        programmer_id=programmer.id,
        company_id=actor.company_id,
        user_id=actor.id,
        kind=kind,
        result=Result(data["result"]) if data.get("result") else None,
        summary=(data.get("summary") or "").strip(),
        private=bool(data.get("private")) and actor.company_id is not None,
        occurred_at=to_utc(occurred, time(12)) if occurred else now,
        created_at=now,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def visible_interactions(user):
    """What a user may read of the shared log: all of the network but other companies' private notes."""
    return and_(
        Interaction.network_id == user.network_id,
        or_(Interaction.private.is_(False), Interaction.company_id == user.company_id),
    )


def timeline_query(programmer, user):
    return (
        select(Interaction)
        .where(Interaction.programmer_id == programmer.id, visible_interactions(user))
        .options(db.joinedload(Interaction.user), db.joinedload(Interaction.company))
        .order_by(Interaction.occurred_at.desc(), Interaction.id.desc())
    )


def tasks_query(user, tab: str, today):
    """A user's tasks: assigned to them or to nobody in their company; coordinators also get the
    coordination's tasks."""
    mine = Task.assignee_id == user.id
    if user.role == Role.COORDINATOR:
        mine = or_(mine, and_(Task.company_id.is_(None), Task.network_id == user.network_id))
    elif user.company_id:
        mine = or_(mine, and_(Task.company_id == user.company_id, Task.assignee_id.is_(None)))
    query = select(Task).where(mine, Task.network_id == user.network_id)
    query = {
        "today": query.where(Task.done_at.is_(None), Task.due_on == today),
        "overdue": query.where(Task.done_at.is_(None), Task.due_on < today),
        "upcoming": query.where(Task.done_at.is_(None), Task.due_on > today),
        "done": query.where(Task.done_at.is_not(None)),
        "open": query.where(Task.done_at.is_(None)),
    }[tab]
    # What a person asked for (an answer, an e-mail: the tasks no step made) comes first, then by date.
    asked = case((Task.step_run_id.is_(None), 0), else_=1)
    order = (Task.done_at.desc(),) if tab == "done" else (asked, Task.due_on, Task.id)
    return query.options(
        db.joinedload(Task.programmer).joinedload(Programmer.organisation),
        db.joinedload(Task.company),
        db.joinedload(Task.edition),
    ).order_by(*order, Task.id)


def _booking_wished(enrolment, row, *, now) -> None:
    person = enrolment.programmer
    booking_wished.send(
        person.network_id,
        event=BookingWished(
            network_id=person.network_id,
            edition_id=enrolment.sequence.edition_id,
            programmer_id=person.id,
            company_id=row.company_id,
            show_id=row.show_id,
            at=now,
        ),
    )
