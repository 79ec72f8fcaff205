"""Endpoints a network registered, the messages queued for them (the outbox), and each attempt."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy import true as sa_true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.base.database import UTCDateTime, utcnow
from crm.base.enums import LabelledEnum, enum_column
from crm.base.extensions import db


class EventType(LabelledEnum):
    """What an endpoint can ask to hear of (`ping` always reaches every enabled endpoint)."""

    EDITION_PUBLISHED = "edition.published", _l("Programme d'une édition publié")
    SLOT_CHANGED = "slot.changed", _l("Créneau déplacé ou spectacle placé, retiré")
    SLOT_CANCELLED = "slot.cancelled", _l("Créneau annulé")
    REGISTRATION_DECIDED = "registration.decided", _l("Candidature retenue, en attente ou refusée")
    ATTENDANCE_RECORDED = "attendance.recorded", _l("Présence notée à un créneau")
    FOLLOWUP_ANSWERED = "followup.answered", _l("Réponse au suivi")
    FOLLOWUP_STOPPED = "followup.stopped", _l("Suivi arrêté pour une personne")
    BOOKING_RECORDED = "booking.recorded", _l("Date obtenue enregistrée")
    BOOKING_CHANGED = "booking.changed", _l("Date obtenue modifiée")
    MEETING_PLANNED = "meeting.planned", _l("Rencontres planifiées ou replanifiées")
    PING = "ping", _l("Essai (ping)")

    @classmethod
    def subscribable(cls):
        return [m for m in cls if m != cls.PING]


class WebhookEndpoint(db.Model):
    """A URL of a network's that hears of its events, with the secret that signs them.

    During a rotation the previous secret is kept until `previous_secret_expires_at`: both signatures
    are sent, so the receiver can switch at its own pace."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    events: Mapped[list] = mapped_column(JSON, default=list)  # empty: every event
    description: Mapped[str | None] = mapped_column(String(500))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default=sa_true())
    disabled_reason: Mapped[str | None] = mapped_column(String(500))
    disabled_at = mapped_column(UTCDateTime)
    # Standard Webhooks secret, "whsec_" + base64 of 32 random bytes: kept as is, since signing needs it.
    secret: Mapped[str] = mapped_column(String(100))
    previous_secret: Mapped[str | None] = mapped_column(String(100))
    previous_secret_expires_at = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    network = relationship("Network")


class MessageState(LabelledEnum):
    """PENDING until due; a worker CLAIMS it (with a lease) and records the outcome: DELIVERED, PENDING
    again with its next try, or FAILED (410 Gone, or retries exhausted)."""

    PENDING = "pending", _l("En attente")
    CLAIMED = "claimed", _l("En cours d'envoi")
    DELIVERED = "delivered", _l("Reçu")
    FAILED = "failed", _l("Abandonné")


class WebhookMessage(db.Model):
    """One event for one endpoint: the outbox row, written in the transaction of the change.

    Its `webhook_id` and body are fixed when it is queued, so every retry and replay sends the same
    bytes under the same id (receivers drop what they have already seen)."""

    __tablename__ = "webhook_messages"
    __table_args__ = (
        Index("ix_webhook_messages_state_due", "state", "due_at"),
        Index("ix_webhook_messages_network_created", "network_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), index=True
    )
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id"))
    webhook_id: Mapped[str] = mapped_column(String(40), unique=True)  # "msg_…"
    event_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int | None] = mapped_column(Integer)
    payload: Mapped[str] = mapped_column(Text)  # the JSON body, exactly as sent
    state: Mapped[MessageState] = mapped_column(enum_column(MessageState, 10), default=MessageState.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    due_at = mapped_column(UTCDateTime, nullable=False)
    claimed_by: Mapped[str | None] = mapped_column(String(80))
    lease_until = mapped_column(UTCDateTime)
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_response: Mapped[str | None] = mapped_column(Text)  # the first 500 bytes of the answer
    last_attempt_at = mapped_column(UTCDateTime)
    delivered_at = mapped_column(UTCDateTime)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    endpoint = relationship("WebhookEndpoint")
    attempts_log = relationship(
        "WebhookAttempt", order_by="WebhookAttempt.id", cascade="all, delete-orphan", passive_deletes=True
    )


class WebhookAttempt(db.Model):
    """One try: when, how long, what the endpoint answered (status, the first bytes), or the error."""

    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("webhook_messages.id", ondelete="CASCADE"), index=True)
    at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    worker: Mapped[str] = mapped_column(String(80))
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
    status_code: Mapped[int | None] = mapped_column(Integer)
    delivered: Mapped[bool] = mapped_column(Boolean, default=False)
    error: Mapped[str | None] = mapped_column(Text)
    response: Mapped[str | None] = mapped_column(Text)
