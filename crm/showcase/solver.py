"""Automatic assignment with OR-Tools CP-SAT: hard rules always hold, preferences are optimised.

Assigning a registration is worth far more than any preference, so the solver first places as many
registrations as it can, then prefers the bands companies said they can do and the companies the
previous edition left out, and packs each pitch series from its first slot (an empty slot between two
short presentations is a hole in the audience's afternoon).
"""

import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from crm.showcase.rules import Rule, clash, pair_violations

PLACED, AVAILABLE, FAVOURED = 1000, 10, 5
# A hole in a pitch series costs less than a company's stated availability: we would rather leave
# a gap than put a company in a band it said it cannot do.
GAP = 8
SERIES_GAP_MINUTES = 30


@dataclass
class SolverResult:
    plan: list[tuple[int, int]]
    unassigned: dict[int, list[tuple[Rule, int]]] = field(default_factory=dict)
    score: int = 0
    bound: int = 0
    optimal: bool = False
    found: bool = False
    seconds: float = 0.0
    respected: int = 0  # placements in a band the company said it can do (or said nothing)

    @property
    def gap(self) -> float:
        return 0.0 if not self.bound else max(0.0, (self.bound - self.score) / self.bound)


def solve(registrations, slots, *, rotation, travel_minutes, fixed=(), seconds=10.0) -> SolverResult:
    """Place registrations in free slots; `fixed` [(registration, slot)] are kept as they are."""
    # Imported here: OR-Tools (with numpy) adds some 60 MiB to a process; only the solving one pays.
    from ortools.sat.python import cp_model  # noqa: PLC0415

    started = time.perf_counter()
    taken = {s for _, s in fixed}
    free = [s for s in slots if s.id not in taken and not s.cancelled]
    model = cp_model.CpModel()
    choices = {
        (r.id, s.id): model.new_bool_var(f"r{r.id}s{s.id}")
        for r in registrations
        for s in free
        if not pair_violations(r, s, rotation)
    }
    _one_per_slot(model, choices)
    _slots_per_registration(model, choices, registrations, fixed)
    _no_company_clash(model, choices, registrations, slots, fixed, travel_minutes)
    regs, by_id = {r.id: r for r in registrations}, {s.id: s for s in slots}
    holes = _series_holes(model, choices, slots, taken)
    model.maximize(sum(_worth(regs[r], by_id[s]) * var for (r, s), var in choices.items()) - GAP * sum(holes))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = 1
    status = solver.solve(model)
    plan = [
        pair
        for pair, var in choices.items()
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) and solver.value(var)
    ]
    result = SolverResult(plan, optimal=status == cp_model.OPTIMAL, seconds=time.perf_counter() - started)
    result.found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    if result.found:
        result.score, result.bound = int(solver.objective_value), int(solver.best_objective_bound)
    result.respected = sum(1 for r, s in plan if _available(regs[r], by_id[s]))
    result.unassigned = explain(registrations, slots, plan, fixed, choices, rotation)
    return result


def _available(reg, slot) -> bool:
    return not reg.available_bands or slot.band_id in reg.available_bands


def _worth(reg, slot) -> int:
    return PLACED + (AVAILABLE if _available(reg, slot) else 0) + (FAVOURED if reg.favoured else 0)


def pitch_series(slots) -> list[list]:
    """Runs of short-presentation slots at one venue, each starting soon after the one before."""
    runs, by_venue = [], defaultdict(list)
    for slot in slots:
        if not slot.cancelled:
            by_venue[slot.venue_id].append(slot)
    for venue_slots in by_venue.values():
        run = []
        for slot in sorted(venue_slots, key=lambda s: s.starts):
            close = run and (slot.starts - run[-1].ends).total_seconds() <= SERIES_GAP_MINUTES * 60
            if slot.format == "pitch" and close:
                run.append(slot)
                continue
            if len(run) > 1:
                runs.append(run)
            run = [slot] if slot.format == "pitch" else []
        if len(run) > 1:
            runs.append(run)
    return runs


def _series_holes(model, choices, slots, taken) -> list:
    """One 0/1 cost per slot of a series that is used while the one before it stays empty."""
    by_slot = defaultdict(list)
    for (_, s), var in choices.items():
        by_slot[s].append(var)

    def used(slot):
        return 1 if slot.id in taken else sum(by_slot[slot.id])

    holes = []
    for run in pitch_series(slots):
        for before, slot in zip(run, run[1:], strict=False):
            if (slot.id not in taken and not by_slot[slot.id]) or {slot.id, before.id} <= taken:
                continue  # nothing can go there, or both are already set: no choice to weigh
            hole = model.new_bool_var(f"hole{slot.id}")
            model.add(hole >= used(slot) - used(before))
            holes.append(hole)
    return holes


def _one_per_slot(model, choices):
    by_slot = defaultdict(list)
    for (_, s), var in choices.items():
        by_slot[s].append(var)
    for variables in by_slot.values():
        model.add_at_most_one(variables)


def _slots_per_registration(model, choices, registrations, fixed):
    already = Counter(r for r, _ in fixed)
    by_reg = defaultdict(list)
    for (r, _), var in choices.items():
        by_reg[r].append(var)
    for reg in registrations:
        if by_reg[reg.id]:
            model.add(sum(by_reg[reg.id]) <= max(0, reg.max_slots - already[reg.id]))


def _no_company_clash(model, choices, registrations, slots, fixed, travel_minutes):
    """A company never plays two clashing slots, counting the assignments already fixed."""
    company_of = {r.id: r.company_id for r in registrations}
    by_id = {s.id: s for s in slots}
    wanted = defaultdict(lambda: defaultdict(list))
    for (r, s), var in choices.items():
        wanted[company_of[r]][s].append(var)
    fixed_slots = defaultdict(list)
    for r, s in fixed:
        if r in company_of:
            fixed_slots[company_of[r]].append(by_id[s])
    capacity = Counter()
    for reg in registrations:
        capacity[reg.company_id] += reg.max_slots
    for company, per_slot in wanted.items():
        if capacity[company] <= 1 and not fixed_slots[company]:
            continue  # a company that can hold one slot at most cannot clash with itself
        ids = sorted(per_slot)
        for i, a in enumerate(ids):
            if any(clash(by_id[a], other, travel_minutes) for other in fixed_slots[company]):
                for var in per_slot[a]:
                    model.add(var == 0)
            for b in ids[i + 1 :]:
                if clash(by_id[a], by_id[b], travel_minutes):
                    model.add(sum(per_slot[a]) + sum(per_slot[b]) <= 1)


def explain(registrations, slots, plan, fixed, choices, rotation) -> dict[int, list[tuple[Rule, int]]]:
    """For each registration left without a slot: the rules that blocked it, with how many slots each."""
    placed = {r for r, _ in plan} | {r for r, _ in fixed}
    reasons = {}
    for reg in registrations:
        if reg.id in placed:
            continue
        if any(r == reg.id for r, _ in choices):
            reasons[reg.id] = [(Rule.SLOT_TAKEN, 0)]  # compatible slots went to others or clash
            continue
        counts = Counter(rule for s in slots for rule in pair_violations(reg, s, rotation))
        reasons[reg.id] = counts.most_common() or [(Rule.SLOT_TAKEN, 0)]
    return reasons
