from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.base.database import UTCDateTime, utcnow
from crm.base.enums import LabelledEnum, enum_column
from crm.base.extensions import db


class FeedKind(LabelledEnum):
    COMPANY = "company", _l("Les passages de ma compagnie")
    PROGRAMMER = "programmer", _l("Mon agenda de l'édition")
    TASKS = "tasks", _l("Mes tâches de suivi")


class Subscription(db.Model):
    """A private feed. Its secret link is derived from the row and its version with the secret key
    (HMAC-SHA256), so the owner can see it again; a new version makes every older link invalid."""

    __tablename__ = "calendar_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[FeedKind] = mapped_column(enum_column(FeedKind, 12))
    company_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitations.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    hide_cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    alarm_minutes: Mapped[int | None] = mapped_column(Integer)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    company = relationship("Organisation")
    invitation = relationship("Invitation")
    user = relationship("User")


class FeedMark(db.Model):
    """The version of a feed last served, so that its Last-Modified never goes back.

    A feed's newest event can leave it (a programmer drops a day): the latest change among the events
    left would then be older than what the client has, and a client asking only If-Modified-Since
    would keep a stale feed. The feed's own last change is kept here instead.
    """

    __tablename__ = "feed_marks"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 of the feed's address
    etag: Mapped[str] = mapped_column(String(64))
    modified = mapped_column(UTCDateTime, nullable=False)
