"""The pooled box-office statement (Ça Chauffe): each performing company gets a flat part per person on
stage, then a share of what remains. Amounts are in cents, exact; the parts add up to the income to the
cent (largest-remainder rounding, `crm.base.money`)."""

from dataclasses import dataclass

from crm.base.money import cents, largest_remainder
from crm.impact.models import RemainderRule


@dataclass(frozen=True)
class Line:
    company_id: int
    name: str
    cast: int
    performances: int
    flat_cents: int
    complement_cents: int

    @property
    def total_cents(self) -> int:
        return self.flat_cents + self.complement_cents


@dataclass(frozen=True)
class Statement:
    income_cents: int
    fee_cents: int
    rule: RemainderRule
    lines: list[Line]
    shortfall_cents: int  # what the flat parts lack when the income cannot pay them

    @property
    def flat_total_cents(self) -> int:
        return sum(line.flat_cents for line in self.lines)


def statement(income, fee_per_person, rule: RemainderRule, companies: list[tuple]) -> Statement:
    """`companies`: (company_id, name, cast, performances) for each performing company."""
    income_cents, fee_cents = cents(income), cents(fee_per_person)
    companies = sorted(companies, key=lambda c: (c[1], c[0]))
    order = [c[0] for c in companies]
    flat = [fee_cents * cast for _id, _name, cast, _n in companies]
    owed = sum(flat)
    if income_cents < owed:
        # Not enough for the flat parts: the income is shared in proportion to them, the gap reported.
        paid = largest_remainder(income_cents, flat, order)
        complement = [0] * len(companies)
        shortfall = owed - income_cents
    else:
        paid = flat
        rest = income_cents - owed
        weights = [1] * len(companies) if rule == RemainderRule.EQUAL else [c[3] for c in companies]
        complement = largest_remainder(rest, weights, order)
        shortfall = 0
    lines = [
        Line(c[0], c[1], c[2], c[3], p, extra)
        for c, p, extra in zip(companies, paid, complement, strict=True)
    ]
    return Statement(income_cents, fee_cents, RemainderRule(rule), lines, shortfall)
