"""The API's pages for people: its reference (read from the OpenAPI document) and the network's tokens."""

import re

from flask import Blueprint, abort, current_app, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup, escape

from crm.api import tokens
from crm.api.forms import TokenForm
from crm.api.models import ApiToken
from crm.base.audit import security_event
from crm.base.database import utcnow
from crm.base.enums import Role
from crm.base.errors import DomainError, attach_to_form
from crm.base.extensions import db
from crm.base.permissions import PUBLIC, allow
from crm.base.views import act, paginate
from crm.networks.models import Network

bp = Blueprint("api_pages", __name__)
METHODS = ("get", "post", "put", "patch", "delete")


@bp.get("/api/v1/")
@allow(PUBLIC)
def reference():
    """Every path of the description, with its parameters, body and answers, on one readable page."""
    spec = current_app.extensions["vitrine-api"].spec.to_dict()
    operations = [
        (path, method.upper(), operation, re.sub(r"[^a-z0-9]+", "-", f"{method}{path}".lower()).strip("-"))
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]
    return render_template("api/reference.html", spec=spec, operations=operations, md=_code_spans)


def _code_spans(text) -> Markup:
    """The description's `code` as code, everything else escaped."""
    return Markup(re.sub(r"`([^`]+)`", r"<code>\1</code>", str(escape(text or ""))))  # noqa: S704


def _tokens_page(form, *, created=None, status=200):
    page = paginate(tokens.of_network(current_user.network_id))
    network = db.session.get(Network, current_user.network_id)
    return render_template("api/tokens.html", page=page, form=form, created=created, network=network), status


@bp.get("/api-tokens")
@allow(Role.COORDINATOR)
def tokens_list():
    return _tokens_page(TokenForm())


@bp.post("/api-tokens")
@allow(Role.COORDINATOR)
def token_new():
    """Make a token and show it this once (on this page only: never in a message, a link or a log)."""
    form = TokenForm()
    if not form.validate_on_submit():
        return _tokens_page(form, status=422)
    network = db.session.get(Network, current_user.network_id)
    try:
        row, secret = tokens.create(
            network, scope=form.scope.data, name=form.name.data, actor=current_user, now=utcnow()
        )
    except DomainError as error:
        db.session.rollback()
        attach_to_form(form, error)
        return _tokens_page(form, status=422)
    db.session.commit()
    security_event("api.token_created", user=current_user.id, token=row.id, scope=row.scope.value)
    response = _tokens_page(TokenForm(formdata=None), created=(row, secret), status=201)
    return response


@bp.post("/api-tokens/<int:token_id>/revoke")
@allow(Role.COORDINATOR)
def token_revoke(token_id):
    row = db.session.get(ApiToken, token_id)
    if row is None or row.network_id != current_user.network_id:
        abort(404)
    act(lambda: tokens.revoke(row, now=utcnow()), _("Jeton révoqué : il ne donne plus accès à rien."))
    security_event("api.token_revoked", user=current_user.id, token=row.id)
    return redirect(url_for(".tokens_list"))
