from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Date, ForeignKey, Numeric, String
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
