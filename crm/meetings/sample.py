"""Made-up meeting sessions shaped like real ones, on plain data: for the benchmark, the tests and the demo.

Wishes are skewed as they are at a real showcase: a few companies everybody wants to meet, programmers
who put their first three choices as "je veux" and the rest as "volontiers", now and then a "non merci";
companies that name more people, their first five as "je veux". Some companies play during the session
(two rounds: set-up and show), some programmers go to a show they chose (the round it is on), a third
come from far. The same seed gives the same session.
"""

import random

from crm.meetings.models import Wish
from crm.meetings.planner import Problem

FIRST_COMPANY_ID = 10_001  # companies and programmers never share an id, so that a mix-up shows


def _skewed_sample(rng, population, weights, count) -> list:
    """`count` distinct items drawn with the given weights (Efraimidis–Spirakis), most likely first."""
    keys = sorted(((rng.random() ** (1 / w), item) for item, w in zip(population, weights, strict=True)))
    return [item for _key, item in reversed(keys[-count:])] if count else []


def _popularity(rng, items, skew) -> list:
    """A weight per item: a Zipf-like curve over the items in a random order."""
    order = list(items)
    rng.shuffle(order)
    weight = {item: 1 / (k + 1) ** skew for k, item in enumerate(order)}
    return [weight[item] for item in items]


def sample_wishes(
    rng,
    programmers,
    companies,
    *,
    programmer_wishes=(6, 12),
    programmer_musts=3,
    company_wishes=(10, 20),
    company_musts=5,
    programmer_veto_share=0.25,
    company_veto_share=0.1,
) -> dict:
    """The planner's `wishes` for these people: {(programmer, company): (level, rank, level, rank)}."""
    wishes = {}

    def give(pair, at, level, rank):
        current = list(wishes.get(pair, (None, None, None, None)))
        current[at], current[at + 1] = level, rank
        wishes[pair] = tuple(current)

    for side, owners, others, (low, high), musts, veto_share, skew in (
        ("p", programmers, companies, programmer_wishes, programmer_musts, programmer_veto_share, 1.0),
        ("c", companies, programmers, company_wishes, company_musts, company_veto_share, 0.5),
    ):
        weights = _popularity(rng, others, skew)
        at = 0 if side == "p" else 2
        for owner in owners:
            count = min(rng.randint(low, high), len(others))
            liked = _skewed_sample(rng, others, weights, count)
            for rank, other in enumerate(liked, start=1):
                pair = (owner, other) if side == "p" else (other, owner)
                give(pair, at, Wish.MUST if rank <= musts else Wish.HAPPY, rank)
            rest = [o for o in others if o not in set(liked)]
            if rest and rng.random() < veto_share:
                for other in rng.sample(rest, min(len(rest), rng.randint(1, 2))):
                    give((owner, other) if side == "p" else (other, owner), at, Wish.NO, None)
    return wishes


def sample_problem(seed, companies=60, programmers=150, rounds=10, tables=25) -> Problem:
    """A whole session: wishes from both sides, companies that play, programmers at a show, the far."""
    rng = random.Random(seed)
    people = list(range(1, programmers + 1))
    teams = list(range(FIRST_COMPANY_ID, FIRST_COMPANY_ID + companies))
    wishes = sample_wishes(rng, people, teams)
    blocked = {}
    shows = []  # the round each playing company's show is on
    if rounds >= 2:
        for company in rng.sample(teams, len(teams) // 5):
            setup = rng.randint(1, rounds - 1)
            blocked["c", company] = {setup, setup + 1}
            shows.append(setup + 1)
    if shows:
        for person in rng.sample(people, len(people) // 5):
            blocked["p", person] = {rng.choice(shows)}
    return Problem(
        rounds=rounds,
        tables=tables,
        programmers=people,
        companies=teams,
        wishes=wishes,
        blocked=blocked,
        max_per_programmer=min(6, rounds),
        max_per_company=rounds,
        min_per_company=min(3, rounds),
        far=set(rng.sample(people, len(people) // 3)),
    )
