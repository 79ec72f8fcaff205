from flask import Response, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm.accounts.models import Role
from crm.base.database import get_in_network_or_404
from crm.base.extensions import db
from crm.base.permissions import allow
from crm.base.spreadsheets import to_csv
from crm.base.views import handle_form, paginate
from crm.contacts.access import company_for_actor
from crm.showcase import bp, rotation, shows
from crm.showcase.forms import EditionForm, ShowForm
from crm.showcase.models import Edition, Show
from crm.showcase.views_planning import edition_context


@bp.route("/companies/<int:company_id>/shows/new", methods=["GET", "POST"])
@allow(Role.COORDINATOR, Role.MEMBER)
def show_new(company_id):
    company = company_for_actor(company_id)
    form = ShowForm()
    return handle_form(
        form,
        lambda: shows.save_show(None, company, form.data),
        title=_("Nouveau spectacle de %(name)s", name=company.name),
        cancel_url=url_for("contacts.company", company_id=company.id),
        done_message=_("Spectacle enregistré."),
        done_url=lambda _show: url_for("contacts.company", company_id=company.id),
    )


@bp.route("/shows/<int:show_id>/edit", methods=["GET", "POST"])
@allow(Role.COORDINATOR, Role.MEMBER)
def show_edit(show_id):
    show = get_in_network_or_404(Show, show_id, current_user.network_id)
    company = company_for_actor(show.company_id)
    form = ShowForm(obj=show)
    return handle_form(
        form,
        lambda: shows.save_show(show, company, form.data),
        title=_("Modifier « %(title)s »", title=show.title),
        cancel_url=url_for("contacts.company", company_id=company.id),
        done_message=_("Spectacle enregistré."),
        done_url=lambda _show: url_for("contacts.company", company_id=company.id),
    )


@bp.get("/editions")
@allow(Role.COORDINATOR)
def editions():
    page = paginate(shows.editions_query(current_user.network_id))
    return render_template("showcase/editions.html", page=page)


@bp.route("/editions/new", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def edition_new():
    form = EditionForm()
    return handle_form(
        form,
        lambda: shows.save_edition(None, current_user.network, form.data),
        title=_("Nouvelle édition"),
        cancel_url=url_for(".editions"),
        done_message=_("Édition créée."),
        done_url=lambda edition: url_for(".edition", edition_id=edition.id),
    )


@bp.get("/editions/<int:edition_id>")
@allow(Role.COORDINATOR)
def edition(edition_id):
    found = get_in_network_or_404(Edition, edition_id, current_user.network_id)
    return render_template("showcase/edition.html", edition=found, **edition_context(found))


@bp.route("/editions/<int:edition_id>/edit", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def edition_edit(edition_id):
    found = get_in_network_or_404(Edition, edition_id, current_user.network_id)
    form = EditionForm(obj=found)
    return handle_form(
        form,
        lambda: shows.save_edition(found, current_user.network, form.data),
        title=_("Modifier %(name)s", name=found.name),
        cancel_url=url_for(".edition", edition_id=found.id),
        done_message=_("Édition enregistrée."),
        done_url=lambda edition: url_for(".edition", edition_id=edition.id),
    )


@bp.get("/rotation")
@allow(Role.COORDINATOR)
def rotation_view():
    """Per company and edition: host or guest, where it played, its km; for the steering committee."""
    editions = rotation.latest_editions(current_user.network_id)
    edition_ids = [e.id for e in editions]
    page = paginate(rotation.companies_query(current_user.network_id, edition_ids))
    found = rotation.seasons(edition_ids, page.items)
    return render_template(
        "showcase/rotation.html",
        editions=editions,
        page=page,
        seasons=found,
        totals=rotation.totals(found),
        unknown=len({company_id for (company_id, _e), s in found.items() if s.unknown}),
    )


@bp.get("/rotation.csv")
@allow(Role.COORDINATOR)
def rotation_csv():
    editions = rotation.latest_editions(current_user.network_id)
    edition_ids = [e.id for e in editions]
    companies = list(db.session.scalars(rotation.companies_query(current_user.network_id, edition_ids)))
    found = rotation.seasons(edition_ids, companies)
    roles = {"host": _("Accueillante"), "guest": _("Accueillie")}
    headers = [
        _("Compagnie"), _("Édition"), _("Premier jour"), _("Rôle"), _("Lieu accueilli"),
        _("Lieux où elle a joué"), _("Km (véhicule)"), _("Km incomplets"),
    ]  # fmt: skip
    rows = [
        [
            company.name,
            edition.name,
            edition.starts_on.isoformat(),
            roles.get(season.role, ""),
            ", ".join(season.hosted),
            ", ".join(season.played),
            season.km,
            _("oui") if season.unknown else "",
        ]  # fmt: skip
        for company, edition, season in rotation.csv_rows(editions, companies, found)
    ]
    response = Response(to_csv(headers, rows), content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = 'attachment; filename="rotation.csv"'
    return response
