from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    exists,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.base import identifiers
from crm.base.database import UTCDateTime, utcnow
from crm.base.enums import LabelledEnum, enum_column
from crm.base.extensions import db
from crm.contacts.duplicates import REFERENCES
from crm.contacts.registry import COMPANY_NOTICES


class OutcomeKind(LabelledEnum):
    PERFORMANCES = "performances", _l("Dates de diffusion (cession)")
    RESIDENCY = "residency", _l("Résidence")
    COPRODUCTION = "coproduction", _l("Coproduction")
    PREPURCHASE = "prepurchase", _l("Préachat")
    FESTIVAL = "festival", _l("Invitation en festival")
    PARTNERSHIP = "partnership", _l("Partenariat")


class OutcomeStatus(LabelledEnum):
    DRAFT = "draft", _l("À compléter")
    OPTION = "option", _l("Option")
    CONFIRMED = "confirmed", _l("Confirmé")
    CANCELLED = "cancelled", _l("Annulé")


class Outcome(db.Model):
    """A booking (or other result) a company obtained, attributed to the edition that produced it."""

    __tablename__ = "outcomes"
    __table_args__ = (
        Index("ix_outcomes_network_edition_status", "network_id", "edition_id", "status"),
        Index("ix_outcomes_company_status", "company_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    show_id: Mapped[int] = mapped_column(ForeignKey("shows.id"), index=True)
    programmer_id: Mapped[int | None] = mapped_column(
        ForeignKey("programmers.id", ondelete="SET NULL"), index=True
    )
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    edition_id: Mapped[int | None] = mapped_column(ForeignKey("editions.id"), index=True)
    # the meeting that produced it, when it came from a speed-dating session (and through it the edition)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id", ondelete="SET NULL"), index=True)
    attribution_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    kind: Mapped[OutcomeKind] = mapped_column(enum_column(OutcomeKind, 20))
    status: Mapped[OutcomeStatus] = mapped_column(enum_column(OutcomeStatus, 12))
    fee_per_performance = mapped_column(Numeric(10, 2))
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    decided_on = mapped_column(Date, nullable=False)
    logo_credited: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False)

    company = relationship("Organisation", foreign_keys=[company_id])
    organisation = relationship("Organisation", foreign_keys=[organisation_id])
    show = relationship("Show")
    programmer = relationship("Programmer")
    edition = relationship("Edition")
    dates = relationship(
        "OutcomeDate", cascade="all, delete-orphan", order_by="OutcomeDate.on", back_populates="outcome"
    )
    history = relationship("OutcomeEvent", cascade="all, delete-orphan", order_by="OutcomeEvent.id")


class OutcomeDate(db.Model):
    __tablename__ = "outcome_dates"

    id: Mapped[int] = mapped_column(primary_key=True)
    outcome_id: Mapped[int] = mapped_column(ForeignKey("outcomes.id", ondelete="CASCADE"), index=True)
    on = mapped_column(Date, nullable=False)
    venue: Mapped[str | None] = mapped_column(String(160))
    town: Mapped[str | None] = mapped_column(String(100))
    departement_code: Mapped[str | None] = mapped_column(String(3), index=True)

    outcome = relationship("Outcome", back_populates="dates")


class OutcomeEvent(db.Model):
    """The history of an outcome's status."""

    __tablename__ = "outcome_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    outcome_id: Mapped[int] = mapped_column(ForeignKey("outcomes.id", ondelete="CASCADE"), index=True)
    at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    status: Mapped[OutcomeStatus] = mapped_column(enum_column(OutcomeStatus, 12))
    note: Mapped[str | None] = mapped_column(String(200))

    user = relationship("User")


class RemainderRule(LabelledEnum):
    EQUAL = "equal", _l("À parts égales entre compagnies")
    PERFORMANCES = "performances", _l("Au prorata des représentations")


class BoxOffice(db.Model):
    """An edition's pooled box office (billetterie mutualisée)."""

    __tablename__ = "box_offices"
    __table_args__ = (UniqueConstraint("edition_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"))
    income = mapped_column(Numeric(12, 2), nullable=False)
    fee_per_person = mapped_column(Numeric(10, 2), nullable=False)
    rule: Mapped[RemainderRule] = mapped_column(enum_column(RemainderRule, 12))
    updated_at = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False)


class VenueType(LabelledEnum):
    """SIBIL's list of venue types (typeLieu)."""

    THEATRE = "THEATRE", _l("Théâtre")
    ESPACE_POLYVALENT = "ESPACE_POLYVALENT", _l("Espace polyvalent (salle des fêtes, gymnase…)")
    CASINO_DISCOTHEQUE_HOTEL_CAFE_RESTAURANT = (
        "CASINO_DISCOTHEQUE_HOTEL_CAFE_RESTAURANT",
        _l("Casino, discothèque, hôtel, café-restaurant"),
    )
    SALLE_CONCERT_AUDITORIUM_OPERA_ZENITH = (
        "SALLE_CONCERT_AUDITORIUM_OPERA_ZENITH",
        _l("Salle de concert, auditorium, opéra, zénith"),
    )
    CABARET_MUSIC_HALL = "CABARET_MUSIC_HALL", _l("Cabaret, music-hall")
    PLEIN_AIR_PARC_LOISIRS_ATTRACTION = "PLEIN_AIR_PARC_LOISIRS_ATTRACTION", _l("Plein air, parc de loisirs")
    STRUCTURE_ITINERANTE_DEMONTABLE_CHAPITEAU = (
        "STRUCTURE_ITINERANTE_DEMONTABLE_CHAPITEAU",
        _l("Structure itinérante ou démontable, chapiteau"),
    )
    LIEU_DE_CULTE = "LIEU_DE_CULTE", _l("Lieu de culte")
    LIEU_DE_SANTE = "LIEU_DE_SANTE", _l("Lieu de santé")
    AUTRE = "AUTRE", _l("Autre")


class PriceKind(LabelledEnum):
    FULL = "full", _l("Plein tarif")
    REDUCED = "reduced", _l("Tarif réduit")
    SUBSCRIPTION = "subscription", _l("Abonnement ou forfait")


class BoxOfficePerformance(db.Model):
    """One ticketed performance of a pooled box office (a slot of the edition), as SIBIL asks for it."""

    __tablename__ = "box_office_performances"

    slot_id: Mapped[int] = mapped_column(ForeignKey("slots.id", ondelete="CASCADE"), primary_key=True)
    venue_type: Mapped[VenueType] = mapped_column(enum_column(VenueType, 48))
    capacity: Mapped[int] = mapped_column(Integer, nullable=False)  # the jauge offered for sale
    free_tickets: Mapped[int] = mapped_column(Integer, default=0, nullable=False)  # exonérés
    young_audience: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    vat_rate = mapped_column(Numeric(4, 2), nullable=False, default=5.5)
    updated_at = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False)

    slot = relationship("Slot")
    prices = relationship(
        "BoxOfficePrice",
        cascade="all, delete-orphan",
        order_by="BoxOfficePrice.id",
        back_populates="performance",
    )


class BoxOfficePrice(db.Model):
    """Tickets sold at one price (all taxes included) for a performance."""

    __tablename__ = "box_office_prices"

    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(
        ForeignKey("box_office_performances.slot_id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[PriceKind] = mapped_column(enum_column(PriceKind, 12))
    label: Mapped[str] = mapped_column(String(60))
    unit_price = mapped_column(Numeric(8, 2), nullable=False)
    tickets: Mapped[int] = mapped_column(Integer, nullable=False)

    performance = relationship("BoxOfficePerformance", back_populates="prices")


REFERENCES.append((Outcome, "programmer_id", None))


def _licence_notice(company, today):
    """A cession is recorded (an option or confirmed) but no licence in force is on the company's file:
    the number must appear on the contract, the ticketing and the posters."""
    if company.has_licence_in_force(today):
        return None
    booked = db.session.scalar(
        select(exists().where(
            Outcome.company_id == company.id, Outcome.kind == OutcomeKind.PERFORMANCES,
            Outcome.status.in_((OutcomeStatus.OPTION, OutcomeStatus.CONFIRMED)),
        ))
    )  # fmt: skip
    if not booked:
        return None
    if any(identifiers.is_old_licence(number) for _category, number in company.licences):
        return _(
            "Des dates de diffusion sont enregistrées, mais la licence sur la fiche est à l'ancien "
            "format : ces licences ont expiré. Indiquez le numéro de récépissé PLATESV en cours."
        )
    return _(
        "Des dates de diffusion sont enregistrées, mais aucune licence d'entrepreneur de spectacles en "
        "cours de validité n'est sur la fiche : son numéro doit figurer sur le contrat de cession."
    )


COMPANY_NOTICES.append(_licence_notice)


class TravelFactor(db.Model):
    """A network's own emission factor for one travel mode (crm.territory.carbon.DEFAULTS otherwise)."""

    __tablename__ = "travel_factors"

    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"), primary_key=True)
    mode: Mapped[str] = mapped_column(String(20), primary_key=True)
    kg_per_km = mapped_column(Numeric(8, 5), nullable=False)


class EditionFootprint(db.Model):
    """An edition's travel, as last measured (crm.impact.travel): kept so that figures over many
    editions add stored totals up in the database instead of measuring every journey again. Refreshed
    each night for the editions of the last year, and on demand (`flask impact footprints`)."""

    __tablename__ = "edition_footprints"

    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"), primary_key=True)
    km: Mapped[int] = mapped_column(Integer, nullable=False)
    kg = mapped_column(Numeric(12, 1), nullable=False)
    programmers: Mapped[int] = mapped_column(Integer, nullable=False)  # who travelled to it
    companies: Mapped[int] = mapped_column(Integer, nullable=False)
    measured_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class CostsMode(LabelledEnum):
    INCLUDED = "included", _l("Compris dans le prix de cession")
    PER_DIEM = "per_diem", _l("Défraiements au forfait (barème)")
    ACTUAL = "actual", _l("Frais réels sur justificatifs")


class CessionTerms(db.Model):
    """What a contrat de cession needs beyond the booking itself: signatories, VAT, costs, conditions."""

    __tablename__ = "cession_terms"

    outcome_id: Mapped[int] = mapped_column(ForeignKey("outcomes.id", ondelete="CASCADE"), primary_key=True)
    seller_signatory: Mapped[str | None] = mapped_column(String(120))
    seller_role: Mapped[str | None] = mapped_column(String(120))
    buyer_signatory: Mapped[str | None] = mapped_column(String(120))
    buyer_role: Mapped[str | None] = mapped_column(String(120))
    capacity: Mapped[int | None] = mapped_column(Integer)  # the jauge, when not the venue's
    times: Mapped[str | None] = mapped_column(String(200))  # « 10 h et 14 h 30 »
    vat_rate = mapped_column(Numeric(4, 2), nullable=False, default=5.5)
    costs_mode: Mapped[CostsMode] = mapped_column(enum_column(CostsMode, 10), default=CostsMode.PER_DIEM)
    costs_amount = mapped_column(Numeric(10, 2))
    technical_conditions: Mapped[str | None] = mapped_column(Text)
    rights_mention: Mapped[str | None] = mapped_column(Text)
    cancellation_clause: Mapped[str | None] = mapped_column(Text)
    updated_at = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False)


class ContractTemplate(db.Model):
    """A company's own contract, as an ODT with merge fields, uploaded once and filled for each booking."""

    __tablename__ = "contract_templates"

    company_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    filename: Mapped[str] = mapped_column(String(200))
    content = mapped_column(LargeBinary, nullable=False)
    uploaded_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
