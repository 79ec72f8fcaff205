"""A company member's registrations (candidatures) to the network's editions."""

from flask import abort, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from crm.accounts.models import Role
from crm.base.database import get_in_network_or_404
from crm.base.extensions import db
from crm.base.forms import options
from crm.base.permissions import allow
from crm.base.timeutil import today_local
from crm.base.views import act, handle_form
from crm.showcase import bp, registrations
from crm.showcase.forms import RegistrationForm
from crm.showcase.models import Assignment, Edition, Registration, Show

MEMBER = Role.MEMBER


def _own_registration(registration_id) -> Registration:
    """The member's own company's registration; a coordinator reaches any of the network's; 404 otherwise."""
    registration = db.get_or_404(Registration, registration_id)
    get_in_network_or_404(Edition, registration.edition_id, current_user.network_id)
    if current_user.is_member and registration.company_id != current_user.company_id:
        abort(404)
    return registration


def _form(edition, registration=None):
    form = RegistrationForm(obj=registration)
    shows = db.session.scalars(
        select(Show).where(Show.company_id == current_user.company_id).order_by(Show.title)
    )
    form.show_id.choices = options((s.id, s.title) for s in shows)
    form.format.choices = options((f.value, f.label) for f in edition.formats)
    if not edition.bands:  # nothing to choose: no empty box
        del form.band_ids
        return form
    form.band_ids.choices = options((b.id, band_label(b)) for b in edition.bands)
    if registration is not None and not form.is_submitted():
        form.band_ids.data = [b.id for b in registration.bands]
    return form


def band_label(band) -> str:
    """'jeudi 4 mars, Soirée, 18:00–23:00 — tout public'."""
    audiences = [
        a for ok, a in ((band.accepts_young, _("jeune public")), (band.accepts_all, _("tout public"))) if ok
    ]
    day = format_date(band.day, "EEEE d MMMM")
    return f"{day}, {band.label}, {band.starts:%H:%M}–{band.ends:%H:%M} — " + _(" et ").join(audiences)


def _registration_url(registration):
    return url_for(".registration", registration_id=registration.id)


@bp.route("/editions/<int:edition_id>/register", methods=["GET", "POST"])
@allow(MEMBER)
def register(edition_id):
    edition = get_in_network_or_404(Edition, edition_id, current_user.network_id)
    closed = registrations.window_problem(edition, today_local())
    if closed:  # said before the form, not after it is filled in
        page = render_template("showcase/registration_closed.html", edition=edition, message=closed)
        return page, 200 if request.method == "GET" else 422
    form = _form(edition)
    return handle_form(
        form,
        lambda: registrations.register(
            edition, current_user.company, form.data, actor=current_user, today=today_local()
        ),
        title=_("Candidater à %(name)s", name=edition.name),
        cancel_url=url_for("pages.home"),
        done_message=_("Candidature enregistrée."),
        done_url=_registration_url,
    )


@bp.get("/registrations/<int:registration_id>")
@allow(MEMBER, Role.COORDINATOR)
def registration(registration_id):
    found = _own_registration(registration_id)
    # Companies see their slots once the programme is published; coordinators always do.
    visible = found.edition.published_at is not None or current_user.is_coordinator
    assignments = (
        db.session.scalars(select(Assignment).where(Assignment.registration_id == found.id))
        if visible
        else []
    )
    return render_template("showcase/registration.html", registration=found, assignments=list(assignments))


@bp.route("/registrations/<int:registration_id>/edit", methods=["GET", "POST"])
@allow(MEMBER)
def registration_edit(registration_id):
    found = _own_registration(registration_id)
    form = _form(found.edition, found)
    del form.show_id  # the show is what was registered; withdraw and register another instead
    return handle_form(
        form,
        lambda: registrations.update(found, form.data, today=today_local()),
        title=_("Modifier la candidature « %(title)s »", title=found.show.title),
        cancel_url=_registration_url(found),
        done_message=_("Candidature enregistrée."),
        done_url=_registration_url,
    )


@bp.post("/registrations/<int:registration_id>/withdraw")
@allow(MEMBER)
def registration_withdraw(registration_id):
    found = _own_registration(registration_id)
    act(lambda: registrations.withdraw(found, today=today_local()), _("Candidature retirée."))
    return redirect(_registration_url(found))
