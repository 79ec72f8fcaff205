"""Slots and assignments: generation, moves, cancellations, manual and automatic assignment."""

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from crm.base.database import utcnow
from crm.base.errors import DomainError
from crm.base.extensions import db
from crm.base.i18n import reasons
from crm.base.timeutil import to_utc
from crm.showcase import solver, travel
from crm.showcase.editions import notify_slot_change, require_planning_open
from crm.showcase.events import SlotCancelled, SlotChanged, slot_cancelled, slot_changed
from crm.showcase.models import (
    Assignment,
    Edition,
    Registration,
    RegistrationStatus,
    ShowFormat,
    Slot,
    SlotStatus,
)
from crm.showcase.rules import OVERRIDABLE, RegistrationFacts, Rule, SlotFacts, clash, pair_violations
from crm.territory.carbon import cars_for


class AssignmentConflictError(DomainError):
    """An assignment that breaks hard rules; `rules` lists them for the coordinator."""

    def __init__(self, rules: list[Rule]):
        self.rules = rules
        super().__init__(_("Conflit : %(rules)s.", rules=reasons(r.label for r in rules)))


# --- slots -----------------------------------------------------------------------------------


def _venue_ids(edition) -> set[int]:
    return {v.venue_id for v in edition.venues}


def _band_for(edition, starts: datetime, ends: datetime):
    for band in edition.bands:
        if to_utc(band.day, band.starts) <= starts and ends <= to_utc(band.day, band.ends):
            return band
    return None


def _check_slot(edition, venue_id, starts, ends, *, ignore_id=None) -> None:
    require_planning_open(edition)
    if venue_id not in _venue_ids(edition):
        raise DomainError(_("Ce lieu ne participe pas à l'édition."), field="venue_id")
    if ends <= starts:
        raise DomainError(_("Le créneau finit avant de commencer."), field="ends")
    if not (
        to_utc(edition.starts_on, datetime.min.time()) <= starts
        and ends <= to_utc(edition.ends_on + timedelta(days=1), datetime.min.time())
    ):
        raise DomainError(_("Le créneau n'est pas dans les dates de l'édition."), field="day")
    overlapping = db.session.scalar(
        select(Slot.id).where(
            Slot.edition_id == edition.id,
            Slot.venue_id == venue_id,
            Slot.status == SlotStatus.PLANNED,
            Slot.starts_at < ends,
            Slot.ends_at > starts,
            Slot.id != (ignore_id or 0),
        )
    )
    if overlapping:
        raise DomainError(_("Ce lieu a déjà un créneau qui chevauche celui-ci."), field="starts")


def create_slot(edition, data) -> Slot:
    """One full-show slot (set-up and strike included) at a venue."""
    starts, ends = to_utc(data["day"], data["starts"]), to_utc(data["day"], data["ends"])
    _check_slot(edition, data["venue_id"], starts, ends)
    slot = Slot(
        edition_id=edition.id,
        venue_id=data["venue_id"],
        format=ShowFormat(data.get("format") or "full"),
        starts_at=starts,
        ends_at=ends,
        band=_band_for(edition, starts, ends),
    )
    db.session.add(slot)
    db.session.flush()
    return slot


def create_pitch_series(edition, data) -> list[Slot]:
    """`count` short presentations from a start time, each `pitch_minutes` long, `changeover` apart."""
    if data["count"] < 1:
        raise DomainError(_("Au moins une présentation."), field="count")
    first = to_utc(data["day"], data["starts"])
    length, gap = timedelta(minutes=data["pitch_minutes"]), timedelta(minutes=data["changeover_minutes"])
    slots = []
    for n in range(data["count"]):
        starts = first + n * (length + gap)
        _check_slot(edition, data["venue_id"], starts, starts + length)
        slot = Slot(
            edition_id=edition.id,
            venue_id=data["venue_id"],
            format=ShowFormat.PITCH,
            starts_at=starts,
            ends_at=starts + length,
            band=_band_for(edition, starts, starts + length),
        )
        db.session.add(slot)
        db.session.flush()
        slots.append(slot)
    return slots


def move_slot(slot, data) -> None:
    """New time or venue; the company is told when the programme is already published."""
    edition = db.session.get(Edition, slot.edition_id)
    starts, ends = to_utc(data["day"], data["starts"]), to_utc(data["day"], data["ends"])
    _check_slot(edition, data["venue_id"], starts, ends, ignore_id=slot.id)
    slot.venue_id, slot.starts_at, slot.ends_at = data["venue_id"], starts, ends
    slot.band = _band_for(edition, starts, ends)
    slot.sequence += 1
    db.session.flush()
    db.session.refresh(slot)
    if slot.assignment:
        rules = assignment_conflicts(slot.assignment)
        if rules:
            raise AssignmentConflictError(rules)
    notify_slot_change(slot, _("Votre passage change d'heure ou de lieu :"))
    tell_slot_changed(slot, edition, "moved")


def cancel_slot(slot) -> None:
    """A cancelled slot is kept and shown as cancelled, never silently deleted."""
    edition = db.session.get(Edition, slot.edition_id)
    require_planning_open(edition)
    slot.status = SlotStatus.CANCELLED
    slot.sequence += 1
    db.session.flush()
    notify_slot_change(slot, _("Votre passage est annulé :"))
    slot_cancelled.send(
        edition.network_id,
        event=SlotCancelled(network_id=edition.network_id, edition_id=edition.id, slot_id=slot.id),
    )


def tell_slot_changed(slot, edition, what: str) -> None:
    """The domain event of a slot moved, or whose show changed (`what`); the slot's `updated_at` moves
    too, so whoever synchronises by it sees a show placed or taken off."""
    slot.updated_at = utcnow()
    slot_changed.send(
        edition.network_id,
        event=SlotChanged(network_id=edition.network_id, edition_id=edition.id, slot_id=slot.id, what=what),
    )


def delete_slot(slot) -> None:
    edition = db.session.get(Edition, slot.edition_id)
    if edition.published_at or slot.assignment is not None:
        raise DomainError(_("Ce créneau est attribué ou publié : annulez-le plutôt."))
    db.session.delete(slot)
    db.session.flush()


# --- facts for the rules ---------------------------------------------------------------------


def slot_facts(slot, edition) -> SlotFacts:
    host = next((v.host_company_id for v in edition.venues if v.venue_id == slot.venue_id), None)
    band, venue = slot.band, slot.venue
    return SlotFacts(
        id=slot.id,
        venue_id=slot.venue_id,
        venue_departement=venue.departement_code,
        host_company_id=host,
        starts=slot.starts_at,
        ends=slot.ends_at,
        format=slot.format.value,
        accepts_young=band.accepts_young if band else True,
        accepts_all=band.accepts_all if band else True,
        band_id=slot.band_id,
        stage_width=venue.stage_width_m,
        stage_depth=venue.stage_depth_m,
        blackout=venue.has_blackout,
        cancelled=slot.status == SlotStatus.CANCELLED,
        venue_commune=venue.commune_code,
    )


def registration_facts(registration, edition, favoured=frozenset()) -> RegistrationFacts:
    show = registration.show
    company = registration.company
    hosted = frozenset(v.venue_id for v in edition.venues if v.host_company_id == company.id)
    return RegistrationFacts(
        id=registration.id,
        company_id=company.id,
        company_departement=company.departement_code,
        format=registration.format.value,
        young_audience=show.audience == "young",
        duration=show.duration_minutes,
        setup=registration.setup_minutes,
        strike=registration.strike_minutes,
        stage_width=registration.stage_width_m,
        stage_depth=registration.stage_depth_m,
        needs_blackout=registration.needs_blackout,
        max_slots=registration.max_slots,
        available_bands=frozenset(b.id for b in registration.bands),
        hosted_venues=hosted,
        favoured=company.id in favoured,
        commune=company.commune_code,
        cars=cars_for(registration.cast_size or show.cast_size),
    )


def edition_slots(edition) -> list[Slot]:
    query = (
        select(Slot)
        .where(Slot.edition_id == edition.id)
        .options(
            joinedload(Slot.venue),
            joinedload(Slot.band),
            joinedload(Slot.assignment).joinedload(Assignment.registration).joinedload(Registration.show),
            joinedload(Slot.assignment).joinedload(Assignment.registration).joinedload(Registration.company),
            joinedload(Slot.assignment).joinedload(Assignment.registration).selectinload(Registration.bands),
        )
        .order_by(Slot.starts_at, Slot.venue_id)
    )
    return list(db.session.scalars(query).unique())


def accepted_registrations(edition) -> list[Registration]:
    query = (
        select(Registration)
        .where(Registration.edition_id == edition.id, Registration.status == RegistrationStatus.ACCEPTED)
        # by their keys (IN lists), so that the indexes answer whatever the size of the directory
        .options(
            selectinload(Registration.show),
            selectinload(Registration.company),
            selectinload(Registration.bands),
        )
        .order_by(Registration.id)
    )
    return list(db.session.scalars(query).unique())


def favoured_companies(edition) -> frozenset[int]:
    """Companies the network's previous edition declined, waitlisted, or accepted without a slot."""
    previous = db.session.scalar(
        select(Edition.id)
        .where(Edition.network_id == edition.network_id, Edition.starts_on < edition.starts_on)
        .order_by(Edition.starts_on.desc())
        .limit(1)
    )
    if previous is None:
        return frozenset()
    left_out = select(Registration.company_id).where(
        Registration.edition_id == previous,
        (Registration.status.in_([RegistrationStatus.DECLINED, RegistrationStatus.WAITLISTED]))
        | (
            (Registration.status == RegistrationStatus.ACCEPTED)
            & ~select(Assignment.id).where(Assignment.registration_id == Registration.id).exists()
        ),
    )
    return frozenset(db.session.scalars(left_out))


# --- assignment ------------------------------------------------------------------------------


def plan_conflicts(edition, slots) -> dict[int, list[Rule]]:
    """Each assigned slot's broken rules, from rows already loaded (no query per slot)."""
    facts = {s.id: slot_facts(s, edition) for s in slots}
    placed = [(s, s.assignment.registration) for s in slots if s.assignment is not None]
    regs = {r.id: registration_facts(r, edition) for _, r in placed}
    uses = {}
    by_company = {}
    for slot, reg in placed:
        uses[reg.id] = uses.get(reg.id, 0) + 1
        by_company.setdefault(reg.company_id, []).append(slot)
    conflicts = {}
    for slot, reg in placed:
        rules = pair_violations(regs[reg.id], facts[slot.id], edition.rotation)
        for other in by_company[reg.company_id]:
            both_planned = SlotStatus.CANCELLED not in (slot.status, other.status)
            rule = (
                clash(facts[slot.id], facts[other.id], edition.travel_minutes) if other is not slot else None
            )
            if both_planned and rule and rule not in rules:
                rules.append(rule)
        if uses[reg.id] > reg.max_slots:
            rules.append(Rule.SLOTS_PER_REGISTRATION)
        conflicts[slot.id] = rules
    return conflicts


def assignment_conflicts(assignment) -> list[Rule]:
    """Hard rules an existing assignment breaks, given the rest of the plan."""
    slot, registration = assignment.slot, assignment.registration
    edition = registration.edition
    return _conflicts(slot, registration, edition, ignore_assignment=assignment.id)


def _conflicts(slot, registration, edition, ignore_assignment=None) -> list[Rule]:
    facts = slot_facts(slot, edition)
    rules = pair_violations(registration_facts(registration, edition), facts, edition.rotation)
    others = db.session.execute(
        select(Assignment.id, Assignment.registration_id, Slot)
        .join(Slot, Slot.id == Assignment.slot_id)
        .join(Registration, Registration.id == Assignment.registration_id)
        .where(
            Registration.company_id == registration.company_id,
            Slot.edition_id == edition.id,
            Slot.status == SlotStatus.PLANNED,
            Assignment.id != (ignore_assignment or 0),
        )
    ).all()
    for _id, _reg, other in others:
        if other.id != slot.id:
            rule = clash(facts, slot_facts(other, edition), edition.travel_minutes)
            if rule and rule not in rules:
                rules.append(rule)
    if sum(1 for _id, reg_id, _s in others if reg_id == registration.id) >= registration.max_slots:
        rules.append(Rule.SLOTS_PER_REGISTRATION)
    return rules


def assign(slot, registration, *, actor, override_reason: str | None = None) -> Assignment:
    """Place an accepted registration in a slot; conflicts refuse it unless knowingly overridden."""
    edition = registration.edition
    require_planning_open(edition)
    if registration.edition_id != slot.edition_id or registration.status != RegistrationStatus.ACCEPTED:
        raise DomainError(_("Seule une candidature retenue de cette édition peut être placée."))
    rules = _conflicts(slot, registration, edition)
    if slot.assignment is not None:
        rules.insert(0, Rule.SLOT_TAKEN)
    reason = (override_reason or "").strip()
    if rules and (not reason or any(r not in OVERRIDABLE for r in rules)):
        raise AssignmentConflictError(rules)
    try:
        with db.session.begin_nested():
            assignment = Assignment(
                slot=slot,
                registration=registration,
                created_by_id=actor.id,
                override_reason=reason if rules else None,
            )
            db.session.add(assignment)
    except IntegrityError:
        db.session.expire(slot)
        # Another coordinator filled this slot a moment ago: the database kept their choice.
        raise AssignmentConflictError([Rule.SLOT_TAKEN]) from None
    tell_slot_changed(slot, edition, "assigned")
    return assignment


def unassign(assignment) -> None:
    edition = assignment.registration.edition
    require_planning_open(edition)
    slot = assignment.slot
    db.session.delete(assignment)
    db.session.flush()
    tell_slot_changed(slot, edition, "unassigned")


def solve(edition, *, seconds: float = 10.0, hint=(), repeatable=False, travel="none"):
    """The solver's answer for this edition, keeping the assignments already made; nothing saved.

    `hint` [(registration id, slot id)] is a plan to start the search from, such as the last proposal;
    `travel` how much the companies' road travel counts ("none", "some", "a_lot").
    """
    require_planning_open(edition)
    slots = edition_slots(edition)
    registrations = accepted_registrations(edition)
    favoured = favoured_companies(edition)
    fixed = [(s.assignment.registration_id, s.id) for s in slots if s.assignment is not None]
    result = solver.solve(
        [registration_facts(r, edition, favoured) for r in registrations],
        [slot_facts(s, edition) for s in slots],
        rotation=edition.rotation,
        travel_minutes=edition.travel_minutes,
        fixed=fixed,
        hint=hint,
        seconds=seconds,
        repeatable=repeatable,
        travel=travel,
    )
    return result, slots, registrations


def plan_travel(edition, slots, registrations, plan) -> tuple[int, frozenset[int]]:
    """Vehicle-km of the companies for a plan [(registration id, slot id)] of this edition, from rows already
    loaded (no query), and the companies whose km are unknown (no commune, or their venue has none)."""
    known = {r.id: r for r in registrations}
    known.update({s.assignment.registration_id: s.assignment.registration for s in slots if s.assignment})
    return travel.plan_km(
        plan,
        [registration_facts(r, edition) for r in known.values()],
        [slot_facts(s, edition) for s in slots if s.status == SlotStatus.PLANNED],
    )


def saved_plan(slots) -> list[tuple[int, int]]:
    """The assignments on the grid now, in slots still planned."""
    return [
        (s.assignment.registration_id, s.id)
        for s in slots
        if s.assignment is not None and s.status == SlotStatus.PLANNED
    ]


def auto_assign(
    edition, *, actor, seconds: float = 10.0, repeatable=False, travel="none"
) -> solver.SolverResult:
    """Place every accepted registration the rules allow, keeping the assignments already made."""
    result, slots, registrations = solve(edition, seconds=seconds, repeatable=repeatable, travel=travel)
    slot_by_id, registration_by_id = {s.id: s for s in slots}, {r.id: r for r in registrations}
    for registration_id, slot_id in result.plan:
        db.session.add(
            Assignment(
                slot=slot_by_id[slot_id],
                registration=registration_by_id[registration_id],
                created_by_id=actor.id,
            )
        )
    db.session.flush()
    for _registration_id, slot_id in result.plan:
        tell_slot_changed(slot_by_id[slot_id], edition, "assigned")
    return result
