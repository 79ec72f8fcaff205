from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, ForeignKey, String, UniqueConstraint, select
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


REFERENCES.append((Invitation, "programmer_id", "edition_id"))
ACTIVITY.append(lambda since: select(Invitation.programmer_id).where(Invitation.answered_at >= since))
