"""Tasks and their results, and the shared log of exchanges."""

import logging
from datetime import time

from flask_babel import gettext as _
from sqlalchemy import and_, case, or_, select

from crm.accounts.models import Role
from crm.base.errors import DomainError
from crm.base.extensions import db
from crm.base.timeutil import to_utc
from crm.contacts.models import Programmer
from crm.followups.answers import stop_pair, wish_booking
from crm.followups.models import (
    Action,
    Enrolment,
    Interaction,
    InteractionKind,
    Result,
    Task,
)
from crm.followups.seen import programme
from crm.mail.services import may_be_written_to, send_to_programmer

log = logging.getLogger(__name__)


# --- Tasks and the interaction log --------------------------------------------------------------------


def may_handle(user, task) -> bool:
    if user.network_id != task.network_id:
        return False
    if user.role == Role.COORDINATOR or task.assignee_id == user.id:  # a task one took on is one's own
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
                wish_booking(enrolment, row, now=now)
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
