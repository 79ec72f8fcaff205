"""How the follow-up reacts to mail that comes back (the mail layer's events; connected by create_app).

A reply goes on the person's shared timeline, stops the sequence's messages to them (as a one-click
answer does), and hands each company concerned (seen, or met in a held meeting) a task "répondre" with
the text, by e-mail too. An out-of-office note stops nothing: it is noted, and the next steps wait
until the person is back.
"""

import logging
from datetime import time, timedelta

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select, update

from crm.accounts.services import company_addresses
from crm.base.extensions import db
from crm.base.links import external_url
from crm.base.timeutil import to_utc
from crm.contacts.models import Organisation, Programmer
from crm.followups import services
from crm.followups.models import Action, Enrolment, Interaction, InteractionKind, RunState, StepRun, Task
from crm.mail.events import auto_reply_received, reply_received
from crm.mail.models import OutboxMessage
from crm.mail.services import send

log = logging.getLogger(__name__)


def _enrolment(programmer_id: int, answered_message_id: str | None) -> Enrolment | None:
    """The follow-up the message belonged to, else the person's latest one."""
    if answered_message_id:
        found = db.session.scalar(
            select(Enrolment)
            .join(StepRun, StepRun.enrolment_id == Enrolment.id)
            .where(StepRun.message_id == answered_message_id)
        )
        if found is not None:
            return found
    return db.session.scalar(
        select(Enrolment)
        .where(Enrolment.programmer_id == programmer_id)
        .order_by(Enrolment.enrolled_at.desc())
    )


def _company_of(answered_message_id: str | None) -> int | None:
    if not answered_message_id:
        return None
    return db.session.scalar(
        select(OutboxMessage.company_id).where(OutboxMessage.message_id == answered_message_id)
    )


@reply_received.connect
def _on_reply(_network_id, event):
    person = db.session.get(Programmer, event.programmer_id)
    if person is None or person.erased_at is not None:
        return
    enrolment = _enrolment(person.id, event.answered_message_id)
    edition_id = enrolment.sequence.edition_id if enrolment else None
    db.session.add(
        Interaction(
            network_id=person.network_id,
            programmer_id=person.id,
            edition_id=edition_id,
            kind=InteractionKind.REPLY,
            summary=event.text or _("(message sans texte)"),
            occurred_at=event.at,
            created_at=event.at,
        )
    )
    if enrolment is not None:
        enrolment.answered_at = enrolment.answered_at or event.at  # the sequence's messages stop
    rows = _shows_concerned(enrolment, person, _company_of(event.answered_message_id))
    in_charge = services.people_in_charge(rows)
    for row in {r.company_id: r for r in rows}.values():
        task = _reply_task(person, enrolment, row, in_charge.get(row.company_id), event)
        _tell_company(row.company_id, person, task, event.text)
    db.session.flush()
    log.info("reply of programmer %s: %d company task(s)", person.id, len({r.company_id for r in rows}))


def _shows_concerned(enrolment, person, only_company):
    if enrolment is None:
        return []
    edition_id = enrolment.sequence.edition_id
    rows = services.shows_and_meetings([edition_id], [person.id]).get(
        (edition_id, person.id)
    ) or services.programme([edition_id]).get(edition_id, [])
    return [r for r in rows if only_company is None or r.company_id == only_company]


def _reply_task(person, enrolment, row, assignee, event) -> Task:
    task = Task(
        network_id=person.network_id,
        edition_id=enrolment.sequence.edition_id,
        enrolment_id=enrolment.id,
        programmer_id=person.id,
        company_id=row.company_id,
        assignee_id=assignee.id if assignee else None,
        action=Action.REPLY,
        title=_("Répondre à %(name)s (e-mail)", name=person.full_name)[:200],
        inbound_message_id=event.inbound_id,
        due_on=(event.at + timedelta(days=2)).date(),
        created_at=event.at,
    )
    db.session.add(task)
    db.session.flush()
    return task


def _tell_company(company_id, person, task, text) -> None:
    company = db.session.get(Organisation, company_id)
    with force_locale("fr"):
        subject = _("Suivi : %(name)s a répondu par e-mail", name=person.full_name)
        body = _(
            "%(name)s a répondu au message du suivi commun :\n\n%(text)s\n\n"
            "Répondez-lui depuis Vitrine (la réponse part de l'adresse du réseau et revient dans le "
            "même fil), ou notez que vous l'avez appelé·e : %(link)s\n",
            name=person.full_name,
            text="\n".join(f"> {line}" for line in (text or "").splitlines()),
            link=external_url("followups.task", task_id=task.id),
        )
    send(person.network_id, company_addresses(company), subject, body, about_programmer_id=person.id)


@auto_reply_received.connect
def _on_auto_reply(_network_id, event):
    person = db.session.get(Programmer, event.programmer_id)
    if person is None:
        return
    enrolment = _enrolment(person.id, event.answered_message_id)
    summary = (
        _(
            "Absent·e jusqu'au %(day)s (réponse automatique) : les prochaines étapes attendent son retour.",
            day=event.back_on.strftime("%d/%m/%Y"),
        )  # fmt: skip
        if event.back_on
        else _("Réponse automatique (absence), sans date de retour lisible : rien n'est arrêté.")
    )
    db.session.add(
        Interaction(
            network_id=person.network_id,
            programmer_id=person.id,
            edition_id=enrolment.sequence.edition_id if enrolment else None,
            kind=InteractionKind.AUTO_REPLY,
            summary=summary,
            occurred_at=event.at,
            created_at=event.at,
        )
    )
    if enrolment is not None and event.back_on:
        resume = to_utc(event.back_on + timedelta(days=1), time(9))
        db.session.execute(
            update(StepRun)
            .where(
                StepRun.enrolment_id == enrolment.id,
                StepRun.state == RunState.PENDING,
                StepRun.due_at < resume,
            )
            .values(due_at=resume),
            execution_options={"synchronize_session": False},
        )
    db.session.flush()
