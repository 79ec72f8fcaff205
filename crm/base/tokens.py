"""Personal links and secret tokens.

- `sign(purpose, *ids)` / `unsign(purpose, token)`: the one way a personal link carries a record's id
  (invitation reminders, follow-up answers and stop links, private calendars). Signed with the secret key
  and a salt per purpose, so a link made for one purpose never opens another.
- `new_token()` / `hash_token()`: 256 bits from `secrets`, stored only as a SHA-256 digest.
"""

import hashlib
import secrets

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from crm.base.errors import DomainError


class LinkError(DomainError):
    """A personal link that is forged, too old, or whose person was erased: said to people as such."""


def _serializer(purpose: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=purpose)


def sign(purpose: str, *ids: int) -> str:
    """A link-safe token for these ids; one id is written bare (the form links sent so far carry)."""
    return _serializer(purpose).dumps(ids[0] if len(ids) == 1 else list(ids))


def unsign(purpose: str, token: str) -> tuple[int, ...] | None:
    """The ids a token of this purpose carries, or None for anything forged or malformed."""
    try:
        value = _serializer(purpose).loads(token or "")
    except BadSignature:
        return None
    values = value if isinstance(value, list) else [value]
    if not values or not all(type(v) is int and 0 < v < 2**31 for v in values):
        return None
    return tuple(values)


def new_token() -> str:
    """A fresh URL-safe token carrying 256 bits of randomness."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """The digest kept in the database in place of the token itself."""
    return hashlib.sha256(token.encode()).hexdigest()
