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
    String,
    Time,
    UniqueConstraint,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.base.database import UTCDateTime, utcnow
from crm.base.enums import LabelledEnum, enum_column
from crm.base.extensions import db
from crm.contacts.duplicates import REFERENCES
from crm.contacts.registry import ACTIVITY

ROUND_LENGTHS = (10, 15, 20, 30)


class MeetingSession(db.Model):
    """Rounds of short meetings at one venue on one day of an edition, at a number of tables."""

    __tablename__ = "meeting_sessions"
    __table_args__ = (
        CheckConstraint("rounds >= 1 AND rounds <= 40", name="rounds_range"),
        CheckConstraint("round_minutes IN (10, 15, 20, 30)", name="round_length"),
        CheckConstraint("changeover_minutes >= 0 AND break_minutes >= 0", name="pauses_positive"),
        CheckConstraint("tables >= 1", name="tables_positive"),
        CheckConstraint("max_per_programmer >= 1 AND max_per_company >= 1", name="quotas_positive"),
        CheckConstraint("min_per_company >= 0", name="floor_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id"), index=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"), index=True)
    venue_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    day = mapped_column(Date, nullable=False)
    starts = mapped_column(Time, nullable=False)
    rounds: Mapped[int] = mapped_column(Integer)
    round_minutes: Mapped[int] = mapped_column(Integer, default=15)
    changeover_minutes: Mapped[int] = mapped_column(Integer, default=5)
    tables: Mapped[int] = mapped_column(Integer)
    break_after = mapped_column(JSON, nullable=False, default=list)  # round numbers followed by a break
    break_minutes: Mapped[int] = mapped_column(Integer, default=0)
    wishes_close_at = mapped_column(UTCDateTime)
    max_per_programmer: Mapped[int] = mapped_column(Integer, default=6)
    max_per_company: Mapped[int] = mapped_column(Integer, default=10)
    min_per_company: Mapped[int] = mapped_column(Integer, default=3)
    # The last plan: how good it is and why each wish left out was left out.
    planned_at = mapped_column(UTCDateTime)
    plan_optimal: Mapped[bool | None] = mapped_column(Boolean)
    plan_gap: Mapped[float | None] = mapped_column(Float)
    plan_seconds: Mapped[float | None] = mapped_column(Float)
    unmet = mapped_column(JSON)  # [[programmer id, company id, side, reason], ...]
    published_at = mapped_column(UTCDateTime)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    edition = relationship("Edition")
    venue = relationship("Organisation")


class MeetingCompany(db.Model):
    """A company that takes part, and who sits at its table."""

    __tablename__ = "meeting_companies"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("meeting_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    company_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True, index=True)
    at_table: Mapped[str | None] = mapped_column(String(200))
    absent: Mapped[bool] = mapped_column(Boolean, default=False)
    joined_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    company = relationship("Organisation")


class MeetingProgrammer(db.Model):
    """A programmer who opted in from their invitation page; here when checked in."""

    __tablename__ = "meeting_programmers"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("meeting_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    programmer_id: Mapped[int] = mapped_column(
        ForeignKey("programmers.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitations.id", ondelete="CASCADE"), index=True)
    present_at = mapped_column(UTCDateTime)
    joined_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    programmer = relationship("Programmer")


class Side(LabelledEnum):
    PROGRAMMER = "programmer", _l("Programmateur·rice")
    COMPANY = "company", _l("Compagnie")


class Wish(LabelledEnum):
    MUST = "must", _l("Je veux rencontrer")
    HAPPY = "happy", _l("Volontiers")
    NO = "no", _l("Non merci")


class MeetingWish(db.Model):
    """One side's wish about meeting someone of the other side; rank 1 is the most wanted."""

    __tablename__ = "meeting_wishes"
    __table_args__ = (
        UniqueConstraint("session_id", "side", "programmer_id", "company_id"),
        Index("ix_meeting_wishes_session_company", "session_id", "company_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("meeting_sessions.id", ondelete="CASCADE"))
    side: Mapped[Side] = mapped_column(enum_column(Side, 12))
    programmer_id: Mapped[int] = mapped_column(ForeignKey("programmers.id", ondelete="CASCADE"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    level: Mapped[Wish] = mapped_column(enum_column(Wish, 8))
    rank: Mapped[int | None] = mapped_column(Integer)
    updated_at = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False)


class MeetingOutcome(LabelledEnum):
    HELD = "held", _l("A eu lieu")
    MISSED = "missed", _l("N'a pas eu lieu")


class Meeting(db.Model):
    """A planned meeting: one programmer, one company, a round and a table. The database holds the hard
    rules: one meeting per table, per programmer and per company in a round, a pair meets once."""

    __tablename__ = "meetings"
    __table_args__ = (
        UniqueConstraint("session_id", "programmer_id", "company_id"),
        UniqueConstraint("session_id", "round", "table_number"),
        UniqueConstraint("session_id", "round", "programmer_id"),
        UniqueConstraint("session_id", "round", "company_id"),
        CheckConstraint("round >= 1 AND table_number >= 1", name="round_table_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("meeting_sessions.id", ondelete="CASCADE"), index=True)
    programmer_id: Mapped[int] = mapped_column(ForeignKey("programmers.id", ondelete="CASCADE"), index=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitations.id", ondelete="CASCADE"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    round: Mapped[int] = mapped_column(Integer)
    table_number: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[MeetingOutcome | None] = mapped_column(enum_column(MeetingOutcome, 8))
    marked_at = mapped_column(UTCDateTime)
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    session = relationship("MeetingSession")
    programmer = relationship("Programmer")
    company = relationship("Organisation")


# A merge of two records keeps the meetings (the kept record's win in a session where both took part),
# and a meeting held is a sign of life for the three-year review.
REFERENCES.append((MeetingProgrammer, "programmer_id", "session_id"))
REFERENCES.append((MeetingWish, "programmer_id", "session_id"))
REFERENCES.append((Meeting, "programmer_id", "session_id"))
ACTIVITY.append(
    lambda since: select(Meeting.programmer_id).where(
        Meeting.outcome == MeetingOutcome.HELD, Meeting.marked_at >= since
    )
)
