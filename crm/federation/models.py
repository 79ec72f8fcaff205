from sqlalchemy import Boolean, Date, ForeignKey, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.base.database import UTCDateTime, utcnow
from crm.base.extensions import db


class BarometerConsent(db.Model):
    """A network's choice to join the federation's barometer: which kinds of figures, for the editions
    that start on or after `since`. No row: the network shares nothing (withdrawing deletes the row, so
    every figure computed afterwards leaves it out). `public`: the second, explicit consent to a public
    barometer, which opens only when every network in it gave it."""

    __tablename__ = "barometer_consents"

    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"), primary_key=True)
    since = mapped_column(Date, nullable=False)
    activity: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false(), nullable=False)
    follow_up: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false(), nullable=False)
    bookings: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false(), nullable=False)
    territory: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false(), nullable=False)
    travel: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false(), nullable=False)
    public: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false(), nullable=False)
    given_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False)

    network = relationship("Network")
