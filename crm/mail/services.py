"""Sending e-mail: every feature calls `send` (or `send_to_programmer`). A message is a row of the
outbox: kept there for the development outbox page when no SMTP server is configured, or queued for
`crm.mail.delivery`, which the scheduler's tick runs."""

import logging
import uuid

from flask import current_app
from sqlalchemy import insert, select

from crm.base.database import utcnow
from crm.base.extensions import db
from crm.mail.addresses import new_token
from crm.mail.delivery import serialise
from crm.mail.models import MailState, OutboxMessage
from crm.mail.suppression import address_digest, cancel_waiting

log = logging.getLogger(__name__)


def new_message_id() -> str:
    """A Message-ID fixed when the message is decided, so that a retry carries the same one."""
    domain = current_app.config["MAIL_DEFAULT_SENDER"].rsplit("@", 1)[-1].strip("> ") or "localhost"
    return f"<{uuid.uuid4().hex}@{domain}>"


def smtp_configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def message_values(
    network_id: int,
    address: str,
    subject: str,
    body: str,
    *,
    html: str | None = None,
    programmer_id: int | None = None,
    about_programmer_id: int | None = None,
    unsubscribe_url: str | None = None,
    message_id: str | None = None,
    attachment_ics: str | None = None,
    from_name: str | None = None,
    in_reply_to: str | None = None,
    automatic: bool = True,
    company_id: int | None = None,
    now=None,
) -> dict:
    """One outbox row, as `send` and the batches of the scheduler write it."""
    now = now or utcnow()
    return {
        "reply_token": new_token(),
        "from_name": from_name,
        "in_reply_to": in_reply_to,
        "automatic": automatic,
        "company_id": company_id,
        "network_id": network_id,
        "programmer_id": programmer_id,
        "about_programmer_id": about_programmer_id,
        "to_address": address.strip().lower(),
        "to_hash": address_digest(address),
        "subject": subject,
        "body_text": body,
        "body_html": html,
        "unsubscribe_url": unsubscribe_url,
        "attachment_ics": attachment_ics,
        "message_id": message_id or new_message_id(),
        "state": MailState.PENDING if smtp_configured() else MailState.KEPT,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }


def send(network_id: int | None, to: list[str], subject: str, body: str, **extra) -> list[OutboxMessage]:
    """Queue one message per address (deduplicated); one to a listed address is cancelled at once."""
    messages = []
    for address in dict.fromkeys(a.strip().lower() for a in to if a and a.strip()):
        if messages:
            extra["message_id"] = None  # a Message-ID names one message
        message = OutboxMessage(**message_values(network_id, address, subject, body, **extra))
        if message.state == MailState.PENDING:
            message.mime = serialise(message)  # built once: every attempt sends these bytes
        db.session.add(message)
        messages.append(message)
    db.session.flush()
    if messages and network_id is not None:
        ids = [m.id for m in messages]
        if cancel_waiting([OutboxMessage.id.in_(ids)], states=MailState.waiting()):
            for message in messages:
                db.session.refresh(message)
    log.info("%d message(s) queued", len(messages))
    return messages


def queue_many(rows: list[dict]) -> None:
    """Write many outbox rows with one statement (the scheduler's batches), each message to be sent
    with its bytes built once."""
    if rows:
        rows = [
            {**row, "mime": serialise(OutboxMessage(**row)) if row["state"] == MailState.PENDING else None}
            for row in rows
        ]
        db.session.execute(insert(OutboxMessage), rows)
        log.info("%d message(s) queued", len(rows))


def outbox_query(network_id: int, state: str | None = None):
    query = select(OutboxMessage).where(OutboxMessage.network_id == network_id)
    if state == "flagged":
        query = query.where(OutboxMessage.state.in_(MailState.flagged()))
    return query.order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())


class RefusedRecipientError(Exception):
    """A message addressed to someone who objected, was erased, or whose address bounces: never sent."""


def may_be_written_to(person) -> bool:
    """The mail gate's rule for a person: not opted out, not erased, address not refused for good.
    (Every message is checked again against the suppression list when it is claimed and sent.)"""
    return person.opted_out_at is None and person.erased_at is None and person.bounced_at is None


def send_to_programmer(programmer, subject: str, body: str, **extra) -> OutboxMessage:
    """The only way to write to a programmer: refused once they opted out, were erased or bounce."""
    if not may_be_written_to(programmer):
        log.info("message to programmer %s refused: opted out, erased or bouncing", programmer.id)
        raise RefusedRecipientError(programmer.id)
    return send(
        programmer.network_id, [programmer.email], subject, body, programmer_id=programmer.id, **extra
    )[0]
