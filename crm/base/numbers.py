"""Numbers typed by people or carried in URLs, parsed in one place: ASCII digits only, within the
range the database can hold, never a float or an exponent. Anything else is a ValueError, which forms
turn into a message beside the field and `request.args.get(type=…)` into "not given"."""

from decimal import Decimal, InvalidOperation

MAX_ID = 2**31 - 1  # an INTEGER column, on SQLite and PostgreSQL alike


def whole(value, minimum: int = -MAX_ID, maximum: int = MAX_ID) -> int:
    """'42' → 42; '4.2', '1e3', 'abc', '²', '99999999999999999999' → ValueError."""
    text = str(value).strip()
    digits = text[1:] if text[:1] in "+-" else text
    if not digits or len(digits) > 12 or not (digits.isascii() and digits.isdigit()):
        raise ValueError(value)
    number = int(text)
    if not minimum <= number <= maximum:
        raise ValueError(value)
    return number


def row_id(value) -> int:
    """A primary key from a form or a URL."""
    return whole(value, 1, MAX_ID)


def page_number(value) -> int:
    return whole(value, 1, 100_000)


def row_ids(values) -> list[int]:
    """The valid keys among those sent (a list of ticked boxes); the others are left out."""
    found = []
    for value in values or ():
        try:
            found.append(row_id(value))
        except ValueError:
            continue
    return found


def amount(value, *, maximum: Decimal) -> Decimal:
    """'1 200,50' → Decimal('1200.50'): finite, at least 0, at most `maximum`, in cents."""
    text = str(value).replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace(",", ".")
    if not text or any(c not in "0123456789." for c in text):
        raise ValueError(value)
    try:
        number = Decimal(text).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise ValueError(value) from None
    if not 0 <= number <= maximum:
        raise ValueError(value)
    return number
