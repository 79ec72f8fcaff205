"""Speed-dating plan: 60 companies × 150 programmers, 10 rounds at 25 tables, and its re-plan for absentees.

Planner only, on plain data (no database, unlike the cases that serve pages): `crm.meetings.sample`
makes the session (skewed wishes from both sides, companies that play, programmers at a show, a third
from far), `planner.solve` plans it with the application's own settings (8 s, 2 workers, as
`services.plan`), and `planner.check` rechecks every hard rule on the result. Each run is a new seed;
the time counted is the solver's alone (`harness.Timed`), and the notes sum up every run so far.

The re-plan frees the meetings of 10 % of the programmers (absent), keeps every other meeting as
`fixed`, with every round still open (3 s, as `services.replan_for_absentees`), and checks that each
kept meeting is still there, unchanged, and that the result breaks no rule.
"""

import dataclasses
import random
import statistics
import time

from bench.harness import CallCase, Timed, p95
from crm.meetings import planner
from crm.meetings.models import Wish
from crm.meetings.sample import sample_problem

FULL = {"companies": 60, "programmers": 150, "rounds": 10, "tables": 25}
TINY = {"companies": 6, "programmers": 15, "rounds": 4, "tables": 3}
PLAN_SECONDS, REPLAN_SECONDS = 8.0, 3.0  # the services' own limits
PLAN_GOAL_MS, REPLAN_GOAL_MS = 10_000, 3_000
ABSENT_SHARE = 0.10

_plans = {}  # (seed, quick): (problem, plan, ms), shared by the two cases: a re-plan starts from a plan


def _planned(seed, quick):
    if (seed, quick) not in _plans:
        from ortools.sat.python import cp_model  # noqa: F401 - imported before the clock starts

        problem = sample_problem(seed, **(TINY if quick else FULL))
        started = time.perf_counter()
        plan = planner.solve(problem, seconds=PLAN_SECONDS)
        _plans[seed, quick] = (problem, plan, (time.perf_counter() - started) * 1000)
    return _plans[seed, quick]


def _hard_rules(problem, meetings):
    broken = planner.check(problem, meetings)
    if broken:
        raise AssertionError(f"hard rules broken: {broken[:3]}")


def _verdict(label, value_ms, goal_ms):
    return f"goal {label} <= {goal_ms / 1000:.0f} s: {'met' if value_ms <= goal_ms else 'MISSED'}"


class _Runs:
    """A case whose every call takes the next seed and whose notes sum up all the calls so far."""

    def __init__(self, measure):
        self.measure = measure
        self.seen = []

    def __call__(self, quick):
        seed = len(self.seen) + 1
        ms, figures = self.measure(seed, quick)
        self.seen.append((ms, figures))
        return Timed(self.summary(quick), ms)

    def times(self):
        return [ms for ms, _f in self.seen]


class _Plan(_Runs):
    def summary(self, quick):
        size = TINY if quick else FULL
        seats = size["rounds"] * size["tables"]
        figures = [f for _ms, f in self.seen]
        low, high = min(f["meetings"] for f in figures), max(f["meetings"] for f in figures)
        times = self.times()
        return [
            f"{len(figures)} seeds: median {statistics.median(times) / 1000:.2f} s, "
            f"p95 {p95(times) / 1000:.2f} s (2 workers)",
            f"{low if low == high else f'{low}–{high}'} meetings of {seats} seats, "
            f"gap max {max(f['gap'] for f in figures):.2%}, "
            f"optimal {sum(f['optimal'] for f in figures)}/{len(figures)}",
            f"mutual musts met {sum(f['mutual met'] for f in figures)}/{sum(f['mutual'] for f in figures)}, "
            "all hard rules hold",
            _verdict("p95", p95(times), PLAN_GOAL_MS),
        ]


def _measure_plan(seed, quick):
    problem, plan, ms = _planned(seed, quick)
    _hard_rules(problem, plan.meetings)
    mutual = {pair for pair, w in problem.wishes.items() if w[0] == w[2] == Wish.MUST}
    met = {(p, c) for p, c, _r, _t in plan.meetings} & mutual
    return ms, {
        "meetings": len(plan.meetings),
        "gap": plan.gap,
        "optimal": plan.optimal,
        "mutual": len(mutual),
        "mutual met": len(met),
    }


def replanning(problem, plan, rng, share=ABSENT_SHARE) -> tuple[planner.Problem, list, set]:
    """The re-plan `services.replan_for_absentees` makes before the first round: (problem, the meetings
    kept as fixed, the absentees). Absentees' meetings are freed and their wishes no longer count."""
    away = set(rng.sample(problem.programmers, max(1, round(len(problem.programmers) * share))))
    kept = [m for m in plan.meetings if m[0] not in away]
    again = dataclasses.replace(
        problem,
        programmers=[p for p in problem.programmers if p not in away],
        wishes={pair: wish for pair, wish in problem.wishes.items() if pair[0] not in away},
        fixed=kept,
        open_rounds=set(range(1, problem.rounds + 1)),
    )
    return again, kept, away


def _measure_replan(seed, quick):
    problem, plan, _ms = _planned(seed, quick)
    again, kept, away = replanning(problem, plan, random.Random(seed))
    started = time.perf_counter()
    result = planner.solve(again, seconds=REPLAN_SECONDS)
    ms = (time.perf_counter() - started) * 1000
    missing = set(kept) - set(result.meetings)
    if missing:
        raise AssertionError(f"kept meetings moved or lost: {sorted(missing)[:3]}")
    _hard_rules(again, result.meetings)
    return ms, {
        "absent": len(away),
        "freed": len(plan.meetings) - len(kept),
        "added": len(result.meetings) - len(kept),
        "gap": result.gap,
    }


class _Replan(_Runs):
    def summary(self, quick):
        figures = [f for _ms, f in self.seen]
        times = self.times()
        return [
            f"{len(figures)} seeds: median {statistics.median(times) / 1000:.2f} s, "
            f"p95 {p95(times) / 1000:.2f} s",
            f"{figures[-1]['absent']} absent: {sum(f['freed'] for f in figures)} meetings freed, "
            f"{sum(f['added'] for f in figures)} added, gap max {max(f['gap'] for f in figures):.2%}",
            "every kept meeting unchanged, all hard rules hold",
            _verdict("p95", p95(times), REPLAN_GOAL_MS),
        ]


CASES = [
    CallCase(
        "meetings plan 60 × 150, 10 × 25",
        _Plan(_measure_plan),
        repeats=8,
        median_goal_ms=PLAN_GOAL_MS,
    ),
    CallCase(
        "meetings re-plan, 10 % absent",
        _Replan(_measure_replan),
        repeats=8,
        median_goal_ms=REPLAN_GOAL_MS,
    ),
]
