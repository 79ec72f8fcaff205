from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, Numeric, String, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.base import identifiers
from crm.base.database import UTCDateTime, trigram_index, utcnow
from crm.base.enums import Discipline, LabelledEnum, enum_column
from crm.base.extensions import db


class OrganisationKind(LabelledEnum):
    COMPANY = "company", _l("Compagnie")
    STRUCTURE = "structure", _l("Structure")


class StructureType(LabelledEnum):
    MUNICIPAL_THEATRE = "municipal_theatre", _l("Théâtre municipal")
    SCENE_CONVENTIONNEE = "scene_conventionnee", _l("Scène conventionnée")
    SCENE_NATIONALE = "scene_nationale", _l("Scène nationale")
    CULTURAL_CENTRE = "cultural_centre", _l("Centre culturel / MJC")
    CULTURAL_SERVICE = "cultural_service", _l("Service culturel municipal")
    LIBRARY = "library", _l("Médiathèque / bibliothèque")
    SOCIAL_CENTRE = "social_centre", _l("Centre social")
    FESTIVAL = "festival", _l("Festival")
    SCHOOL = "school", _l("Établissement scolaire")
    OTHER = "other", _l("Autre")


class ArtisticDirection(LabelledEnum):
    """Who directs a company artistically, in the categories of the ministry of Culture's observation of
    equality between women and men; given only if the company wishes, counted only in aggregates."""

    WOMEN = "women", _l("Femme(s)")
    MEN = "men", _l("Homme(s)")
    MIXED = "mixed", _l("Mixte (femme(s) et homme(s))")


class LawfulBasis(LabelledEnum):
    LEGITIMATE_INTEREST = "legitimate_interest", _l("Intérêt légitime (contact professionnel)")
    CONSENT = "consent", _l("Consentement")


class Organisation(db.Model):
    """A company (compagnie) or a structure (theatre, library, festival…) that may host showcases."""

    __tablename__ = "organisations"
    __table_args__ = (
        UniqueConstraint("network_id", "kind", "name"),
        trigram_index("ix_organisations_search_trgm", "search_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id"), index=True)
    kind: Mapped[OrganisationKind] = mapped_column(enum_column(OrganisationKind, 20))
    name: Mapped[str] = mapped_column(String(160))
    structure_type: Mapped[StructureType | None] = mapped_column(enum_column(StructureType))
    is_venue: Mapped[bool] = mapped_column(Boolean, default=False)
    address: Mapped[str | None] = mapped_column(String(200))
    postcode: Mapped[str | None] = mapped_column(String(10))
    city: Mapped[str | None] = mapped_column(String(100))
    departement_code: Mapped[str | None] = mapped_column(String(3), index=True)
    # INSEE code of the commune (crm.territory.communes); the département follows from it
    commune_code: Mapped[str | None] = mapped_column(String(5), index=True)
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(20))
    website: Mapped[str | None] = mapped_column(String(300))
    member_since = mapped_column(Date)
    # Venues: what the stage offers, checked against each show's technical needs.
    capacity: Mapped[int | None] = mapped_column(Integer)
    stage_width_m = mapped_column(Numeric(4, 1))
    stage_depth_m = mapped_column(Numeric(4, 1))
    has_blackout: Mapped[bool] = mapped_column(Boolean, default=False)
    # Companies: shown on the network's public map (when the network publishes one) unless they untick it.
    on_public_map: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true(), nullable=False)
    # Official numbers (crm.base.identifiers), stored normalised: « 73282932000074 », « 90.01Z »,
    # « FR40303265045 », « PLATESV-R-2021-001234 » for the licence of each category held.
    siret: Mapped[str | None] = mapped_column(String(14))
    ape_code: Mapped[str | None] = mapped_column(String(6))
    vat_number: Mapped[str | None] = mapped_column(String(16))
    licence_1: Mapped[str | None] = mapped_column(String(24))
    licence_2: Mapped[str | None] = mapped_column(String(24))
    licence_3: Mapped[str | None] = mapped_column(String(24))
    # Companies, if they choose to say: never shown per company, only counted (funders' page, ≥ 3).
    artistic_direction: Mapped[ArtisticDirection | None] = mapped_column(enum_column(ArtisticDirection, 8))
    search_key: Mapped[str] = mapped_column(String(400), default="")
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False)

    network = relationship("Network")
    shows = relationship("Show", back_populates="company", order_by="Show.title")

    @property
    def siret_display(self):
        return identifiers.siret_display(self.siret)

    @property
    def vat_number_display(self):
        return identifiers.vat_display(self.vat_number)

    @property
    def licences(self) -> list[tuple[int, str]]:
        """(category, number) of each licence held."""
        held = (
            (category, getattr(self, f"licence_{category}")) for category in identifiers.LICENCE_CATEGORIES
        )
        return [(category, number) for category, number in held if number]

    @property
    def licences_display(self) -> str | None:
        """« PLATESV-R-2021-001234 (catégorie 2) », each licence held, as a contract states them."""
        shown = [
            _("%(number)s (catégorie %(n)d)", number=number, n=category) for category, number in self.licences
        ]
        return " ; ".join(shown) or None

    def has_licence_in_force(self, today) -> bool:
        return any(identifiers.licence_in_force(number, today) for _category, number in self.licences)


class Programmer(db.Model):
    """A person who books shows; never has an account."""

    __tablename__ = "programmers"
    __table_args__ = (
        UniqueConstraint("network_id", "email"),
        Index("ix_programmers_network_name", "network_id", "last_name", "first_name", "id"),
        trigram_index("ix_programmers_search_trgm", "search_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id"), index=True)
    first_name: Mapped[str] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(80))
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(20))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    job_title: Mapped[str | None] = mapped_column(String(120))
    departement_code: Mapped[str | None] = mapped_column(String(3), index=True)
    wants_young: Mapped[bool] = mapped_column(Boolean, default=False)
    wants_all: Mapped[bool] = mapped_column(Boolean, default=True)
    lawful_basis: Mapped[LawfulBasis] = mapped_column(enum_column(LawfulBasis))
    source: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    search_key: Mapped[str] = mapped_column(String(400), default="")
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False)
    opted_out_at = mapped_column(UTCDateTime)
    erased_at = mapped_column(UTCDateTime)
    # A permanent SMTP refusal: no message until the address is corrected.
    bounced_at = mapped_column(UTCDateTime)
    language: Mapped[str] = mapped_column(String(5), default="fr")

    organisation = relationship("Organisation")
    interests = relationship(
        "ProgrammerDiscipline", cascade="all, delete-orphan", order_by="ProgrammerDiscipline.discipline"
    )

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}"

    @property
    def disciplines(self):
        return [i.discipline for i in self.interests]


class ProgrammerDiscipline(db.Model):
    __tablename__ = "programmer_disciplines"

    programmer_id: Mapped[int] = mapped_column(
        ForeignKey("programmers.id", ondelete="CASCADE"), primary_key=True
    )
    discipline: Mapped[Discipline] = mapped_column(enum_column(Discipline), primary_key=True, index=True)
