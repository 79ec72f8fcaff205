"""The pooled box office: exact to the cent, parts adding up to the income, both rules, shortfall."""

from hypothesis import given
from hypothesis import strategies as st

from crm.base.money import largest_remainder
from crm.impact.boxoffice import statement
from crm.impact.models import RemainderRule

COMPANIES = [(1, "Compagnie A", 3, 2), (2, "Compagnie B", 5, 1), (3, "Compagnie C", 2, 1)]


def test_flat_parts_then_equal_shares():
    result = statement("10000.00", "255", RemainderRule.EQUAL, COMPANIES)
    flat = {line.name: line.flat_cents for line in result.lines}
    assert flat == {"Compagnie A": 76500, "Compagnie B": 127500, "Compagnie C": 51000}  # 255 € × cast
    rest = 1_000_000 - 255_000
    assert [line.complement_cents for line in result.lines] == [248334, 248333, 248333]  # 7,450 € in three
    assert sum(line.total_cents for line in result.lines) == 1_000_000 and result.shortfall_cents == 0
    assert sum(line.complement_cents for line in result.lines) == rest


def test_pro_rata_of_performances():
    result = statement("3000.01", "255.00", RemainderRule.PERFORMANCES, COMPANIES)
    rest = 300001 - 255000  # 450.01 € for 4 performances: 225.005 €, 112.5025 €, 112.5025 €
    parts = {line.name: line.complement_cents for line in result.lines}
    assert parts == {"Compagnie A": 22501, "Compagnie B": 11250, "Compagnie C": 11250}
    assert sum(parts.values()) == rest
    assert sum(line.total_cents for line in result.lines) == 300001


def test_an_income_too_small_for_the_flat_parts_reports_the_shortfall():
    result = statement("2000", "255", RemainderRule.EQUAL, COMPANIES)
    assert result.shortfall_cents == 255000 - 200000
    assert all(line.complement_cents == 0 for line in result.lines)
    assert sum(line.total_cents for line in result.lines) == 200000  # the income shared, to the cent
    assert [line.flat_cents for line in result.lines] == [60000, 100000, 40000]  # in proportion to 3:5:2


@given(
    total=st.integers(min_value=0, max_value=10**9),
    weights=st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=30),
)
def test_largest_remainder_always_adds_up_and_stays_within_a_cent(total, weights):
    parts = largest_remainder(total, weights, list(range(len(weights))))
    if sum(weights) == 0:
        assert parts == [0] * len(weights)
        return
    assert sum(parts) == total
    for part, weight in zip(parts, weights, strict=True):
        assert abs(part - total * weight / sum(weights)) < 1
