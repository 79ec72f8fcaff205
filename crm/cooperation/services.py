"""An edition's shared budget: its lead company, its lines, and the statements computed from them."""

from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from crm.base.errors import DomainError
from crm.base.extensions import db
from crm.base.i18n import money
from crm.base.money import cents
from crm.contacts.models import Organisation, OrganisationKind
from crm.cooperation import budget
from crm.cooperation.models import BudgetLine, BudgetShare, EditionBudget, LineKind, SplitRule
from crm.showcase.editions import performing_companies

MAXIMUM = Decimal("10000000")  # ten million euros: a line beyond is a typing slip


def budget_of(edition) -> EditionBudget | None:
    return db.session.get(EditionBudget, edition.id)


def lead_company_id(edition) -> int | None:
    found = budget_of(edition)
    return found.lead_company_id if found else None


def network_companies(network_id) -> list[tuple[int, str]]:
    return db.session.execute(
        select(Organisation.id, Organisation.name)
        .where(Organisation.network_id == network_id, Organisation.kind == OrganisationKind.COMPANY)
        .order_by(Organisation.name)
    ).all()


def set_lead(edition, company_id) -> EditionBudget:
    """The company that carries the edition's budget (None: none yet)."""
    if company_id is not None and company_id not in {
        cid for cid, _n in network_companies(edition.network_id)
    }:
        raise DomainError(_("Choisissez une compagnie du réseau."), field="lead_company_id")
    found = budget_of(edition) or EditionBudget(edition_id=edition.id)
    if company_id != found.lead_company_id and _has_contributions(edition):
        raise DomainError(
            _("Des participations ont été versées à la compagnie porteuse : elle ne peut plus changer. "
              "Supprimez d'abord ces lignes si elles sont à refaire."),
            field="lead_company_id",
        )  # fmt: skip
    found.lead_company_id = company_id
    db.session.add(found)
    db.session.flush()
    return found


def _has_contributions(edition) -> bool:
    return bool(
        db.session.scalar(
            select(func.count())
            .select_from(BudgetLine)
            .where(BudgetLine.edition_id == edition.id, BudgetLine.kind == LineKind.CONTRIBUTION)
        )
    )


def lines(edition) -> list[BudgetLine]:
    return db.session.scalars(
        select(BudgetLine)
        .where(BudgetLine.edition_id == edition.id)
        .options(selectinload(BudgetLine.shares), selectinload(BudgetLine.paid_by))
        .order_by(BudgetLine.on, BudgetLine.id)
    ).all()


def save_line(edition, line, data, *, actor) -> BudgetLine:
    """Create (`line` None) or change a line; nothing is saved when something is wrong."""
    companies = dict(network_companies(edition.network_id))
    kind, rule = LineKind(data["kind"]), SplitRule(data["rule"])
    amount = data.get("amount")
    if amount is None or amount <= 0:
        raise DomainError(_("Un montant en euros, plus de 0."), field="amount")
    if data.get("paid_by_id") not in companies:
        raise DomainError(_("Choisissez la compagnie qui a payé ou reçu cette somme."), field="paid_by_id")
    if kind == LineKind.CONTRIBUTION:
        lead = lead_company_id(edition)
        if lead is None:
            raise DomainError(
                _("Une participation est versée à la compagnie porteuse : choisissez-la d'abord."),
                field="kind",
            )
        if data["paid_by_id"] == lead:
            raise DomainError(
                _("La compagnie porteuse ne se verse pas de participation."), field="paid_by_id"
            )
        rule = SplitRule.NONE  # a contribution is a payment between companies, not a cost to share
    shares = {}
    if rule == SplitRule.FIXED:
        shares = {cid: value for cid, value in (data.get("shares") or {}).items() if value}
        total = sum(shares.values(), Decimal(0))
        if not shares or any(value < 0 for value in shares.values()) or total != amount:
            raise DomainError(
                _("Les parts fixées (%(total)s) doivent faire le montant de la ligne (%(amount)s).",
                  total=money(total), amount=money(amount)),
                field="rule",
            )  # fmt: skip
        if any(cid not in companies for cid in shares):
            raise DomainError(_("Une part va à une compagnie qui n'est pas du réseau."), field="rule")
    line = line or BudgetLine(network_id=edition.network_id, edition_id=edition.id, created_by_id=actor.id)
    line.kind, line.rule, line.amount = kind, rule, amount
    line.label = (data.get("label") or "").strip() or str(kind.label)
    funder = (data.get("funder") or "").strip()
    line.funder = (funder or None) if kind == LineKind.GRANT else None
    line.on, line.paid_by_id = data["on"], data["paid_by_id"]
    line.shares = [BudgetShare(company_id=cid, amount=value) for cid, value in sorted(shares.items())]
    db.session.add(line)
    db.session.flush()
    return line


def delete_line(line) -> None:
    db.session.delete(line)
    db.session.flush()


def compute(edition) -> budget.Budget:
    """Every company's statement for the edition: four statements, whatever the number of lines."""
    found = lines(edition)
    lead = lead_company_id(edition)
    programmed = {
        cid: budget.Company(cid, name, cast or 0, n) for cid, name, cast, n in performing_companies(edition)
    }
    named = {line.paid_by_id for line in found} | {s.company_id for line in found for s in line.shares}
    if lead is not None:
        named.add(lead)
    missing = named - set(programmed)
    if missing:
        for cid, name in db.session.execute(
            select(Organisation.id, Organisation.name).where(Organisation.id.in_(missing))
        ):
            programmed[cid] = budget.Company(cid, name)
    entries = [
        budget.Entry(line.id, line.kind, line.label, cents(line.amount), line.paid_by_id, line.rule,
                     {s.company_id: cents(s.amount) for s in line.shares}, line.on)
        for line in found
    ]  # fmt: skip
    return budget.compute(entries, list(programmed.values()), lead)


def totals_by_kind(edition_ids) -> list[tuple[LineKind, Decimal]]:
    """The budget's totals by kind over these editions, summed by the database (income kinds first)."""
    rows = dict(
        db.session.execute(
            select(BudgetLine.kind, func.sum(BudgetLine.amount))
            .where(BudgetLine.edition_id.in_(list(edition_ids)))
            .group_by(BudgetLine.kind)
        ).all()
    )
    return [(kind, Decimal(rows[kind])) for kind in LineKind if kind in rows]


def editions_with_budget(edition_ids) -> set[int]:
    """Those of these editions that have a shared budget (at least one line)."""
    return set(
        db.session.scalars(
            select(BudgetLine.edition_id).where(BudgetLine.edition_id.in_(list(edition_ids))).distinct()
        )
    )
