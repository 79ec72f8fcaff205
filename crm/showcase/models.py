from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.base.database import UTCDateTime, utcnow
from crm.base.enums import Audience, Discipline, LabelledEnum, enum_column
from crm.base.extensions import db


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
    # The set travels in a van of its own (counted in the travel and carbon of each performance)
    set_van: Mapped[bool] = mapped_column(Boolean, default=False)
    video_url: Mapped[str | None] = mapped_column(String(300))
    summary: Mapped[str | None] = mapped_column(Text)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    company = relationship("Organisation", back_populates="shows")


class EditionStatus(LabelledEnum):
    DRAFT = "draft", _l("Brouillon")
    REGISTRATIONS_OPEN = "registrations_open", _l("Candidatures ouvertes")
    REGISTRATIONS_CLOSED = "registrations_closed", _l("Candidatures closes")
    PUBLISHED = "published", _l("Programme publié")
    HELD = "held", _l("Édition passée")
    FOLLOW_UP = "follow_up", _l("Relance en cours")


class ShowFormat(LabelledEnum):
    FULL = "full", _l("Spectacle en entier")
    PITCH = "pitch", _l("Présentation courte")


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
    # Registration window and eligibility rules, checked when a company registers.
    registration_opens_on = mapped_column(Date)
    registration_closes_on = mapped_column(Date)
    offers_full: Mapped[bool] = mapped_column(Boolean, default=True)
    offers_pitch: Mapped[bool] = mapped_column(Boolean, default=False)
    min_membership_years: Mapped[int | None] = mapped_column(Integer)
    max_registrations_per_company: Mapped[int | None] = mapped_column(Integer)
    # Planning rules.
    travel_minutes: Mapped[int] = mapped_column(Integer, default=30)
    rotation: Mapped[bool] = mapped_column(Boolean, default=False)
    published_at = mapped_column(UTCDateTime)

    network = relationship("Network")
    allowed = relationship("EditionDiscipline", cascade="all, delete-orphan")
    venues = relationship("EditionVenue", cascade="all, delete-orphan")
    bands = relationship("TimeBand", cascade="all, delete-orphan", order_by="(TimeBand.day, TimeBand.starts)")

    @property
    def disciplines(self):
        return sorted(a.discipline for a in self.allowed)

    @property
    def formats(self):
        return [
            f for f, on in ((ShowFormat.FULL, self.offers_full), (ShowFormat.PITCH, self.offers_pitch)) if on
        ]


class EditionDiscipline(db.Model):
    """Disciplines an edition accepts; none listed means every discipline."""

    __tablename__ = "edition_disciplines"

    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"), primary_key=True)
    discipline: Mapped[Discipline] = mapped_column(enum_column(Discipline), primary_key=True)


class EditionVenue(db.Model):
    """A venue taking part in an edition, with its host company where the network rotates hosts."""

    __tablename__ = "edition_venues"

    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"), primary_key=True)
    venue_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True, index=True)
    host_company_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)

    venue = relationship("Organisation", foreign_keys=[venue_id])
    host_company = relationship("Organisation", foreign_keys=[host_company_id])


class TimeBand(db.Model):
    """A part of a day (morning, afternoon, evening) and the audiences it accepts."""

    __tablename__ = "time_bands"
    __table_args__ = (CheckConstraint("ends > starts", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"), index=True)
    day = mapped_column(Date, nullable=False)
    label: Mapped[str] = mapped_column(String(60))
    starts = mapped_column(Time, nullable=False)
    ends = mapped_column(Time, nullable=False)
    accepts_young: Mapped[bool] = mapped_column(Boolean, default=True)
    accepts_all: Mapped[bool] = mapped_column(Boolean, default=True)


class RegistrationStatus(LabelledEnum):
    SUBMITTED = "submitted", _l("Déposée")
    ACCEPTED = "accepted", _l("Retenue")
    WAITLISTED = "waitlisted", _l("Liste d'attente")
    DECLINED = "declined", _l("Non retenue")
    WITHDRAWN = "withdrawn", _l("Retirée")


class Registration(db.Model):
    """A company's application (candidature) of one show to one edition."""

    __tablename__ = "registrations"
    __table_args__ = (
        UniqueConstraint("edition_id", "show_id"),
        Index("ix_registrations_edition_status", "edition_id", "status"),
        CheckConstraint("max_slots >= 1", name="max_slots_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    show_id: Mapped[int] = mapped_column(ForeignKey("shows.id"), index=True)
    format: Mapped[ShowFormat] = mapped_column(enum_column(ShowFormat, 10))
    status: Mapped[RegistrationStatus] = mapped_column(
        enum_column(RegistrationStatus, 20), default=RegistrationStatus.SUBMITTED
    )
    cast_size: Mapped[int] = mapped_column(Integer)
    setup_minutes: Mapped[int] = mapped_column(Integer, default=0)
    strike_minutes: Mapped[int] = mapped_column(Integer, default=0)
    stage_width_m = mapped_column(Numeric(4, 1))
    stage_depth_m = mapped_column(Numeric(4, 1))
    needs_blackout: Mapped[bool] = mapped_column(Boolean, default=False)
    video_url: Mapped[str | None] = mapped_column(String(300))
    pitch: Mapped[str | None] = mapped_column(Text)
    decision_message: Mapped[str | None] = mapped_column(Text)
    max_slots: Mapped[int] = mapped_column(Integer, default=1)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False)

    edition = relationship("Edition")
    company = relationship("Organisation")
    show = relationship("Show")
    bands = relationship(
        "TimeBand", secondary="registration_bands", order_by="(TimeBand.day, TimeBand.starts)"
    )


class RegistrationBand(db.Model):
    """A time band the company can play in (their availability)."""

    __tablename__ = "registration_bands"

    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), primary_key=True
    )
    band_id: Mapped[int] = mapped_column(
        ForeignKey("time_bands.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class SlotStatus(LabelledEnum):
    PLANNED = "planned", _l("Prévu")
    CANCELLED = "cancelled", _l("Annulé")


class Slot(db.Model):
    """A time at a venue for one show (full) or one short presentation (pitch)."""

    __tablename__ = "slots"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        Index("ix_slots_edition_starts", "edition_id", "starts_at"),
        # the cancelled slots a feed loses with time, counted on each revalidation
        Index("ix_slots_edition_status_ends", "edition_id", "status", "ends_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id"), index=True)
    venue_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    band_id: Mapped[int | None] = mapped_column(ForeignKey("time_bands.id", ondelete="SET NULL"), index=True)
    format: Mapped[ShowFormat] = mapped_column(enum_column(ShowFormat, 10))
    starts_at = mapped_column(UTCDateTime, nullable=False)
    ends_at = mapped_column(UTCDateTime, nullable=False)
    status: Mapped[SlotStatus] = mapped_column(enum_column(SlotStatus, 20), default=SlotStatus.PLANNED)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    updated_at = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False)

    venue = relationship("Organisation")
    band = relationship("TimeBand")
    assignment = relationship("Assignment", uselist=False, back_populates="slot")

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class Assignment(db.Model):
    """A registration placed in a slot. One show per slot, enforced by the database."""

    __tablename__ = "assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("slots.id"), unique=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id"), index=True)
    override_reason: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    slot = relationship("Slot", back_populates="assignment")
    registration = relationship("Registration")


class TravelWeight(LabelledEnum):
    """How much the automatic assignment counts the companies' road travel (weights in showcase/travel.py)."""

    NONE = "none", _l("Pas du tout")
    SOME = "some", _l("Un peu")
    A_LOT = "a_lot", _l("Beaucoup")


class PlanProposal(db.Model):
    """An automatic assignment shown on the board before anything is saved.

    The coordinator accepts it whole or in part; each accepted placement is checked again against the
    rules then, so a proposal that the plan has since overtaken cannot break one.
    """

    __tablename__ = "plan_proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    plan = mapped_column(JSON, nullable=False)  # [[registration id, slot id], ...]
    unassigned = mapped_column(JSON, nullable=False)  # {registration id: [[rule, slots], ...]}
    considered: Mapped[int] = mapped_column(Integer)  # registrations that wanted a slot
    already_placed: Mapped[int] = mapped_column(Integer)
    respected: Mapped[int] = mapped_column(Integer)
    found: Mapped[bool] = mapped_column(Boolean)
    optimal: Mapped[bool] = mapped_column(Boolean)
    seconds = mapped_column(Float, nullable=False)
    travel: Mapped[TravelWeight] = mapped_column(
        enum_column(TravelWeight, 10), default=TravelWeight.NONE, server_default="none"
    )
