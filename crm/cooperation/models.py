from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Numeric, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.base.database import UTCDateTime, utcnow
from crm.base.enums import LabelledEnum, enum_column
from crm.base.extensions import db


class LineKind(LabelledEnum):
    """What a line of an edition's budget is; the first four bring money in."""

    GRANT = "grant", _l("Subvention")
    CONTRIBUTION = "contribution", _l("Participation d'une compagnie")
    SALES = "sales", _l("Ventes (billetterie, bar, librairie)")
    OTHER_INCOME = "other_income", _l("Autre recette")
    PRINTING = "printing", _l("Impression (plaquette, affiches)")
    VIDEO = "video", _l("Captation vidéo")
    TRAVEL = "travel", _l("Déplacements")
    TECHNICAL = "technical", _l("Location technique")
    INSURANCE = "insurance", _l("Assurance")
    OTHER_EXPENSE = "other_expense", _l("Autre dépense")

    @property
    def income(self) -> bool:
        return self in INCOME


INCOME = frozenset({LineKind.GRANT, LineKind.CONTRIBUTION, LineKind.SALES, LineKind.OTHER_INCOME})


class SplitRule(LabelledEnum):
    EQUAL = "equal", _l("À parts égales entre les compagnies programmées")
    PERFORMANCES = "performances", _l("Au prorata des représentations")
    CAST = "cast", _l("Par personne au plateau")
    FIXED = "fixed", _l("Part fixée pour chaque compagnie")
    NONE = "none", _l("Non partagé : à la charge de qui l'a payé")


class EditionBudget(db.Model):
    """An edition's shared budget: the lead company that carries it (the Société en Participation's
    gérante, say), which sees every company's statement."""

    __tablename__ = "edition_budgets"

    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"), primary_key=True)
    lead_company_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    updated_at = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False)

    lead_company = relationship("Organisation")


class BudgetLine(db.Model):
    """One income or expense of an edition: its amount, its date, the company whose account it went
    through (who paid the expense, received the income, or gave the contribution), and how it is split."""

    __tablename__ = "budget_lines"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id"), index=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"), index=True)
    kind: Mapped[LineKind] = mapped_column(enum_column(LineKind, 16))
    label: Mapped[str] = mapped_column(String(160))
    funder: Mapped[str | None] = mapped_column(String(160))  # a grant's funder
    amount = mapped_column(Numeric(12, 2), nullable=False)
    on = mapped_column(Date, nullable=False)
    paid_by_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    rule: Mapped[SplitRule] = mapped_column(enum_column(SplitRule, 16))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False)

    paid_by = relationship("Organisation")
    shares = relationship("BudgetShare", cascade="all, delete-orphan", order_by="BudgetShare.company_id")


class BudgetShare(db.Model):
    """A company's fixed share of a line split by SplitRule.FIXED (the shares add up to the line)."""

    __tablename__ = "budget_shares"

    line_id: Mapped[int] = mapped_column(ForeignKey("budget_lines.id", ondelete="CASCADE"), primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    amount = mapped_column(Numeric(12, 2), nullable=False)


class CommissionKind(LabelledEnum):
    DEPARTMENTAL = "departmental", _l("Départementale")
    THEMATIC = "thematic", _l("Thématique")


class Commission(db.Model):
    """A commission of the network: departmental (one or more départements: its members review the
    registrations of the companies from there and propose hosts), or thematic (communication,
    bookshop, technical, box office, bar… with a task list for the edition). Members are users of the
    network, one of them its referent."""

    __tablename__ = "commissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id"), index=True)
    kind: Mapped[CommissionKind] = mapped_column(enum_column(CommissionKind, 16))
    name: Mapped[str] = mapped_column(String(120))
    referent_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # the network lets the commission accept, waitlist or decline its départements' registrations
    decides: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false(), nullable=False)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    referent = relationship("User", foreign_keys=[referent_id])
    members = relationship("CommissionMember", cascade="all, delete-orphan")
    departements = relationship(
        "CommissionDepartement", cascade="all, delete-orphan", order_by="CommissionDepartement.code"
    )

    @property
    def codes(self) -> list[str]:
        return [d.code for d in self.departements]


class CommissionMember(db.Model):
    __tablename__ = "commission_members"

    commission_id: Mapped[int] = mapped_column(
        ForeignKey("commissions.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )

    user = relationship("User")


class CommissionDepartement(db.Model):
    __tablename__ = "commission_departements"

    commission_id: Mapped[int] = mapped_column(
        ForeignKey("commissions.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(3), primary_key=True)


class VolunteerEntry(db.Model):
    """Time given to the network: hours, what, by whom, for which company, for which edition and
    commission. Logged by the person, or by a coordinator for them."""

    __tablename__ = "volunteer_entries"
    __table_args__ = (CheckConstraint("hours > 0 AND hours <= 24", name="hours_in_a_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id"), index=True)
    edition_id: Mapped[int | None] = mapped_column(ForeignKey("editions.id", ondelete="SET NULL"), index=True)
    commission_id: Mapped[int | None] = mapped_column(
        ForeignKey("commissions.id", ondelete="SET NULL"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    on = mapped_column(Date, nullable=False)
    hours = mapped_column(Numeric(5, 2), nullable=False)
    what: Mapped[str] = mapped_column(String(200))
    logged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    user = relationship("User", foreign_keys=[user_id])
    company = relationship("Organisation")
    commission = relationship("Commission")
    edition = relationship("Edition")


class VolunteerRate(db.Model):
    """The hourly value a network gives volunteer time (the SMIC's gross hourly rate unless it says
    otherwise), for « contributions volontaires en nature »."""

    __tablename__ = "volunteer_rates"

    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"), primary_key=True)
    hourly_value = mapped_column(Numeric(6, 2), nullable=False)
    updated_at = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False)


class HostProposal(db.Model):
    """A departmental commission's proposal for an edition: a venue of its départements and the company
    that would host there. The coordination decides (the edition's venues page)."""

    __tablename__ = "host_proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    commission_id: Mapped[int] = mapped_column(ForeignKey("commissions.id", ondelete="CASCADE"), index=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"), index=True)
    venue_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    host_company_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    note: Mapped[str | None] = mapped_column(String(500))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    commission = relationship("Commission")
    venue = relationship("Organisation", foreign_keys=[venue_id])
    host_company = relationship("Organisation", foreign_keys=[host_company_id])


class CommissionTask(db.Model):
    """One thing a thematic commission does for an edition: what, who, by when; visible to the network."""

    __tablename__ = "commission_tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    commission_id: Mapped[int] = mapped_column(ForeignKey("commissions.id", ondelete="CASCADE"), index=True)
    edition_id: Mapped[int | None] = mapped_column(ForeignKey("editions.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    due_on = mapped_column(Date)
    done_at = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    assignee = relationship("User", foreign_keys=[assignee_id])
    edition = relationship("Edition")
