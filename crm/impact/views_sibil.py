"""The pooled box office performance by performance, and its quarterly SIBIL export (CSV and JSON)."""

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm.accounts.models import Role
from crm.base.database import get_in_network_or_404
from crm.base.errors import DomainError, attach_to_form
from crm.base.extensions import db
from crm.base.permissions import allow
from crm.impact import bp, services, sibil
from crm.impact.forms import BoxOfficePerformanceForm
from crm.showcase.models import Edition, Slot


def _performance(edition, slot_id) -> sibil.Performance:
    found = next((p for p in sibil.performances(edition) if p.slot.id == slot_id), None)
    if found is None:
        abort(404)
    return found


@bp.route("/box-office/performances/<int:performance_id>", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def box_office_performance(performance_id):
    """A performance is named by its slot's id."""
    slot = db.session.get(Slot, performance_id)
    if slot is None:
        abort(404)
    edition = get_in_network_or_404(Edition, slot.edition_id, current_user.network_id)
    performance = _performance(edition, slot.id)
    record = performance.record
    form = BoxOfficePerformanceForm(obj=record)
    if record is None and not form.is_submitted():  # what the directory and the show already say
        form.venue_type.data = sibil.default_venue_type(performance.venue).value
        form.capacity.data = performance.venue.capacity
        form.young_audience.data = performance.show.audience.value == "young"
        form.vat_rate.data = sibil.DEFAULT_VAT
    if record is not None and not form.is_submitted():
        for row, price in zip(form.prices, record.prices, strict=False):
            row.form.kind.data, row.form.label.data = price.kind.value, price.label
            row.form.unit_price.data, row.form.tickets.data = price.unit_price, price.tickets
    if form.validate_on_submit():
        try:
            services.save_performance(edition, slot, form.data)
        except DomainError as error:
            db.session.rollback()
            attach_to_form(form, error)
        else:
            db.session.commit()
            flash(_("Billetterie de la représentation enregistrée."))
            return redirect(url_for(".box_office", edition_id=edition.id, _anchor="performances"))
    status = 422 if form.errors else 200
    return render_template("impact/box_office_performance.html", edition=edition, performance=performance,
                           form=form), status  # fmt: skip


@bp.get("/editions/<int:edition_id>/box-office/sibil-<int:year>-T<int:quarter>.<kind>")
@allow(Role.COORDINATOR)
def box_office_sibil(edition_id, year, quarter, kind):
    edition = get_in_network_or_404(Edition, edition_id, current_user.network_id)
    if kind not in ("csv", "json") or not 1 <= quarter <= 4:
        abort(404)
    lines = sibil.quarter_lines(sibil.recorded(edition), year, quarter, current_user.network.name)
    if not lines:
        abort(404)
    name = f"sibil-{edition.slug}-{year}-T{quarter}.{kind}"
    if kind == "csv":
        response = Response(sibil.as_csv(lines), content_type="text/csv; charset=utf-8")
    else:
        response = Response(sibil.as_json(lines), content_type="application/json; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
