from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.base.database import UTCDateTime, utcnow
from crm.base.enums import LabelledEnum
from crm.base.extensions import db


class Category(LabelledEnum):
    """What a network may share; each is a boolean column of BarometerConsent of the same name."""

    ACTIVITY = "activity", _l("Activité (éditions, compagnies présentées, rencontres)")
    FOLLOW_UP = "follow_up", _l("Suivi des programmateurs et programmatrices")
    BOOKINGS = "bookings", _l("Dates obtenues et cessions")
    TERRITORY = "territory", _l("Territoire (départements des représentations)")
    TRAVEL = "travel", _l("Déplacements (km et CO₂e)")


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


class BarometerFigures(db.Model):
    """A network's raw figures for one year as the barometer last computed them (counts, sums, day
    histograms and the people or companies behind each; nothing personal), so that the page does not
    compute a whole federation at each visit. The scheduler computes them again every hour; the page
    uses a snapshot only while it was made under the network's present choice (`since`, `shared`) and is
    less than a day old, and computes the network afresh otherwise. Withdrawing deletes them."""

    __tablename__ = "barometer_figures"

    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    since = mapped_column(Date, nullable=False)
    shared: Mapped[str] = mapped_column(String(100), nullable=False)  # the kinds shared, comma-joined
    figures = mapped_column(JSON, nullable=False)
    computed_at = mapped_column(UTCDateTime, nullable=False)
