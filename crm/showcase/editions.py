"""An edition's rules, venues, time bands and its life from draft to follow-up."""

from flask_babel import format_datetime, ngettext
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from crm.accounts.services import company_addresses
from crm.base.enums import Discipline
from crm.base.errors import DomainError
from crm.base.extensions import db
from crm.base.timeutil import local
from crm.contacts.models import Organisation, OrganisationKind
from crm.mail.services import send
from crm.showcase.events import EditionPublished, edition_published
from crm.showcase.models import (
    Assignment,
    Edition,
    EditionDiscipline,
    EditionStatus,
    EditionVenue,
    Registration,
    Slot,
    SlotStatus,
    TimeBand,
)

S = EditionStatus
TRANSITIONS = {
    S.DRAFT: (S.REGISTRATIONS_OPEN,),
    S.REGISTRATIONS_OPEN: (S.REGISTRATIONS_CLOSED, S.DRAFT),
    S.REGISTRATIONS_CLOSED: (S.PUBLISHED, S.REGISTRATIONS_OPEN),
    S.PUBLISHED: (S.HELD,),
    S.HELD: (S.FOLLOW_UP,),
    S.FOLLOW_UP: (),
}
BOOLEAN_RULES = ("offers_full", "offers_pitch", "rotation")
RULE_FIELDS = (
    "registration_opens_on",
    "registration_closes_on",
    "offers_full",
    "offers_pitch",
    "min_membership_years",
    "max_registrations_per_company",
    "travel_minutes",
    "rotation",
)


def load_for_page(edition) -> None:
    """Load the edition's venues (with hosts), bands and disciplines in a fixed number of queries."""

    db.session.scalars(
        select(Edition)
        .where(Edition.id == edition.id)
        .options(
            selectinload(Edition.venues).joinedload(EditionVenue.venue),
            selectinload(Edition.venues).joinedload(EditionVenue.host_company),
            selectinload(Edition.bands),
            selectinload(Edition.allowed),
        )
    ).one()


def require_planning_open(edition) -> None:
    """Slots and assignments change until the edition is held."""
    if edition.status in (S.HELD, S.FOLLOW_UP):
        raise DomainError(_("L'édition a eu lieu : son programme ne change plus."))


def save_rules(edition, data) -> None:
    opens, closes = data.get("registration_opens_on"), data.get("registration_closes_on")
    if opens and closes and closes < opens:
        raise DomainError(
            _("La clôture des candidatures précède leur ouverture."), field="registration_closes_on"
        )
    if closes and closes > edition.starts_on:
        raise DomainError(
            _("Les candidatures doivent être closes avant l'édition."), field="registration_closes_on"
        )
    if not (data.get("offers_full") or data.get("offers_pitch")):
        raise DomainError(_("Proposez au moins un format."), field="offers_full")
    for key in RULE_FIELDS:
        value = data.get(key)
        setattr(edition, key, bool(value) if key in BOOLEAN_RULES else value)
    edition.travel_minutes = edition.travel_minutes or 0
    chosen = {Discipline(d) for d in data.get("disciplines") or ()}
    edition.allowed = [a for a in edition.allowed if a.discipline in chosen] + [
        EditionDiscipline(discipline=d) for d in sorted(chosen - set(edition.disciplines))
    ]
    db.session.flush()


def set_venues(edition, venue_ids, hosts: dict[int, int | None]) -> None:
    """The venues taking part, each with its host company (rotation networks)."""
    venues = {
        o.id: o
        for o in db.session.scalars(
            select(Organisation).where(
                Organisation.id.in_(venue_ids),
                Organisation.network_id == edition.network_id,
                Organisation.kind == OrganisationKind.STRUCTURE,
            )
        )
    }
    if len(venues) != len(set(venue_ids)):
        raise DomainError(_("Lieu inconnu."), field="venue_ids")
    used = set(db.session.scalars(select(Slot.venue_id).where(Slot.edition_id == edition.id)))
    if used - set(venues):
        raise DomainError(_("Un lieu qui a des créneaux ne peut pas être retiré."), field="venue_ids")
    for host_id in filter(None, hosts.values()):
        host = db.session.get(Organisation, host_id)
        if host is None or host.network_id != edition.network_id or host.kind != OrganisationKind.COMPANY:
            raise DomainError(_("Compagnie accueillante inconnue."), field="venue_ids")
    edition.venues = [EditionVenue(venue_id=v, host_company_id=hosts.get(v)) for v in sorted(venues)]
    db.session.flush()


def suggest_hosts(edition, venues, companies) -> dict[int, tuple]:
    """Host duty rotates: for each venue, the company of its département that hosted longest ago (or never).

    Returns venue id → (company, date it last hosted or None).
    """

    last = dict(
        db.session.execute(
            select(EditionVenue.host_company_id, func.max(Edition.starts_on))
            .join(Edition, Edition.id == EditionVenue.edition_id)
            .where(
                Edition.network_id == edition.network_id,
                Edition.starts_on < edition.starts_on,
                EditionVenue.host_company_id.is_not(None),
            )
            .group_by(EditionVenue.host_company_id)
        ).all()
    )
    suggestions = {}
    for venue in venues:
        local = [c for c in companies if c.departement_code and c.departement_code == venue.departement_code]
        if local:
            company = min(local, key=lambda c: (last.get(c.id) is not None, last.get(c.id), c.name))
            suggestions[venue.id] = (company, last.get(company.id))
    return suggestions


BAND_FIELDS = ("day", "label", "starts", "ends", "accepts_young", "accepts_all")


def add_band(edition, data) -> TimeBand:
    return save_band(edition, None, data)


def save_band(edition, band, data) -> TimeBand:
    """Create (band None) or change a time band; its slots keep it, with the audiences it now takes."""
    if not edition.starts_on <= data["day"] <= edition.ends_on:
        raise DomainError(_("Ce jour n'est pas dans l'édition."), field="day")
    if data["ends"] <= data["starts"]:
        raise DomainError(_("La tranche finit avant de commencer."), field="ends")
    if not (data["accepts_young"] or data["accepts_all"]):
        raise DomainError(_("Une tranche accueille au moins un public."), field="accepts_young")
    if band is None:
        band = TimeBand(edition_id=edition.id)
        db.session.add(band)
    for key in BAND_FIELDS:
        setattr(band, key, data[key])
    db.session.flush()
    return band


def delete_band(band, *, move_to=None) -> int:
    """Delete a band. Slots that use it are moved to `move_to` (another band of the edition) in the same
    step; without one the delete is refused, naming them, since a slot without a band would take every
    audience. Returns how many slots were moved."""
    slots = db.session.scalars(select(Slot).where(Slot.band_id == band.id).order_by(Slot.starts_at)).all()
    if slots and (move_to is None or move_to.edition_id != band.edition_id or move_to.id == band.id):
        when = ", ".join(format_datetime(local(s.starts_at), "EEEE d MMMM HH:mm") for s in slots[:5])
        raise DomainError(
            ngettext(
                "Cette tranche sert à %(num)d créneau (%(when)s) : choisissez la tranche où le déplacer.",
                "Cette tranche sert à %(num)d créneaux (%(when)s) : choisissez la tranche où les déplacer.",
                len(slots),
                when=when + ("…" if len(slots) > 5 else ""),
            ),
            field="move_to",
        )
    for slot in slots:
        slot.band = move_to
    db.session.delete(band)
    db.session.flush()
    return len(slots)


def advance(edition, target, *, now) -> None:
    """Move the edition to its next status, checking what that status needs."""
    target = S(target)
    if target not in TRANSITIONS[edition.status]:
        raise DomainError(
            _("On ne passe pas de « %(a)s » à « %(b)s ».", a=edition.status.label, b=target.label)
        )
    if target == S.REGISTRATIONS_OPEN:
        if not edition.venues:
            raise DomainError(_("Ajoutez au moins un lieu avant d'ouvrir les candidatures."))
        if not edition.registration_closes_on:
            raise DomainError(_("Fixez la date de clôture des candidatures avant de les ouvrir."))
    if target == S.PUBLISHED:
        assigned = db.session.scalar(
            select(func.count()).select_from(Assignment).join(Slot).where(Slot.edition_id == edition.id)
        )
        if not assigned:
            raise DomainError(_("Attribuez au moins un créneau avant de publier le programme."))
        edition.published_at = now
        notify_programme(edition)
    edition.status = target
    db.session.flush()
    if target == S.PUBLISHED:
        edition_published.send(
            edition.network_id, event=EditionPublished(network_id=edition.network_id, edition_id=edition.id)
        )


def notify_programme(edition) -> None:
    """Tell each company with a slot where and when it plays."""
    rows = db.session.execute(
        select(Registration, Slot)
        .join(Assignment, Assignment.registration_id == Registration.id)
        .join(Slot, Slot.id == Assignment.slot_id)
        .where(Slot.edition_id == edition.id)
        .order_by(Slot.starts_at)
    ).all()
    by_company = {}
    for registration, slot in rows:
        by_company.setdefault(registration.company, []).append((registration, slot))
    for company, entries in by_company.items():
        lines = [_slot_line(r.show.title, s) for r, s in entries]
        body = _(
            "Bonjour,\n\nLe programme de %(edition)s est publié. Vos passages :\n\n%(lines)s\n",
            edition=edition.name,
            lines="\n".join(lines),
        )
        send(
            edition.network_id,
            company_addresses(company),
            _("%(edition)s : programme publié", edition=edition.name),
            body,
        )


def _slot_line(title, slot) -> str:
    cancelled = _(" (annulé)") if slot.status == SlotStatus.CANCELLED else ""
    when = format_datetime(local(slot.starts_at), "EEEE d MMMM HH:mm")
    return f"- {when}, {slot.venue.name}\u202f: {title}{cancelled}"


def notify_slot_change(slot, what: str) -> None:
    """After publication, a moved or cancelled slot is announced to the company that plays it."""
    if slot.assignment is None:
        return
    registration = slot.assignment.registration
    edition = registration.edition
    if edition.status != S.PUBLISHED:
        return
    body = _("Bonjour,\n\n%(what)s\n\n%(line)s\n", what=what, line=_slot_line(registration.show.title, slot))
    send(
        edition.network_id,
        company_addresses(registration.company),
        _("%(edition)s : changement de programme", edition=edition.name),
        body,
    )


def performing_companies(edition) -> list[tuple]:
    """(company id, name, cast, performances) for each company on stage, cancelled slots aside."""
    rows = db.session.execute(
        select(Organisation.id, Organisation.name, func.max(Registration.cast_size), func.count(Slot.id))
        .join(Registration, Registration.company_id == Organisation.id)
        .join(Assignment, Assignment.registration_id == Registration.id)
        .join(Slot, Slot.id == Assignment.slot_id)
        .where(Slot.edition_id == edition.id, Slot.status != SlotStatus.CANCELLED)
        .group_by(Organisation.id, Organisation.name)
    ).all()
    return [tuple(r) for r in rows]
