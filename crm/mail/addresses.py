"""The addresses that carry a message's token: where replies go (MAIL_REPLY_ADDRESS) and where bounces
come back (MAIL_BOUNCE_ADDRESS, VERP). `suivi@reseau.example` gives `suivi+<token>@reseau.example`
(sub-addressing); an address with `{token}` in it, `{token}@reply.reseau.example`, is filled in."""

import base64
import re
import secrets
from email.utils import getaddresses, parseaddr

from flask import current_app


def new_token() -> str:
    """128 bits, as 26 lower-case base32 characters: fits in an address's local part, case-proof."""
    return base64.b32encode(secrets.token_bytes(16)).decode().rstrip("=").lower()


def _with_token(template: str, token: str) -> str:
    if "{token}" in template:
        return template.replace("{token}", token)
    local, _at, domain = template.rpartition("@")
    return f"{local}+{token}@{domain}"


def reply_address(token: str | None) -> str | None:
    template = current_app.config.get("MAIL_REPLY_ADDRESS")
    return _with_token(template, token) if template and token else None


def bounce_address(token: str | None) -> str | None:
    template = current_app.config.get("MAIL_BOUNCE_ADDRESS")
    return _with_token(template, token) if template and token else None


def _pattern(template: str) -> re.Pattern:
    template = template.lower()
    if "{token}" in template:
        before, _brace, after = template.partition("{token}")
        return re.compile(re.escape(before) + r"([a-z2-7]{26})" + re.escape(after))
    local, _at, domain = template.rpartition("@")
    return re.compile(re.escape(local) + r"\+([a-z2-7]{26})@" + re.escape(domain))


def tokens_in(addresses) -> list[str]:
    """The tokens carried by any of these addresses (header values or bare addresses)."""
    config = current_app.config
    patterns = [_pattern(config[k]) for k in ("MAIL_REPLY_ADDRESS", "MAIL_BOUNCE_ADDRESS") if config.get(k)]
    found = []
    for _name, address in getaddresses([a for a in addresses if a]):
        for pattern in patterns:
            match = pattern.fullmatch(address.lower())
            if match and match.group(1) not in found:
                found.append(match.group(1))
    return found


def is_ours(address: str | None) -> bool:
    """An address of ours with no token: the bare reply or bounce address."""
    bare = parseaddr(address or "")[1].lower()
    for key in ("MAIL_REPLY_ADDRESS", "MAIL_BOUNCE_ADDRESS"):
        template = (current_app.config.get(key) or "").lower()
        if template and "{token}" not in template and bare == template:
            return True
    return False
