"""The made-up sessions of the benchmark and the demo have the shape they claim."""

from collections import Counter

from crm.meetings.models import Wish
from crm.meetings.sample import sample_problem


def test_the_same_seed_gives_the_same_session_and_another_seed_another():
    assert sample_problem(4) == sample_problem(4)
    assert sample_problem(4).wishes != sample_problem(5).wishes


def test_a_sample_session_has_the_wishes_and_constraints_of_a_real_one():
    problem = sample_problem(1)
    assert (len(problem.companies), len(problem.programmers), problem.rounds, problem.tables) == (
        60,
        150,
        10,
        25,
    )
    assert not set(problem.companies) & set(problem.programmers)
    for side, owners, at, (low, high), musts in (
        ("programmer", problem.programmers, 0, (6, 12), 3),
        ("company", problem.companies, 2, (10, 20), 5),
    ):
        for owner in owners:
            mine = sorted(
                (wish[at + 1], wish[at])
                for pair, wish in problem.wishes.items()
                if pair[0 if side == "programmer" else 1] == owner and wish[at] in (Wish.MUST, Wish.HAPPY)
            )
            assert low <= len(mine) <= high, (side, owner)
            assert [rank for rank, _level in mine] == list(range(1, len(mine) + 1))
            assert [level for _rank, level in mine] == [Wish.MUST] * musts + [Wish.HAPPY] * (
                len(mine) - musts
            )
    vetoes = Counter(wish[0] == Wish.NO for wish in problem.wishes.values())
    assert 0 < vetoes[True] < len(problem.programmers)
    # A few companies everybody wants: the most asked-for gets several times the median's wishes.
    asked = sorted(
        Counter(c for (_p, c), w in problem.wishes.items() if w[0] in (Wish.MUST, Wish.HAPPY)).values()
    )
    assert asked[-1] >= 3 * asked[len(asked) // 2]
    playing = {key[1]: rounds for key, rounds in problem.blocked.items() if key[0] == "c"}
    assert len(playing) == 12 and all(len(r) == 2 and max(r) - min(r) == 1 for r in playing.values())
    shows = {max(r) for r in playing.values()}
    at_a_show = [rounds for key, rounds in problem.blocked.items() if key[0] == "p"]
    assert len(at_a_show) == 30 and all(len(r) == 1 and r <= shows for r in at_a_show)
    assert len(problem.far) == 50
    assert (problem.max_per_programmer, problem.max_per_company, problem.min_per_company) == (6, 10, 3)


def test_a_tiny_sample_still_holds_together():
    problem = sample_problem(2, companies=2, programmers=3, rounds=1, tables=1)
    assert problem.blocked == {} and problem.max_per_programmer == 1 and problem.min_per_company == 1
    assert all(p in problem.programmers and c in problem.companies for p, c in problem.wishes)
