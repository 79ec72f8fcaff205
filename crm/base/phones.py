"""Phone numbers: stored in international (E.164) form, shown the French way."""

import phonenumbers
from flask_babel import gettext as _

from crm.base.errors import DomainError


def normalise_phone(raw: str | None, field: str = "phone") -> str | None:
    """E.164 form of a number typed the French or the international way; DomainError if invalid."""
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        number = phonenumbers.parse(raw, "FR")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise DomainError(_("Numéro de téléphone invalide : %(raw)s", raw=raw), field=field)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(stored: str | None) -> str:
    """'01 23 45 67 89' for French numbers, international form for the others."""
    if not stored:
        return ""
    number = phonenumbers.parse(stored, None)
    if number.country_code == 33:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
