"""People think in Europe/Paris (VITRINE_TIMEZONE); the database stores UTC."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context


def zone() -> ZoneInfo:
    name = current_app.config["VITRINE_TIMEZONE"] if has_app_context() else "Europe/Paris"
    return ZoneInfo(name)


def to_utc(day: date, at: time) -> datetime:
    """The UTC instant of a local wall-clock time on a given day."""
    return datetime.combine(day, at, tzinfo=zone()).astimezone(UTC)


def local(instant: datetime) -> datetime:
    """A stored UTC instant as local time."""
    return instant.astimezone(zone())


def today_local() -> date:
    """Today's date where the people are (not in UTC)."""
    return datetime.now(zone()).date()
