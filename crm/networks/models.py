from sqlalchemy import Boolean, String, false
from sqlalchemy.orm import Mapped, mapped_column

from crm.base.database import UTCDateTime, utcnow
from crm.base.extensions import db


class Network(db.Model):
    __tablename__ = "networks"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    region_code: Mapped[str | None] = mapped_column(String(8))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    # What people see as the sender of the network's messages (MAIL_DEFAULT_SENDER's address otherwise).
    sender_name: Mapped[str | None] = mapped_column(String(120))
    sender_address: Mapped[str | None] = mapped_column(String(254))
    # The public map of its companies and venues (/map/<slug>): the coordination opens it, off until then.
    public_map: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false(), nullable=False)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    @property
    def display_sender(self) -> str:
        """'Plateaux Franciliens — coordination', unless the administrator chose another name."""
        return self.sender_name or f"{self.name} — coordination"

    def __repr__(self):
        return f"<Network {self.slug}>"
