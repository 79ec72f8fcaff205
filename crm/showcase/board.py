"""The planning board: a timetable per day, the shows still waiting for a slot, moves and proposals.

Every move goes through `planning.assign`, so the board obeys the same rules as the forms.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from crm.base.errors import DomainError
from crm.base.extensions import db
from crm.base.i18n import reasons
from crm.base.timeutil import local
from crm.showcase import planning, solver
from crm.showcase.models import (
    Edition,
    PlanProposal,
    Registration,
    ShowFormat,
    Slot,
    SlotStatus,
    TravelWeight,
)
from crm.showcase.rules import Rule

# The board's vertical scale: the shortest slot of the day is drawn at least this tall (pixels).
SHORTEST_SLOT_PX = 52
MIN_PX_PER_MINUTE, MAX_PX_PER_MINUTE = 1.2, 5.0


@dataclass
class BoardSlot:
    slot: Slot
    start: int  # minutes after local midnight
    minutes: int
    setup: int = 0
    strike: int = 0
    conflicts: list = field(default_factory=list)
    proposed: Registration | None = None


@dataclass
class BoardDay:
    day: date
    first: int  # minutes after midnight where the drawing starts (a whole hour)
    last: int
    px_per_minute: float
    columns: list  # [(venue, [BoardSlot])]
    series: list  # first slot id of each pitch series of the day that has a hole or a late start

    @property
    def hours(self) -> list[int]:
        return list(range(self.first // 60, self.last // 60 + 1))


def _minute_of_day(moment) -> int:
    moment = local(moment)
    return moment.hour * 60 + moment.minute


def days(edition, slots, conflicts, proposal_map=None) -> list[BoardDay]:
    """The edition's slots laid out per local day and venue, with the scale to draw them at."""
    proposal_map = proposal_map or {}
    venues = [v.venue for v in edition.venues]
    per_day = defaultdict(lambda: defaultdict(list))
    for slot in slots:
        registration = slot.assignment.registration if slot.assignment else None
        if slot.format != ShowFormat.FULL:
            registration = None  # a short presentation has no set-up or strike of its own
        per_day[local(slot.starts_at).date()][slot.venue_id].append(
            BoardSlot(
                slot=slot,
                start=_minute_of_day(slot.starts_at),
                minutes=slot.minutes,
                setup=min(registration.setup_minutes, slot.minutes) if registration else 0,
                strike=min(registration.strike_minutes, max(0, slot.minutes - registration.setup_minutes))
                if registration
                else 0,
                conflicts=conflicts.get(slot.id, []),
                proposed=proposal_map.get(slot.id),
            )
        )
    holes = set(packable_series(edition, slots))
    laid_out = []
    for day in sorted(per_day):
        entries = [e for column in per_day[day].values() for e in column]
        first = min(e.start for e in entries) // 60 * 60
        last = min(24 * 60, -(-max(e.start + e.minutes for e in entries) // 60) * 60)
        shortest = min(e.minutes for e in entries) or 1
        scale = max(MIN_PX_PER_MINUTE, min(MAX_PX_PER_MINUTE, SHORTEST_SLOT_PX / shortest))
        columns = [(venue, per_day[day].get(venue.id, [])) for venue in venues]
        series = [e.slot.id for _v, column in columns for e in column if e.slot.id in holes]
        laid_out.append(BoardDay(day, first, last, round(scale, 2), columns, series))
    return laid_out


def waiting(slots, registrations, *, fmt=None, audience=None) -> list[tuple[Registration, int]]:
    """Accepted registrations with slots still to get, and how many, filtered by format and audience."""
    placed = Counter(
        s.assignment.registration_id
        for s in slots
        if s.assignment is not None and s.status == SlotStatus.PLANNED
    )
    rows = []
    for registration in registrations:
        left = registration.max_slots - placed[registration.id]
        if left <= 0:
            continue
        if fmt and registration.format.value != fmt:
            continue
        if audience and registration.show.audience.value != audience:
            continue
        rows.append((registration, left))
    return rows


# --- moves -----------------------------------------------------------------------------------


def move(edition, registration, *, to_slot, from_slot, actor, reason=None) -> dict | None:
    """Place a show, move it to another slot, or take it back to the waiting list.

    Returns the move that undoes this one (None when nothing changed). Conflicts raise
    `AssignmentConflictError` with the broken rules, and nothing is changed.
    """
    if registration.edition_id != edition.id or (to_slot is not None and to_slot.edition_id != edition.id):
        raise DomainError(_("Ce spectacle ou ce créneau n'est pas dans cette édition."))
    if to_slot is None and from_slot is None:
        raise DomainError(_("Choisissez un créneau."))
    previous_reason = None
    if from_slot is not None:
        current = from_slot.assignment
        if (
            from_slot.edition_id != edition.id
            or current is None
            or current.registration_id != registration.id
        ):
            raise DomainError(
                _("Ce spectacle n'est plus dans ce créneau : la grille a changé, rechargez-la.")
            )
        if to_slot is not None and to_slot.id == from_slot.id:
            return None
        previous_reason = current.override_reason
        planning.unassign(current)
        db.session.expire(from_slot, ["assignment"])
    if to_slot is not None:
        planning.assign(to_slot, registration, actor=actor, override_reason=reason)
    return {
        "registration_id": registration.id,
        "slot_id": from_slot.id if from_slot else None,
        "from_slot_id": to_slot.id if to_slot else None,
        "reason": previous_reason,
    }


def _series_of(edition, slots) -> list[list[Slot]]:
    by_id = {s.id: s for s in slots}
    facts = [planning.slot_facts(s, edition) for s in slots]
    return [[by_id[f.id] for f in run] for run in solver.pitch_series(facts)]


def packable_series(edition, slots) -> list[int]:
    """First slot of each pitch series whose presentations do not start at its first slot, or leave holes."""
    found = []
    for run in _series_of(edition, slots):
        used = [s.assignment is not None for s in run]
        if any(used) and used != sorted(used, reverse=True):
            found.append(run[0].id)
    return found


def pack_series(edition, slot, *, actor) -> int:
    """Move a series' presentations up to its first slots, keeping their order; how many moved."""
    slots = planning.edition_slots(edition)
    run = next((r for r in _series_of(edition, slots) if slot.id in {s.id for s in r}), None)
    if run is None:
        raise DomainError(_("Ce créneau ne fait pas partie d'une série de présentations courtes."))
    placed = [(s, s.assignment.registration, s.assignment.override_reason) for s in run if s.assignment]
    targets = run[: len(placed)]
    moved = sum(1 for (was, _r, _o), target in zip(placed, targets, strict=True) if was.id != target.id)
    if not moved:
        return 0
    for was, _registration, _reason in placed:
        planning.unassign(was.assignment)
        db.session.expire(was, ["assignment"])
    for (_was, registration, reason), target in zip(placed, targets, strict=True):
        try:
            planning.assign(target, registration, actor=actor, override_reason=reason)
        except planning.AssignmentConflictError as error:
            raise DomainError(
                _(
                    "« %(show)s » ne peut pas passer à %(time)s : %(rules)s. Rien n'a été déplacé.",
                    show=registration.show.title,
                    time=local(target.starts_at).strftime("%H:%M"),
                    rules=reasons(r.label for r in error.rules),
                )
            ) from None
    return moved


# --- proposals -------------------------------------------------------------------------------


def propose(edition, *, actor, seconds: float = 10.0, travel: str = "none") -> PlanProposal:
    """Run the automatic assignment and keep its answer to show, without placing anything.

    The search starts from the edition's last proposal not yet accepted, if any: what still holds of it
    is a good first plan. `travel`: how much the companies' road travel counts ("none", "some", "a_lot").
    """
    last = db.session.scalar(
        select(PlanProposal).filter_by(edition_id=edition.id).order_by(PlanProposal.id.desc()).limit(1)
    )
    hint = [(r, s) for r, s in last.plan] if last is not None else ()
    result, slots, registrations = planning.solve(edition, seconds=seconds, hint=hint, travel=travel)
    already = {s.assignment.registration_id for s in slots if s.assignment is not None}
    proposal = PlanProposal(
        edition_id=edition.id,
        created_by_id=actor.id,
        plan=[[r, s] for r, s in sorted(result.plan, key=lambda pair: pair[1])],
        unassigned={
            str(r): [[str(rule), n] for rule, n in reasons] for r, reasons in result.unassigned.items()
        },
        considered=sum(1 for r in registrations if r.id not in already),
        already_placed=len(already),
        respected=result.respected,
        found=result.found,
        optimal=result.optimal,
        seconds=round(result.seconds, 2),
        travel=TravelWeight(travel),
    )
    db.session.add(proposal)
    db.session.flush()
    return proposal


@dataclass
class Travel:
    km: int  # vehicle-km of the companies once the proposal is accepted whole
    current_km: int  # vehicle-km of the plan as saved now
    unknown: int  # companies of either plan whose km are unknown (counted as none)


def proposal_travel(edition, proposal, slots, registrations) -> Travel:
    """The companies' road travel with the proposal and as things stand, from rows already loaded."""
    current = planning.saved_plan(slots)
    now_km, now_unknown = planning.plan_travel(edition, slots, registrations, current)
    added_km, added_unknown = planning.plan_travel(
        edition, slots, registrations, [tuple(pair) for pair in proposal.plan]
    )
    return Travel(now_km + added_km, now_km, len(now_unknown | added_unknown))


def proposal_reasons(proposal) -> dict[int, list[tuple[Rule, int]]]:
    return {int(r): [(Rule(rule), n) for rule, n in reasons] for r, reasons in proposal.unassigned.items()}


def accept(proposal, chosen: set[tuple[int, int]], *, actor) -> tuple[int, list]:
    """Save the chosen placements of a proposal, each checked again; the proposal is then used up.

    Returns how many were placed, and [(registration, slot, rules)] for those the plan no longer allows.
    """
    edition = db.session.get(Edition, proposal.edition_id)
    slots = {s.id: s for s in planning.edition_slots(edition)}
    registrations = {r.id: r for r in planning.accepted_registrations(edition)}
    placed, refused = 0, []
    for registration_id, slot_id in proposal.plan:
        if (registration_id, slot_id) not in chosen:
            continue
        registration, slot = registrations.get(registration_id), slots.get(slot_id)
        if registration is None or slot is None:
            continue  # withdrawn or deleted since: nothing to place
        try:
            planning.assign(slot, registration, actor=actor)
        except planning.AssignmentConflictError as error:
            refused.append((registration, slot, error.rules))
        else:
            placed += 1
    db.session.delete(proposal)
    db.session.flush()
    return placed, refused


def proposal_map(proposal, registrations) -> dict[int, Registration]:
    by_id = {r.id: r for r in registrations}
    return {s: by_id[r] for r, s in proposal.plan if r in by_id}
