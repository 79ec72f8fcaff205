"""The planner on hand-made sessions: what wins a scarce seat, the companies' floor, the reasons given for
wishes left out, what a meeting is worth, and which table each company keeps."""

import pytest

from crm.meetings.models import Wish
from crm.meetings.planner import (
    ABSENT,
    CLASH,
    NO_ROUND,
    QUOTA,
    VETO,
    Problem,
    check,
    explain,
    seat,
    solve,
    weight,
)
from crm.meetings.sample import sample_problem

MUST, HAPPY, NO = Wish.MUST, Wish.HAPPY, Wish.NO
A, B, C, D = 101, 102, 103, 104


def problem(rounds=1, tables=1, programmers=(1, 2), companies=(A,), wishes=None, **extra):
    return Problem(
        rounds=rounds,
        tables=tables,
        programmers=list(programmers),
        companies=list(companies),
        wishes=wishes or {},
        **extra,
    )


def pairs(plan):
    return sorted((p, c) for p, c, _r, _t in plan.meetings)


def reasons(plan):
    return sorted(plan.unmet)


# --- What wins the last seat ----------------------------------------------------------------------------


def test_a_mutual_must_beats_a_one_sided_one_for_the_only_seat():
    # The one-sided "je veux" is ranked first, the mutual one fifth on both sides: the mutual still wins.
    wishes = {(1, A): (MUST, 5, MUST, 5), (2, A): (MUST, 1, None, None)}
    plan = solve(problem(wishes=wishes), repeatable=True)
    assert pairs(plan) == [(1, A)]
    assert reasons(plan) == [(2, A, "programmer", NO_ROUND)]
    assert plan.optimal and plan.gap == 0


def test_a_mutual_must_takes_the_one_seat_a_re_plan_leaves():
    kept = [(3, B, 1, 1), (4, B, 2, 1)]
    wishes = {
        (1, A): (None, None, MUST, 2),
        (2, A): (MUST, 3, MUST, 3),
        (3, B): (MUST, 1, None, None),
        (4, B): (MUST, 1, None, None),
    }
    session = problem(
        rounds=3, programmers=(1, 2, 3, 4), companies=(A, B), wishes=wishes, fixed=kept, open_rounds={3}
    )
    plan = solve(session, repeatable=True)
    assert plan.meetings == [*kept, (2, A, 3, 1)]


def test_rank_decides_between_two_equal_levels():
    wishes = {(1, A): (HAPPY, 4, None, None), (2, A): (HAPPY, 1, None, None)}
    assert pairs(solve(problem(wishes=wishes), repeatable=True)) == [(2, A)]


# --- The companies' floor -------------------------------------------------------------------------------


def _small_company(floor, small_wishes=HAPPY):
    """Three seats (one table, three rounds); everybody wants company A; company B would take anyone."""
    wishes = {(p, A): (MUST, 1, MUST, p) for p in (1, 2, 3)}
    if small_wishes:
        wishes |= {(p, B): (None, None, small_wishes, p) for p in (1, 2, 3)}
    return problem(rounds=3, programmers=(1, 2, 3), companies=(A, B), wishes=wishes, min_per_company=floor)


def test_the_floor_gives_a_small_company_its_meetings():
    without = solve(_small_company(0), repeatable=True)
    assert [c for _p, c in pairs(without)] == [A, A, A]
    with_floor = solve(_small_company(1), repeatable=True)
    assert sorted(c for _p, c in pairs(with_floor)) == [A, A, B]
    assert check(_small_company(1), with_floor.meetings) == []


def test_the_floor_never_plans_what_nobody_asked_for_or_vetoed():
    for small_wishes in (None, NO):
        plan = solve(_small_company(2, small_wishes), repeatable=True)
        assert [c for _p, c in pairs(plan)] == [A, A, A]


# --- Why a wish was left out ----------------------------------------------------------------------------


def test_a_veto_is_given_as_the_reason():
    wishes = {(1, A): (MUST, 1, NO, None), (2, A): (NO, None, HAPPY, 1)}
    plan = solve(problem(rounds=2, tables=2, wishes=wishes), repeatable=True)
    assert plan.meetings == []
    assert reasons(plan) == [(1, A, "programmer", VETO), (2, A, "company", VETO)]


def test_a_clash_when_no_round_is_free_of_both_blocked_rounds():
    wishes = {(1, A): (MUST, 1, MUST, 1)}
    blocked = {("p", 1): {1}, ("c", A): {2}}
    plan = solve(problem(rounds=2, tables=2, programmers=(1,), wishes=wishes, blocked=blocked))
    assert plan.meetings == []
    assert reasons(plan) == [(1, A, "company", CLASH), (1, A, "programmer", CLASH)]


def test_a_quota_reached_is_given_as_the_reason():
    wishes = {(1, A): (MUST, 1, None, None), (1, B): (HAPPY, 2, None, None)}
    session = problem(
        rounds=2, tables=2, programmers=(1,), companies=(A, B), wishes=wishes, max_per_programmer=1
    )
    plan = solve(session, repeatable=True)
    assert pairs(plan) == [(1, A)]
    assert reasons(plan) == [(1, B, "programmer", QUOTA)]


def test_no_free_round_when_the_tables_are_full():
    wishes = {(1, A): (MUST, 1, MUST, 1), (2, B): (HAPPY, 1, None, None)}
    plan = solve(problem(companies=(A, B), wishes=wishes), repeatable=True)
    assert pairs(plan) == [(1, A)]
    assert reasons(plan) == [(2, B, "programmer", NO_ROUND)]


def test_not_taking_part_for_a_wish_about_someone_who_left():
    wishes = {(9, A): (MUST, 1, MUST, 1), (1, C): (HAPPY, 1, None, None)}
    plan = solve(problem(programmers=(1,), companies=(A,), wishes=wishes), repeatable=True)
    assert plan.meetings == []
    assert reasons(plan) == [
        (1, C, "programmer", ABSENT),
        (9, A, "company", ABSENT),
        (9, A, "programmer", ABSENT),
    ]


def test_explain_reads_quota_before_no_free_round_on_a_given_plan():
    wishes = {(1, A): (MUST, 1, None, None), (2, A): (HAPPY, 1, None, None)}
    session = problem(rounds=1, tables=2, wishes=wishes, max_per_company=1)
    assert explain(session, [(1, A, 1, 1)]) == [(2, A, "programmer", QUOTA)]
    session.max_per_company = 2
    assert explain(session, [(1, A, 1, 1)]) == [(2, A, "programmer", NO_ROUND)]


# --- What a meeting is worth ----------------------------------------------------------------------------


def test_weight_orders_the_levels_then_the_ranks():
    levels = [(MUST, MUST), (MUST, HAPPY), (MUST, None), (HAPPY, HAPPY), (HAPPY, None)]
    worths = [weight((mine, None, theirs, None)) for mine, theirs in levels]
    assert worths == sorted(worths, reverse=True) and len(set(worths)) == len(worths)
    assert worths[-1] > 0
    ranked = [weight((MUST, rank, None, None)) for rank in (1, 2, 3, 4, 5, 6)]
    assert ranked == sorted(ranked, reverse=True) and len(set(ranked[:5])) == 5
    assert ranked[5] == weight((MUST, None, None, None))  # beyond the fifth, the rank no longer counts
    assert weight((MUST, 1, MUST, 1)) > weight((MUST, 2, MUST, 1)) > weight((MUST, None, MUST, None))
    # Within a level, ranks never lift a wish above the level before it.
    assert weight((MUST, 6, MUST, 6)) > weight((MUST, 1, HAPPY, 1))
    assert weight((MUST, 6, HAPPY, 6)) > weight((MUST, 1, None, None))


def test_weight_is_the_same_whoever_asked():
    assert weight((MUST, 2, HAPPY, 3)) == weight((HAPPY, 3, MUST, 2))
    assert weight((None, None, MUST, 1)) == weight((MUST, 1, None, None))


@pytest.mark.parametrize(
    "wish", [(MUST, 1, NO, None), (NO, None, MUST, 1), (NO, None, NO, None), (None, None, None, None)]
)
def test_weight_is_nothing_for_a_veto_or_when_nobody_asked(wish):
    assert weight(wish) == 0


# --- Tables ---------------------------------------------------------------------------------------------


def test_seat_keeps_each_company_at_its_table_across_rounds():
    new = [(1, A, 1), (2, B, 1), (3, A, 2), (4, B, 2), (5, B, 3), (6, A, 3)]
    tables = {(c, r): t for _p, c, r, t in seat([], new, 2)}
    assert tables[A, 1] == tables[A, 2] == tables[A, 3]
    assert tables[B, 1] == tables[B, 2] == tables[B, 3] != tables[A, 1]
    # B sits first, alone at table 1; when A comes in round 2, B keeps table 1 and A takes another.
    tables = {(c, r): t for _p, c, r, t in seat([], [(1, B, 1), (2, A, 2), (3, B, 2)], 2)}
    assert tables == {(B, 1): 1, (B, 2): 1, (A, 2): 2}


def test_seat_keeps_the_tables_of_fixed_meetings_and_gives_a_company_its_table_from_them():
    fixed = [(1, A, 1, 3)]
    placed = seat(fixed, [(2, A, 2), (3, B, 2)], 3)
    assert placed == [(1, A, 1, 3), (3, B, 2, 1), (2, A, 2, 3)]


def test_seat_never_gives_one_table_twice_in_a_round_when_companies_outnumber_tables():
    new = [(1, A, 1), (2, B, 1), (3, A, 2), (4, C, 2), (5, B, 3), (6, C, 3)]
    placed = seat([], new, 2)
    per_round = {}
    for _p, _c, r, t in placed:
        per_round.setdefault(r, []).append(t)
    assert all(sorted(ts) == [1, 2] for ts in per_round.values()), placed
    assert len({t for _p, c, _r, t in placed if c == A}) == 1  # A met first: it keeps its table


def test_a_company_whose_table_is_taken_by_a_fixed_meeting_moves_to_a_free_one():
    fixed = [(9, C, 2, 1)]
    placed = seat(fixed, [(1, A, 1), (2, A, 2), (3, B, 1)], 3)
    tables = {(c, r): t for _p, c, r, t in placed}
    assert tables[A, 1] == 2  # table 1 is C's, from its fixed meeting
    assert tables[A, 2] == 2 and tables[B, 1] == 3


# --- The whole, and check() ------------------------------------------------------------------------------


def test_someone_from_far_gets_back_to_back_meetings():
    """Programmer 1 can meet A only in round 1, programmer 2 meets D only in round 6: their other meeting
    (with C, with B: any round but that one) goes right next to it."""
    wishes = {
        (1, A): (MUST, 1, None, None),
        (1, C): (MUST, 2, None, None),
        (2, D): (MUST, 1, None, None),
        (2, B): (MUST, 2, None, None),
    }
    blocked = {("c", A): {2, 3, 4, 5, 6}, ("c", C): {1}, ("c", D): {1, 2, 3, 4, 5}, ("c", B): {6}}
    session = problem(
        rounds=6, tables=4, programmers=(1, 2), companies=(A, B, C, D), wishes=wishes, blocked=blocked
    )
    session.far = {1, 2}
    plan = solve(session, repeatable=True)
    assert sorted((p, c, r) for p, c, r, _t in plan.meetings) == [(1, A, 1), (1, C, 2), (2, B, 5), (2, D, 6)]


def test_a_repeatable_plan_is_the_same_even_when_a_model_stops_at_its_limit():
    """This session's rounds model is not proven best within one second: where it stops must not depend
    on how fast the machine happened to be (its limit is deterministic time, not the clock's)."""
    session = sample_problem(5, companies=10, programmers=25, rounds=8, tables=10)
    plans = [solve(session, seconds=1.0, repeatable=True) for _ in range(3)]
    assert [p.meetings for p in plans[1:]] == [plans[0].meetings] * 2
    assert [p.unmet for p in plans[1:]] == [plans[0].unmet] * 2
    assert len(plans[0].meetings) > 60 and check(session, plans[0].meetings) == []


def test_check_names_every_broken_rule():
    wishes = {(1, A): (MUST, 1, None, None), (2, A): (MUST, 1, NO, None), (1, B): (HAPPY, 1, None, None)}
    session = problem(
        rounds=2,
        tables=2,
        programmers=(1, 2, 3),
        companies=(A, B),
        wishes=wishes,
        blocked={("p", 1): {2}},
        max_per_programmer=1,
    )
    broken = check(
        session,
        [(1, A, 1, 1), (1, B, 1, 1), (2, A, 2, 2), (3, B, 2, 3), (1, A, 2, 1)],
    )
    assert "meeting 2-101 nobody asked for or vetoed" in broken
    assert "meeting 3-102 nobody asked for or vetoed" in broken
    assert "meeting 1-101 in blocked round 2" in broken
    assert "meeting 3-102 outside the grid (2, 3)" in broken
    assert "('p', 1, 1) more than once" in broken and "('t', 1, 1) more than once" in broken
    assert "('pair', 1, 101) more than once" in broken
    assert "p1 has 3 meetings, over 1" in broken
    assert check(session, [(1, A, 1, 1)]) == []
