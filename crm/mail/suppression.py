"""The suppression list: addresses a network must never write to again, checked at the last moment.

An objection, an erasure or a permanent refusal by the recipient's server puts the address here, and
cancels at once every message still waiting for it. Delivery checks the list again in the statement that
marks a message as being sent, so a message queued before the objection, retried after a 4xx, or held
while the server was down, never leaves. One rule for every kind of message, whoever queued it.
"""

import hashlib
import logging

from flask_babel import gettext as _
from sqlalchemy import exists, or_, select, update

from crm.base.extensions import db
from crm.mail.models import (
    DeliveryAttempt,
    InboundMessage,
    MailState,
    MailSuppression,
    OutboxMessage,
    SuppressionReason,
)

log = logging.getLogger(__name__)


def address_digest(address: str) -> str:
    """The digest kept instead of the address (same normalisation as the outbox: trimmed, lower case)."""
    return hashlib.sha256((address or "").strip().lower().encode()).hexdigest()


def _listed():
    """True for an outbox row whose address is on its network's list (a correlated EXISTS)."""
    return exists().where(
        MailSuppression.network_id == OutboxMessage.network_id,
        MailSuppression.address_hash == OutboxMessage.to_hash,
    )


def _reason():
    return (
        select(MailSuppression.reason)
        .where(
            MailSuppression.network_id == OutboxMessage.network_id,
            MailSuppression.address_hash == OutboxMessage.to_hash,
        )
        .limit(1)
        .scalar_subquery()
    )


def not_listed():
    """The condition delivery adds to the statement that takes a message for sending."""
    return ~_listed()


def listed():
    """True for an outbox row whose address is listed: what delivery checks just before sending."""
    return _listed()


def is_suppressed(network_id: int | None, address: str) -> bool:
    if network_id is None:
        return False
    return bool(
        db.session.scalar(
            select(MailSuppression.id).where(
                MailSuppression.network_id == network_id,
                MailSuppression.address_hash == address_digest(address),
            )
        )
    )


def suppress(network_id: int, address: str, reason: SuppressionReason, *, now) -> int:
    """List the address and cancel what still waits for it; returns how many messages were cancelled.

    An address already listed keeps its first reason, except that an erasure or an objection replaces
    a bounce (it says more about what the person wants)."""
    digest = address_digest(address)
    entry = db.session.scalar(
        select(MailSuppression).where(
            MailSuppression.network_id == network_id, MailSuppression.address_hash == digest
        )
    )
    if entry is None:
        db.session.add(
            MailSuppression(network_id=network_id, address_hash=digest, reason=reason, created_at=now)
        )
    elif entry.reason == SuppressionReason.BOUNCE and reason != SuppressionReason.BOUNCE:
        entry.reason = reason
    db.session.flush()
    cancelled = cancel_waiting(
        [OutboxMessage.network_id == network_id, OutboxMessage.to_hash == digest], states=MailState.waiting()
    )
    log.info(
        "address listed in network %s (%s): %d waiting message(s) cancelled", network_id, reason, cancelled
    )
    return cancelled


def cancel_waiting(conditions, *, states) -> int:
    """Cancel the listed messages among those matching, in one statement, with the list's reason."""
    return db.session.execute(
        update(OutboxMessage)
        .where(*conditions, OutboxMessage.state.in_(states), _listed())
        .values(
            state=MailState.CANCELLED,
            cancel_reason=_reason(),
            claimed_by=None,
            lease_until=None,
            next_attempt_at=None,
            mime=None,
        ),
        execution_options={"synchronize_session": False},
    ).rowcount


def cancel_claimed(ids: list[int]) -> int:
    """Delivery's check on the batch it just claimed, in the claiming transaction."""
    if not ids:
        return 0
    return cancel_waiting([OutboxMessage.id.in_(ids)], states=[MailState.CLAIMED])


def cancel_sending(ids: list[int], worker: str) -> int:
    """Delivery's check just before talking to the server found these messages it holds SENDING listed."""
    return cancel_waiting(
        [OutboxMessage.id.in_(ids), OutboxMessage.claimed_by == worker], states=[MailState.SENDING]
    )


def forget(network_id: int, address: str, programmer_id: int | None) -> int:
    """Erasure: our copies of the messages to the person lose the address and the text; notices to
    others that named the person (a company told of an answer) lose the text and keep their recipient."""
    placeholder = _("(effacé avec les données de la personne)")
    content = {
        "subject": placeholder,
        "body_text": placeholder,
        "body_html": None,
        "unsubscribe_url": None,
        "attachment_ics": None,
        "mime": None,
        "last_error": None,
    }
    to_person = [OutboxMessage.to_hash == address_digest(address)]
    if programmer_id is not None:
        to_person.append(OutboxMessage.programmer_id == programmer_id)
    ids = _scrub(
        [OutboxMessage.network_id == network_id, or_(*to_person)], to_address="effacee@invalid", **content
    )
    if programmer_id is not None:
        ids += _scrub(
            [OutboxMessage.network_id == network_id, OutboxMessage.about_programmer_id == programmer_id],
            **content,
        )
    if ids:
        db.session.execute(
            update(DeliveryAttempt).where(DeliveryAttempt.message_id.in_(ids)).values(detail=""),
            execution_options={"synchronize_session": False},
        )
    if programmer_id is not None:  # what the person wrote to us: kept as a dated trace, with no content
        db.session.execute(
            update(InboundMessage)
            .where(InboundMessage.network_id == network_id, InboundMessage.programmer_id == programmer_id)
            .values(raw=b"", text=None, from_address=None, subject=None, attachments=None),
            execution_options={"synchronize_session": False},
        )
    log.info("%d message(s) of an erased person forgotten in network %s", len(ids), network_id)
    return len(ids)


def _scrub(where, **values) -> list[int]:
    ids = list(db.session.scalars(select(OutboxMessage.id).where(*where)))
    if ids:
        db.session.execute(
            update(OutboxMessage).where(OutboxMessage.id.in_(ids)).values(**values),
            execution_options={"synchronize_session": False},
        )
    return ids
