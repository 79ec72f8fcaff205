from sqlalchemy import ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from crm.base.database import UTCDateTime, utcnow
from crm.base.enums import enum_column
from crm.base.extensions import db
from crm.contacts.models import LawfulBasis


class ImportFile(db.Model):
    """An uploaded spreadsheet, kept between its preview and its import."""

    __tablename__ = "import_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content = mapped_column(LargeBinary, nullable=False)
    # The table as read at upload (JSON [headers, rows]): previews and the import use it as it is.
    parsed: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(200))
    lawful_basis: Mapped[LawfulBasis] = mapped_column(enum_column(LawfulBasis))
    # Set for an attendance sheet: its rows are people to tick in for this slot.
    slot_id: Mapped[int | None] = mapped_column(ForeignKey("slots.id"), index=True)
    mapping: Mapped[str | None] = mapped_column(Text)  # JSON {column index: field} used for the import
    summary: Mapped[str | None] = mapped_column(Text)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    applied_at = mapped_column(UTCDateTime)
