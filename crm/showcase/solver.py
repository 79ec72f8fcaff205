"""Automatic assignment with OR-Tools CP-SAT: hard rules always hold, preferences are optimised.

Assigning a registration is worth far more than any preference, so the solver first places as many
registrations as it can, then prefers the bands companies said they can do and the companies the
previous edition left out, and packs each pitch series from its first slot (an empty slot between two
short presentations is a hole in the audience's afternoon).
"""

import os
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import combinations

from crm.showcase import travel as trips
from crm.showcase.rules import Rule, clash, pair_violations

PLACED, AVAILABLE, FAVOURED = 1000, 10, 5
# A hole in a pitch series costs less than a company's stated availability: we would rather leave
# a gap than put a company in a band it said it cannot do.
GAP = 8
SERIES_GAP_MINUTES = 30
# After PATIENCE seconds of search, a plan within GAP_LIMIT of the best possible one is good enough (its
# gap is reported with it); a smaller edition is solved to the proven best plan well before that.
GAP_LIMIT, PATIENCE = 0.005, 2.0


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


def solve(
    registrations,
    slots,
    *,
    rotation,
    travel_minutes,
    fixed=(),
    hint=(),
    seconds=10.0,
    gap_limit=GAP_LIMIT,
    repeatable=False,
    travel="none",
) -> SolverResult:
    """Place registrations in free slots; `fixed` [(registration, slot)] are kept as they are.

    `hint` [(registration, slot)] is a plan to start from (a previous proposal, say). The search stops
    after `seconds` in all, model building included, or once the best plan found is within `gap_limit`
    of the best possible; the result says how far it may be (`gap`) and whether it is proven optimal.
    `repeatable`: one search worker, to the proven best, so that the same data gives the same plan
    (several workers race, and which of two equally good plans wins varies; the demo wants the same).
    `travel`: how much the companies' road travel counts, "none", "some" or "a_lot" (see travel.WEIGHTS);
    it only weighs plans against each other, every hard rule holds whatever it is.
    """
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
    worth = sum(_worth(regs[r], by_id[s]) * var for (r, s), var in choices.items()) - GAP * sum(holes)
    weight = trips.WEIGHTS[travel]
    if weight:
        km = {pair: trips.vehicle_km(regs[pair[0]], by_id[pair[1]]) or 0 for pair in choices}
        worth = trips.SCALE * worth - weight * sum(
            km[pair] * var for pair, var in choices.items() if km[pair]
        )
        # The km are a small part of the objective: a plan "within gap_limit" of the best could still
        # waste most of what they can save, so the search goes on closer to the best.
        gap_limit /= 100
    model.maximize(worth)
    hinted = set(hint)
    if hinted:
        for pair, var in choices.items():
            model.add_hint(var, pair in hinted)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, seconds - (time.perf_counter() - started))
    solver.parameters.num_workers = 1 if repeatable else workers()
    gap_limit = 0 if repeatable else gap_limit
    # Probing would spend seconds rediscovering the clash groups the model already states.
    solver.parameters.cp_model_probing_level = 0
    status = solver.solve(model, _stop_when_close(cp_model, solver, gap_limit))
    found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    plan = [pair for pair, var in choices.items() if found and solver.value(var)]
    result = SolverResult(plan, found=found, seconds=time.perf_counter() - started)
    if found:
        result.score, result.bound = round(solver.objective_value), round(solver.best_objective_bound)
        result.optimal = status == cp_model.OPTIMAL
    result.respected = sum(1 for r, s in plan if _available(regs[r], by_id[s]))
    result.unassigned = explain(registrations, slots, plan, fixed, choices, rotation)
    return result


def _stop_when_close(cp_model, solver, gap_limit):
    """A callback that ends the search once it has run PATIENCE seconds with a plan within `gap_limit`."""
    started, best = time.perf_counter(), [None]

    def check(bound):
        close = best[0] is not None and bound - best[0] <= gap_limit * abs(bound)
        if close and time.perf_counter() - started >= PATIENCE:
            solver.stop_search()

    class Progress(cp_model.CpSolverSolutionCallback):
        def on_solution_callback(self):
            best[0] = self.objective_value
            check(self.best_objective_bound)

    solver.best_bound_callback = check
    return Progress()


def workers() -> int:
    """Search workers: the cores this process may use, and at least two (one proves, one improves)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(2, cores)


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
    """A company never plays two clashing slots, counting the assignments already fixed.

    The slots that pairwise clash are grouped once for the whole edition (`clash_groups`); each company
    then gets one at-most-one per group, over its own choices, instead of one constraint per pair.
    """
    company_of = {r.id: r.company_id for r in registrations}
    by_id = {s.id: s for s in slots}
    wanted = defaultdict(lambda: defaultdict(list))
    for (r, s), var in choices.items():
        wanted[company_of[r]][s].append(var)
    fixed_slots, already = defaultdict(list), Counter()
    for r, s in fixed:
        if r in company_of:
            fixed_slots[company_of[r]].append(by_id[s])
            already[r] += 1
    room = Counter()  # how many more slots each company may still receive
    for reg in registrations:
        room[reg.company_id] += max(0, reg.max_slots - already[reg.id])
    groups = None
    for company, per_slot in wanted.items():
        held = fixed_slots[company]
        blocked = [s for s in per_slot if any(clash(by_id[s], other, travel_minutes) for other in held)]
        for s in blocked:  # it clashes with a slot the company already has
            for var in per_slot.pop(s):
                model.add(var == 0)
        if room[company] <= 1:
            continue  # one more slot at most: it cannot clash with another new one
        if groups is None:
            groups = clash_groups([by_id[s] for s in {s for _, s in choices}], travel_minutes)
        seen = set()
        for group in groups:
            mine = frozenset(s for s in group if s in per_slot)
            if len(mine) > 1 and mine not in seen:
                seen.add(mine)
                model.add_at_most_one([var for s in mine for var in per_slot[s]])


def clash_groups(slots, travel_minutes) -> list[list[int]]:
    """Groups of slot ids that pairwise clash (`rules.clash`); every clashing pair is in one of them."""
    ordered = sorted(slots, key=lambda s: s.starts)
    reach = timedelta(minutes=max(0, travel_minutes))
    near = defaultdict(set)
    for i, a in enumerate(ordered):
        for j in range(i + 1, len(ordered)):
            b = ordered[j]
            if b.starts >= a.ends + reach:
                break  # it starts after `a` ends and the travel time: so do all the later ones
            if clash(a, b, travel_minutes):
                near[a.id].add(b.id)
                near[b.id].add(a.id)
    left = {(a, b) for a in near for b in near[a] if a < b}
    groups = []
    for a, b in sorted(left):
        if (a, b) not in left:
            continue
        group, common = [a, b], near[a] & near[b]
        while common:  # grow to a maximal group, taking first the slots that cover pairs still left
            c = max(sorted(common), key=lambda v: sum((min(u, v), max(u, v)) in left for u in group))
            group.append(c)
            common &= near[c]
        left -= {(min(u, v), max(u, v)) for u, v in combinations(group, 2)}
        groups.append(group)
    return groups


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
