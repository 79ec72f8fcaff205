from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length

from crm.accounts.models import Role
from crm.base.database import get_in_network_or_404, utcnow
from crm.base.errors import DomainError, attach_to_form
from crm.base.extensions import db
from crm.base.forms import blank, optional_int, options, strip
from crm.base.permissions import allow
from crm.base.views import act, render_form
from crm.checkin import bp, services
from crm.contacts.models import Programmer
from crm.contacts.services import structure_choices
from crm.showcase import planning
from crm.showcase.models import Edition, Slot

COORD = Role.COORDINATOR


class WalkInForm(FlaskForm):
    first_name = StringField(_l("Prénom"), validators=[DataRequired(), Length(max=80)], filters=[strip])
    last_name = StringField(_l("Nom"), validators=[DataRequired(), Length(max=80)], filters=[strip])
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)], filters=[strip])
    organisation_id = SelectField(_l("Structure"), coerce=optional_int)
    job_title = StringField(_l("Fonction"), validators=[Length(max=120)], filters=[strip])
    someone_else = BooleanField(_l("C'est bien une autre personne que celles proposées"))


def _slot(slot_id) -> Slot:
    slot = db.get_or_404(Slot, slot_id)
    get_in_network_or_404(Edition, slot.edition_id, current_user.network_id)
    return slot


@bp.get("/editions/<int:edition_id>/checkin")
@allow(COORD)
def slots(edition_id):
    edition = get_in_network_or_404(Edition, edition_id, current_user.network_id)
    return render_template("checkin/slots.html", edition=edition, slots=planning.edition_slots(edition))


@bp.get("/slots/<int:slot_id>/checkin")
@allow(COORD)
def slot(slot_id):
    found = _slot(slot_id)
    q = request.args.get("q", "")
    present = services.present_ids(found)
    results = services.find(current_user.network_id, q)
    return render_template(
        "checkin/slot.html",
        slot=found,
        q=q,
        results=results,
        answers=services.answers(found.edition_id, [p.id for p in results]),
        present=present,
        count=len(present),
    )


def _back(slot_id):
    return redirect(url_for(".slot", slot_id=slot_id, q=request.form.get("q") or None))


@bp.post("/slots/<int:slot_id>/checkin/<int:programmer_id>")
@allow(COORD)
def tick(slot_id, programmer_id):
    found = _slot(slot_id)
    person = get_in_network_or_404(Programmer, programmer_id, current_user.network_id)
    act(
        lambda: services.check_in(found, person, actor=current_user, now=utcnow()),
        _("%(name)s est pointé·e.", name=person.full_name),
    )
    return _back(slot_id)


@bp.post("/slots/<int:slot_id>/checkout/<int:programmer_id>")
@allow(COORD)
def untick(slot_id, programmer_id):
    found = _slot(slot_id)
    person = get_in_network_or_404(Programmer, programmer_id, current_user.network_id)
    act(lambda: services.check_out(found, person), _("%(name)s n'est plus pointé·e.", name=person.full_name))
    return _back(slot_id)


@bp.route("/slots/<int:slot_id>/walk-in", methods=["GET", "POST"])
@allow(COORD)
def walk_in(slot_id):
    found = _slot(slot_id)
    form = WalkInForm()
    form.organisation_id.choices = blank(_l("— Aucune —")) + options(
        structure_choices(current_user.network_id)
    )
    alikes = []
    if form.validate_on_submit():
        alikes = services.look_alikes(current_user.network_id, form.data)
        if not alikes or form.someone_else.data:
            try:
                services.walk_in(found, current_user.network, form.data, actor=current_user, now=utcnow())
            except DomainError as error:
                db.session.rollback()
                attach_to_form(form, error)
            else:
                db.session.commit()
                return redirect(url_for(".slot", slot_id=found.id))
    return render_form(
        form,
        title=_("Entrée sans invitation"),
        cancel_url=url_for(".slot", slot_id=found.id),
        template="checkin/walk_in.html",
        slot=found,
        alikes=alikes,
    )
