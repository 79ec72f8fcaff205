"""Volunteer time: the hours people give the network, valued at the network's hourly rate as
« contributions volontaires en nature » (what French association accounts carry in accounts 86/87),
and how the load spreads between commissions and companies. Every figure is summed by the database."""

from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select

from crm.accounts.models import Role
from crm.base.errors import DomainError
from crm.base.extensions import db
from crm.contacts.models import Organisation
from crm.cooperation.commissions import network_people
from crm.cooperation.models import Commission, VolunteerEntry, VolunteerRate
from crm.showcase.models import Edition

SMIC_HOURLY = Decimal("12.02")  # the gross hourly SMIC from 1 January 2026; each network may change it
DROP = Decimal("0.5")  # a company whose share of the hours falls by half or more is pointed out
NOTICED_FROM = Decimal("0.10")  # … when it carried at least a tenth of the load before


def hourly_value(network_id) -> Decimal:
    found = db.session.get(VolunteerRate, network_id)
    return Decimal(found.hourly_value) if found else SMIC_HOURLY


def set_hourly_value(network, value) -> VolunteerRate:
    if value is None or not Decimal(0) < value < 1000:
        raise DomainError(_("Une valeur de l'heure en euros, plus de 0."), field="hourly_value")
    found = db.session.get(VolunteerRate, network.id) or VolunteerRate(network_id=network.id)
    found.hourly_value = value
    db.session.add(found)
    db.session.flush()
    return found


def log(network, data, *, actor) -> VolunteerEntry:
    """Record time given. A company member logs their own time (for their company); a coordinator may
    log it for anyone of the network."""
    hours = data.get("hours")
    if hours is not None and Decimal(hours).is_finite():
        hours = Decimal(hours).quantize(Decimal("0.01"))
    if hours is None or not hours.is_finite() or not Decimal(0) < hours <= 24:
        raise DomainError(_("Un nombre d'heures entre 0 et 24, par exemple 2,5."), field="hours")
    user_id = data.get("user_id") or actor.id
    if actor.role != Role.COORDINATOR and user_id != actor.id:
        raise DomainError(_("Vous notez le temps que vous avez donné vous-même."), field="user_id")
    people = {u.id: u for u in network_people(network.id)}
    if user_id not in people:
        raise DomainError(_("Choisissez une personne du réseau."), field="user_id")
    company_id = data.get("company_id") or people[user_id].company_id
    if actor.role != Role.COORDINATOR and company_id not in (None, actor.company_id):
        raise DomainError(_("Le temps d'un membre compte pour sa compagnie."), field="company_id")
    _of_network(Organisation, company_id, network.id, "company_id")
    _of_network(Edition, data.get("edition_id"), network.id, "edition_id")
    _of_network(Commission, data.get("commission_id"), network.id, "commission_id")
    entry = VolunteerEntry(network_id=network.id, edition_id=data.get("edition_id"),
                           commission_id=data.get("commission_id"), user_id=user_id, company_id=company_id,
                           on=data["on"], hours=hours, what=data["what"].strip(),
                           logged_by_id=actor.id)  # fmt: skip
    db.session.add(entry)
    db.session.flush()
    return entry


def _of_network(model, row_id, network_id, field_name) -> None:
    if row_id is None:
        return
    row = db.session.get(model, row_id)
    if row is None or row.network_id != network_id:
        raise DomainError(_("Choisissez dans la liste."), field=field_name)


def entries_query(network_id, user=None):
    """The network's entries, latest first; a company member sees their company's own."""
    query = select(VolunteerEntry).where(VolunteerEntry.network_id == network_id)
    if user is not None and user.role != Role.COORDINATOR:
        query = query.where(
            (VolunteerEntry.user_id == user.id) | (VolunteerEntry.company_id == user.company_id)
        )
    return query.order_by(VolunteerEntry.on.desc(), VolunteerEntry.id.desc())


def delete(entry, *, actor) -> None:
    if actor.role != Role.COORDINATOR and entry.user_id != actor.id:
        raise DomainError(_("Seule la personne qui a donné ce temps, ou la coordination, peut l'effacer."))
    db.session.delete(entry)
    db.session.flush()


@dataclass
class Load:
    label: str
    hours: Decimal
    share: Decimal = Decimal(0)  # of the total hours
    value: Decimal = Decimal(0)
    dropped_from: Decimal | None = None  # its share the edition before, when it fell sharply


@dataclass
class Summary:
    hours: Decimal = Decimal(0)
    value: Decimal = Decimal(0)
    rate: Decimal = SMIC_HOURLY
    by_commission: list[Load] = field(default_factory=list)
    by_company: list[Load] = field(default_factory=list)


def summary(network_id, edition_ids) -> Summary:
    """The hours of these editions, their value, per commission and per company (three statements, and
    two more to compare each company's share with the network's previous edition)."""
    rate = hourly_value(network_id)
    ids = list(edition_ids)
    scope = (VolunteerEntry.network_id == network_id, VolunteerEntry.edition_id.in_(ids))
    per_commission = db.session.execute(
        select(Commission.name, func.sum(VolunteerEntry.hours))
        .select_from(VolunteerEntry)
        .outerjoin(Commission, Commission.id == VolunteerEntry.commission_id)
        .where(*scope)
        .group_by(Commission.name)
    ).all()
    per_company = db.session.execute(
        select(VolunteerEntry.company_id, Organisation.name, func.sum(VolunteerEntry.hours))
        .select_from(VolunteerEntry)
        .outerjoin(Organisation, Organisation.id == VolunteerEntry.company_id)
        .where(*scope)
        .group_by(VolunteerEntry.company_id, Organisation.name)
    ).all()
    total = sum((Decimal(h) for _n, h in per_commission), Decimal(0))
    found = Summary(hours=total, value=(total * rate).quantize(Decimal("0.01")), rate=rate)
    found.by_commission = _loads(
        [(name or _("Sans commission"), h) for name, h in per_commission], total, rate
    )
    companies = {cid: _load(name or _("La coordination"), h, total, rate) for cid, name, h in per_company}
    for company_id, (name, was) in _previous_shares(network_id, ids).items():
        if was < NOTICED_FROM:
            continue
        load = companies.get(company_id)
        if load is None:  # gave nothing this time: the sharpest drop of all
            load = companies[company_id] = Load(name or _("La coordination"), Decimal(0))
        if load.share <= was * DROP:
            load.dropped_from = was
    found.by_company = sorted(companies.values(), key=lambda load: (-load.hours, load.label))
    return found


def _load(label, hours, total, rate) -> Load:
    hours = Decimal(hours)
    return Load(
        label, hours, hours / total if total else Decimal(0), (hours * rate).quantize(Decimal("0.01"))
    )


def _loads(rows, total, rate) -> list[Load]:
    return sorted(
        (_load(label, h, total, rate) for label, h in rows), key=lambda load: (-load.hours, load.label)
    )


def _previous_shares(network_id, edition_ids) -> dict:
    """{company id: (name, share)} of the hours in the network's edition (with hours) just before the
    earliest of these."""
    first = db.session.scalar(select(func.min(Edition.starts_on)).where(Edition.id.in_(edition_ids)))
    if first is None:
        return {}
    previous = db.session.execute(
        select(VolunteerEntry.company_id, Organisation.name, func.sum(VolunteerEntry.hours))
        .join(Edition, Edition.id == VolunteerEntry.edition_id)
        .outerjoin(Organisation, Organisation.id == VolunteerEntry.company_id)
        .where(
            VolunteerEntry.network_id == network_id,
            Edition.id == (
                select(Edition.id)
                .join(VolunteerEntry, VolunteerEntry.edition_id == Edition.id)
                .where(Edition.network_id == network_id, Edition.starts_on < first)
                .order_by(Edition.starts_on.desc(), Edition.id.desc())
                .limit(1)
                .scalar_subquery()
            ),
        )
        .group_by(VolunteerEntry.company_id, Organisation.name)
    ).all()  # fmt: skip
    total = sum((Decimal(h) for _c, _n, h in previous), Decimal(0))
    return {company_id: (name, Decimal(h) / total) for company_id, name, h in previous} if total else {}
