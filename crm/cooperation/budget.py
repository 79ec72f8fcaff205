"""An edition's shared budget, split between the companies: each company's statement of what it paid,
what its share is, and the balance it has to pay or to receive. Exact to the cent: amounts are whole
cents, every line is split by the largest-remainder engine the pooled box office uses, and the
balances of all the companies add up to zero.

For each company:
- paid: the expenses it paid, less the income that went to its account, plus the contributions it gave
  (a contribution goes to the lead company, whose account holds the edition's money);
- share: its part of each expense, less its part of each shared income (a grant lowers everyone's
  share), by the line's rule: equal between the companies programmed, pro rata of their performances,
  per person on stage, a share fixed for each company, or not shared (the payer's own);
- balance = paid − share: above zero the company is owed money, below zero it owes it.

Plain data in, plain data out: no database here.
"""

from dataclasses import dataclass, field
from datetime import date

from crm.base.money import largest_remainder
from crm.cooperation.models import LineKind, SplitRule


@dataclass(frozen=True)
class Company:
    id: int
    name: str
    cast: int = 0  # people on stage (0: not programmed in the edition)
    performances: int = 0


@dataclass(frozen=True)
class Entry:
    """A budget line as the split sees it."""

    id: int
    kind: LineKind
    label: str
    amount_cents: int
    paid_by: int
    rule: SplitRule
    fixed: dict = field(default_factory=dict)  # company id → cents, for SplitRule.FIXED
    on: date | None = None

    @property
    def income(self) -> bool:
        return self.kind.income


@dataclass(frozen=True)
class Part:
    """How one line falls on one company (signed: income lowers both)."""

    entry: Entry
    paid_cents: int
    share_cents: int


@dataclass
class Statement:
    company: Company
    parts: list[Part]
    lead: bool = False

    @property
    def paid_cents(self) -> int:
        return sum(part.paid_cents for part in self.parts)

    @property
    def share_cents(self) -> int:
        return sum(part.share_cents for part in self.parts)

    @property
    def balance_cents(self) -> int:
        """Above zero: owed to the company; below zero: the company owes it."""
        return self.paid_cents - self.share_cents


@dataclass
class Budget:
    statements: list[Statement]
    entries: list[Entry]
    unsplit: list[Entry]  # a rule with no one to split between: the line stays with its payer

    def of(self, company_id) -> Statement | None:
        return next((s for s in self.statements if s.company.id == company_id), None)

    @property
    def income_cents(self) -> int:
        return sum(e.amount_cents for e in self.entries if e.income and e.kind != LineKind.CONTRIBUTION)

    @property
    def expense_cents(self) -> int:
        return sum(e.amount_cents for e in self.entries if not e.income)

    @property
    def contributions_cents(self) -> int:
        return sum(e.amount_cents for e in self.entries if e.kind == LineKind.CONTRIBUTION)


def _weights(entry, programmed) -> list[tuple[int, int]]:
    """(company id, weight) the line is split by."""
    if entry.rule == SplitRule.EQUAL:
        return [(c.id, 1) for c in programmed]
    if entry.rule == SplitRule.PERFORMANCES:
        return [(c.id, c.performances) for c in programmed]
    if entry.rule == SplitRule.CAST:
        return [(c.id, c.cast) for c in programmed]
    if entry.rule == SplitRule.FIXED:  # the shares as weights: they add up to the line whatever happens
        return sorted(entry.fixed.items())
    return []


def split(entry, companies: dict, programmed: list) -> dict[int, int]:
    """{company id: cents} of the line's amount, adding up to it exactly; {} when no one shares it."""
    weights = [(cid, w) for cid, w in _weights(entry, programmed) if w > 0 and cid in companies]
    if not weights:
        return {}
    order = [(companies[cid].name, cid) for cid, _w in weights]
    parts = largest_remainder(entry.amount_cents, [w for _c, w in weights], order)
    return {cid: part for (cid, _w), part in zip(weights, parts, strict=True) if part}


def compute(entries: list[Entry], companies: list[Company], lead_id: int | None) -> Budget:
    """Every company's statement: those programmed, and any that paid, gave or holds a share."""
    by_id = {c.id: c for c in companies}
    programmed = sorted((c for c in companies if c.performances > 0), key=lambda c: (c.name, c.id))
    parts = {c.id: [] for c in companies}
    unsplit = []
    for entry in entries:
        sign = -1 if entry.income else 1
        if entry.kind == LineKind.CONTRIBUTION:  # money from a company to the lead's account
            receiver = lead_id if lead_id in by_id else entry.paid_by
            if receiver == entry.paid_by:
                unsplit.append(entry)
            _add(parts, entry, entry.paid_by, paid=entry.amount_cents)
            _add(parts, entry, receiver, paid=-entry.amount_cents)
            continue
        _add(parts, entry, entry.paid_by, paid=sign * entry.amount_cents)
        shares = {} if entry.rule == SplitRule.NONE else split(entry, by_id, programmed)
        if not shares:
            if entry.rule != SplitRule.NONE:
                unsplit.append(entry)
            shares = {entry.paid_by: entry.amount_cents}
        for company_id, cents in shares.items():
            _add(parts, entry, company_id, share=sign * cents)
    statements = [
        Statement(by_id[cid], _merged(found), lead=cid == lead_id)
        for cid, found in parts.items()
        if found or by_id[cid].performances > 0 or cid == lead_id
    ]
    statements.sort(key=lambda s: (not s.lead, s.company.name, s.company.id))
    return Budget(statements, entries, unsplit)


def _add(parts, entry, company_id, *, paid=0, share=0):
    parts[company_id].append(Part(entry, paid, share))


def _merged(found: list[Part]) -> list[Part]:
    """One part per line (a company that paid a line and shares it has both on one row)."""
    merged = {}
    for part in found:
        before = merged.get(part.entry.id)
        merged[part.entry.id] = (
            part if before is None
            else Part(part.entry, before.paid_cents + part.paid_cents, before.share_cents + part.share_cents)
        )  # fmt: skip
    return list(merged.values())
