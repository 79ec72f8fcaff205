"""The barometer: for one year, each sharing network's figures side by side, and their total.

Everything is an aggregate computed by the database, over the editions of the networks that share the
kind of figure, from the date each one chose; nothing personal leaves a network (no name, no person, no
company: counts, sums, a median). A network that did not share a kind of figure has no cell for it.

Small numbers: a cell that rests on fewer than 3 companies or 3 programmers reads « < 3 », and the total
beside it adds up the cells that are shown only, so that no hidden cell is found back by subtraction. The
map of performances by département counts only the networks whose own figure is shown, and hides a
département where fewer than 3 companies played (and, when only one is hidden, the smallest other one).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from crm.base.database import utcnow
from crm.base.extensions import db
from crm.federation import figures, snapshots
from crm.federation.models import BarometerConsent, Category
from crm.impact.funders import THRESHOLD, protect
from crm.networks.models import Network

__all__ = ["Category", "compute", "sharing"]


# How a cell is guarded: by the companies behind it, the programmers, both, or not at all (editions).
COMPANIES, PROGRAMMERS, BOTH, NONE = "companies", "programmers", "both", "none"
SUM, UNION, MEDIAN = "sum", "union", "median"  # how the total is made of the cells shown


@dataclass(frozen=True)
class Metric:
    key: str
    category: Category
    label: object
    guard: str
    total: str = SUM
    money: bool = False


METRICS = [
    Metric("editions", Category.ACTIVITY, _l("Éditions tenues"), NONE),
    Metric("companies", Category.ACTIVITY, _l("Compagnies présentées"), COMPANIES),
    Metric("company_departements", Category.ACTIVITY, _l("Départements d'où viennent ces compagnies"),
           COMPANIES, UNION),
    Metric("meetings", Category.ACTIVITY, _l("Rencontres professionnelles tenues"), BOTH),
    Metric("invited", Category.FOLLOW_UP, _l("Programmateurs et programmatrices invités"), PROGRAMMERS),
    Metric("present", Category.FOLLOW_UP, _l("… venus"), PROGRAMMERS),
    Metric("answered", Category.FOLLOW_UP, _l("… qui ont répondu à la relance"), PROGRAMMERS),
    Metric("interested", Category.FOLLOW_UP, _l("… intéressés (réserver, garder le dossier)"), PROGRAMMERS),
    Metric("booked", Category.FOLLOW_UP, _l("… qui ont programmé"), PROGRAMMERS),
    Metric("new", Category.FOLLOW_UP, _l("Venus pour la première fois"), PROGRAMMERS),
    Metric("returning", Category.FOLLOW_UP, _l("Déjà venus une année précédente"), PROGRAMMERS),
    Metric("bookings", Category.BOOKINGS, _l("Dates obtenues (confirmées)"), COMPANIES),
    Metric("performances", Category.BOOKINGS, _l("Représentations obtenues"), COMPANIES),
    Metric("fees", Category.BOOKINGS, _l("Cessions (HT)"), COMPANIES, money=True),
    Metric("median_days", Category.BOOKINGS, _l("Délai médian jusqu'à la date (jours)"), COMPANIES, MEDIAN),
    Metric("departements", Category.TERRITORY, _l("Départements où les spectacles ont été joués"),
           COMPANIES, UNION),
    Metric("km", Category.TRAVEL, _l("Déplacements (km)"), BOTH),
    Metric("kg", Category.TRAVEL, _l("Émissions (kg CO₂e)"), BOTH),
]  # fmt: skip


@dataclass
class Cell:
    value: object = None  # None: not shown
    state: str = "shown"  # "shown", "small" (under the threshold) or "not_shared"

    @property
    def shown(self) -> bool:
        return self.state == "shown"


@dataclass
class Row:
    metric: Metric
    cells: dict[int, Cell]  # by network id
    total: Cell
    partial: bool = False  # some cell is hidden: the total leaves it out


@dataclass
class Barometer:
    year: int | None
    years: list[int]
    networks: list[Network]
    rows: list[Row] = field(default_factory=list)
    map_groups: list = field(default_factory=list)  # funders.Group per département code
    map_total: int = 0
    computed_at: datetime | None = None

    @property
    def map_counts(self) -> dict:
        return {g.label: g.count for g in self.map_groups if g.count is not None}

    @property
    def map_hidden(self) -> set:
        return {g.label for g in self.map_groups if g.count is None}

    def row(self, key) -> Row:
        return next(row for row in self.rows if row.metric.key == key)

    def by_category(self):
        grouped = defaultdict(list)
        for row in self.rows:
            grouped[row.metric.category].append(row)
        return [(category, grouped[category]) for category in Category if grouped[category]]


def sharing(public=False):
    """The networks that share figures (and their consent), by name; `public`: only when every one of
    them also agreed to the public barometer (else none: the public page stays closed)."""
    rows = db.session.execute(
        select(Network, BarometerConsent)
        .join(BarometerConsent, BarometerConsent.network_id == Network.id)
        .order_by(Network.name)
    ).all()
    if public and not (rows and all(consent.public for _n, consent in rows)):
        return []
    return [tuple(row) for row in rows]


# --- Putting the table together ----------------------------------------------------------------------


def _cell(metric, raw) -> Cell:
    if raw is None:
        return Cell(state="not_shared")
    value, behind = raw[0], raw[1]
    if metric.guard != NONE and (behind or 0) < THRESHOLD:
        return Cell(state="small")
    if metric.total == UNION:
        return Cell(len(value))
    return Cell(value)


def compute(year: int | None = None, *, today: date, public=False, now: datetime | None = None) -> Barometer:
    """The barometer of a year (the latest with figures when none is asked), from the stored snapshots
    where they are usable; `computed_at`: when the oldest figure shown was computed."""
    shared = sharing(public=public)
    networks = [network for network, _consent in shared]
    consents = {network.id: consent for network, consent in shared}
    ids = list(consents)
    found_years = figures.years(ids, today) if ids else []
    if year is None or year not in found_years:
        year = found_years[0] if found_years else None
    result = Barometer(year=year, years=found_years, networks=networks)
    if year is None:
        return result
    now = now or utcnow()
    stored, places, computed_at = snapshots.current(year, consents, now)
    raw = defaultdict(dict, stored)
    missing = {n: consent for n, consent in consents.items() if n not in stored}
    if missing:  # no usable snapshot: these networks are computed now
        live, live_places = figures.raw(year, today, missing)
        raw.update(live)
        places += live_places
        computed_at = now
    result.computed_at = computed_at
    for metric in METRICS:
        cells = {}
        for network_id, consent in consents.items():
            if not getattr(consent, metric.category.value):
                cells[network_id] = Cell(state="not_shared")
            else:
                cells[network_id] = _cell(metric, raw[network_id].get(metric.key, _nothing(metric)))
        result.rows.append(_row(metric, cells, raw))
    _map(result, places, consents, {n for n, c in result.row("departements").cells.items() if c.shown})
    return result


def _nothing(metric):
    """A shared kind with no row this year: zero, resting on no one (so it reads « < 3 »)."""
    if metric.total == UNION:
        return (set(), 0)
    if metric.total == MEDIAN:
        return (None, 0)
    return (Decimal(0) if metric.money or metric.key == "kg" else 0, 0)


def _row(metric, cells, raw) -> Row:
    shown = [n for n, cell in cells.items() if cell.shown]
    partial = any(cell.state == "small" for cell in cells.values())
    if not shown:
        return Row(metric, cells, Cell(state="small" if partial else "not_shared"), partial)
    if metric.total == UNION:
        total = len(set().union(*(raw[n][metric.key][0] for n in shown)))
    elif metric.total == MEDIAN:
        total = figures.median([pair for n in shown for pair in raw[n][metric.key][2]])
    else:
        total = sum((cells[n].value for n in shown), Decimal(0) if metric.money or metric.key == "kg" else 0)
    return Row(metric, cells, Cell(total), partial)


def _map(result, places, consents, shown_networks):
    """Performances by département, all the networks whose territory figure is shown, together."""
    dates, behind = defaultdict(int), defaultdict(int)
    for network_id, code, count, _fees, companies in places:
        if code and network_id in shown_networks and consents[network_id].territory:
            dates[code] += count
            behind[code] += companies  # companies belong to one network: the sum counts each once
    result.map_groups = sorted(
        protect([(code, dates[code], behind[code]) for code in dates]),
        key=lambda g: (g.count is None, -(g.count or 0), g.label),
    )
    result.map_total = sum(dates.values())
