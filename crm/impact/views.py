from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from crm.accounts.models import Role
from crm.base.audit import security_event
from crm.base.database import get_in_network_or_404, utcnow
from crm.base.errors import DomainError, attach_to_form
from crm.base.extensions import db
from crm.base.numbers import row_id
from crm.base.permissions import allow
from crm.base.spreadsheets import download
from crm.base.views import paginate
from crm.contacts.models import Organisation, OrganisationKind, Programmer
from crm.cooperation import services as shared_budget
from crm.cooperation import volunteers as volunteer_time
from crm.impact import boxoffice, bp, exports, funders, maps, report, services, sibil, travel
from crm.impact.forms import BoxOfficeForm, OutcomeForm, TravelFactorsForm
from crm.impact.models import Outcome, OutcomeStatus
from crm.showcase.editions import performing_companies
from crm.showcase.models import Edition, Show
from crm.territory import carbon

REPORTED = report.REPORTED


@bp.app_context_processor
def _map_helpers():
    return {
        "map_of": maps.coloured, "map_box": maps.view_box, "factor_defaults": carbon.DEFAULTS,
        "factor_source": carbon.SOURCE, "seats_per_car": carbon.SEATS_PER_CAR,
    }  # fmt: skip


def _choices(network_id, company_id=None, meetings_of=None):
    """Companies, shows, editions and held meetings to choose from; the meetings of `meetings_of` (the
    company of the booking edited), else of `company_id`, else of the whole network."""
    companies = select(Organisation.id, Organisation.name).where(
        Organisation.network_id == network_id, Organisation.kind == OrganisationKind.COMPANY
    )
    shows = (
        select(Show.id, Organisation.name + " — " + Show.title)
        .join(Organisation, Organisation.id == Show.company_id)
        .where(Show.network_id == network_id)
    )
    if company_id:
        companies = companies.where(Organisation.id == company_id)
        shows = shows.where(Show.company_id == company_id)
    editions = (
        select(Edition.id, Edition.name)
        .where(Edition.network_id == network_id, Edition.status.in_(REPORTED))
        .order_by(Edition.starts_on.desc())
    )
    run = db.session.execute
    return (
        run(companies.order_by(Organisation.name)).all(),
        run(shows.order_by(Organisation.name, Show.title)).all(),
        run(editions).all(),
        services.held_meetings(network_id, meetings_of or company_id or None),
    )


def _outcome_form(outcome=None):
    form = OutcomeForm(obj=outcome)
    coordinator = current_user.role == Role.COORDINATOR
    company_id = None if coordinator else current_user.company_id
    form.set_choices(*_choices(current_user.network_id, company_id, outcome.company_id if outcome else None),
                     coordinator=coordinator)  # fmt: skip
    if not form.is_submitted():
        if outcome is not None:
            form.programmer_email.data = outcome.programmer.email if outcome.programmer else ""
            form.fee.data = str(outcome.fee_per_performance or "")
            for row, date in zip(form.dates, outcome.dates, strict=False):
                row.form.process(obj=date)
        else:
            form.company_id.data = current_user.company_id
            form.decided_on.data = utcnow().date()
            person = request.args.get("programmer_id", type=row_id)
            if person:
                found = get_in_network_or_404(Programmer, person, current_user.network_id)
                form.programmer_email.data = found.email
    return form


def _save(outcome, form):
    data = dict(form.data, dates=[row.data for row in form.dates])
    saved, proposal = services.save_typed(
        outcome, current_user.network, data, actor=current_user, now=utcnow()
    )
    if proposal:
        flash(_("Attribuée à %(name)s : la personne y a vu le spectacle.", name=proposal.name))
    return saved


def _outcome_page(outcome, form, title):
    if form.validate_on_submit():
        try:
            saved = _save(outcome, form)
        except DomainError as error:
            db.session.rollback()
            attach_to_form(form, error)
        else:
            db.session.commit()
            flash(_("Enregistré."))
            return redirect(url_for(".outcomes", edition=saved.edition_id or ""))
    status = 422 if form.errors or getattr(form, "form_errors", None) else 200
    return render_template("impact/outcome_form.html", form=form, title=title, outcome=outcome), status


@bp.get("/outcomes")
@allow(Role.COORDINATOR, Role.MEMBER)
def outcomes():
    edition_id = request.args.get("edition", type=row_id)
    status = (
        request.args.get("status") if request.args.get("status") in {s.value for s in OutcomeStatus} else None
    )
    missing = request.args.get("logo") == "missing"
    query = services.outcomes_query(current_user, edition_id=edition_id, status=status, missing_logo=missing)
    editions = db.session.execute(
        select(Edition.id, Edition.name)
        .where(Edition.network_id == current_user.network_id, Edition.status.in_(REPORTED))
        .order_by(Edition.starts_on.desc())
    ).all()
    return render_template(
        "impact/outcomes.html", page=paginate(query), editions=editions, edition_id=edition_id, status=status,
        missing=missing, statuses=OutcomeStatus,
    )  # fmt: skip


@bp.route("/outcomes/new", methods=["GET", "POST"])
@allow(Role.COORDINATOR, Role.MEMBER)
def outcome_new():
    return _outcome_page(None, _outcome_form(), _("Nouvelle date obtenue"))


@bp.route("/outcomes/<int:outcome_id>", methods=["GET", "POST"])
@allow(Role.COORDINATOR, Role.MEMBER)
def outcome_edit(outcome_id):
    outcome = get_in_network_or_404(Outcome, outcome_id, current_user.network_id)
    if not services.may_edit(current_user, outcome):
        abort(404)
    return _outcome_page(
        outcome, _outcome_form(outcome), _("Date obtenue : %(show)s", show=outcome.show.title)
    )


@bp.get("/outcomes/export.<fmt>")
@allow(Role.COORDINATOR, Role.MEMBER)
def outcomes_export(fmt):
    rows = db.session.scalars(
        services.outcomes_query(current_user, edition_id=request.args.get("edition", type=row_id))
    )
    headers, table = exports.outcome_rows(rows.unique())
    security_event("export.personal_data", what="outcomes", user=current_user.id, rows=len(table))
    return download(fmt, "dates-obtenues", headers, table)


# --- The report ---------------------------------------------------------------------------------------


def _editions_for_report(edition_id=None):
    query = select(Edition).where(Edition.network_id == current_user.network_id)
    if edition_id is not None:  # any edition of the network (a draft one simply has nothing yet)
        query = query.where(Edition.id == edition_id)
    else:
        query = query.where(Edition.status.in_(REPORTED))
    found = db.session.scalars(query.order_by(Edition.starts_on)).all()
    if edition_id is not None and not found:
        abort(404)
    return found


def _report(editions):
    return report.figures([e.id for e in editions], viewer=current_user)


@bp.get("/editions/<int:edition_id>/impact")
@allow(Role.COORDINATOR, Role.MEMBER)
def edition_report(edition_id):
    editions = _editions_for_report(edition_id)
    return render_template(
        "impact/report.html",
        editions=editions,
        edition=editions[0],
        figures=_report(editions),
        volunteers=volunteer_time.summary(current_user.network_id, [e.id for e in editions]),
    )


@bp.get("/editions/<int:edition_id>/funders")
@allow(Role.COORDINATOR)
def funders_page(edition_id):
    """« Bilan pour les financeurs »: one page, printed or saved as PDF by the browser."""
    edition = get_in_network_or_404(Edition, edition_id, current_user.network_id)
    found = funders.figures(edition, current_user.network, _("Autres départements (moins de 3 compagnies)"))
    totals = shared_budget.totals_by_kind([edition.id])
    return render_template("impact/funders.html", edition=edition, f=found, threshold=funders.THRESHOLD,
                           income=[(k, v) for k, v in totals if k.income],
                           expenses=[(k, v) for k, v in totals if not k.income],
                           volunteers=volunteer_time.summary(edition.network_id, [edition.id]))  # fmt: skip


@bp.get("/impact")
@allow(Role.COORDINATOR, Role.MEMBER)
def network_report():
    editions = _editions_for_report()
    return render_template(
        "impact/report.html",
        editions=editions,
        edition=None,
        figures=_report(editions),
        volunteers=volunteer_time.summary(current_user.network_id, [e.id for e in editions]),
    )


@bp.get("/impact/export.<fmt>")
@allow(Role.COORDINATOR)
def report_export(fmt):
    edition_id = request.args.get("edition", type=row_id)
    editions = _editions_for_report(edition_id)
    headers, table = exports.report_rows(_report(editions))
    return download(fmt, "bilan", headers, table)


@bp.route("/travel-factors", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def travel_factors():
    network_id = current_user.network_id
    form = TravelFactorsForm(data=travel.own_factors(network_id))
    if form.validate_on_submit():
        travel.save_factors(network_id, {key: form[key].data for key in carbon.DEFAULTS})
        db.session.commit()
        flash(_("Facteurs d'émission enregistrés."), "success")
        return redirect(url_for(".network_report", _anchor="travel"))
    status = 422 if form.is_submitted() else 200
    return render_template("impact/travel_factors.html", form=form, defaults=carbon.DEFAULTS), status


# --- Pooled box office -----------------------------------------------------------------------------


@bp.route("/editions/<int:edition_id>/box-office", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def box_office(edition_id):
    edition = get_in_network_or_404(Edition, edition_id, current_user.network_id)
    found = services.box_office_for(edition)
    shows = sibil.performances(edition)
    taken = sibil.receipts_total(edition)
    form = BoxOfficeForm(obj=found)
    if taken is not None:
        del form.income  # what the recorded performances took
    if form.validate_on_submit():
        try:
            services.save_box_office(edition, form.data)
        except DomainError as error:
            db.session.rollback()
            attach_to_form(form, error)
        else:
            db.session.commit()
            return redirect(url_for(".box_office", edition_id=edition.id))
    statement = None
    if found is not None:
        statement = boxoffice.statement(found.income, found.fee_per_person, found.rule,
                                        performing_companies(edition))  # fmt: skip
    status = 422 if form.errors else 200
    return render_template("impact/box_office.html", edition=edition, form=form, statement=statement,
                           performances=shows, taken=taken,
                           quarters=sibil.quarters([p for p in shows if p.record])), status  # fmt: skip


@bp.get("/editions/<int:edition_id>/box-office/<int:company_id>.csv")
@allow(Role.COORDINATOR, Role.MEMBER)
def box_office_company(edition_id, company_id):
    edition = get_in_network_or_404(Edition, edition_id, current_user.network_id)
    if current_user.role != Role.COORDINATOR and current_user.company_id != company_id:
        abort(404)
    found = services.box_office_for(edition)
    if found is None:
        abort(404)
    statement = boxoffice.statement(found.income, found.fee_per_person, found.rule,
                                    performing_companies(edition))  # fmt: skip
    line = next((line for line in statement.lines if line.company_id == company_id), None)
    if line is None:
        abort(404)
    headers, table = exports.statement_rows(edition, statement, line)
    return download("csv", f"billetterie-{edition.slug}-{company_id}", headers, table)
