"""Sending e-mail: every feature calls `send`."""

import logging

from sqlalchemy import select

from crm.accounts.models import Role, User
from crm.database import utcnow
from crm.extensions import db
from crm.mail.models import OutboxMessage

log = logging.getLogger(__name__)


def send(network_id: int, to: list[str], subject: str, body: str) -> list[OutboxMessage]:
    """Queue one message per address (deduplicated) in the outbox."""
    messages = []
    for address in dict.fromkeys(a.strip().lower() for a in to if a and a.strip()):
        message = OutboxMessage(
            network_id=network_id, to_address=address, subject=subject, body_text=body, created_at=utcnow()
        )
        db.session.add(message)
        messages.append(message)
    db.session.flush()
    log.info("%d message(s) queued: %s", len(messages), subject)
    return messages


def company_addresses(company) -> list[str]:
    """Who hears about a company's applications: its contact address and its members' accounts."""
    members = db.session.scalars(
        select(User.email).where(
            User.company_id == company.id, User.role == Role.MEMBER, User.active.is_(True)
        )
    )
    return [a for a in [company.email, *members] if a]


def outbox_query(network_id: int):
    return (
        select(OutboxMessage)
        .where(OutboxMessage.network_id == network_id)
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
    )


class RefusedRecipientError(Exception):
    """A message addressed to someone who objected or was erased: never sent."""


def send_to_programmer(programmer, subject: str, body: str) -> OutboxMessage:
    """The only way to write to a programmer: refused once they opted out or were erased."""
    from crm.contacts.privacy import may_be_contacted

    if not may_be_contacted(programmer):
        log.info("message to programmer %s refused: opted out or erased", programmer.id)
        raise RefusedRecipientError(programmer.id)
    return send(programmer.network_id, [programmer.email], subject, body)[0]
