"""Secret tokens: 256 bits from `secrets`, stored only as a SHA-256 digest where they grant access."""

import hashlib
import secrets


def new_token() -> str:
    """A fresh URL-safe token carrying 256 bits of randomness."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """The digest kept in the database in place of the token itself."""
    return hashlib.sha256(token.encode()).hexdigest()
