"""Carpooling between programmers, from their invitation page (no account).

For each day they come, a person says they drive with N free seats or look for a seat, leaving from a
commune (their structure's by default). Vitrine proposes a driver to each passenger of the same day who
leaves near them (RADIUS_KM) or whom the driver passes on the way to the day's first venue (the detour at
most ON_THE_WAY of the direct trip), while seats remain. Each side accepts or refuses; only once both have
accepted do they see each other's name, structure, e-mail and phone (a double opt-in, said on the page).
Either may cancel; the seat is freed and the passenger is proposed another driver. The coordination sees
counts, and who rides with whom only for the pairs where both said it may.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import aliased, joinedload

from crm.base.errors import DomainError
from crm.base.extensions import db
from crm.base.phones import display_phone
from crm.base.timeutil import local
from crm.contacts.models import Organisation, Programmer
from crm.contacts.places import locate
from crm.invitations.models import (
    ACTIVE,
    Answer,
    CarpoolEntry,
    CarpoolMatch,
    CarpoolRole,
    Invitation,
    MatchStatus,
)
from crm.showcase.models import Slot, SlotStatus
from crm.territory import communes
from crm.territory.communes import distance_km

RADIUS_KM = 20  # road km between two departures: near enough to meet
ON_THE_WAY = 1.25  # or the passenger is on the driver's way: the detour adds at most a quarter
MAX_SEATS = 8


@dataclass
class Departure:
    """Where the person leaves from, as the form shows it."""

    postcode: str = ""
    town: str = ""
    commune_code: str | None = None
    choices: tuple = ()


def default_departure(invitation) -> Departure:
    """The commune of the last entry, or else the person's structure's."""
    entry = db.session.scalar(
        select(CarpoolEntry)
        .where(CarpoolEntry.invitation_id == invitation.id)
        .order_by(CarpoolEntry.id.desc())
    )
    code = entry.commune_code if entry else None
    if code is None:
        structure = invitation.programmer.organisation
        code = structure.commune_code if structure else None
    commune = communes.get(code)
    if commune is None:
        return Departure()
    return Departure(commune.postcodes[0] if commune.postcodes else "", commune.name, commune.code)


def entries(invitation) -> dict[date, CarpoolEntry]:
    rows = db.session.scalars(select(CarpoolEntry).where(CarpoolEntry.invitation_id == invitation.id))
    return {row.day: row for row in rows}


def _seats(value) -> int:
    try:
        seats = int(str(value or "").strip())
    except ValueError:
        raise DomainError(_("Indiquez le nombre de places libres (un nombre)."), field="seats") from None
    if not 1 <= seats <= MAX_SEATS:
        raise DomainError(
            _("Indiquez entre 1 et %(n)d places libres.", n=MAX_SEATS), field="seats"
        )  # fmt: skip
    return seats


def save(invitation, wishes: dict, departure: dict, *, shared: bool, now) -> list[CarpoolMatch]:
    """Record what the person wants for each day they come: `wishes` is {day: (role or "", seats)}.
    A day that changes ends its current matches; then each changed day is matched again. Returns the new
    proposals that concern the person."""
    if invitation.answer != Answer.COMING or not invitation.days:
        raise DomainError(_("Dites d'abord que vous venez, et quels jours."), field="answer")
    if now.date() > invitation.edition.ends_on:
        raise DomainError(_("L'édition est terminée."))
    coming = {d.day for d in invitation.days}
    wanted = {}
    for day, (role, seats) in wishes.items():
        if day not in coming or not role:
            continue
        try:
            role = CarpoolRole(role)
        except ValueError:
            raise DomainError(_("Choisissez une option de covoiturage."), field="role") from None
        wanted[day] = (role, _seats(seats) if role == CarpoolRole.DRIVER else 0)
    commune_code = None
    if wanted:
        place = locate(departure.get("postcode"), departure.get("town"), departure.get("commune_code"))
        if place.commune is None:
            problem = place.problem or _("Indiquez le code postal de votre commune de départ.")
            raise DomainError(problem, field=place.field or "postcode")
        commune_code = place.commune.code
    current = entries(invitation)
    changed = set()
    for day in set(current) | set(wanted):
        entry, wish = current.get(day), wanted.get(day)
        if entry is not None and wish is not None:
            if (entry.role, entry.seats, entry.commune_code) != (*wish, commune_code):
                if entry.role != wish[0] or entry.commune_code != commune_code:
                    _end(invitation, day, MatchStatus.CANCELLED, now=now)
                entry.role, entry.seats, entry.commune_code = wish[0], wish[1], commune_code
                changed.add(day)
            entry.shared = shared
        elif entry is not None:
            _end(invitation, day, MatchStatus.CANCELLED, now=now)
            db.session.delete(entry)
            changed.add(day)
        else:
            role, seats = wish
            entry = CarpoolEntry(invitation_id=invitation.id, day=day, role=role, seats=seats,
                                 commune_code=commune_code, shared=shared, created_at=now)  # fmt: skip
            db.session.add(entry)
            changed.add(day)
    db.session.flush()
    proposed = []
    for day in sorted(changed):
        proposed += match(invitation.edition_id, day, now=now)
    return [m for m in proposed if invitation.id in (m.driver_id, m.passenger_id)]


def _end(invitation, day, status, *, now) -> None:
    db.session.execute(
        update(CarpoolMatch)
        .where(
            CarpoolMatch.day == day,
            CarpoolMatch.status.in_(ACTIVE),
            or_(CarpoolMatch.driver_id == invitation.id, CarpoolMatch.passenger_id == invitation.id),
        )
        .values(status=status, ended_at=now)
    )


def destination(edition_id: int, day: date) -> str | None:
    """The commune of the day's first venue (slots in the order they start)."""
    rows = db.session.execute(
        select(Slot.starts_at, Organisation.commune_code)
        .join(Organisation, Organisation.id == Slot.venue_id)
        .where(Slot.edition_id == edition_id, Slot.status == SlotStatus.PLANNED)
        .order_by(Slot.starts_at, Slot.id)
    ).all()
    return next((code for starts_at, code in rows if local(starts_at).date() == day and code), None)


def detour(driver_code: str, passenger_code: str, venue: str | None) -> int | None:
    """The km fetching the passenger adds to the driver's trip, or None when they do not fit together."""
    between = distance_km(driver_code, passenger_code)
    if between is None:
        return None
    if venue is not None:
        direct, via = distance_km(driver_code, venue), between + (distance_km(passenger_code, venue) or 0)
        if direct is not None and (between <= RADIUS_KM or via <= direct * ON_THE_WAY):
            return max(via - direct, 0)
        return None
    return between if between <= RADIUS_KM else None


def match(edition_id: int, day: date, *, now) -> list[CarpoolMatch]:
    """Propose a driver to each passenger of the day who has no current match: among drivers with a free
    seat, the one whose detour is smallest; a pair once refused or cancelled is not proposed again."""
    rows = db.session.execute(
        select(CarpoolEntry)
        .join(Invitation, Invitation.id == CarpoolEntry.invitation_id)
        .join(Programmer, Programmer.id == Invitation.programmer_id)
        .where(
            Invitation.edition_id == edition_id,
            CarpoolEntry.day == day,
            Invitation.answer == Answer.COMING,
            Programmer.erased_at.is_(None),
        )
        .order_by(CarpoolEntry.created_at, CarpoolEntry.id)
    ).scalars()
    drivers, passengers = [], []
    for entry in rows:
        (drivers if entry.role == CarpoolRole.DRIVER else passengers).append(entry)
    if not drivers or not passengers:
        return []
    taken, matched, tried = defaultdict(int), set(), set()
    for row in db.session.scalars(
        select(CarpoolMatch).where(CarpoolMatch.edition_id == edition_id, CarpoolMatch.day == day)
    ):
        tried.add((row.driver_id, row.passenger_id))
        if row.status in ACTIVE:
            taken[row.driver_id] += 1
            matched.add(row.passenger_id)
    venue = destination(edition_id, day)
    made = []
    for passenger in passengers:
        if passenger.invitation_id in matched:
            continue
        best = None
        for driver in drivers:
            if driver.invitation_id == passenger.invitation_id or taken[driver.invitation_id] >= driver.seats:
                continue
            if (driver.invitation_id, passenger.invitation_id) in tried:
                continue
            extra = detour(driver.commune_code, passenger.commune_code, venue)
            if extra is not None and (best is None or extra < best[0]):
                best = (extra, driver)
        if best is None:
            continue
        extra, driver = best
        row = CarpoolMatch(edition_id=edition_id, day=day, driver_id=driver.invitation_id,
                           passenger_id=passenger.invitation_id, status=MatchStatus.PROPOSED,
                           detour_km=extra, created_at=now)  # fmt: skip
        db.session.add(row)
        taken[driver.invitation_id] += 1
        made.append(row)
    db.session.flush()
    return made


def _mine(invitation, match_id) -> CarpoolMatch:
    row = db.session.get(CarpoolMatch, match_id) if str(match_id or "").isdigit() else None
    if row is None or invitation.id not in (row.driver_id, row.passenger_id):
        raise DomainError(_("Cette proposition de covoiturage n'existe plus."))
    return row


def respond(invitation, match_id, choice: str, *, now) -> CarpoolMatch:
    """The person accepts, refuses or cancels a match of theirs."""
    row = _mine(invitation, match_id)
    if row.status not in ACTIVE:
        raise DomainError(_("Ce covoiturage a déjà été refusé ou annulé."))
    if choice == "accept":
        if invitation.id == row.driver_id:
            row.driver_ok = True
        else:
            row.passenger_ok = True
        if row.driver_ok and row.passenger_ok:
            row.status = MatchStatus.ACCEPTED
    elif choice in ("refuse", "cancel"):
        row.status = MatchStatus.REFUSED if row.status == MatchStatus.PROPOSED else MatchStatus.CANCELLED
        row.ended_at = now
        db.session.flush()
        match(row.edition_id, row.day, now=now)  # the passenger may find another driver
    else:
        raise DomainError(_("Choisissez d'accepter ou de refuser."))
    db.session.flush()
    return row


@dataclass
class Seen:
    """A match as one side sees it."""

    match: CarpoolMatch
    i_drive: bool
    other_commune: str
    i_accepted: bool
    other_accepted: bool
    # Name, structure, e-mail and phone: only once both accepted
    contact: dict | None


def seen_by(invitation) -> list[Seen]:
    """The person's current matches, with the other side's contact only when both accepted."""
    rows = db.session.scalars(
        select(CarpoolMatch)
        .where(
            or_(CarpoolMatch.driver_id == invitation.id, CarpoolMatch.passenger_id == invitation.id),
            CarpoolMatch.status.in_(ACTIVE),
        )
        .order_by(CarpoolMatch.day, CarpoolMatch.id)
    ).all()
    other_ids = {row.passenger_id if row.driver_id == invitation.id else row.driver_id for row in rows}
    if not other_ids:
        return []
    others = {
        other.id: other
        for other in db.session.scalars(
            select(Invitation)
            .where(Invitation.id.in_(other_ids))
            .options(joinedload(Invitation.programmer).joinedload(Programmer.organisation))
        )
    }
    departures = {
        (entry.invitation_id, entry.day): entry.commune_code
        for entry in db.session.scalars(select(CarpoolEntry).where(CarpoolEntry.invitation_id.in_(other_ids)))
    }
    seen = []
    for row in rows:
        i_drive = row.driver_id == invitation.id
        other = others[row.passenger_id if i_drive else row.driver_id]
        person = other.programmer
        if person.erased_at is not None:
            continue
        commune = communes.get(departures.get((other.id, row.day)))
        contact = None
        if row.status == MatchStatus.ACCEPTED:
            structure = person.organisation
            contact = {"name": person.full_name, "structure": structure.name if structure else "",
                       "email": person.email, "phone": display_phone(person.phone)}  # fmt: skip
        seen.append(Seen(row, i_drive, commune.name if commune else "?",
                         row.driver_ok if i_drive else row.passenger_ok,
                         row.passenger_ok if i_drive else row.driver_ok, contact))  # fmt: skip
    return seen


def counts(edition) -> dict:
    """What the coordination sees: how many drive, their seats, how many look for one, the matches."""
    entry_counts = dict(
        db.session.execute(
            select(CarpoolEntry.role, func.count())
            .join(Invitation, Invitation.id == CarpoolEntry.invitation_id)
            .where(Invitation.edition_id == edition.id)
            .group_by(CarpoolEntry.role)
        ).all()
    )
    seats = db.session.scalar(
        select(func.coalesce(func.sum(CarpoolEntry.seats), 0))
        .join(Invitation, Invitation.id == CarpoolEntry.invitation_id)
        .where(Invitation.edition_id == edition.id)
    )
    per_status = dict(
        db.session.execute(
            select(CarpoolMatch.status, func.count())
            .where(CarpoolMatch.edition_id == edition.id)
            .group_by(CarpoolMatch.status)
        ).all()
    )
    return {
        "drivers": entry_counts.get(CarpoolRole.DRIVER, 0),
        "seats": seats,
        "passengers": entry_counts.get(CarpoolRole.PASSENGER, 0),
        "proposed": per_status.get(MatchStatus.PROPOSED, 0),
        "accepted": per_status.get(MatchStatus.ACCEPTED, 0),
    }


def shared_pairs(edition) -> list[tuple[date, str, str]]:
    """(day, driver, passenger) of the accepted matches where both let the coordination know."""
    driver_inv, passenger_inv = aliased(Invitation), aliased(Invitation)
    driver, passenger = aliased(Programmer), aliased(Programmer)
    driver_entry, passenger_entry = aliased(CarpoolEntry), aliased(CarpoolEntry)
    rows = db.session.execute(
        select(CarpoolMatch.day, driver, passenger)
        .join(driver_inv, driver_inv.id == CarpoolMatch.driver_id)
        .join(passenger_inv, passenger_inv.id == CarpoolMatch.passenger_id)
        .join(driver, driver.id == driver_inv.programmer_id)
        .join(passenger, passenger.id == passenger_inv.programmer_id)
        .join(driver_entry,
              (driver_entry.invitation_id == driver_inv.id) & (driver_entry.day == CarpoolMatch.day))
        .join(passenger_entry,
              (passenger_entry.invitation_id == passenger_inv.id) & (passenger_entry.day == CarpoolMatch.day))
        .where(CarpoolMatch.edition_id == edition.id, CarpoolMatch.status == MatchStatus.ACCEPTED,
               driver_entry.shared.is_(True), passenger_entry.shared.is_(True),
               driver.erased_at.is_(None), passenger.erased_at.is_(None))
        .order_by(CarpoolMatch.day, CarpoolMatch.id)
    ).all()  # fmt: skip
    return [(day, d.full_name, p.full_name) for day, d, p in rows]


def accepted_rides(edition_ids) -> list[tuple[int, date, int, int]]:
    """(edition, day, driver's programmer id, passenger's programmer id) of every match both accepted."""
    driver_inv, passenger_inv = aliased(Invitation), aliased(Invitation)
    rows = db.session.execute(
        select(CarpoolMatch.edition_id, CarpoolMatch.day, driver_inv.programmer_id,
               passenger_inv.programmer_id)
        .join(driver_inv, driver_inv.id == CarpoolMatch.driver_id)
        .join(passenger_inv, passenger_inv.id == CarpoolMatch.passenger_id)
        .where(CarpoolMatch.edition_id.in_(list(edition_ids)), CarpoolMatch.status == MatchStatus.ACCEPTED)
        .order_by(CarpoolMatch.edition_id, CarpoolMatch.day, CarpoolMatch.id)
    ).all()  # fmt: skip
    return [tuple(row) for row in rows]


def reminder_text(invitation) -> str:
    """The carpool part of the reminder: the rides agreed, with the other person's contact, and the
    proposals still waiting for this person's answer. Empty when there is none."""
    lines = []
    for seen in seen_by(invitation):
        day = format_date(seen.match.day, "EEEE d MMMM")
        if seen.contact:
            contact = ", ".join(part for part in (seen.contact["email"], seen.contact["phone"]) if part)
            who = seen.contact["name"] + (
                f" ({seen.contact['structure']})" if seen.contact["structure"] else ""
            )
            if seen.i_drive:
                lines.append(_("Covoiturage le %(day)s : vous emmenez %(who)s — %(contact)s.",
                               day=day, who=who, contact=contact))  # fmt: skip
            else:
                lines.append(_("Covoiturage le %(day)s : %(who)s vous emmène — %(contact)s.",
                               day=day, who=who, contact=contact))  # fmt: skip
        elif not seen.i_accepted:
            lines.append(_("Un covoiturage vous est proposé le %(day)s (départ de %(commune)s) : "
                           "acceptez-le ou refusez-le sur votre page de réponse.",
                           day=day, commune=seen.other_commune))  # fmt: skip
        else:
            lines.append(
                _(
                    "Covoiturage le %(day)s : vous avez accepté, l'autre personne n'a pas encore répondu.",
                    day=day,
                )
            )
    return "\n".join(lines)
