from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm.accounts import mfa
from crm.accounts import services as accounts
from crm.accounts.models import Role, User
from crm.admin import bp, services
from crm.admin.forms import NetworkForm, UserForm
from crm.base.audit import security_event
from crm.base.database import utcnow
from crm.base.errors import DomainError
from crm.base.extensions import db
from crm.base.permissions import allow
from crm.base.views import handle_form, paginate
from crm.contacts.models import Organisation
from crm.networks.models import Network


@bp.get("/networks")
@allow(Role.ADMIN)
def networks():
    return render_template("admin/networks.html", page=paginate(services.networks_query()))


@bp.route("/networks/new", methods=["GET", "POST"])
@allow(Role.ADMIN)
def network_new():
    form = NetworkForm()
    return handle_form(
        form,
        lambda: services.save_network(None, form.data),
        title=_("Nouveau réseau"),
        cancel_url=url_for(".networks"),
        done_message=_("Réseau enregistré."),
        done_url=lambda _n: url_for(".networks"),
    )


@bp.route("/networks/<int:network_id>/edit", methods=["GET", "POST"])
@allow(Role.ADMIN)
def network_edit(network_id):
    network = db.get_or_404(Network, network_id)
    form = NetworkForm(obj=network)
    return handle_form(
        form,
        lambda: services.save_network(network, form.data),
        title=_("Modifier %(name)s", name=network.name),
        cancel_url=url_for(".networks"),
        done_message=_("Réseau enregistré."),
        done_url=lambda _n: url_for(".networks"),
    )


@bp.get("/users")
@allow(Role.ADMIN)
def users():
    return render_template("admin/users.html", page=paginate(services.users_query()))


def _create_user(form):
    company_id = form.company_id.data
    return accounts.create_user(
        email=form.email.data,
        full_name=form.full_name.data,
        role=Role(form.role.data),
        password=form.password.data,
        network=db.session.get(Network, form.network_id.data) if form.network_id.data else None,
        company=db.session.get(Organisation, company_id) if company_id else None,
    )


@bp.route("/users/new", methods=["GET", "POST"])
@allow(Role.ADMIN)
def user_new():
    form = UserForm()
    form.network_id.choices = services.network_choices()
    form.company_id.choices = services.company_choices()
    return handle_form(
        form,
        lambda: _create_user(form),
        title=_("Nouveau compte"),
        cancel_url=url_for(".users"),
        done_message=_("Compte créé."),
        done_url=lambda _u: url_for(".users"),
    )


@bp.post("/users/<int:user_id>/active")
@allow(Role.ADMIN)
def user_active(user_id):
    user = db.get_or_404(User, user_id)
    active = request.form.get("active") == "1"
    try:
        services.set_active(user, active, actor=current_user)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for(".users"))
    if not active:
        accounts.end_all_sessions(user, now=utcnow())
    security_event("account.activated" if active else "account.deactivated", user=user.id, by=current_user.id)
    db.session.commit()
    flash(_("Compte activé.") if active else _("Compte désactivé et sessions fermées."))
    return redirect(url_for(".users"))


@bp.post("/users/<int:user_id>/mfa-reset")
@allow(Role.ADMIN)
def user_mfa_reset(user_id):
    """A lost phone: the second factor is removed and the person's sessions end; they enrol again."""
    user = db.get_or_404(User, user_id)
    mfa.reset(user, actor=current_user)
    accounts.end_all_sessions(user, now=utcnow())
    db.session.commit()
    flash(_("Double authentification retirée : la personne la réactivera à sa prochaine connexion."))
    return redirect(url_for(".users"))
