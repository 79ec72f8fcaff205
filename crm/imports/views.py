import json

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm.accounts.models import Role
from crm.base.audit import security_event
from crm.base.database import get_in_network_or_404, utcnow
from crm.base.errors import DomainError, attach_to_form
from crm.base.extensions import db
from crm.base.permissions import allow
from crm.base.ratelimit import limited
from crm.base.spreadsheets import to_csv
from crm.base.views import render_form
from crm.checkin import sheets
from crm.contacts import importing
from crm.imports import bp, services
from crm.imports.forms import UploadForm
from crm.imports.models import ImportFile
from crm.showcase.models import Edition, Slot

PEOPLE = (Role.COORDINATOR, Role.MEMBER)
PREVIEW_ROWS = 50


def _own(import_id) -> ImportFile:
    """An import is seen by the person who uploaded it and by the network's coordinators."""
    found = db.get_or_404(ImportFile, import_id)
    mine = found.user_id == current_user.id
    if found.network_id != current_user.network_id or not (mine or current_user.is_coordinator):
        abort(404)
    return found


@bp.route("/imports/programmers/new", methods=["GET", "POST"])
@allow(*PEOPLE)
@limited("import")
def upload():
    return _upload(slot=None)


@bp.route("/slots/<int:slot_id>/sheet", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
@limited("import")
def upload_sheet(slot_id):

    slot = db.get_or_404(Slot, slot_id)
    get_in_network_or_404(Edition, slot.edition_id, current_user.network_id)
    return _upload(slot=slot)


def _upload(slot):
    form = UploadForm()
    if slot is not None and not form.is_submitted():
        form.source.data = _("Feuille d'émargement de l'édition")
    if form.validate_on_submit():
        try:
            found = services.receive(
                form.file.data.read(),
                filename=form.file.data.filename,
                source=form.source.data,
                lawful_basis=form.lawful_basis.data,
                slot=slot,
                user=current_user,
                max_bytes=current_app.config["MAX_IMPORT_BYTES"],
                max_rows=current_app.config["MAX_IMPORT_ROWS"],
            )
        except DomainError as error:
            db.session.rollback()
            attach_to_form(form, error)
        else:
            db.session.commit()
            return redirect(url_for(".preview", import_id=found.id))
    return render_form(
        form,
        title=_("Importer des programmateur·rices"),
        cancel_url=url_for("contacts.programmers"),
        template="imports/upload.html",
    )


def _table(found: ImportFile):
    try:
        table = services.table_of(found, max_rows=current_app.config["MAX_IMPORT_ROWS"])
    except DomainError as error:
        flash(error.message, "error")
        abort(redirect(url_for(".upload")))
    db.session.commit()
    return table


def _mapping(found, table, source):
    """The column mapping: chosen on the page (col_N=field), else stored, else guessed from headers."""
    chosen = {int(k[4:]): v for k, v in source.items() if k.startswith("col_") and v in importing.FIELDS}
    if any(k.startswith("col_") for k in source):
        return chosen
    if found.mapping:
        return {int(k): v for k, v in json.loads(found.mapping).items()}
    return importing.guess_mapping(table.headers)


def _apply(found, table, mapping):
    return sheets.apply(
        db.session.get(Slot, found.slot_id),
        found.network_id,
        table,
        mapping,
        actor=current_user,
        source=found.source,
        lawful_basis=found.lawful_basis,
        now=utcnow(),
    )


@bp.get("/imports/<int:import_id>")
@allow(*PEOPLE)
@limited("import-preview", methods=("GET",))
def preview(import_id):
    found = _own(import_id)
    table = _table(found)
    mapping = _mapping(found, table, request.args)
    planned = services.plan(found, table, mapping)
    counts = {action: sum(1 for p in planned if p.action == action) for action in importing.Action}
    return render_template(
        "imports/preview.html",
        found=found,
        table=table,
        mapping=mapping,
        planned=planned,
        shown=planned[:PREVIEW_ROWS],
        counts=counts,
        fields=importing.FIELDS,
        Action=importing.Action,
    )


@bp.post("/imports/<int:import_id>/apply")
@allow(*PEOPLE)
@limited("import")
def apply(import_id):
    found = _own(import_id)
    table = _table(found)
    mapping = _mapping(found, table, request.form)
    if "email" not in mapping.values():
        flash(_("Indiquez la colonne des e-mails : c'est elle qui évite les doublons."), "error")
        return redirect(url_for(".preview", import_id=found.id))
    planned = (
        _apply(found, table, mapping)
        if found.slot_id
        else importing.apply(
            found.network_id,
            table,
            mapping,
            actor=current_user,
            source=found.source,
            lawful_basis=found.lawful_basis,
        )
    )
    counts = {a.value: sum(1 for p in planned if p.action == a) for a in importing.Action}
    found.mapping = json.dumps(mapping)
    found.summary = json.dumps(counts)
    found.applied_at = utcnow()
    db.session.commit()
    flash(
        _(
            "Import terminé : %(c)d créé(s), %(u)d mis à jour, %(s)d inchangé(s), %(r)d refusé(s).",
            c=counts["create"],
            u=counts["update"],
            s=counts["unchanged"],
            r=counts["refused"],
        )
    )
    return redirect(url_for(".preview", import_id=found.id))


@bp.get("/imports/<int:import_id>/refused.csv")
@allow(*PEOPLE)
@limited("import-preview", methods=("GET",))
def refused(import_id):
    found = _own(import_id)
    table = _table(found)
    planned = services.plan(found, table, _mapping(found, table, request.args))
    headers, rows = importing.refused_rows(table, planned)
    security_event("export.personal_data", what="refused_rows", user=current_user.id, rows=len(rows))
    name = found.filename.rsplit(".", 1)[0] + "-refus.csv"
    return current_app.response_class(
        to_csv(headers, rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
