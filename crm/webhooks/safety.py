"""Where a webhook may go (server-side request forgery): https only, and never to this machine, a
private or link-local network, or a reserved address, unless the instance allows it (development, tests).

Checked when an endpoint is registered, and again at each delivery on the address the host resolves to
then; the delivery connects to that very address, so a DNS answer that changes in between (rebinding)
cannot send it elsewhere.
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _

from crm.base.errors import DomainError

MAX_URL_LENGTH = 2000


class UnsafeURLError(DomainError):
    """An address a webhook may not be sent to, with the reason for people."""

    def __init__(self, message):
        super().__init__(message, field="url")


@dataclass(frozen=True)
class Target:
    """A checked URL: where to connect (`ip`, `port`) and what to ask for (`host`, `path`)."""

    scheme: str
    host: str
    port: int
    path: str
    ip: str


def _parts(url: str):
    url = (url or "").strip()
    if not url or len(url) > MAX_URL_LENGTH or any(c.isspace() for c in url):
        raise UnsafeURLError(_("Une adresse complète, par exemple https://exemple.org/webhooks."))
    parts = urlsplit(url)
    allowed = ("https", "http") if current_app.config.get("WEBHOOKS_ALLOW_HTTP") else ("https",)
    if parts.scheme.lower() not in allowed:
        raise UnsafeURLError(_("L'adresse doit commencer par https://."))
    if not parts.hostname:
        raise UnsafeURLError(_("Une adresse complète, par exemple https://exemple.org/webhooks."))
    if parts.username or parts.password:
        raise UnsafeURLError(_("L'adresse ne doit pas contenir d'identifiant ni de mot de passe."))
    try:
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    except ValueError:
        raise UnsafeURLError(_("Le port de l'adresse n'est pas valable.")) from None
    return parts, port


def refused_address(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """True for an address a webhook never reaches: multicast, unspecified and link-local ever;
    loopback, private and reserved ones unless WEBHOOKS_ALLOW_PRIVATE."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_multicast or ip.is_unspecified or ip.is_link_local:
        return True  # link-local is where clouds answer with their machines' credentials (169.254.169.254)
    if current_app.config.get("WEBHOOKS_ALLOW_PRIVATE"):
        return False
    return ip.is_loopback or ip.is_link_local or ip.is_private or ip.is_reserved or not ip.is_global


def _addresses(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise UnsafeURLError(_("Ce nom de serveur est introuvable.")) from None
    return list(dict.fromkeys(info[4][0] for info in infos))


def check(url: str) -> Target:
    """The URL's target, resolved now and checked; UnsafeURLError (with a message) otherwise."""
    parts, port = _parts(url)
    addresses = _addresses(parts.hostname, port)
    if not addresses:
        raise UnsafeURLError(_("Ce nom de serveur est introuvable."))
    for address in addresses:
        if refused_address(ipaddress.ip_address(address.split("%", 1)[0])):
            raise UnsafeURLError(
                _("Cette adresse mène à cette machine ou à un réseau privé : elle est refusée.")
            )
    path = parts.path or "/"
    if parts.query:
        path += f"?{parts.query}"
    return Target(parts.scheme.lower(), parts.hostname, port, path, addresses[0])
