"""Sending invitations with personal links, answering them, and the board of answers."""

from datetime import timedelta

from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from sqlalchemy import func, select

from crm.base.database import claim_rows
from crm.base.errors import DomainError
from crm.base.extensions import db
from crm.base.links import external_url
from crm.base.numbers import row_ids
from crm.base.timeutil import local
from crm.base.tokens import LinkError, hash_token, new_token, sign, unsign
from crm.contacts.models import Programmer
from crm.contacts.privacy import opt_out
from crm.contacts.services import programmers_query
from crm.invitations import carpool
from crm.invitations.models import Answer, Invitation, InvitationDay, InvitationShow
from crm.mail.services import may_be_written_to, send_to_programmer
from crm.showcase.ical import days_calendar
from crm.showcase.models import Assignment, Edition, EditionStatus, Registration, Show, Slot

INVITABLE = (EditionStatus.REGISTRATIONS_CLOSED, EditionStatus.PUBLISHED)


def edition_days(edition) -> list:
    return [
        edition.starts_on + timedelta(days=n) for n in range((edition.ends_on - edition.starts_on).days + 1)
    ]


def recipients(edition, text=None, **filters):
    """Programmers the filters select who are not invited yet and may be contacted."""

    invited = select(Invitation.programmer_id).where(Invitation.edition_id == edition.id)
    return programmers_query(edition.network_id, text, **filters).where(
        Programmer.id.not_in(invited), Programmer.opted_out_at.is_(None)
    )


def chosen(people, selected_ids) -> list:
    """The people the coordinator left ticked in the list (all of them when the list was not shown)."""
    if selected_ids is None:
        return list(people)
    keep = set(row_ids(selected_ids))
    return [p for p in people if p.id in keep]


def invite(edition, programmers, *, link_for, now) -> tuple[int, int]:
    """Create each invitation with its own token and send its message; returns (sent, skipped)."""
    if edition.status not in INVITABLE:
        raise DomainError(_("On invite une fois les candidatures closes."))
    sent = skipped = 0
    days_file = edition_days_file(edition)
    for programmer in programmers:
        if not may_be_written_to(programmer):  # the mail gate says; no message queued at all
            skipped += 1
            continue
        token = new_token()
        db.session.add(
            Invitation(
                edition_id=edition.id, programmer_id=programmer.id, token_hash=hash_token(token), sent_at=now
            )
        )
        links = link_for(token)
        with force_locale(programmer.language if programmer.language in ("fr", "en") else "fr"):
            subject = _("Invitation : %(name)s", name=edition.name)
            body = message(edition, programmer, links)
        send_to_programmer(
            programmer, subject, body, unsubscribe_url=links[1], attachment_ics=days_file, now=now
        )
        sent += 1
    db.session.flush()
    return sent, skipped


def edition_days_file(edition) -> str:
    """The edition's days as an iCalendar file (METHOD:PUBLISH) to add to one's calendar."""

    url = external_url("programme.edition", slug=edition.slug)
    return days_calendar(edition, url=url).to_ical().decode()


def message(edition, programmer, links) -> str:
    """The invitation; as the first message a person may receive, it says where their address comes
    from, why they are written to and how to object (GDPR art. 14 and 21)."""
    answer, stop = links
    days = ", ".join(format_date(d, "EEEE d MMMM") for d in edition_days(edition))
    return _(
        "Bonjour %(name)s,\n\n%(network)s vous invite à %(edition)s (%(days)s).\n\n"
        "Répondez en un clic, sans compte : %(answer)s\n\n"
        "Vous recevez ce message parce que vos coordonnées professionnelles figurent dans l'annuaire "
        "du réseau (origine : %(source)s). "
        "Si vous proposez ou cherchez un covoiturage sur cette page, l'autre personne ne voit que votre "
        "commune de départ tant que vous n'avez pas accepté tous les deux ; ensuite, chacun voit le nom, "
        "la structure, l'e-mail et le téléphone de l'autre. "
        "Pour ne plus rien recevoir de notre part : %(stop)s\n",
        name=programmer.full_name,
        network=edition.network.name,
        edition=edition.name,
        days=days,
        answer=answer,
        source=programmer.source,
        stop=stop,
    )


def signed_token(invitation) -> str:
    """A second personal link for messages written later (the reminder), when the first token is only
    kept as a digest: the invitation's id signed with the secret key."""
    return sign("invitation", invitation.id)


def _by_signed(token: str):
    ids = unsign("invitation", token)
    return db.session.get(Invitation, ids[0]) if ids and len(ids) == 1 else None


def by_token(token: str, *, now) -> Invitation:
    """The invitation behind a personal link, or LinkError with a message for people."""
    invitation = db.session.scalar(select(Invitation).where(Invitation.token_hash == hash_token(token or "")))
    invitation = invitation or _by_signed(token or "")
    if invitation is None:
        raise LinkError(_("Ce lien n'est pas valide. Vérifiez qu'il a été copié en entier."))
    if invitation.programmer.erased_at is not None:
        raise LinkError(_("Ce lien n'est plus valide : les données de cette personne ont été effacées."))
    if now.date() > invitation.edition.ends_on + timedelta(days=30):
        raise LinkError(_("Ce lien a expiré : l'édition est passée."))
    return invitation


def programme_shows(edition) -> list:
    """Shows assigned in the edition's programme, for the interest question."""

    query = (
        select(Show)
        .join(Registration, Registration.show_id == Show.id)
        .join(Assignment, Assignment.registration_id == Registration.id)
        .join(Slot, Slot.id == Assignment.slot_id)
        .where(Slot.edition_id == edition.id)
        .distinct()
        .order_by(Show.title)
    )
    return list(db.session.scalars(query))


def answer(invitation, choice, days, *, now, shows=()) -> None:
    """Record (or change) the answer until the last day of the edition."""
    if now.date() > invitation.edition.ends_on:
        raise DomainError(_("L'édition est terminée : la réponse ne peut plus changer."))
    choice = Answer(choice)
    chosen = {d for d in edition_days(invitation.edition) if d.isoformat() in set(days or ())}
    if choice == Answer.COMING and not chosen:
        raise DomainError(_("Dites quel(s) jour(s) vous venez."), field="days")
    invitation.answer = choice
    invitation.answered_at = now
    invitation.days = [InvitationDay(day=d) for d in sorted(chosen)] if choice != Answer.NOT_COMING else []
    offered = {s.id for s in programme_shows(invitation.edition)}
    wanted = {int(s) for s in shows or () if str(s).isdigit()} & offered
    invitation.shows = [InvitationShow(show_id=s) for s in sorted(wanted)]
    db.session.flush()


def stop_messages(invitation, *, now) -> None:
    opt_out(invitation.programmer, now=now)


def board(edition) -> dict:
    """Invited, answered and coming, overall and per day: counted by the database."""
    base = select(func.count()).select_from(Invitation).where(Invitation.edition_id == edition.id)
    per_answer = dict(
        db.session.execute(
            select(Invitation.answer, func.count())
            .where(Invitation.edition_id == edition.id)
            .group_by(Invitation.answer)
        ).all()
    )
    per_day = dict(
        db.session.execute(
            select(InvitationDay.day, func.count())
            .join(Invitation)
            .where(Invitation.edition_id == edition.id)
            .group_by(InvitationDay.day)
        ).all()
    )
    return {
        "invited": db.session.scalar(base),
        "answered": db.session.scalar(base.where(Invitation.answer.is_not(None))),
        "answers": {a: per_answer.get(a, 0) for a in Answer},
        "days": [(d, per_day.get(d, 0)) for d in edition_days(edition)],
    }


REMINDER_DAYS = 2  # reminders leave two days before the edition's first day


def send_reminders(*, now, link_for) -> int:
    """Remind those who said they would come, once, two days before the edition. Each invitation is
    claimed (reminded_at set) in the same transaction as its message: two workers never both send it."""

    today = local(now).date()
    soon = select(Edition.id).where(
        Edition.status == EditionStatus.PUBLISHED,
        Edition.starts_on > today,
        Edition.starts_on <= today + timedelta(days=REMINDER_DAYS),
    )
    contactable = select(Programmer.id).where(
        Programmer.opted_out_at.is_(None), Programmer.erased_at.is_(None), Programmer.bounced_at.is_(None)
    )
    ids = claim_rows(
        Invitation,
        [
            Invitation.answer == Answer.COMING,
            Invitation.reminded_at.is_(None),
            Invitation.edition_id.in_(soon),
            Invitation.programmer_id.in_(contactable),
        ],
        [Invitation.id],
        500,
        {"reminded_at": now},
    )
    if not ids:
        return 0
    reminded = db.session.scalars(
        select(Invitation)
        .where(Invitation.id.in_(ids))
        .options(
            db.joinedload(Invitation.programmer),
            db.joinedload(Invitation.edition).joinedload(Edition.network),
            db.selectinload(Invitation.days),
        )
    ).all()
    for invitation in reminded:
        edition, person = invitation.edition, invitation.programmer
        answer_link, stop_link, programme_link = link_for(invitation)
        with force_locale(person.language if person.language in ("fr", "en") else "fr"):
            days = ", ".join(format_date(d.day, "EEEE d MMMM") for d in invitation.days)
            subject = _("Rappel : %(name)s", name=edition.name)
            rides = carpool.reminder_text(invitation)
            body = _(
                "Bonjour %(name)s,\n\nVous avez prévu de venir à %(edition)s (%(days)s). Le programme : "
                "%(programme)s\n\n%(carpool)sUn empêchement ? Changez votre réponse : %(answer)s\n\n"
                "Pour ne plus rien recevoir de %(network)s : %(stop)s\n",
                name=person.full_name,
                edition=edition.name,
                days=days,
                programme=programme_link,
                answer=answer_link,
                carpool=f"{rides}\n\n" if rides else "",
                network=edition.network.name,
                stop=stop_link,
            )
        send_to_programmer(person, subject, body, unsubscribe_url=stop_link, now=now)
    db.session.flush()
    return len(reminded)
