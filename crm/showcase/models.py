from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.database import UTCDateTime, utcnow
from crm.enums import Audience, Discipline, LabelledEnum, enum_column
from crm.extensions import db


class Show(db.Model):
    __tablename__ = "shows"
    __table_args__ = (
        CheckConstraint("duration_minutes > 0", name="duration_positive"),
        CheckConstraint("cast_size >= 1", name="cast_positive"),
        CheckConstraint("setup_minutes >= 0 AND strike_minutes >= 0", name="setup_strike_positive"),
        Index("ix_shows_network_title", "network_id", "title"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    title: Mapped[str] = mapped_column(String(160))
    discipline: Mapped[Discipline] = mapped_column(enum_column(Discipline))
    audience: Mapped[Audience] = mapped_column(enum_column(Audience, 10))
    min_age: Mapped[int | None] = mapped_column(Integer)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    cast_size: Mapped[int] = mapped_column(Integer)
    setup_minutes: Mapped[int] = mapped_column(Integer, default=0)
    strike_minutes: Mapped[int] = mapped_column(Integer, default=0)
    video_url: Mapped[str | None] = mapped_column(String(300))
    summary: Mapped[str | None] = mapped_column(Text)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    company = relationship("Organisation", back_populates="shows")


class EditionStatus(LabelledEnum):
    DRAFT = "draft"
    REGISTRATIONS_OPEN = "registrations_open"
    REGISTRATIONS_CLOSED = "registrations_closed"
    PUBLISHED = "published"
    HELD = "held"
    FOLLOW_UP = "follow_up"

    @classmethod
    def labels(cls):
        return {
            cls.DRAFT: _l("Brouillon"),
            cls.REGISTRATIONS_OPEN: _l("Candidatures ouvertes"),
            cls.REGISTRATIONS_CLOSED: _l("Candidatures closes"),
            cls.PUBLISHED: _l("Programme publié"),
            cls.HELD: _l("Édition passée"),
            cls.FOLLOW_UP: _l("Relance en cours"),
        }


class Edition(db.Model):
    __tablename__ = "editions"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
        Index("ix_editions_network_starts", "network_id", "starts_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id"), index=True)
    name: Mapped[str] = mapped_column(String(160))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    starts_on = mapped_column(Date, nullable=False)
    ends_on = mapped_column(Date, nullable=False)
    status: Mapped[EditionStatus] = mapped_column(enum_column(EditionStatus), default=EditionStatus.DRAFT)
    description: Mapped[str | None] = mapped_column(Text)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    network = relationship("Network")
