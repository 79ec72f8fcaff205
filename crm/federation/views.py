"""The barometer's pages: the federation's, the public one (when every network agreed), and the page where
a network's coordination chooses what it shares."""

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm.accounts.models import Role
from crm.base.permissions import PUBLIC, allow
from crm.base.spreadsheets import download
from crm.base.timeutil import today_local
from crm.base.views import act, handle_form
from crm.federation import barometer, bp, exports, services
from crm.federation.forms import ConsentForm


def _computed(public=False):
    year = request.args.get("annee", type=int)
    return barometer.compute(year, today=today_local(), public=public)


@bp.get("/federation")
@allow(Role.FEDERATION, Role.ADMIN)
def barometer_page():
    return render_template("federation/barometer.html", b=_computed(), public=False)


@bp.get("/federation/export.<fmt>")
@allow(Role.FEDERATION, Role.ADMIN)
def barometer_export(fmt):
    found = _computed()
    return download(fmt, f"barometre-{found.year or ''}", *exports.rows(found))


@bp.get("/barometre")
@allow(PUBLIC)
def public_barometer():
    found = _computed(public=True)
    if not found.networks:
        abort(404)
    return render_template("federation/barometer.html", b=found, public=True)


@bp.get("/barometre/export.<fmt>")
@allow(PUBLIC)
def public_export(fmt):
    found = _computed(public=True)
    if not found.networks:
        abort(404)
    return download(fmt, f"barometre-{found.year or ''}", *exports.rows(found))


@bp.route("/network/barometre", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def consent():
    network = current_user.network
    given = services.consent_of(network.id)
    form = ConsentForm(obj=given)
    return handle_form(
        form,
        lambda: services.give(network, form.data, user=current_user),
        title=_("Baromètre de la fédération"),
        cancel_url=url_for("pages.home"),
        done_message=_("Enregistré : vos chiffres comptent dans le baromètre."),
        done_url=lambda _saved: url_for(".consent"),
        template="federation/consent.html",
        network=network,
        given=given,
        public_open=bool(barometer.sharing(public=True)),
    )


@bp.post("/network/barometre/retrait")
@allow(Role.COORDINATOR)
def withdraw():
    act(
        lambda: services.withdraw(current_user.network, user=current_user),
        _("Vos chiffres ne sont plus dans le baromètre : plus aucun calcul ne les compte."),
    )
    return redirect(url_for(".consent"))
