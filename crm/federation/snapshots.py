"""The barometer's stored snapshots: each sharing network's raw figures for a year, computed by the
scheduler every hour, so that a visit reads a few rows instead of computing a whole federation.

A snapshot is used only while it was made under the network's present choice (the same date and the same
kinds of figures) and is less than a day old; otherwise the page computes that network afresh. The
small-number rule, the totals and the map are applied when the page is read, never stored, so a change of
choice or a withdrawal counts at once.
"""

from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import delete, select

from crm.base.extensions import db
from crm.base.timeutil import local
from crm.federation import figures
from crm.federation.models import BarometerConsent, BarometerFigures, Category

REFRESH = timedelta(hours=1)  # the scheduler computes a snapshot again once it is this old
STALE = timedelta(days=1)  # older than this (the scheduler stopped?), the page no longer uses it
YEARS_PER_TICK = 3  # years computed again by one tick, every due network of a year in one go


def shared_kinds(consent) -> str:
    return ",".join(category.value for category in Category if getattr(consent, category.value))


def _usable(row, consent, now) -> bool:
    return (
        consent is not None
        and row.since == consent.since
        and row.shared == shared_kinds(consent)
        and row.computed_at >= now - STALE
    )


def current(year, consents, now) -> tuple[dict, list, datetime | None]:
    """The usable snapshots of the year for these networks: ({network id: raw figures}, the places
    rows, when the oldest of them was computed)."""
    rows = db.session.scalars(
        select(BarometerFigures).where(
            BarometerFigures.year == year, BarometerFigures.network_id.in_(list(consents))
        )
    ).all()
    raw, places, oldest = {}, [], None
    for row in rows:
        if not _usable(row, consents.get(row.network_id), now):
            continue
        raw[row.network_id] = {key: _load(value) for key, value in row.figures["raw"].items()}
        places += [
            (row.network_id, code, dates, None, companies) for code, dates, companies in row.figures["places"]
        ]
        oldest = row.computed_at if oldest is None else min(oldest, row.computed_at)
    return raw, places, oldest


def store(year, today, consents, now) -> int:
    """Compute the year's raw figures of these networks ({network id: consent}) and keep them."""
    found, places = figures.raw(year, today, consents)
    ids = list(consents)
    db.session.execute(
        delete(BarometerFigures).where(BarometerFigures.year == year, BarometerFigures.network_id.in_(ids))
    )
    for network_id, consent in consents.items():
        stored = {
            "raw": {key: _dump(value) for key, value in found.get(network_id, {}).items()},
            "places": [
                [code, dates, companies] for n, code, dates, _fees, companies in places if n == network_id
            ],
        }
        db.session.add(
            BarometerFigures(network_id=network_id, year=year, since=consent.since,
                             shared=shared_kinds(consent), figures=stored, computed_at=now)
        )  # fmt: skip
    db.session.flush()
    return len(ids)


def refresh_due(*, now, years_at_most=YEARS_PER_TICK) -> int:
    """Compute again the snapshots that are missing, made under another choice, or an hour old: a few
    years per call, the oldest first. Returns how many network-years were computed."""
    consents = {c.network_id: c for c in db.session.scalars(select(BarometerConsent)).all()}
    # a network that withdrew while a tick was computing it: what that tick stored goes too
    db.session.execute(delete(BarometerFigures).where(BarometerFigures.network_id.not_in(list(consents))))
    if not consents:
        return 0
    today = local(now).date()
    known = {
        (row.network_id, row.year): row
        for row in db.session.execute(
            select(BarometerFigures.network_id, BarometerFigures.year, BarometerFigures.since,
                   BarometerFigures.shared, BarometerFigures.computed_at)
        ).all()
    }  # fmt: skip
    due_years = []
    for year in figures.years(list(consents), today):
        due = {
            network_id: consent
            for network_id, consent in consents.items()
            if (row := known.get((network_id, year))) is None
            or not _usable(row, consent, now)
            or row.computed_at <= now - REFRESH
        }
        if due:
            stamps = [known[(n, year)].computed_at for n in due if (n, year) in known]
            due_years.append(((1, min(stamps)) if len(stamps) == len(due) else (0,), year, due))
    due_years.sort(key=lambda item: item[0])  # a network never computed first, then the oldest
    return sum(store(year, today, due, now) for _key, year, due in due_years[:years_at_most])


def forget(network_id) -> None:
    """The network's snapshots, deleted (its choice changed, or it withdrew)."""
    db.session.execute(delete(BarometerFigures).where(BarometerFigures.network_id == network_id))


def _dump(value):
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    if isinstance(value, set):
        return {"set": sorted(value)}
    if isinstance(value, list | tuple):
        return [_dump(item) for item in value]
    return value


def _load(value):
    if isinstance(value, dict):
        return Decimal(value["decimal"]) if "decimal" in value else set(value["set"])
    if isinstance(value, list):
        return tuple(_load(item) for item in value)
    return value
