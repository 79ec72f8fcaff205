"""Sending the outbox: signed per Standard Webhooks, retried with backoff for about three days.

A worker claims a batch of due rows (CLAIMED with a lease, `claim_rows`: PostgreSQL's SKIP LOCKED, or
SQLite's write lock), commits, then sends them one by one, committing each outcome. A worker that dies
leaves its claimed rows to go back to the queue when the lease ends: they are sent again, under the same
`webhook-id` (webhooks are delivered at least once; receivers drop an id they have seen).

Each request goes to the address checked just before (`safety.check`), waits `WEBHOOKS_TIMEOUT_SECONDS`
to connect and for each read, follows no redirect (a 3xx is a failure), and keeps the first 500 bytes
of the answer. A 2xx is delivered; 410 Gone disables the endpoint at once; anything else (a timeout, a
refused connection, another status) is tried again after `RETRY_DELAYS`, and the endpoint of a message
that exhausts them is disabled, its network's coordinators told by e-mail.
"""

import http.client
import logging
import socket
import ssl
import time
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select, update
from standardwebhooks import Webhook

from crm.accounts.models import User
from crm.base.database import claim_rows, utcnow
from crm.base.enums import Role
from crm.base.extensions import db
from crm.base.links import external_url
from crm.mail.services import send
from crm.webhooks import safety, services
from crm.webhooks.models import MessageState, WebhookAttempt, WebhookEndpoint, WebhookMessage

log = logging.getLogger(__name__)

# The Standard Webhooks (Svix) schedule, stretched to about three days: after the first try, these
# waits; 13 tries over 3 days 5 h 35 min.
RETRY_DELAYS = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    *(timedelta(hours=10),) * 7,
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
RESPONSE_BYTES = 500
BATCH = 10
USER_AGENT = "Vitrine-Webhooks/1"


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """HTTP to the address checked, whatever the name resolves to by now."""

    def __init__(self, target, timeout):
        super().__init__(target.host, target.port, timeout=timeout)
        self._ip = target.ip

    def connect(self):
        self.sock = socket.create_connection((self._ip, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to the address checked; the certificate is still checked against the host's name."""

    def __init__(self, target, timeout):
        super().__init__(target.host, target.port, timeout=timeout, context=ssl.create_default_context())
        self._ip = target.ip

    def connect(self):
        sock = socket.create_connection((self._ip, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def headers_for(message, endpoint, *, now) -> dict:
    """The Standard Webhooks headers: id, timestamp, and one signature per secret in use."""
    signatures = [
        Webhook(secret).sign(message.webhook_id, now, message.payload)
        for secret in services.signing_secrets(endpoint, now=now)
    ]
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": message.webhook_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": " ".join(signatures),
    }


def post(url: str, body: bytes, headers: dict, *, timeout: float) -> tuple[int, str]:
    """POST the body to the URL, checked again now; (status, the first bytes of the answer)."""
    target = safety.check(url)
    cls = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = cls(target, timeout)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        excerpt = response.read(RESPONSE_BYTES)
        return response.status, excerpt.decode("utf-8", errors="replace")
    finally:
        connection.close()


def attempt(message, endpoint, *, now) -> tuple[int | None, str | None, str | None]:
    """One try: (status, the answer's first bytes, error) — an error when nothing usable came back."""
    timeout = current_app.config.get("WEBHOOKS_TIMEOUT_SECONDS", 5)
    try:
        status, excerpt = post(
            endpoint.url, message.payload.encode(), headers_for(message, endpoint, now=now), timeout=timeout
        )
    except safety.UnsafeURLError as error:
        return None, None, str(error.message)
    except TimeoutError:
        seconds = f"{timeout:g}"
        return None, None, _("Pas de réponse dans le délai (%(s)s s).", s=seconds)
    except (OSError, http.client.HTTPException) as error:
        return None, None, f"{type(error).__name__}: {error}"[:500]
    if 300 <= status < 400:
        return status, excerpt, _("Redirection non suivie (%(status)s).", status=status)
    if not 200 <= status < 300:
        return status, excerpt, _("Réponse %(status)s.", status=status)
    return status, excerpt, None


def recover_abandoned(now) -> int:
    """Rows a dead worker held past their lease go back to the queue (they are sent again)."""
    return db.session.execute(
        update(WebhookMessage)
        .where(WebhookMessage.state == MessageState.CLAIMED, WebhookMessage.lease_until < now)
        .values(state=MessageState.PENDING, claimed_by=None, lease_until=None),
        execution_options={"synchronize_session": False},
    ).rowcount


def _lease() -> timedelta:
    timeout = current_app.config.get("WEBHOOKS_TIMEOUT_SECONDS", 5)
    return timedelta(seconds=BATCH * (3 * timeout + 1) + 60)


def deliver_due(*, worker: str, now=None, limit: int = BATCH) -> dict:
    """Claim and send one batch of due messages; returns counts (delivered, retried, failed)."""
    now = now or utcnow()
    counts = {"delivered": 0, "retried": 0, "failed": 0}
    recover_abandoned(now)
    db.session.commit()  # on SQLite, the claim below then opens its own write transaction (BEGIN IMMEDIATE)
    enabled = select(WebhookEndpoint.id).where(WebhookEndpoint.enabled.is_(True))
    ids = claim_rows(
        WebhookMessage,
        [
            WebhookMessage.state == MessageState.PENDING,
            WebhookMessage.due_at <= now,
            WebhookMessage.endpoint_id.in_(enabled),
        ],
        [WebhookMessage.due_at, WebhookMessage.id],
        limit,
        {"state": MessageState.CLAIMED, "claimed_by": worker, "lease_until": now + _lease()},
    )
    db.session.commit()  # ours before any endpoint hears of them
    for message_id in ids:
        outcome = _send_one(message_id, worker=worker, now=now)
        if outcome:
            counts[outcome] += 1
        db.session.commit()
    return counts


def _send_one(message_id: int, *, worker: str, now) -> str | None:
    message = db.session.get(WebhookMessage, message_id)
    if message is None or message.state != MessageState.CLAIMED or message.claimed_by != worker:
        return None
    endpoint = message.endpoint
    if not endpoint.enabled:  # disabled since the claim: it waits, in case it is enabled again
        message.state, message.claimed_by, message.lease_until = MessageState.PENDING, None, None
        return None
    started = time.monotonic()
    status, excerpt, error = attempt(message, endpoint, now=now)
    elapsed = int((time.monotonic() - started) * 1000)
    db.session.add(
        WebhookAttempt(
            message_id=message.id, at=now, worker=worker, duration_ms=elapsed, status_code=status,
            delivered=error is None, error=error, response=excerpt,
        )
    )  # fmt: skip
    message.attempts += 1
    message.last_status, message.last_error, message.last_response = status, error, excerpt
    message.last_attempt_at, message.claimed_by, message.lease_until = now, None, None
    log.info("webhook %s to endpoint %s: %s (%d ms)", message.id, endpoint.id, status or "no answer", elapsed)
    return _outcome(message, endpoint, status, error, now=now)


def _outcome(message, endpoint, status, error, *, now) -> str:
    if error is None:
        message.state, message.delivered_at = MessageState.DELIVERED, now
        return "delivered"
    if status == 410:
        message.state = MessageState.FAILED
        _disable(endpoint, _("Le point d'arrivée a répondu 410 (n'existe plus)."), now=now)
        return "failed"
    if message.attempts >= MAX_ATTEMPTS:
        message.state = MessageState.FAILED
        _disable(
            endpoint,
            _("Aucun envoi n'a abouti pendant 3 jours (%(n)s essais) : %(error)s", n=message.attempts,
              error=error),
            now=now,
        )  # fmt: skip
        return "failed"
    message.state, message.due_at = MessageState.PENDING, now + RETRY_DELAYS[message.attempts - 1]
    return "retried"


def _disable(endpoint, reason: str, *, now) -> None:
    """Disable the endpoint and tell the network's coordinators (through the mail layer's outbox)."""
    if not endpoint.enabled:
        return
    services.set_enabled(endpoint, False, now=now, reason=reason[:500])
    log.warning("webhook endpoint %s disabled", endpoint.id)
    coordinators = db.session.execute(
        select(User.email, User.locale).where(
            User.network_id == endpoint.network_id, User.role == Role.COORDINATOR, User.active.is_(True)
        )
    ).all()
    for locale in sorted({locale or "fr" for _email, locale in coordinators}):
        with force_locale(locale):  # each coordinator in the language they chose
            subject = _("Webhooks : un point d'arrivée est désactivé")
            body = _(
                "Bonjour,\n\nVitrine n'envoie plus d'événements à %(url)s.\n\nPourquoi : %(reason)s\n\n"
                "Quand le service qui les reçoit fonctionne à nouveau, réactivez-le (ce qui attendait "
                "repart) : %(link)s\n",
                url=endpoint.url,
                reason=reason,
                link=external_url("webhooks.endpoints"),
            )
        addresses = [email for email, chosen in coordinators if (chosen or "fr") == locale]
        send(endpoint.network_id, addresses, subject, body)
