"""One-click answers, and the stops they and other outcomes put on the follow-up."""

import logging
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from crm.accounts.services import company_addresses
from crm.base.errors import DomainError
from crm.base.extensions import db
from crm.contacts.models import Organisation
from crm.followups.events import (
    BookingWished,
    FollowupAnswered,
    FollowupStopped,
    booking_wished,
    followup_answered,
    followup_stopped,
)
from crm.followups.models import (
    Action,
    Answer,
    Choice,
    Interaction,
    InteractionKind,
    PairStop,
    Task,
)
from crm.followups.seen import answerable, people_in_charge
from crm.mail.services import send

log = logging.getLogger(__name__)


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
            summary=f"{row.title}\u202f: {choice.label}",
            occurred_at=now,
        )
    )
    if choice == Choice.BOOK:
        wish_booking(enrolment, row, now=now)
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
    followup_answered.send(
        person.network_id,
        event=FollowupAnswered(
            network_id=person.network_id,
            edition_id=edition.id,
            programmer_id=person.id,
            answer_id=answer.id,
            company_id=row.company_id,
            show_id=show_id,
            choice=str(choice),
        ),
    )
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
        _tell_stopped(enrolment, company_id, reason)


def stop_everything(enrolment, *, reason: str, now) -> None:
    if enrolment.stopped_at is None:
        enrolment.stopped_at, enrolment.stop_reason = now, reason
        _tell_stopped(enrolment, None, reason)


def _tell_stopped(enrolment, company_id: int | None, reason: str) -> None:
    person = enrolment.programmer
    followup_stopped.send(
        person.network_id,
        event=FollowupStopped(
            network_id=person.network_id,
            edition_id=enrolment.sequence.edition_id,
            programmer_id=person.id,
            company_id=company_id,
            reason=str(reason),
        ),
    )


def wish_booking(enrolment, row, *, now) -> None:
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
