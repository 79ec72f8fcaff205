"""What a password must be: long enough, not among the most common ones, not the account's own name or
address. Any character is welcome (the text is compared in Unicode NFC form, as typed on any device)."""

import re
import unicodedata
from functools import cache

from flask_babel import gettext as _

from crm.base.errors import DomainError

MIN_LENGTH = 10
MAX_LENGTH = 1000


def normalise(password: str) -> str:
    return unicodedata.normalize("NFC", password or "")


@cache
def _common() -> frozenset[str]:
    """The 30,000 most common passwords of the list zxcvbn ships (offline, from its package)."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS  # noqa: PLC0415  (a large list, read on first use)

    return frozenset(FREQUENCY_LISTS["passwords"])


def _core(password: str) -> str:
    """'Soleil2024!' → 'soleil': what is left once the usual digits and signs at either end go."""
    return re.sub(r"^[\d\W_]+|[\d\W_]+$", "", password.casefold())


def check(password: str, *, email: str | None = None, name: str | None = None) -> None:
    """Raise DomainError (on the new password field) when the password would be easy to guess."""
    password = normalise(password)
    if len(password) < MIN_LENGTH:
        raise DomainError(_("Le mot de passe doit faire au moins %(n)d caractères.", n=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        raise DomainError(_("Le mot de passe doit faire au plus %(n)d caractères.", n=MAX_LENGTH))
    folded = password.casefold()
    squeezed = re.sub(r"[\W_]+", "", folded)
    if folded in _common() or squeezed in _common() or _core(password) in _common() or len(set(folded)) < 3:
        raise DomainError(_("Ce mot de passe fait partie des plus courants : choisissez-en un autre."))
    for own in _own_words(email, name):
        if own in squeezed:
            raise DomainError(_("Le mot de passe ne doit pas reprendre votre nom ni votre adresse e-mail."))


def _own_words(email, name) -> list[str]:
    words = []
    if email:
        local = email.casefold().split("@", 1)[0]
        words += [re.sub(r"[\W_]+", "", local), *re.split(r"[\W_]+", local)]
    if name:
        folded = name.casefold()
        words += [re.sub(r"[\W_]+", "", folded), *re.split(r"[\W_]+", folded)]
    return [w for w in dict.fromkeys(words) if len(w) >= 4]
