"""Registrations (candidatures): eligibility with reasons, registering, editing, withdrawing, review."""

from dateutil.relativedelta import relativedelta
from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from crm.accounts.services import company_addresses
from crm.base.enums import Discipline
from crm.base.errors import DomainError
from crm.base.extensions import db
from crm.base.numbers import row_ids
from crm.contacts.models import Organisation
from crm.mail.services import send
from crm.showcase.events import RegistrationDecided, registration_decided
from crm.showcase.models import (
    Assignment,
    EditionStatus,
    Registration,
    RegistrationStatus,
    Show,
    ShowFormat,
)

ACTIVE = (RegistrationStatus.SUBMITTED, RegistrationStatus.ACCEPTED, RegistrationStatus.WAITLISTED)
FIELDS = (
    "format",
    "cast_size",
    "setup_minutes",
    "strike_minutes",
    "stage_width_m",
    "stage_depth_m",
    "needs_blackout",
    "video_url",
    "pitch",
)


class EligibilityError(DomainError):
    """A registration the edition's rules refuse; the message names the rule and the value."""


def _window_open(edition, today) -> None:
    if edition.status != EditionStatus.REGISTRATIONS_OPEN:
        raise EligibilityError(_("Les candidatures ne sont pas ouvertes pour cette édition."))
    if edition.registration_opens_on and today < edition.registration_opens_on:
        raise EligibilityError(
            _(
                "Les candidatures ouvrent le %(d)s.",
                d=format_date(edition.registration_opens_on, "dd/MM/yyyy"),
            )
        )
    if edition.registration_closes_on and today > edition.registration_closes_on:
        raise EligibilityError(
            _(
                "Les candidatures sont closes depuis le %(d)s.",
                d=format_date(edition.registration_closes_on, "dd/MM/yyyy"),
            )
        )


def window_problem(edition, today) -> str | None:
    """Why the edition takes no registration today, with its dates, or None when it does."""
    try:
        _window_open(edition, today)
    except EligibilityError as error:
        opens, closes = edition.registration_opens_on, edition.registration_closes_on
        if opens and closes and edition.status == EditionStatus.DRAFT:
            return _(
                "%(why)s Elles sont prévues du %(a)s au %(b)s.",
                why=error.message,
                a=format_date(opens, "dd/MM/yyyy"),
                b=format_date(closes, "dd/MM/yyyy"),
            )
        return str(error.message)
    return None


def _membership(edition, company) -> None:
    years = edition.min_membership_years
    if not years:
        return
    on = format_date(edition.starts_on, "dd/MM/yyyy")
    if company.member_since is None:
        raise EligibilityError(
            _(
                "Date d'adhésion inconnue : il faut %(n)d ans d'adhésion au %(on)s. "
                "Demandez à la coordination de la renseigner.",
                n=years,
                on=on,
            )
        )
    if company.member_since + relativedelta(years=years) > edition.starts_on:
        since = format_date(company.member_since, "MM/yyyy")
        raise EligibilityError(
            _(
                "Membre depuis le %(since)s : il faut %(n)d ans d'adhésion au %(on)s.",
                since=since,
                n=years,
                on=on,
            )
        )


def check_eligibility(edition, company, show, fmt, *, today, exclude_id=None) -> None:
    """Raise EligibilityError naming the first rule of the edition that refuses this registration."""
    _window_open(edition, today)
    if show.company_id != company.id:
        raise EligibilityError(_("Ce spectacle n'est pas celui de votre compagnie."), field="show_id")
    if ShowFormat(fmt) not in edition.formats:
        raise EligibilityError(
            _("Format non proposé pour cette édition : %(label)s.", label=ShowFormat(fmt).label),
            field="format",
        )
    allowed = edition.disciplines
    if allowed and show.discipline not in allowed:
        raise EligibilityError(
            _(
                "Discipline non retenue pour cette édition : %(label)s (disciplines ouvertes : %(open)s).",
                label=show.discipline.label,
                open=", ".join(str(Discipline(d).label) for d in allowed),
            ),
            field="show_id",
        )
    _membership(edition, company)
    limit = edition.max_registrations_per_company
    if limit and active_count(edition, company, exclude_id) >= limit:
        raise EligibilityError(
            _("Votre compagnie a déjà %(n)d candidature(s) pour cette édition, le maximum.", n=limit)
        )


def active_count(edition, company, exclude_id=None) -> int:
    query = (
        select(func.count())
        .select_from(Registration)
        .where(
            Registration.edition_id == edition.id,
            Registration.company_id == company.id,
            Registration.status.in_(ACTIVE),
        )
    )
    if exclude_id:
        query = query.where(Registration.id != exclude_id)
    return db.session.scalar(query)


def _apply(registration, edition, show, data) -> None:
    """Copy the form onto the registration; what is left empty comes from the show's own record."""
    for key in FIELDS:
        if key in data:
            setattr(registration, key, data[key])
    registration.format = ShowFormat(registration.format)
    registration.video_url = (registration.video_url or "").strip() or show.video_url
    for key in ("cast_size", "setup_minutes", "strike_minutes"):
        if getattr(registration, key) is None:
            setattr(registration, key, getattr(show, key))
    wanted = set(row_ids(data.get("band_ids")))
    bands = [b for b in edition.bands if b.id in wanted]
    if len(bands) != len(wanted):
        raise DomainError(_("Tranche horaire inconnue."), field="band_ids")
    registration.bands = bands


def register(edition, company, data, *, actor, today) -> Registration:
    """Create a company's registration of one of its shows, after checking the edition's rules."""
    show = db.session.get(Show, data["show_id"])
    if show is None:
        raise EligibilityError(_("Spectacle inconnu."), field="show_id")
    existing = db.session.scalar(
        select(Registration).where(Registration.edition_id == edition.id, Registration.show_id == show.id)
    )
    if existing is not None and existing.status != RegistrationStatus.WITHDRAWN:
        raise DomainError(_("Ce spectacle est déjà candidat à cette édition."), field="show_id")
    check_eligibility(edition, company, show, data["format"], today=today)
    registration = existing or Registration(edition_id=edition.id, company_id=company.id, show_id=show.id)
    registration.status = RegistrationStatus.SUBMITTED
    registration.created_by_id = actor.id
    _apply(registration, edition, show, data)
    try:
        with db.session.begin_nested():
            db.session.add(registration)
    except IntegrityError:
        # The same show registered at the same moment in another tab: the database kept the other one.
        raise DomainError(_("Ce spectacle est déjà candidat à cette édition."), field="show_id") from None
    return registration


def update(registration, data, *, today) -> Registration:
    edition = registration.edition
    _window_open(edition, today)
    check_eligibility(
        edition,
        registration.company,
        registration.show,
        data["format"],
        today=today,
        exclude_id=registration.id,
    )
    _apply(registration, edition, registration.show, data)
    db.session.flush()
    return registration


def withdraw(registration, *, today) -> None:
    _window_open(registration.edition, today)
    registration.status = RegistrationStatus.WITHDRAWN
    db.session.flush()


DECISIONS = (RegistrationStatus.ACCEPTED, RegistrationStatus.WAITLISTED, RegistrationStatus.DECLINED)


def decide(registration, decision, message: str | None) -> None:
    """Accept, waitlist or decline; the company is told, with the coordinator's message."""
    decision = RegistrationStatus(decision)
    if decision not in DECISIONS or registration.status == RegistrationStatus.WITHDRAWN:
        raise DomainError(_("Cette décision n'est pas possible pour cette candidature."))
    registration.status = decision
    registration.decision_message = (message or "").strip() or None
    edition = registration.edition
    body = _(
        "Bonjour,\n\nVotre candidature « %(show)s » pour %(edition)s : %(decision)s.\n",
        show=registration.show.title,
        edition=edition.name,
        decision=decision.label,
    )
    if registration.decision_message:
        body += _("\nMessage de la coordination :\n%(message)s\n", message=registration.decision_message)
    send(
        edition.network_id,
        company_addresses(registration.company),
        _("%(edition)s : votre candidature", edition=edition.name),
        body,
    )
    db.session.flush()
    registration_decided.send(
        edition.network_id,
        event=RegistrationDecided(
            network_id=edition.network_id,
            edition_id=edition.id,
            registration_id=registration.id,
            decision=str(decision),
        ),
    )


def set_max_slots(registration, count: int) -> None:
    """A coordinator may give a registration more than one slot (never fewer than it already has)."""

    placed = db.session.scalar(
        select(func.count()).select_from(Assignment).where(Assignment.registration_id == registration.id)
    )
    if not 1 <= count <= 10:
        raise DomainError(_("Entre 1 et 10 créneaux."), field="max_slots")
    if count < placed:
        raise DomainError(
            _("Cette candidature a déjà %(n)d créneaux : retirez-en d'abord.", n=placed), field="max_slots"
        )
    registration.max_slots = count
    db.session.flush()


def review_query(edition, *, status=None, discipline=None, audience=None, departement=None):
    """The coordinator's review table: registrations of an edition with optional filters."""
    query = (
        select(Registration)
        .join(Show, Show.id == Registration.show_id)
        .join(Organisation, Organisation.id == Registration.company_id)
        .where(Registration.edition_id == edition.id)
        .options(
            joinedload(Registration.show), joinedload(Registration.company), selectinload(Registration.bands)
        )
        .order_by(Organisation.name, Show.title)
    )
    if status:
        query = query.where(Registration.status == status)
    if discipline:
        query = query.where(Show.discipline == discipline)
    if audience:
        query = query.where(Show.audience == audience)
    if departement:
        query = query.where(Organisation.departement_code == departement)
    return query


def company_registrations(edition_ids, company_id) -> list[Registration]:
    query = (
        select(Registration)
        .where(Registration.company_id == company_id, Registration.edition_id.in_(edition_ids))
        .options(joinedload(Registration.show))
    )
    return list(db.session.scalars(query))
