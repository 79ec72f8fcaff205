"""The network's webhooks, for its coordinators: endpoints, their deliveries, secrets shown once."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from crm.base.database import get_in_network_or_404, utcnow
from crm.base.enums import Role
from crm.base.errors import DomainError, attach_to_form
from crm.base.extensions import db
from crm.base.numbers import row_id
from crm.base.permissions import allow
from crm.base.views import act, paginate, render_form
from crm.webhooks import bp, services
from crm.webhooks.forms import EndpointForm
from crm.webhooks.models import EventType, WebhookEndpoint, WebhookMessage


def _endpoint(endpoint_id) -> WebhookEndpoint:
    return get_in_network_or_404(WebhookEndpoint, endpoint_id, current_user.network_id)


@bp.get("/webhooks")
@allow(Role.COORDINATOR)
def endpoints():
    found = services.endpoints_of(current_user.network_id)
    chosen = request.args.get("endpoint_id", type=row_id)
    if chosen not in {e.id for e in found}:
        chosen = None
    page = paginate(
        services.deliveries_query(current_user.network_id, chosen).options(
            selectinload(WebhookMessage.attempts_log)
        )
    )
    return render_template(
        "webhooks/endpoints.html",
        endpoints=found,
        page=page,
        chosen=chosen,
        labels={str(e): e.label for e in EventType},
        describe=services.describe,
        now=utcnow(),
    )


@bp.route("/webhooks/new", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def endpoint_new():
    form = EndpointForm()
    if form.validate_on_submit():
        try:
            endpoint, secret = services.create_endpoint(
                current_user.network, form.data, actor=current_user, now=utcnow()
            )
        except DomainError as error:
            db.session.rollback()
            attach_to_form(form, error)
        else:
            db.session.commit()
            return _show_secret(endpoint, secret, created=True)
    return render_form(
        form,
        title=_("Nouveau point d'arrivée"),
        cancel_url=url_for(".endpoints"),
        template="webhooks/endpoint_form.html",
    )


def _show_secret(endpoint, secret, *, created):
    """The secret, on the page that answers the POST (never in a redirect, a flash or a log): shown once."""
    return render_template("webhooks/secret.html", endpoint=endpoint, secret=secret, created=created)


@bp.route("/webhooks/<int:endpoint_id>/edit", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def endpoint_edit(endpoint_id):
    endpoint = _endpoint(endpoint_id)
    form = EndpointForm(obj=endpoint)
    if form.validate_on_submit():
        try:
            services.update_endpoint(endpoint, form.data)
        except DomainError as error:
            db.session.rollback()
            attach_to_form(form, error)
        else:
            db.session.commit()
            flash(_("Point d'arrivée enregistré."))
            return redirect(url_for(".endpoints"))
    return render_form(
        form,
        title=_("Modifier le point d'arrivée"),
        cancel_url=url_for(".endpoints"),
        template="webhooks/endpoint_form.html",
        endpoint=endpoint,
    )


@bp.post("/webhooks/<int:endpoint_id>/rotate")
@allow(Role.COORDINATOR)
def endpoint_rotate(endpoint_id):
    endpoint = _endpoint(endpoint_id)
    secret = services.rotate_secret(endpoint, now=utcnow())
    db.session.commit()
    return _show_secret(endpoint, secret, created=False)


@bp.post("/webhooks/<int:endpoint_id>/enabled")
@allow(Role.COORDINATOR)
def endpoint_enabled(endpoint_id):
    endpoint = _endpoint(endpoint_id)
    enabled = request.form.get("enabled") == "1"
    act(
        lambda: services.set_enabled(endpoint, enabled, now=utcnow()),
        _("Point d'arrivée réactivé.") if enabled else _("Point d'arrivée désactivé."),
    )
    return redirect(url_for(".endpoints"))


@bp.post("/webhooks/<int:endpoint_id>/ping")
@allow(Role.COORDINATOR)
def endpoint_ping(endpoint_id):
    endpoint = _endpoint(endpoint_id)
    act(
        lambda: services.queue_ping(current_user.network, endpoint=endpoint, now=utcnow()),
        _("Essai envoyé dans la minute."),
    )
    return redirect(url_for(".endpoints", endpoint_id=endpoint.id))


@bp.post("/webhooks/deliveries/<int:delivery_id>/replay")
@allow(Role.COORDINATOR)
def replay(delivery_id):
    message = get_in_network_or_404(WebhookMessage, delivery_id, current_user.network_id)
    act(lambda: services.replay(message, now=utcnow()), _("Envoi repris : il part dans la minute."))
    return redirect(url_for(".endpoints", endpoint_id=message.endpoint_id))
