"""« Préparer le contrat »: a confirmed cession booking's terms, what is missing, and the document."""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm.accounts.models import Role
from crm.base.database import get_in_network_or_404, utcnow
from crm.base.errors import DomainError
from crm.base.extensions import db
from crm.base.permissions import allow
from crm.contacts.models import Organisation, OrganisationKind
from crm.impact import bp, contract, services
from crm.impact.forms import CessionForm, TemplateForm
from crm.impact.models import ContractTemplate, Outcome

ODT = "application/vnd.oasis.opendocument.text"


def _outcome(outcome_id):
    outcome = get_in_network_or_404(Outcome, outcome_id, current_user.network_id)
    if not services.may_edit(current_user, outcome):
        abort(404)
    return outcome


@bp.route("/outcomes/<int:outcome_id>/contract", methods=["GET", "POST"])
@allow(Role.COORDINATOR, Role.MEMBER)
def contract_page(outcome_id):
    outcome = _outcome(outcome_id)
    ready = contract.may_prepare(outcome)
    terms = contract.terms_for(outcome)
    form = CessionForm(obj=terms)
    if ready and form.validate_on_submit():
        form.populate_obj(terms)
        db.session.add(terms)
        db.session.commit()
        flash(_("Conditions enregistrées."))
        return redirect(url_for(".contract_page", outcome_id=outcome.id))
    if form.is_submitted() and not form.errors:
        db.session.rollback()  # not ready: nothing saved
    template = db.session.get(ContractTemplate, outcome.company_id)
    shown = contract.summary(outcome, terms)
    return render_template(
        "impact/contract.html",
        outcome=outcome,
        ready=ready,
        form=form,
        summary=shown,
        template=template,
        upload=TemplateForm(),
        fields=[(line.key, line.label) for section in shown.sections for line in section.lines],
    ), 422 if form.errors else 200


@bp.get("/outcomes/<int:outcome_id>/contract.odt")
@allow(Role.COORDINATOR, Role.MEMBER)
def contract_document(outcome_id):
    outcome = _outcome(outcome_id)
    if not contract.may_prepare(outcome):
        abort(404)
    shown = contract.summary(outcome)
    template = db.session.get(ContractTemplate, outcome.company_id)
    if template is not None and request.args.get("plain") is None:
        content, _unknown = contract.fill_template(template, shown)
        name = f"contrat-{outcome.id}.odt"
    else:
        content, name = contract.summary_odt(shown), f"conditions-contrat-{outcome.id}.odt"
    return Response(content, mimetype=ODT, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.post("/companies/<int:company_id>/contract-template")
@allow(Role.COORDINATOR, Role.MEMBER)
def contract_template(company_id):
    company = get_in_network_or_404(Organisation, company_id, current_user.network_id)
    if company.kind != OrganisationKind.COMPANY:
        abort(404)
    if current_user.role != Role.COORDINATOR and current_user.company_id != company.id:
        abort(404)
    back = request.form.get("outcome_id", type=int)
    form = TemplateForm()
    target = (
        url_for(".contract_page", outcome_id=back)
        if back
        else url_for("contacts.company", company_id=company.id)
    )
    if not form.validate_on_submit():
        for message in form.template.errors or [_("Choisissez un fichier ODT.")]:
            flash(message, "error")
        return redirect(target)
    upload = form.template.data
    content = upload.read()
    try:
        contract.check_template(upload.filename or "", content)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(target)
    except Exception:  # odfdo could not read it: say so rather than fail
        flash(_("Ce fichier ODT ne peut pas être lu : ouvrez-le et enregistrez-le à nouveau."), "error")
        return redirect(target)
    row = db.session.get(ContractTemplate, company.id) or ContractTemplate(company_id=company.id)
    row.filename, row.content, row.uploaded_at = (upload.filename or "modele.odt")[:200], content, utcnow()
    db.session.add(row)
    db.session.commit()
    flash(_("Modèle enregistré : il sera rempli pour chaque contrat de la compagnie."))
    return redirect(target)
