"""Planning the meetings with OR-Tools CP-SAT: hard rules always hold, wishes are weighed.

Hard: a person meets at most one other person in a round; a round has at most as many meetings as
there are tables; a pair meets once; a veto ("non merci", either side) is never planned; nobody meets in
a round they are blocked in (a company that plays, a programmer at a show they chose); quotas per
programmer and per company. Weighed: a mutual "je veux" first, then one-sided wishes, each raised by its
rank; every company gets its floor of meetings where wishes allow (a shortfall costs more than any one
meeting is worth); people who came from far have few idle rounds between their meetings.

Tables are not variables: a round with no more meetings than tables can always be seated, so the model
counts meetings per round, and the tables are given afterwards, each company keeping its table from
round to round where it can (programmers move, companies stay).

Plain data in, plain data out (ids and round numbers), so that it runs without a database.
"""

import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from crm.meetings.models import Wish

# What a planned meeting is worth, by the two sides' wishes (None: that side said nothing).
LEVEL_WEIGHTS = {
    (Wish.MUST, Wish.MUST): 100,
    (Wish.MUST, Wish.HAPPY): 70,
    (Wish.MUST, None): 50,
    (Wish.HAPPY, Wish.HAPPY): 40,
    (Wish.HAPPY, None): 20,
}
RANKED = 5  # the first five of a side's list weigh a little more, the first the most
SHORTFALL = 200  # a company below its floor: worth more than the best meeting of someone else
# Two back-to-back rounds of someone who came from far: worth more than moving one meeting from the
# last round to the first (the tie-break below), far less than any meeting.
IDLE = 50
GAP_LIMIT = 0.005

NOBODY = (None, None, None, None)  # a pair neither side named
VETO, ABSENT, CLASH, QUOTA, NO_ROUND = "veto", "not_taking_part", "clash", "quota", "no_free_round"


@dataclass
class Problem:
    rounds: int
    tables: int
    programmers: list  # programmer ids taking part (present, when re-planning)
    companies: list
    # {(programmer, company): (programmer's Wish | None, rank | None, company's Wish | None, rank | None)}
    wishes: dict
    blocked: dict = field(default_factory=dict)  # {("p", id) | ("c", id): {round, …}}
    max_per_programmer: int = 6
    max_per_company: int = 10
    min_per_company: int = 0
    far: set = field(default_factory=set)  # programmers with few idle rounds wanted
    fixed: list = field(default_factory=list)  # [(programmer, company, round, table)] kept as they are
    open_rounds: set | None = None  # rounds new meetings may go in (None: all)


@dataclass
class Plan:
    meetings: list  # [(programmer, company, round, table)], fixed ones included
    unmet: list  # [(programmer, company, side, reason)] for every wish not planned
    found: bool = False
    optimal: bool = False
    score: int = 0
    bound: int = 0
    seconds: float = 0.0

    @property
    def gap(self) -> float:
        return 0.0 if not self.bound else max(0.0, (self.bound - self.score) / self.bound)


def weight(wish) -> int:
    """What one pair's meeting is worth; 0 when it must not be planned (a veto, or nobody asked)."""
    mine, my_rank, theirs, their_rank = wish
    if Wish.NO in (mine, theirs) or (mine is None and theirs is None):
        return 0
    levels = sorted((mine, theirs), key=lambda w: (w is None, w != Wish.MUST))
    value = LEVEL_WEIGHTS[tuple(levels)]
    for level, rank in ((mine, my_rank), (theirs, their_rank)):
        if level in (Wish.MUST, Wish.HAPPY) and rank and rank <= RANKED:
            value += RANKED + 1 - rank
    return value


def solve(problem: Problem, *, seconds=8.0, gap_limit=GAP_LIMIT, workers=2, repeatable=False) -> Plan:
    """Plan the meetings, in two models that each solve fast where one big one would not.

    First which pairs meet: a relaxation of the whole problem (quotas, the tables of the session as
    one number, each person's free rounds as a number, the companies' floor), solved to its best, whose
    value bounds every plan's. Then in which round each chosen pair meets, with the back-to-back reward
    for those who came from far. A pair that found no round leaves room that a next pass fills, with
    what is placed kept. `gap` compares the wishes' value of the plan with the first model's bound: 0
    when every chosen pair found its round. Stops after `seconds` in all; `repeatable`: one worker, and
    `seconds` counted in the solver's deterministic time rather than by the clock, so that a model
    stopped by its limit stops at the same point on any machine, at any load (the same data gives the
    same plan)."""
    started = time.perf_counter()
    clock = _Clock(repeatable)
    p_set, c_set = set(problem.programmers), set(problem.companies)
    fixed = [m for m in problem.fixed if m[0] in p_set and m[1] in c_set]
    placed, bound, optimal, found = [], None, True, True
    options = {
        "workers": 1 if repeatable else max(workers, 1),
        "gap_limit": 0 if repeatable else gap_limit,
        "clock": clock,
    }
    for attempt in range(PASSES):
        left = seconds - clock.spent()
        if left <= 0.2:
            optimal = False
            break
        kept = fixed + [(p, c, r, 0) for p, c, r in placed]
        grid = _Grid(problem, kept)
        chosen, pass_bound, proven = _choose_pairs(grid, seconds=left / 2, **options)
        if chosen is None:
            found = attempt > 0
            break
        if attempt == 0:
            bound, optimal = pass_bound + grid.fixed_worth, proven
        left = seconds - clock.spent()
        rounds = _give_rounds(grid, chosen, seconds=max(left / (PASSES - attempt), 0.2), **options)
        placed += rounds
        if len(rounds) == len(chosen):
            break
        optimal = False  # some chosen pair found no round: the next pass fills its room
    placed += _fill(_Grid(problem, fixed + [(p, c, r, 0) for p, c, r in placed]))
    meetings = seat(fixed, placed, problem.tables)
    score = sum(weight(problem.wishes.get((p, c), NOBODY)) for p, c, _r, _t in meetings)
    return Plan(
        meetings=meetings,
        unmet=explain(problem, meetings),
        found=found,
        optimal=found and optimal,
        score=score,
        bound=max(bound or 0, score),
        seconds=round(time.perf_counter() - started, 3),
    )


PASSES = 3


class _Grid:
    """The session as the models see it: who is free in which round, once kept meetings are counted."""

    def __init__(self, problem, kept):
        self.problem = problem
        self.p_set, self.c_set = set(problem.programmers), set(problem.companies)
        rounds = set(range(1, problem.rounds + 1))
        self.rounds = sorted(rounds if problem.open_rounds is None else set(problem.open_rounds) & rounds)
        self.busy = defaultdict(set)
        for p, c, r, _t in kept:
            self.busy["p", p].add(r)
            self.busy["c", c].add(r)
        self.met = {(p, c) for p, c, _r, _t in kept}
        self.seats = {r: problem.tables - n for r, n in Counter(m[2] for m in kept).items()}
        self.done_p = Counter(m[0] for m in kept)
        self.done_c = Counter(m[1] for m in kept)
        self.fixed_worth = sum(weight(problem.wishes.get(pair, NOBODY)) for pair in self.met)
        self.worth = {}
        for pair, wish in problem.wishes.items():
            value = weight(wish)
            taking_part = pair[0] in self.p_set and pair[1] in self.c_set
            if value and taking_part and pair not in self.met and self.free(*pair):
                self.worth[pair] = value

    def free_of(self, who, key) -> list:
        blocked = self.problem.blocked.get((who, key), set()) | self.busy[who, key]
        return [r for r in self.rounds if r not in blocked and self.seats.get(r, self.problem.tables) > 0]

    def free(self, p, c) -> list:
        mine = set(self.free_of("c", c))
        return [r for r in self.free_of("p", p) if r in mine]


class _Clock:
    """Time spent planning: by the clock, or, for a repeatable plan, the solver's deterministic time (the
    same for the same model and parameters, whatever the machine and its load)."""

    def __init__(self, repeatable):
        self.repeatable, self.started, self.work = repeatable, time.perf_counter(), 0.0

    def spent(self) -> float:
        return self.work if self.repeatable else time.perf_counter() - self.started

    def limit(self, solver, seconds):
        if self.repeatable:
            solver.parameters.max_deterministic_time = seconds
        else:
            solver.parameters.max_time_in_seconds = seconds

    def count(self, solver):
        self.work += solver.response_proto.deterministic_time


def _solver(seconds, workers, gap_limit, clock):
    from ortools.sat.python import cp_model  # noqa: PLC0415  (imported by the process that plans)

    solver = cp_model.CpSolver()
    clock.limit(solver, max(seconds, 0.1))
    solver.parameters.num_workers = workers
    if gap_limit:
        solver.parameters.relative_gap_limit = gap_limit
    return cp_model, solver


def _choose_pairs(grid, *, seconds, workers, gap_limit, clock):
    """Which pairs meet: (pairs, bound on their value, proven best). None when nothing is possible."""
    problem = grid.problem
    cp_model, solver = _solver(seconds, workers, gap_limit, clock)
    model = cp_model.CpModel()
    y = {pair: model.new_bool_var(f"y{pair[0]}_{pair[1]}") for pair in grid.worth}
    by_p, by_c = defaultdict(list), defaultdict(list)
    for (p, c), chosen in y.items():
        by_p[p].append(chosen)
        by_c[c].append(chosen)
    for p, chosen in by_p.items():
        model.add(sum(chosen) <= min(problem.max_per_programmer - grid.done_p[p], len(grid.free_of("p", p))))
    floors = []
    for c, chosen in by_c.items():
        room = min(problem.max_per_company - grid.done_c[c], len(grid.free_of("c", c)))
        model.add(sum(chosen) <= room)
        floor = min(problem.min_per_company - grid.done_c[c], room, len(chosen))
        if floor > 0:
            short = model.new_int_var(0, floor, f"short{c}")
            model.add(sum(chosen) + short >= floor)
            floors.append(short)
    seats = sum(grid.seats.get(r, problem.tables) for r in grid.rounds)
    model.add(sum(y.values()) <= seats)
    # The floor is a hard rule where wishes and tables allow it: a shortfall costs more than the whole
    # of the best other meetings, so it only happens when no plan can avoid it.
    model.maximize(sum(grid.worth[pair] * chosen for pair, chosen in y.items()) - SHORTFALL * sum(floors))
    status = solver.solve(model)
    clock.count(solver)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, 0, False
    chosen = [pair for pair, var in y.items() if solver.value(var)]
    shortfall = sum(solver.value(s) for s in floors)
    bound = round(solver.best_objective_bound) + SHORTFALL * shortfall
    # With a gap limit CP-SAT calls a plan within it "optimal": here that word means proven best.
    proven = status == cp_model.OPTIMAL and round(solver.best_objective_bound) == round(
        solver.objective_value
    )
    return chosen, bound, proven


def _give_rounds(grid, chosen, *, seconds, workers, gap_limit, clock):
    """A round for each chosen pair: [(programmer, company, round)], as many pairs as can be placed
    (what each is worth first), then back-to-back rounds for those who came from far."""
    problem = grid.problem
    cp_model, solver = _solver(seconds, workers, gap_limit, clock)
    model = cp_model.CpModel()
    x = {}
    for p, c in chosen:
        cells = []
        for r in grid.free(p, c):
            x[p, c, r] = model.new_bool_var(f"x{p}_{c}_{r}")
            cells.append(x[p, c, r])
        model.add_at_most_one(cells)
    by_p_round, by_c_round, by_round = defaultdict(list), defaultdict(list), defaultdict(list)
    for (p, c, r), cell in x.items():
        by_p_round[p, r].append(cell)
        by_c_round[c, r].append(cell)
        by_round[r].append(cell)
    for cells in (*by_p_round.values(), *by_c_round.values()):
        if len(cells) > 1:
            model.add_at_most_one(cells)
    for r, cells in by_round.items():
        model.add(sum(cells) <= grid.seats.get(r, problem.tables))
    # Earlier rounds first, as a tie-break: with tables to spare, the session ends sooner for everyone.
    objective = [(PLACE * grid.worth[p, c] - r) * cell for (p, c, r), cell in x.items()]
    for p in problem.far & grid.p_set:
        for r in range(1, problem.rounds):
            here, after = by_p_round.get((p, r), []), by_p_round.get((p, r + 1), [])
            kept_here, kept_after = r in grid.busy["p", p], r + 1 in grid.busy["p", p]
            if not (here or kept_here) or not (after or kept_after) or (kept_here and kept_after):
                continue
            both = model.new_bool_var(f"next{p}_{r}")
            for cells, kept in ((here, kept_here), (after, kept_after)):
                if not kept:
                    model.add(both <= sum(cells))
            objective.append(IDLE * both)
    model.maximize(sum(objective))
    status = solver.solve(model)
    clock.count(solver)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return []
    return [key for key, cell in x.items() if solver.value(cell)]


def _fill(grid) -> list:
    """What the models left possible, taken greedily (most wanted first): a plan where a wish could still
    be met without moving anyone is never handed back, and "no free round" is then always true."""
    problem, added = grid.problem, []
    count_p, count_c = Counter(grid.done_p), Counter(grid.done_c)
    for (p, c), _w in sorted(grid.worth.items(), key=lambda item: (-item[1], item[0])):
        if count_p[p] >= problem.max_per_programmer or count_c[c] >= problem.max_per_company:
            continue
        rounds = grid.free(p, c)
        if rounds:
            r = rounds[0]
            grid.busy["p", p].add(r)
            grid.busy["c", c].add(r)
            grid.seats[r] = grid.seats.get(r, problem.tables) - 1
            count_p[p] += 1
            count_c[c] += 1
            added.append((p, c, r))
    return added


PLACE = 20_000  # a placed meeting outweighs every back-to-back reward of the whole session


def seat(fixed, new, tables) -> list:
    """Give each new meeting a table: the company's table of its other rounds where it is free, else the
    lowest free one. Fixed meetings keep theirs."""
    home = {}
    for _p, c, _r, t in sorted(fixed, key=lambda m: m[2]):
        home.setdefault(c, t)
    used = defaultdict(set)
    for _p, _c, r, t in fixed:
        used[r].add(t)
    placed = list(fixed)
    for p, c, r in sorted(new, key=lambda m: (m[2], m[1] not in home, m[1], m[0])):
        free = [t for t in range(1, tables + 1) if t not in used[r]]
        others = set(home.values())
        table = home.get(c) if home.get(c) in free else next((t for t in free if t not in others), free[0])
        home.setdefault(c, table)
        used[r].add(table)
        placed.append((p, c, r, table))
    return sorted(placed, key=lambda m: (m[2], m[3]))


def explain(problem: Problem, meetings) -> list:
    """Why each wish (a "je veux" or a "volontiers" of either side) was not planned."""
    planned = {(p, c) for p, c, _r, _t in meetings}
    count_p = Counter(p for p, *_ in meetings)
    count_c = Counter(c for _p, c, *_ in meetings)
    busy = defaultdict(set)
    for p, c, r, _t in meetings:
        busy["p", p].add(r)
        busy["c", c].add(r)
    seats = Counter(r for *_, r, _t in meetings)
    p_set, c_set = set(problem.programmers), set(problem.companies)
    open_rounds = (
        set(range(1, problem.rounds + 1)) if problem.open_rounds is None else set(problem.open_rounds)
    )
    unmet = []
    for (p, c), (mine, _mr, theirs, _tr) in sorted(problem.wishes.items()):
        if (p, c) in planned:
            continue
        for side, level, other in (("programmer", mine, theirs), ("company", theirs, mine)):
            if level not in (Wish.MUST, Wish.HAPPY):
                continue
            unmet.append(
                (
                    p,
                    c,
                    side,
                    _reason(problem, p, c, other, p_set, c_set, open_rounds, busy, seats, count_p, count_c),
                )
            )
    return unmet


def _reason(problem, p, c, other, p_set, c_set, open_rounds, busy, seats, count_p, count_c) -> str:
    if other == Wish.NO:
        return VETO
    if p not in p_set or c not in c_set:
        return ABSENT
    blocked = problem.blocked.get(("p", p), set()) | problem.blocked.get(("c", c), set())
    possible = [r for r in open_rounds if r not in blocked]
    if not possible:
        return CLASH
    if count_p[p] >= problem.max_per_programmer or count_c[c] >= problem.max_per_company:
        return QUOTA
    return NO_ROUND


def check(problem: Problem, meetings) -> list[str]:
    """Every hard rule, checked again on a plan; the list of what it breaks (empty: none)."""
    broken = []
    seen = Counter()
    for p, c, r, t in meetings:
        for key in (("p", p, r), ("c", c, r), ("t", t, r), ("pair", p, c)):
            seen[key] += 1
        if weight(problem.wishes.get((p, c), NOBODY)) == 0:
            broken.append(f"meeting {p}-{c} nobody asked for or vetoed")
        if r in problem.blocked.get(("p", p), set()) or r in problem.blocked.get(("c", c), set()):
            broken.append(f"meeting {p}-{c} in blocked round {r}")
        if not (1 <= r <= problem.rounds and 1 <= t <= problem.tables):
            broken.append(f"meeting {p}-{c} outside the grid ({r}, {t})")
    broken += [f"{key} more than once" for key, n in seen.items() if n > 1]
    for who, limit in (("p", problem.max_per_programmer), ("c", problem.max_per_company)):
        index = 0 if who == "p" else 1
        for person, n in Counter(m[index] for m in meetings).items():
            if n > limit:
                broken.append(f"{who}{person} has {n} meetings, over {limit}")
    return broken
