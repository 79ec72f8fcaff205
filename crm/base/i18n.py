"""Language and time zone choice, and the Jinja filters that format the French way."""

from datetime import date, datetime
from decimal import Decimal

from babel.lists import format_list
from flask import has_request_context, request, session
from flask_babel import (
    format_currency,
    format_date,
    format_datetime,
    format_decimal,
    get_locale,
    to_user_timezone,
)
from flask_login import current_user

from crm.base.geo import departement
from crm.base.phones import display_phone

LOCALES = ("fr", "en")


def select_locale() -> str:
    """French unless the person chose English (their account, this browser's choice, or the link)."""
    if not has_request_context():
        return "fr"
    if current_user and current_user.is_authenticated and current_user.locale in LOCALES:
        return current_user.locale
    chosen = request.args.get("lang") or session.get("locale")  # ?lang=: a public page's link
    if chosen in LOCALES:
        return chosen
    return "fr"


def _date(value, fmt="medium"):
    """The one date formatter of pages: "full" and "long" name the day only (the time, when wanted,
    comes from `localtime`, as "19:00–22:30"), never "19:00:00 heure normale d'Europe centrale"."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if fmt in ("full", "long"):
            return format_date(to_user_timezone(value).date(), fmt)
        return format_datetime(value, fmt)
    if isinstance(value, date):
        return format_date(value, fmt)
    return value


def _number(value, pattern=None):
    """'1 602', '0,218'; `pattern` for more decimals than three ('#,##0.#####')."""
    if value is None:
        return ""
    return format_decimal(Decimal(value) if isinstance(value, str) else value, format=pattern)


def money(value, currency="EUR") -> str:
    """Every amount of every page: '1 850,50 €' in French, '€1,850.50' in English (Babel)."""
    return format_currency(Decimal(value or 0), currency or "EUR")


def reasons(items) -> str:
    """Several reasons in one sentence, listed the way the reader's language does ("a, b et c")."""

    return format_list([str(item) for item in items], locale=str(get_locale() or "fr"))


def register_filters(app):
    app.jinja_env.filters["date"] = _date
    app.jinja_env.filters["number"] = _number
    app.jinja_env.filters["cents"] = lambda cents, currency="EUR": money(Decimal(cents) / 100, currency)
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["reasons"] = reasons
    app.jinja_env.filters["localtime"] = lambda value, fmt="HH:mm": (
        format_datetime(value, fmt) if value else ""
    )
    app.jinja_env.globals["current_locale"] = lambda: select_locale()
    app.jinja_env.globals["request_path"] = lambda: request.full_path.rstrip("?")
    register_domain_filters(app)


def register_domain_filters(app):

    app.jinja_env.filters["phone"] = display_phone
    app.jinja_env.filters["departement_label"] = lambda code: (
        departement(code).label if departement(code) else ""
    )
