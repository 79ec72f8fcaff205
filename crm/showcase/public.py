"""Public programme pages: stable URLs that networks link to from their own sites.

The page and its JSON are keyed by the edition's change stamp: a revalidation reads one row, and the
rendered bytes are shared by every worker (see `crm.base.rendered`).
"""

from flask import Blueprint, Response, abort, current_app, render_template, request, session
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup

from crm.base import rendered
from crm.base.extensions import db
from crm.base.permissions import PUBLIC, allow
from crm.showcase import programme
from crm.showcase.ical import EPOCH
from crm.showcase.models import Edition

bp = Blueprint("programme", __name__, url_prefix="/programme")
PAGE_VERSION = 1  # bump when the page's or the JSON's shape changes


@bp.get("/")
@allow(PUBLIC)
def index():
    editions = db.paginate(programme.published_editions(), per_page=50, error_out=False)
    return render_template("programme/index.html", page=editions)


def _stamped(slug):
    found = programme.published_stamped(slug)
    if found is None:
        abort(404)
    edition_id, _network_id, version, changed = found
    return edition_id, version or 0, changed or EPOCH


def _edition(edition_id):
    return db.session.get(Edition, edition_id)


@bp.get("/<slug>")
@allow(PUBLIC)
def edition(slug):
    edition_id, version, changed = _stamped(slug)
    locale = str(get_locale())
    days_key = rendered.key("programme-days", PAGE_VERSION, request.host_url, locale, edition_id, version)

    def page(shared=True) -> bytes:
        """The whole page; its programme part is stored on its own for signed-in visitors' pages
        (a shared page is stored whole: storing its part too would only cost a write)."""
        found = _edition(edition_id)
        days = None if shared else rendered.get(days_key)
        if days is None:
            days = render_template("programme/_days.html", edition=found, days=programme.page_days(found))
            days = days.encode()
            if not shared:
                rendered.put(days_key, days)
        html = render_template(
            "programme/edition.html",
            edition=found,
            days_html=Markup(days.decode()),  # noqa: S704 - our own template's output, escaped
            shared_page=shared,
        )
        return html.encode()

    if current_user.is_authenticated or session.get("_flashes"):
        # Their own menu or message is on the page: made for them (and never kept by a browser, see
        # `security`), the programme itself from the shared store.
        response = Response(page(shared=False), content_type="text/html; charset=utf-8")
    else:
        page_key = rendered.key("programme-page", days_key)
        response = rendered.conditional(
            page_key, changed, page, content_type="text/html; charset=utf-8", cache_control="public, no-cache"
        )
    response.vary.add("Cookie")
    return response


@bp.get("/<slug>.json")
@allow(PUBLIC)
def edition_json(slug):
    edition_id, version, changed = _stamped(slug)
    key = rendered.key("programme-json", PAGE_VERSION, request.host_url, edition_id, version)

    def body() -> bytes:
        found = _edition(edition_id)
        data = programme.as_json(found, programme.programme_slots(found))
        return current_app.json.dumps(data).encode()

    response = rendered.conditional(
        key, changed, body, content_type="application/json", cache_control="public, max-age=60"
    )
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
