from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm.accounts.models import Role
from crm.base.audit import security_event
from crm.base.database import get_in_network_or_404, utcnow
from crm.base.extensions import db
from crm.base.permissions import allow
from crm.base.timeutil import today_local
from crm.base.views import act, handle_form, paginate
from crm.contacts import bp, duplicates, privacy, registry, services
from crm.contacts.access import company_for_actor
from crm.contacts.forms import CompanyForm, ProgrammerForm, StructureForm
from crm.contacts.models import Organisation, OrganisationKind, Programmer

COMPANY = OrganisationKind.COMPANY
STRUCTURE = OrganisationKind.STRUCTURE


def _organisation_list(kind, template):
    q = request.args.get("q", "")
    page = paginate(services.organisations_query(current_user.network_id, kind, q))
    unsettled = services.count_unsettled(current_user.network_id)
    return render_template(template, page=page, q=q, unsettled=unsettled)


@bp.get("/places/to-settle")
@allow(Role.COORDINATOR)
def places_to_settle():
    page = paginate(services.unsettled_query(current_user.network_id))
    return render_template("contacts/places_to_settle.html", page=page)


def _organisation_form(kind, organisation, form, *, title, cancel_url, done_url):
    done = _("Compagnie enregistrée.") if kind == COMPANY else _("Structure enregistrée.")
    form.set_communes(form.postcode.data if form.is_submitted() else getattr(organisation, "postcode", None))
    return handle_form(
        form,
        lambda: services.save_organisation(organisation, current_user.network, kind, form.data),
        title=title,
        cancel_url=cancel_url,
        done_message=done,
        done_url=done_url,
    )


def _without_direction(form):
    del form.artistic_direction  # a company gives it itself, on its own record
    return form


def _company_url(company):
    return url_for(".company", company_id=company.id)


@bp.get("/companies")
@allow(Role.COORDINATOR)
def companies():
    return _organisation_list(COMPANY, "contacts/companies.html")


@bp.route("/companies/new", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def company_new():
    return _organisation_form(
        COMPANY,
        None,
        _without_direction(CompanyForm()),
        title=_("Nouvelle compagnie"),
        cancel_url=url_for(".companies"),
        done_url=_company_url,
    )


@bp.get("/companies/<int:company_id>")
@allow(Role.COORDINATOR, Role.MEMBER)
def company(company_id):
    company = company_for_actor(company_id)
    notices = registry.company_notices(company, today_local())
    return render_template("contacts/company.html", company=company, notices=notices)


@bp.route("/companies/<int:company_id>/edit", methods=["GET", "POST"])
@allow(Role.COORDINATOR, Role.MEMBER)
def company_edit(company_id):
    company = company_for_actor(company_id)
    form = CompanyForm(obj=company)
    if current_user.is_member:
        del form.member_since  # membership length is an eligibility rule: the network sets it
    else:
        del form.artistic_direction  # the company's own answer, counted only in aggregates
    return _organisation_form(
        COMPANY,
        company,
        form,
        title=_("Modifier %(name)s", name=company.name),
        cancel_url=_company_url(company),
        done_url=_company_url,
    )


@bp.get("/structures")
@allow(Role.COORDINATOR)
def structures():
    return _organisation_list(STRUCTURE, "contacts/structures.html")


@bp.route("/structures/new", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def structure_new():
    return _organisation_form(
        STRUCTURE,
        None,
        StructureForm(),
        title=_("Nouvelle structure"),
        cancel_url=url_for(".structures"),
        done_url=lambda _saved: url_for(".structures"),
    )


@bp.route("/structures/<int:structure_id>/edit", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def structure_edit(structure_id):
    structure = get_in_network_or_404(Organisation, structure_id, current_user.network_id)
    if structure.kind != STRUCTURE:
        abort(404)
    return _organisation_form(
        STRUCTURE,
        structure,
        StructureForm(obj=structure),
        title=_("Modifier %(name)s", name=structure.name),
        cancel_url=url_for(".structures"),
        done_url=lambda _saved: url_for(".structures"),
    )


@bp.get("/programmers/duplicates")
@allow(Role.COORDINATOR)
def programmer_duplicates():
    pairs = duplicates.likely_duplicates(current_user.network_id)
    return render_template("contacts/duplicates.html", pairs=pairs)


@bp.get("/programmers/review")
@allow(Role.COORDINATOR)
def programmer_review():
    page = paginate(privacy.stale_query(current_user.network_id, now=utcnow()))
    return render_template("contacts/review.html", page=page, years=privacy.STALE_AFTER_DAYS // 365)


@bp.post("/programmers/review/purge")
@allow(Role.COORDINATOR)
def programmer_purge():
    if request.form.get("confirm") != "1":
        flash(_("Cochez la case de confirmation pour effacer."), "error")
        return redirect(url_for(".programmer_review"))
    stale = db.session.scalars(privacy.stale_query(current_user.network_id, now=utcnow())).all()
    count = act(lambda: privacy.purge(stale, now=utcnow()), _("Fiches effacées."))
    if count is not None:
        flash(_("%(n)d fiche(s) effacée(s).", n=count))
    return redirect(url_for(".programmer_review"))


@bp.post("/programmers/<int:keep_id>/merge/<int:drop_id>")
@allow(Role.COORDINATOR)
def programmer_merge(keep_id, drop_id):
    keep = get_in_network_or_404(Programmer, keep_id, current_user.network_id)
    drop = get_in_network_or_404(Programmer, drop_id, current_user.network_id)
    act(lambda: duplicates.merge(keep, drop, actor=current_user), _("Fiches fusionnées."))
    return redirect(url_for(".programmer_duplicates"))


@bp.get("/programmers/<int:programmer_id>/export.<any(json, csv):kind>")
@allow(Role.COORDINATOR)
def programmer_export(programmer_id, kind):
    person = get_in_network_or_404(Programmer, programmer_id, current_user.network_id)
    content = privacy.export_json(person) if kind == "json" else privacy.export_csv(person)
    security_event("export.personal_data", what="programmer", programmer=person.id, user=current_user.id)
    mimetype = "application/json" if kind == "json" else "text/csv"
    return current_app.response_class(
        content,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="programmateur-{person.id}.{kind}"'},
    )


@bp.post("/programmers/<int:programmer_id>/opt-out")
@allow(Role.COORDINATOR)
def programmer_opt_out(programmer_id):
    person = get_in_network_or_404(Programmer, programmer_id, current_user.network_id)
    act(
        lambda: privacy.opt_out(person, now=utcnow()),
        _("Opposition enregistrée : plus aucun message ne lui sera envoyé."),
    )
    return redirect(url_for(".programmer", programmer_id=person.id))


@bp.post("/programmers/<int:programmer_id>/erase")
@allow(Role.COORDINATOR)
def programmer_erase(programmer_id):
    person = get_in_network_or_404(Programmer, programmer_id, current_user.network_id)
    if request.form.get("confirm") != "1":
        flash(_("Cochez la case de confirmation pour effacer."), "error")
    else:
        act(lambda: privacy.erase(person, now=utcnow()), _("Données personnelles effacées."))
    return redirect(url_for(".programmer", programmer_id=person.id))


def _programmer_form(person=None):
    form = ProgrammerForm(obj=person)
    form.set_structures(services.structure_choices(current_user.network_id))
    if person is not None and not form.is_submitted():
        form.disciplines.data = [d.value for d in person.disciplines]
    return form


@bp.route("/programmers/new", methods=["GET", "POST"])
@allow(Role.COORDINATOR, Role.MEMBER)
def programmer_new():
    form = _programmer_form()
    return handle_form(
        form,
        lambda: services.save_programmer(None, current_user.network, form.data, actor=current_user),
        title=_("Nouveau contact programmateur·rice"),
        cancel_url=url_for(".programmers"),
        done_message=_("Contact enregistré."),
        done_url=lambda saved: url_for(".programmer", programmer_id=saved.id),
    )


@bp.route("/programmers/<int:programmer_id>/edit", methods=["GET", "POST"])
@allow(Role.COORDINATOR, Role.MEMBER)
def programmer_edit(programmer_id):
    person = get_in_network_or_404(Programmer, programmer_id, current_user.network_id)
    if not services.may_edit_programmer(current_user, person):
        abort(403)
    form = _programmer_form(person)
    return handle_form(
        form,
        lambda: services.save_programmer(person, current_user.network, form.data, actor=current_user),
        title=_("Modifier %(name)s", name=person.full_name),
        cancel_url=url_for(".programmer", programmer_id=person.id),
        done_message=_("Contact enregistré."),
        done_url=lambda saved: url_for(".programmer", programmer_id=saved.id),
    )
