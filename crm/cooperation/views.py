"""The shared budget's pages: the coordination and the lead company keep the lines and see every
statement; each other company sees its own statement only."""

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm.accounts.models import Role
from crm.base.database import get_in_network_or_404
from crm.base.errors import DomainError, attach_to_form
from crm.base.extensions import db
from crm.base.permissions import allow
from crm.base.spreadsheets import download
from crm.base.views import act, render_form
from crm.cooperation import bp, exports, services
from crm.cooperation.forms import LeadForm, line_form
from crm.cooperation.models import BudgetLine
from crm.showcase.editions import performing_companies
from crm.showcase.models import Edition


def _edition(edition_id) -> Edition:
    return get_in_network_or_404(Edition, edition_id, current_user.network_id)


def _keeps_the_books(edition) -> bool:
    """The coordination, and the members of the lead company."""
    if current_user.role == Role.COORDINATOR:
        return True
    company_id = current_user.company_id
    return company_id is not None and company_id == services.lead_company_id(edition)


def _books_or_404(edition) -> None:
    if not _keeps_the_books(edition):
        abort(404)


@bp.get("/editions/<int:edition_id>/budget")
@allow(Role.COORDINATOR, Role.MEMBER)
def budget_page(edition_id):
    edition = _edition(edition_id)
    if not _keeps_the_books(edition):
        return redirect(url_for(".statement", edition_id=edition.id))
    companies = services.network_companies(edition.network_id)
    lead = LeadForm(companies, lead_company_id=services.lead_company_id(edition))
    return render_template("cooperation/budget.html", edition=edition, lines=services.lines(edition),
                           budget=services.compute(edition), lead_form=lead)  # fmt: skip


@bp.post("/editions/<int:edition_id>/budget/lead")
@allow(Role.COORDINATOR)
def set_lead(edition_id):
    edition = _edition(edition_id)
    form = LeadForm(services.network_companies(edition.network_id))
    if form.validate_on_submit():
        chosen = form.lead_company_id.data
        act(lambda: services.set_lead(edition, chosen), _("Compagnie porteuse enregistrée."))
    return redirect(url_for(".budget_page", edition_id=edition.id))


def _line_page(edition, line):
    companies = services.network_companies(edition.network_id)
    programmed = [(cid, name) for cid, name, _cast, _n in performing_companies(edition)]
    holding = {s.company_id for s in line.shares} if line else set()
    programmed += [(cid, name) for cid, name in companies if cid in holding and cid not in dict(programmed)]
    values = {}
    if line is not None and request.method == "GET":
        values = {f"share_{s.company_id}": s.amount for s in line.shares}
    form = line_form(companies, programmed, obj=line, data=values or None)
    if line is None and request.method == "GET":
        form.paid_by_id.data = services.lead_company_id(edition)
    if form.validate_on_submit():
        data = {**form.data, "shares": form.shares()}
        try:
            saved = services.save_line(edition, line, data, actor=current_user)
        except DomainError as error:
            db.session.rollback()
            attach_to_form(form, error)
        else:
            db.session.commit()
            return redirect(url_for(".budget_page", edition_id=edition.id, _anchor=f"ligne-{saved.id}"))
    title = _("Modifier une ligne du budget") if line else _("Ajouter une ligne au budget")
    return render_form(form, title=title, cancel_url=url_for(".budget_page", edition_id=edition.id),
                       template="cooperation/line.html", edition=edition, line=line)  # fmt: skip


@bp.route("/editions/<int:edition_id>/budget/lines/new", methods=["GET", "POST"])
@allow(Role.COORDINATOR, Role.MEMBER)
def line_new(edition_id):
    edition = _edition(edition_id)
    _books_or_404(edition)
    return _line_page(edition, None)


def _line(edition, line_id) -> BudgetLine:
    line = db.session.get(BudgetLine, line_id)
    if line is None or line.edition_id != edition.id:
        abort(404)
    return line


@bp.route("/editions/<int:edition_id>/budget/lines/<int:line_id>", methods=["GET", "POST"])
@allow(Role.COORDINATOR, Role.MEMBER)
def line_edit(edition_id, line_id):
    edition = _edition(edition_id)
    _books_or_404(edition)
    return _line_page(edition, _line(edition, line_id))


@bp.post("/editions/<int:edition_id>/budget/lines/<int:line_id>/delete")
@allow(Role.COORDINATOR, Role.MEMBER)
def line_delete(edition_id, line_id):
    edition = _edition(edition_id)
    _books_or_404(edition)
    line = _line(edition, line_id)
    act(lambda: services.delete_line(line), _("Ligne supprimée."))
    return redirect(url_for(".budget_page", edition_id=edition.id))


def _statement_of(edition, company_id):
    """The statement asked for: a company member reads their own; the books' keepers any."""
    if company_id is None:
        company_id = current_user.company_id
    if company_id != current_user.company_id:
        _books_or_404(edition)
    found = services.compute(edition)
    return found, found.of(company_id) if company_id is not None else None


@bp.get("/editions/<int:edition_id>/budget/statement")
@allow(Role.COORDINATOR, Role.MEMBER)
def statement(edition_id):
    edition = _edition(edition_id)
    found, mine = _statement_of(edition, request.args.get("company", type=int))
    if mine is None and request.args.get("company"):
        abort(404)
    return render_template("cooperation/statement.html", edition=edition, statement=mine, budget=found,
                           keeps_the_books=_keeps_the_books(edition))  # fmt: skip


@bp.get("/editions/<int:edition_id>/budget/statement/<int:company_id>.<fmt>")
@allow(Role.COORDINATOR, Role.MEMBER)
def statement_export(edition_id, company_id, fmt):
    edition = _edition(edition_id)
    _found, mine = _statement_of(edition, company_id)
    if mine is None:
        abort(404)
    return download(fmt, f"budget-{edition.slug}-{company_id}", *exports.statement_rows(edition, mine))


@bp.get("/editions/<int:edition_id>/budget/export.<fmt>")
@allow(Role.COORDINATOR, Role.MEMBER)
def budget_export(edition_id, fmt):
    edition = _edition(edition_id)
    _books_or_404(edition)
    return download(fmt, f"budget-{edition.slug}", *exports.all_rows(edition, services.compute(edition)))
