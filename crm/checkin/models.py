from sqlalchemy import ForeignKey, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.base.database import UTCDateTime, utcnow
from crm.base.extensions import db
from crm.contacts.duplicates import REFERENCES
from crm.contacts.models import Programmer
from crm.contacts.registry import ACTIVITY, FILTERS
from crm.showcase.models import Slot


class Attendance(db.Model):
    """A programmer present at a slot. One row per (slot, person): two volunteers never double it."""

    __tablename__ = "attendances"
    __table_args__ = (UniqueConstraint("slot_id", "programmer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("slots.id"), index=True)
    programmer_id: Mapped[int] = mapped_column(ForeignKey("programmers.id", ondelete="CASCADE"), index=True)
    checked_in_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    checked_in_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    programmer = relationship("Programmer")


REFERENCES.append((Attendance, "programmer_id", "slot_id"))
ACTIVITY.append(lambda since: select(Attendance.programmer_id).where(Attendance.checked_in_at >= since))


def _came_to(edition_id):
    """The directory's "came to this edition" filter."""
    if not (edition_id and str(edition_id).isdigit()):
        return None
    came = select(Attendance.programmer_id).join(Slot, Slot.id == Attendance.slot_id)
    return Programmer.id.in_(came.where(Slot.edition_id == int(edition_id)))


FILTERS["attended"] = _came_to
