"""Endpoints (register, edit, rotate the secret, disable) and the outbox they are sent from.

`queue` is what the subscriptions call for each domain event: one row per endpoint that wants it,
added to the session of the change (no commit), so a change rolled back sends nothing and a process
that dies after the commit loses nothing. The tick sends the rows (`crm.webhooks.delivery`).
"""

import base64
import json
import logging
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from crm.base.errors import DomainError
from crm.base.extensions import db
from crm.networks.models import Network
from crm.webhooks import safety
from crm.webhooks.models import EventType, MessageState, WebhookEndpoint, WebhookMessage

log = logging.getLogger(__name__)

ROTATION_OVERLAP = timedelta(hours=24)  # both signatures are sent this long after a rotation
MAX_PAYLOAD_BYTES = 20_000
_QUEUED = "webhooks_queued"  # session.info: what this transaction already queued (one row per change)
_ENDPOINTS = "webhooks_endpoints"  # session.info: each network's enabled endpoints, read once


def new_secret() -> str:
    """A Standard Webhooks secret: "whsec_" and the base64 of 32 random bytes."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def new_webhook_id() -> str:
    return "msg_" + secrets.token_urlsafe(18)


def api_url(path: str) -> str:
    """The absolute address of an API resource, from the instance's public address (the worker and the
    pages write the same links)."""
    return current_app.config["VITRINE_BASE_URL"].rstrip("/") + path


def _events(data) -> list[str]:
    chosen = [str(EventType(e)) for e in (data.get("events") or [])]
    return sorted(set(chosen) - {EventType.PING})


def _description(data) -> str | None:
    return (data.get("description") or "").strip()[:500] or None


# --- Endpoints ----------------------------------------------------------------------------------------


def create_endpoint(network, data: dict, *, actor=None, now) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint (URL checked now); returns it and its secret, to be shown once."""
    url = data.get("url", "").strip()
    safety.check(url)
    secret = new_secret()
    endpoint = WebhookEndpoint(
        network_id=network.id,
        url=url,
        events=_events(data),
        description=_description(data),
        enabled=True,
        secret=secret,
        created_by_id=actor.id if actor else None,
        created_at=now,
    )
    db.session.add(endpoint)
    db.session.flush()
    _forget_endpoints()
    log.info("webhook endpoint %s registered for network %s", endpoint.id, network.id)
    return endpoint, secret


def update_endpoint(endpoint, data: dict) -> WebhookEndpoint:
    url = data.get("url", "").strip()
    if url != endpoint.url:
        safety.check(url)
    endpoint.url, endpoint.events, endpoint.description = url, _events(data), _description(data)
    db.session.flush()
    _forget_endpoints()
    return endpoint


def rotate_secret(endpoint, *, now) -> str:
    """A new secret; the previous one still signs for ROTATION_OVERLAP, so receivers switch calmly."""
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_expires_at = now + ROTATION_OVERLAP
    endpoint.secret = new_secret()
    db.session.flush()
    log.info("webhook endpoint %s: secret rotated", endpoint.id)
    return endpoint.secret


def signing_secrets(endpoint, *, now) -> list[str]:
    """The secrets that sign a delivery now: the current one, and the previous one during the overlap."""
    found = [endpoint.secret]
    expires = endpoint.previous_secret_expires_at
    if endpoint.previous_secret and expires is not None and expires > now:
        found.append(endpoint.previous_secret)
    return found


def set_enabled(endpoint, enabled: bool, *, now, reason: str | None = None) -> None:
    """Enable (what waits is sent again from now) or disable (nothing more is queued or sent)."""
    if enabled and not endpoint.enabled:
        safety.check(endpoint.url)
        db.session.execute(
            update(WebhookMessage)
            .where(WebhookMessage.endpoint_id == endpoint.id, WebhookMessage.state == MessageState.PENDING)
            .values(due_at=now),
            execution_options={"synchronize_session": False},
        )
    endpoint.enabled = enabled
    endpoint.disabled_at = None if enabled else now
    endpoint.disabled_reason = None if enabled else (reason or _("Désactivé par la coordination."))
    db.session.flush()
    _forget_endpoints()


def endpoints_of(network_id: int) -> list[WebhookEndpoint]:
    return list(
        db.session.scalars(
            select(WebhookEndpoint)
            .where(WebhookEndpoint.network_id == network_id)
            .order_by(WebhookEndpoint.created_at, WebhookEndpoint.id)
        )
    )


def deliveries_query(network_id: int, endpoint_id: int | None = None):
    query = select(WebhookMessage).where(WebhookMessage.network_id == network_id)
    if endpoint_id is not None:
        query = query.where(WebhookMessage.endpoint_id == endpoint_id)
    return query.order_by(WebhookMessage.created_at.desc(), WebhookMessage.id.desc())


# --- The outbox ---------------------------------------------------------------------------------------


def payload(event_type: str, network: Network, object_id: int, path: str, *, now) -> str:
    """The thin body: what happened, to what, and where to read it through the API."""
    body = {
        "type": str(event_type),
        "timestamp": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "data": {"id": object_id, "network": network.slug, "url": api_url(path)},
    }
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    if len(text.encode()) > MAX_PAYLOAD_BYTES:  # a thin payload stays thin; never sent oversized
        raise ValueError(f"webhook payload of {len(text)} characters")
    return text


def _wanting(network_id: int, event_type: str) -> list[int]:
    """The network's enabled endpoints that want this event, read once per transaction."""
    cache = db.session.info.setdefault(_ENDPOINTS, {})
    if network_id not in cache:
        cache[network_id] = db.session.execute(
            select(WebhookEndpoint.id, WebhookEndpoint.events).where(
                WebhookEndpoint.network_id == network_id, WebhookEndpoint.enabled.is_(True)
            )
        ).all()
    return [
        endpoint_id
        for endpoint_id, events in cache[network_id]
        if event_type == EventType.PING or not events or event_type in events
    ]


def _forget_endpoints() -> None:
    db.session.info.pop(_ENDPOINTS, None)


def queue(network_id: int, event_type: str, object_id: int, path: str, *, now, endpoints=None) -> int:
    """One outbox row per endpoint that wants the event, in the caller's transaction; the same object's
    same event twice in one transaction (a show taken off a slot and put back) is queued once."""
    wanted = endpoints if endpoints is not None else _wanting(network_id, event_type)
    if not wanted:
        return 0
    queued = db.session.info.setdefault(_QUEUED, set())
    network = db.session.get(Network, network_id)
    body = payload(event_type, network, object_id, path, now=now)
    count = 0
    for endpoint_id in wanted:
        key = (endpoint_id, str(event_type), object_id)
        if key in queued and event_type != EventType.PING:
            continue
        queued.add(key)
        db.session.add(
            WebhookMessage(
                endpoint_id=endpoint_id,
                network_id=network_id,
                webhook_id=new_webhook_id(),
                event_type=str(event_type),
                object_id=object_id,
                payload=body,
                state=MessageState.PENDING,
                attempts=0,
                due_at=now,
                created_at=now,
            )
        )
        count += 1
    return count


@event.listens_for(Session, "after_transaction_end")
def _transaction_over(session, transaction):
    """What a transaction queued is forgotten when it ends (committed or rolled back), not at a
    savepoint's end."""
    if transaction.parent is None:
        session.info.pop(_QUEUED, None)
        session.info.pop(_ENDPOINTS, None)


def queue_ping(network, *, now, endpoint=None) -> int:
    """A `ping` to one endpoint, or to each enabled endpoint of the network."""
    if endpoint is not None:
        if not endpoint.enabled:
            raise DomainError(_("Ce point d'arrivée est désactivé : réactivez-le d'abord."))
        ids = [endpoint.id]
    else:
        ids = _wanting(network.id, EventType.PING)
    count = queue(network.id, EventType.PING, network.id, "/api/v1/network", now=now, endpoints=ids)
    db.session.flush()
    return count


def replay(message, *, now) -> None:
    """Send a delivery again, same id and same body, from now (its retries start over)."""
    if not message.endpoint.enabled:
        raise DomainError(_("Ce point d'arrivée est désactivé : réactivez-le d'abord."))
    if message.state == MessageState.CLAIMED:
        raise DomainError(_("Cet envoi est en cours : attendez son résultat."))
    message.state, message.attempts, message.due_at = MessageState.PENDING, 0, now
    message.last_error = None
    db.session.flush()


def describe(url: str) -> str:
    """The endpoint's host, as lists show it."""
    return urlsplit(url).netloc or url
