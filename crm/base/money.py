"""Money split to the cent: amounts are whole cents, and a split always adds up to what was split.

One engine for every statement that shares money between companies (the pooled box office, an edition's
shared budget): floors first, then one cent each to the largest remainders.
"""

from decimal import Decimal
from fractions import Fraction


def cents(amount) -> int:
    return int((Decimal(amount) * 100).to_integral_exact())


def euros(cents_: int) -> Decimal:
    return (Decimal(cents_) / 100).quantize(Decimal("0.01"))


def largest_remainder(total: int, weights: list[int], order: list) -> list[int]:
    """Split `total` cents in proportion to `weights`: floors first, then one cent each to the largest
    remainders (ties broken by `order`, so the statement is the same every time)."""
    weight = sum(weights)
    if total == 0 or weight == 0:
        return [0] * len(weights)
    quotas = [Fraction(total * w, weight) for w in weights]
    parts = [int(q) for q in quotas]
    left = total - sum(parts)
    ranked = sorted(range(len(weights)), key=lambda i: (-(quotas[i] - parts[i]), order[i]))
    for i in ranked[:left]:
        parts[i] += 1
    return parts
