import json
from email.utils import parseaddr

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy import true as sa_true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.base.database import UTCDateTime, utcnow
from crm.base.enums import LabelledEnum, enum_column
from crm.base.extensions import db


class MailState(LabelledEnum):
    """A message's life. Without an SMTP server a message is KEPT in the development outbox; with one it
    is PENDING until a worker CLAIMS it, marks it SENDING before talking to the server (a few at a time:
    see `crm.mail.delivery`), and records the outcome. A message left SENDING by a worker that died is
    UNKNOWN: a coordinator decides."""

    KEPT = "kept", _l("Gardé (boîte d'envoi de développement)")
    PENDING = "pending", _l("En attente d'envoi")
    CLAIMED = "claimed", _l("Pris par l'envoi")
    SENDING = "sending", _l("En cours d'envoi")
    SENT = "sent", _l("Envoyé")
    BOUNCED = "bounced", _l("Refusé (adresse en erreur)")
    FAILED = "failed", _l("Abandonné après plusieurs essais")
    UNKNOWN = "unknown", _l("Sort inconnu : à vérifier")
    REFUSED = "refused", _l("Refusé par le serveur (contenu du message)")
    CANCELLED = "cancelled", _l("Annulé avant l'envoi")

    @classmethod
    def flagged(cls):
        return [cls.BOUNCED, cls.FAILED, cls.UNKNOWN, cls.REFUSED]

    @classmethod
    def waiting(cls):
        """Not yet handed to a server: what an objection or an erasure still stops at once."""
        return [cls.KEPT, cls.PENDING, cls.CLAIMED]


class SuppressionReason(LabelledEnum):
    """Why an address gets nothing more from a network (its suppression list)."""

    OBJECTION = "objection", _l("Annulé : la personne s'est opposée aux messages")
    ERASURE = "erasure", _l("Annulé : les données de la personne ont été effacées")
    BOUNCE = "bounce", _l("Annulé : l'adresse est refusée par son serveur")


class OutboxMessage(db.Model):
    """A message the app sends (or, without an SMTP server, would have sent): also the sending queue."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        Index("ix_outbox_messages_network_created", "network_id", "created_at"),
        Index("ix_outbox_messages_state_next", "state", "next_attempt_at"),
        Index("ix_outbox_messages_network_to_hash", "network_id", "to_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # None for the few notices that concern no network (an administrator's sign-in alerts).
    network_id: Mapped[int | None] = mapped_column(ForeignKey("networks.id"), index=True)
    programmer_id: Mapped[int | None] = mapped_column(
        ForeignKey("programmers.id", ondelete="SET NULL"), index=True
    )
    # A notice to someone else that names a programmer (a company told of an answer): erased with them.
    about_programmer_id: Mapped[int | None] = mapped_column(
        ForeignKey("programmers.id", ondelete="SET NULL"), index=True
    )
    to_address: Mapped[str] = mapped_column(String(254))
    # SHA-256 of the address, matched against the network's suppression list at the moment of sending.
    to_hash: Mapped[str] = mapped_column(String(64))
    # Replies come back to an address carrying this token (MAIL_REPLY_ADDRESS), bounces too (VERP).
    reply_token: Mapped[str | None] = mapped_column(String(32), unique=True)
    # The sender's display name when it is not the network's own ("Compagnie X via Réseau").
    from_name: Mapped[str | None] = mapped_column(String(200))
    in_reply_to: Mapped[str | None] = mapped_column(String(200))  # a thread: the message answered
    # A company writing through us (an answer from its task): a reply to it concerns that company only.
    company_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    automatic: Mapped[bool] = mapped_column(Boolean, default=True, server_default=sa_true())
    subject: Mapped[str] = mapped_column(String(200))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[str | None] = mapped_column(String(200), unique=True)
    unsubscribe_url: Mapped[str | None] = mapped_column(String(500))
    # An iCalendar file sent along (METHOD:PUBLISH), e.g. the edition's days with an invitation.
    attachment_ics: Mapped[str | None] = mapped_column(Text)
    # The MIME message as handed to the server (before any DKIM signature), serialised once when the
    # message is queued, so that each attempt sends the very same bytes; emptied once it is sent,
    # cancelled or erased. None for a message queued before it existed: built at sending then.
    mime = mapped_column(LargeBinary)
    state: Mapped[MailState] = mapped_column(enum_column(MailState, 10), default=MailState.KEPT)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(80))
    lease_until = mapped_column(UTCDateTime)
    sent_at = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    cancel_reason: Mapped[SuppressionReason | None] = mapped_column(enum_column(SuppressionReason, 10))
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    attempts_log = relationship("DeliveryAttempt", order_by="DeliveryAttempt.id", viewonly=True)


class DeliveryAttempt(db.Model):
    """Every conversation with the SMTP server about a message, kept for coordinators."""

    __tablename__ = "mail_delivery_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("outbox_messages.id", ondelete="CASCADE"), index=True)
    at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    worker: Mapped[str] = mapped_column(String(80))
    outcome: Mapped[str] = mapped_column(String(20))
    code: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[str] = mapped_column(Text, default="")


class MailSuppression(db.Model):
    """An address a network must never write to again: someone who objected, was erased, or whose
    server refuses it for good. Only a digest of the address is kept, so an erased person's address
    is not readable here, yet a message to it is still stopped."""

    __tablename__ = "mail_suppressions"
    __table_args__ = (UniqueConstraint("network_id", "address_hash", name="uq_mail_suppressions_address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id"))
    address_hash: Mapped[str] = mapped_column(String(64))
    reason: Mapped[SuppressionReason] = mapped_column(enum_column(SuppressionReason, 10))
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class InboundKind(LabelledEnum):
    """What an incoming message turned out to be."""

    REPLY = "reply", _l("Réponse")
    AUTO_REPLY = "auto_reply", _l("Réponse automatique (absence)")
    BOUNCE = "bounce", _l("Avis de non-remise")
    DELAY = "delay", _l("Avis de retard de remise")
    COMPLAINT = "complaint", _l("Signalement comme indésirable")
    UNSUBSCRIBE = "unsubscribe", _l("Demande de désinscription")
    UNKNOWN = "unknown", _l("Message non reconnu")


class InboundState(LabelledEnum):
    STORED = "stored", _l("Reçu, en cours de traitement")
    HANDLED = "handled", _l("Traité")
    UNMATCHED = "unmatched", _l("À rattacher")
    DISCARDED = "discarded", _l("Écarté")


class InboundMessage(db.Model):
    """A message that reached one of our addresses (a reply, an auto-reply, a bounce…), stored as it
    came before anything else is done with it, so that nothing is ever lost."""

    __tablename__ = "inbound_messages"
    __table_args__ = (Index("ix_inbound_messages_network_state", "network_id", "state", "received_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256 of the bytes: one row a message
    message_id: Mapped[str | None] = mapped_column(String(300), index=True)
    received_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    via: Mapped[str] = mapped_column(String(10))  # "pipe" or "imap"
    envelope_to: Mapped[str | None] = mapped_column(String(320))
    raw = mapped_column(LargeBinary, nullable=False)  # headers only when over MAIL_MAX_INBOUND_BYTES
    size: Mapped[int] = mapped_column(Integer)
    truncated: Mapped[bool] = mapped_column(Boolean, default=False)
    from_address: Mapped[str | None] = mapped_column(String(320))
    subject: Mapped[str | None] = mapped_column(String(300))
    kind: Mapped[InboundKind | None] = mapped_column(enum_column(InboundKind, 12))
    state: Mapped[InboundState] = mapped_column(enum_column(InboundState, 10), default=InboundState.STORED)
    reason: Mapped[str | None] = mapped_column(Text)  # why it is unmatched, for the people who look
    network_id: Mapped[int | None] = mapped_column(ForeignKey("networks.id"), index=True)
    programmer_id: Mapped[int | None] = mapped_column(
        ForeignKey("programmers.id", ondelete="SET NULL"), index=True
    )
    outbox_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="SET NULL"), index=True
    )
    text: Mapped[str | None] = mapped_column(Text)  # the person's own words, quotes and signature removed
    attachments: Mapped[str | None] = mapped_column(Text)  # JSON [[name, size]]: listed, never stored
    handled_at = mapped_column(UTCDateTime)

    @property
    def sender_email(self) -> str:

        return parseaddr(self.from_address or "")[1]

    @property
    def attachment_list(self) -> list:
        return json.loads(self.attachments) if self.attachments else []
