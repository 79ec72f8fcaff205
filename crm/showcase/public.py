"""Public programme pages: stable URLs that networks link to from their own sites."""

from flask import Blueprint, abort, jsonify, render_template

from crm.base.extensions import db
from crm.base.permissions import PUBLIC, allow
from crm.showcase import programme

bp = Blueprint("programme", __name__, url_prefix="/programme")


@bp.get("/")
@allow(PUBLIC)
def index():
    editions = db.paginate(programme.published_editions(), per_page=50, error_out=False)
    return render_template("programme/index.html", page=editions)


def _edition(slug):
    edition = programme.published_edition(slug)
    if edition is None:
        abort(404)
    return edition


@bp.get("/<slug>")
@allow(PUBLIC)
def edition(slug):
    found = _edition(slug)
    slots = programme.programme_slots(found)
    return render_template("programme/edition.html", edition=found, days=programme.by_day(slots))


@bp.get("/<slug>.json")
@allow(PUBLIC)
def edition_json(slug):
    found = _edition(slug)
    response = jsonify(programme.as_json(found, programme.programme_slots(found)))
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
