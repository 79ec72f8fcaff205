"""The network's public map, and the coordination's page that opens or closes it."""

from flask import abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm.accounts.models import Role
from crm.base.enums import Discipline
from crm.base.numbers import page_number
from crm.base.permissions import PUBLIC, allow
from crm.base.views import handle_form
from crm.impact import bp, maps, network_map
from crm.impact.forms import PublicMapForm


@bp.get("/map/<network_slug>")
@allow(PUBLIC)
def public_map(network_slug):
    network = network_map.published(network_slug)
    if network is None:
        abort(404)
    wanted = request.args.get("discipline")
    discipline = Discipline(wanted) if wanted in {d.value for d in Discipline} else None
    in_use = network_map.departements(network.id)
    departement = request.args.get("departement") if request.args.get("departement") in in_use else None
    found = network_map.places(network.id, discipline=discipline, departement=departement)
    shown = network_map.frame(found, maps.view_box())
    filters = {"discipline": discipline.value if discipline else "", "departement": departement or ""}
    return render_template(
        "impact/network_map.html", network=network, places=found, disciplines=list(Discipline),
        departements=in_use, filters=filters, outlines=network_map.outlines(shown), frame=shown,
        labels=network_map.labels(shown),
        page=network_map.page_of(found, request.args.get("page", 1, type=page_number)),
    )  # fmt: skip


@bp.route("/network/map", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def map_settings():
    network = current_user.network
    form = PublicMapForm(obj=network)
    return handle_form(
        form,
        lambda: network_map.set_published(network, form.public_map.data),
        title=_("Carte publique du réseau"),
        cancel_url=url_for("pages.home"),
        done_message=_("Enregistré."),
        done_url=lambda _saved: url_for(".map_settings"),
        template="impact/map_settings.html",
        network=network,
    )
