"""Automatic assignment with every hard rule: 40 registrations × 60 slots, and 200 × 300."""

import random
from datetime import UTC, datetime, timedelta

from bench.harness import CallCase
from crm.showcase.rules import RegistrationFacts, SlotFacts, plan_violations
from crm.showcase.solver import solve

DEPARTEMENTS = ["18", "28", "36", "37", "41", "45"]


def edition(registrations, venues, days, slots_per_day, seed=7):
    """A Jeudiffusion-like edition: rotation, travel time, young and all-audience bands, hosts."""
    rng = random.Random(seed)
    venue_dept = {v: DEPARTEMENTS[v % len(DEPARTEMENTS)] for v in range(venues)}
    slots, n = [], 0
    for day in range(days):
        for venue in range(venues):
            for k in range(slots_per_day):
                n += 1
                starts = datetime(2027, 2, 15 + day, 9, tzinfo=UTC) + timedelta(minutes=150 * k)
                young = starts.hour < 17
                slots.append(
                    SlotFacts(
                        id=n,
                        venue_id=venue,
                        venue_departement=venue_dept[venue],
                        host_company_id=venue,
                        starts=starts,
                        ends=starts + timedelta(minutes=120),
                        format="full",
                        accepts_young=young,
                        accepts_all=not young or k % 2 == 0,
                        band_id=day * 10 + (0 if young else 1),
                    )
                )
    regs = []
    for r in range(registrations):
        company = r if r % 5 else r - 1  # every fifth company brings two shows
        regs.append(
            RegistrationFacts(
                id=r + 1,
                company_id=company,
                company_departement=rng.choice(DEPARTEMENTS),
                format="full",
                young_audience=rng.random() < 0.4,
                duration=rng.choice([35, 45, 60, 75]),
                setup=rng.choice([15, 20, 30]),
                strike=15,
                available_bands=frozenset(rng.sample([d * 10 + b for d in range(days) for b in (0, 1)], 2)),
                hosted_venues=frozenset({company}) if company < venues else frozenset(),
                favoured=r % 7 == 0,
            )
        )
    return regs, slots


def _run(registrations, venues, days, slots_per_day, seconds, gap_goal=None):
    regs, slots = edition(registrations, venues, days, slots_per_day)
    result = solve(regs, slots, rotation=True, travel_minutes=45, seconds=seconds)
    broken = plan_violations(result.plan, regs, slots, True, 45)
    if broken:
        raise AssertionError(f"hard rules broken: {broken[:3]}")
    state = "optimal" if result.optimal else "not proven optimal" if result.found else "no solution in time"
    notes = [
        f"{len(result.plan)}/{registrations} placed, all rules hold, {state}",
        f"{result.seconds:.1f} s, gap {result.gap:.2%}",
    ]
    if gap_goal is not None:
        met = "met" if result.found and result.gap <= gap_goal else "MISSED"
        notes.append(f"goal gap <= {gap_goal:.0%}: {met}")
    return notes


CASES = [
    CallCase(
        "assignment 40 × 60 (5 venues, 3 days)",
        lambda quick: _run(40, 5, 3, 4, seconds=10),
        repeats=5,
        median_goal_ms=2000,
    ),
    CallCase(
        "assignment 200 × 300 (10 venues, 5 days)",
        # The application's own time limit; the goal: at most 10 s, with a plan within 1 % of the best.
        lambda quick: (
            _run(60, 6, 3, 4, seconds=10) if quick else _run(200, 10, 5, 6, seconds=10, gap_goal=0.01)
        ),
        repeats=1,
        median_goal_ms=10000,
    ),
]
