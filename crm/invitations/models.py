from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint, false, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.base.database import UTCDateTime, utcnow
from crm.base.enums import LabelledEnum, enum_column
from crm.base.extensions import db
from crm.contacts.duplicates import REFERENCES
from crm.contacts.registry import ACTIVITY


class Answer(LabelledEnum):
    COMING = "coming", _l("Je viens")
    MAYBE = "maybe", _l("Peut-être")
    NOT_COMING = "not_coming", _l("Je ne viens pas")


class Invitation(db.Model):
    """One programmer invited to one edition; the token (stored hashed) is their personal link."""

    __tablename__ = "invitations"
    __table_args__ = (UniqueConstraint("edition_id", "programmer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id"), index=True)
    programmer_id: Mapped[int] = mapped_column(ForeignKey("programmers.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    sent_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    answer: Mapped[Answer | None] = mapped_column(enum_column(Answer, 20))
    answered_at = mapped_column(UTCDateTime)
    reminded_at = mapped_column(UTCDateTime)

    edition = relationship("Edition")
    programmer = relationship("Programmer")
    days = relationship("InvitationDay", cascade="all, delete-orphan", order_by="InvitationDay.day")
    shows = relationship("InvitationShow", cascade="all, delete-orphan")


class InvitationDay(db.Model):
    """A day the programmer said they would come."""

    __tablename__ = "invitation_days"

    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("invitations.id", ondelete="CASCADE"), primary_key=True
    )
    day = mapped_column(Date, primary_key=True)


class InvitationShow(db.Model):
    """A show of the programme the programmer said interests them."""

    __tablename__ = "invitation_shows"

    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("invitations.id", ondelete="CASCADE"), primary_key=True
    )
    show_id: Mapped[int] = mapped_column(
        ForeignKey("shows.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class CarpoolRole(LabelledEnum):
    DRIVER = "driver", _l("Je viens en voiture")
    PASSENGER = "passenger", _l("Je cherche une place")


class CarpoolEntry(db.Model):
    """For one day a person comes: they drive and have seats, or they look for a seat; from a commune."""

    __tablename__ = "carpool_entries"
    __table_args__ = (UniqueConstraint("invitation_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitations.id", ondelete="CASCADE"), index=True)
    day = mapped_column(Date, nullable=False)
    role: Mapped[CarpoolRole] = mapped_column(enum_column(CarpoolRole, 10))
    seats: Mapped[int] = mapped_column(Integer, default=0)  # free seats, for a driver
    commune_code: Mapped[str] = mapped_column(String(5))  # where they leave from
    # the person lets the coordination know with whom they travel (both must, for it to be shown)
    shared: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    invitation = relationship("Invitation")


class MatchStatus(LabelledEnum):
    PROPOSED = "proposed", _l("Proposé")
    ACCEPTED = "accepted", _l("Accepté des deux côtés")
    REFUSED = "refused", _l("Refusé")
    CANCELLED = "cancelled", _l("Annulé")


ACTIVE = (MatchStatus.PROPOSED, MatchStatus.ACCEPTED)


class CarpoolMatch(db.Model):
    """A driver and a passenger Vitrine put together for a day. Each side accepts; only when both have
    do they see each other's name and contact details."""

    __tablename__ = "carpool_matches"
    __table_args__ = (Index("ix_carpool_matches_edition_day", "edition_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"))
    day = mapped_column(Date, nullable=False)
    driver_id: Mapped[int] = mapped_column(ForeignKey("invitations.id", ondelete="CASCADE"), index=True)
    passenger_id: Mapped[int] = mapped_column(ForeignKey("invitations.id", ondelete="CASCADE"), index=True)
    status: Mapped[MatchStatus] = mapped_column(enum_column(MatchStatus, 10), default=MatchStatus.PROPOSED)
    driver_ok: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    passenger_ok: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    detour_km: Mapped[int] = mapped_column(Integer, default=0)  # what fetching the passenger adds
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    ended_at = mapped_column(UTCDateTime)

    driver = relationship("Invitation", foreign_keys=[driver_id])
    passenger = relationship("Invitation", foreign_keys=[passenger_id])


REFERENCES.append((Invitation, "programmer_id", "edition_id"))
ACTIVITY.append(lambda since: select(Invitation.programmer_id).where(Invitation.answered_at >= since))
