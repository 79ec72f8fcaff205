"""Coordinator pages of an edition: rules, venues, bands, status, review, slots, assignment, grid."""

from collections import defaultdict

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from crm.accounts.models import Role
from crm.base.database import get_in_network_or_404, utcnow
from crm.base.enums import Audience, Discipline
from crm.base.errors import DomainError
from crm.base.extensions import db
from crm.base.forms import blank, options
from crm.base.geo import departements_in_use_first
from crm.base.i18n import reasons
from crm.base.numbers import row_id, row_ids, whole
from crm.base.permissions import allow
from crm.base.timeutil import local
from crm.base.views import act, handle_form
from crm.contacts.models import Organisation, OrganisationKind
from crm.contacts.services import departements_in_use, organisations_query
from crm.showcase import board, bp, editions, planning, registrations
from crm.showcase.forms import (
    AssignForm,
    AutoAssignForm,
    BandForm,
    DecisionForm,
    EditionRulesForm,
    PitchSeriesForm,
    SlotForm,
)
from crm.showcase.models import (
    Assignment,
    Edition,
    EditionStatus,
    PlanProposal,
    Registration,
    RegistrationStatus,
    ShowFormat,
    Slot,
    TimeBand,
)
from crm.showcase.rules import OVERRIDABLE

COORD = Role.COORDINATOR


def _edition(edition_id) -> Edition:
    return get_in_network_or_404(Edition, edition_id, current_user.network_id)


def _slot(slot_id) -> Slot:
    slot = db.get_or_404(Slot, slot_id)
    _edition(slot.edition_id)
    return slot


def _back(edition, anchor=""):
    return redirect(url_for("showcase.edition", edition_id=edition.id) + anchor)


@bp.route("/editions/<int:edition_id>/rules", methods=["GET", "POST"])
@allow(COORD)
def edition_rules(edition_id):
    edition = _edition(edition_id)
    form = EditionRulesForm(obj=edition)
    if not form.is_submitted():
        form.disciplines.data = [d.value for d in edition.disciplines]
    return handle_form(
        form,
        lambda: editions.save_rules(edition, form.data) or edition,
        title=_("Règles de %(name)s", name=edition.name),
        cancel_url=url_for(".edition", edition_id=edition.id),
        done_message=_("Règles enregistrées."),
        done_url=lambda e: url_for(".edition", edition_id=e.id),
    )


@bp.route("/editions/<int:edition_id>/venues", methods=["GET", "POST"])
@allow(COORD)
def edition_venues(edition_id):
    edition = _edition(edition_id)
    structures = list(
        db.session.scalars(
            organisations_query(edition.network_id, OrganisationKind.STRUCTURE).where(
                Organisation.is_venue.is_(True)
            )
        )
    )
    companies = list(db.session.scalars(organisations_query(edition.network_id, OrganisationKind.COMPANY)))
    chosen = {v.venue_id: v.host_company_id for v in edition.venues}
    suggested = editions.suggest_hosts(edition, structures, companies) if edition.rotation else {}
    if request.method == "POST":
        venue_ids = row_ids(request.form.getlist("venue_ids"))
        hosts = {v: (row_ids([request.form.get(f"host_{v}")]) or [None])[0] for v in venue_ids}
        try:
            editions.set_venues(edition, venue_ids, hosts)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
            chosen = hosts
        else:
            db.session.commit()
            flash(_("Lieux enregistrés."))
            return _back(edition, "#lieux")
    return render_template(
        "showcase/venues.html",
        edition=edition,
        structures=structures,
        companies=companies,
        chosen=chosen,
        suggested=suggested,
    )


@bp.route("/editions/<int:edition_id>/bands", methods=["GET", "POST"])
@allow(COORD)
def band_new(edition_id):
    edition = _edition(edition_id)
    form = BandForm()
    return handle_form(
        form,
        lambda: editions.add_band(edition, form.data),
        title=_("Nouvelle tranche horaire"),
        cancel_url=url_for(".edition", edition_id=edition.id),
        done_message=_("Tranche horaire ajoutée."),
        done_url=lambda _b: url_for(".edition", edition_id=edition.id),
    )


@bp.route("/bands/<int:band_id>/edit", methods=["GET", "POST"])
@allow(COORD)
def band_edit(band_id):
    band = db.get_or_404(TimeBand, band_id)
    edition = _edition(band.edition_id)
    form = BandForm(obj=band)
    return handle_form(
        form,
        lambda: editions.save_band(edition, band, form.data),
        title=_("Modifier la tranche « %(label)s »", label=band.label),
        cancel_url=url_for(".edition", edition_id=edition.id),
        done_message=_("Tranche horaire enregistrée."),
        done_url=lambda _b: url_for(".edition", edition_id=edition.id) + "#tranches",
    )


@bp.post("/bands/<int:band_id>/delete")
@allow(COORD)
def band_delete(band_id):
    band = db.get_or_404(TimeBand, band_id)
    edition = _edition(band.edition_id)
    target = request.form.get("move_to", type=row_id)
    move_to = db.session.get(TimeBand, target) if target else None
    moved = act(lambda: editions.delete_band(band, move_to=move_to), _("Tranche horaire supprimée."))
    if moved:
        flash(_("%(n)d créneau(x) déplacé(s) dans « %(label)s ».", n=moved, label=move_to.label))
    return _back(edition, "#tranches")


@bp.post("/editions/<int:edition_id>/status")
@allow(COORD)
def edition_status(edition_id):
    edition = _edition(edition_id)
    target = request.form.get("status", "")
    if target not in {s.value for s in EditionStatus}:
        flash(_("État inconnu."), "error")
        return _back(edition)
    act(lambda: editions.advance(edition, target, now=utcnow()), _("État de l'édition mis à jour."))
    return _back(edition)


@bp.get("/editions/<int:edition_id>/registrations")
@allow(COORD)
def review(edition_id):
    edition = _edition(edition_id)
    filters = {
        key: request.args.get(key) or None for key in ("status", "discipline", "audience", "departement")
    }
    rows = list(db.session.scalars(registrations.review_query(edition, **filters)).unique())
    return render_template(
        "showcase/review.html",
        edition=edition,
        rows=rows,
        filters=filters,
        statuses=RegistrationStatus,
        disciplines=Discipline,
        audiences=Audience,
        departements=departements_in_use_first(
            departements_in_use(edition.network_id, OrganisationKind.COMPANY)
        ),
        form=DecisionForm(),
    )


@bp.post("/registrations/<int:registration_id>/decision")
@allow(COORD)
def decide(registration_id):
    registration = db.get_or_404(Registration, registration_id)
    edition = _edition(registration.edition_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        flash(_("Choisissez une décision."), "error")
    else:
        act(
            lambda: registrations.decide(registration, form.decision.data, form.message.data),
            _("Décision enregistrée ; la compagnie est prévenue."),
        )
    return redirect(url_for(".review", edition_id=edition.id, **request.args))


def _venue_choices(edition):
    return options((v.venue_id, v.venue.name) for v in edition.venues)


def _slot_page(edition, form, save, title):
    form.venue_id.choices = _venue_choices(edition)
    return handle_form(
        form,
        save,
        title=title,
        cancel_url=url_for(".grid", edition_id=edition.id),
        done_message=_("Créneaux enregistrés."),
        done_url=lambda _s: url_for(".grid", edition_id=edition.id),
    )


@bp.route("/editions/<int:edition_id>/slots/new", methods=["GET", "POST"])
@allow(COORD)
def slot_new(edition_id):
    edition = _edition(edition_id)
    form = SlotForm(day=edition.starts_on)
    return _slot_page(edition, form, lambda: planning.create_slot(edition, form.data), _("Nouveau créneau"))


@bp.route("/editions/<int:edition_id>/pitches/new", methods=["GET", "POST"])
@allow(COORD)
def pitch_series_new(edition_id):
    edition = _edition(edition_id)
    form = PitchSeriesForm(day=edition.starts_on)
    return _slot_page(
        edition,
        form,
        lambda: planning.create_pitch_series(edition, form.data),
        _("Nouvelle série de présentations courtes"),
    )


@bp.route("/slots/<int:slot_id>/edit", methods=["GET", "POST"])
@allow(COORD)
def slot_edit(slot_id):
    slot = _slot(slot_id)
    edition = _edition(slot.edition_id)
    start, end = local(slot.starts_at), local(slot.ends_at)
    form = SlotForm(venue_id=slot.venue_id, day=start.date(), starts=start.time(), ends=end.time())
    return _slot_page(
        edition, form, lambda: planning.move_slot(slot, form.data) or slot, _("Déplacer le créneau")
    )


@bp.post("/slots/<int:slot_id>/cancel")
@allow(COORD)
def slot_cancel(slot_id):
    slot = _slot(slot_id)
    act(lambda: planning.cancel_slot(slot), _("Créneau annulé (il reste affiché comme annulé)."))
    return redirect(url_for(".grid", edition_id=slot.edition_id))


@bp.post("/slots/<int:slot_id>/delete")
@allow(COORD)
def slot_delete(slot_id):
    slot = _slot(slot_id)
    edition_id = slot.edition_id
    act(lambda: planning.delete_slot(slot), _("Créneau supprimé."))
    return redirect(url_for(".grid", edition_id=edition_id))


@bp.route("/slots/<int:slot_id>/assign", methods=["GET", "POST"])
@allow(COORD)
def slot_assign(slot_id):
    slot = _slot(slot_id)
    edition = _edition(slot.edition_id)
    form = AssignForm()
    accepted = planning.accepted_registrations(edition)
    form.registration_id.choices = blank() + options(
        (r.id, f"{r.show.title} — {r.company.name} ({r.format.label})") for r in accepted
    )
    by_id = {r.id: r for r in accepted}
    return handle_form(
        form,
        lambda: planning.assign(
            slot,
            by_id.get(form.registration_id.data) or _unknown(),
            actor=current_user,
            override_reason=form.override_reason.data,
        ),
        title=_("Attribuer le créneau"),
        cancel_url=url_for(".grid", edition_id=edition.id),
        done_message=_("Créneau attribué."),
        done_url=lambda _a: url_for(".grid", edition_id=edition.id),
        template="showcase/assign.html",
        slot=slot,
    )


def _unknown():
    raise DomainError(_("Choisissez une candidature retenue."), field="registration_id")


@bp.post("/assignments/<int:assignment_id>/delete")
@allow(COORD)
def unassign(assignment_id):
    assignment = db.get_or_404(Assignment, assignment_id)
    edition = _edition(assignment.slot.edition_id)
    act(lambda: planning.unassign(assignment), _("Attribution retirée."))
    return redirect(url_for(".grid", edition_id=edition.id))


@bp.post("/registrations/<int:registration_id>/slots")
@allow(COORD)
def registration_slots(registration_id):
    registration = db.get_or_404(Registration, registration_id)
    _edition(registration.edition_id)
    count = request.form.get("max_slots", type=lambda v: whole(v, 0, 1000)) or 0
    act(lambda: registrations.set_max_slots(registration, count), _("Nombre de créneaux enregistré."))
    return redirect(url_for(".registration", registration_id=registration.id))


@bp.post("/editions/<int:edition_id>/auto-assign")
@allow(COORD)
def auto_assign(edition_id):
    """Compute a proposal and show it (a GET after this POST): nothing is placed until accepted."""
    edition = _edition(edition_id)
    form = AutoAssignForm()
    if not form.validate_on_submit():
        flash(_("Choisissez combien compter les trajets."), "error")
        return redirect(url_for(".grid", edition_id=edition.id))
    try:
        proposal = board.propose(edition, actor=current_user, travel=form.travel.data)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for(".grid", edition_id=edition.id))
    db.session.commit()
    return redirect(url_for(".proposal", edition_id=edition.id, proposal_id=proposal.id))


def _proposal(edition, proposal_id) -> PlanProposal:
    proposal = db.session.get(PlanProposal, proposal_id)
    if proposal is None or proposal.edition_id != edition.id:
        abort(404)
    return proposal


def _filters():
    fmt = request.args.get("format") if request.args.get("format") in {f.value for f in ShowFormat} else None
    audience = request.args.get("audience")
    return {"format": fmt, "audience": audience if audience in {a.value for a in Audience} else None}


def _board_page(edition, *, proposal=None):
    slots = planning.edition_slots(edition)
    registrations = planning.accepted_registrations(edition)
    conflicts = planning.plan_conflicts(edition, slots)
    proposed = board.proposal_map(proposal, registrations) if proposal else {}
    filters = _filters()
    return render_template(
        "showcase/grid.html",
        edition=edition,
        days=board.days(edition, slots, conflicts, proposed),
        waiting=board.waiting(slots, registrations, fmt=filters["format"], audience=filters["audience"]),
        filters=filters,
        formats=ShowFormat,
        audiences=Audience,
        proposal=proposal,
        reasons=board.proposal_reasons(proposal) if proposal else {},
        travel=board.proposal_travel(edition, proposal, slots, registrations) if proposal else None,
        auto_form=AutoAssignForm(),
        registrations={r.id: r for r in registrations},
        slots={s.id: s for s in slots},
    )


@bp.get("/editions/<int:edition_id>/proposals/<int:proposal_id>")
@allow(COORD)
def proposal(edition_id, proposal_id):
    edition = _edition(edition_id)
    return _board_page(edition, proposal=_proposal(edition, proposal_id))


@bp.post("/editions/<int:edition_id>/proposals/<int:proposal_id>/accept")
@allow(COORD)
def proposal_accept(edition_id, proposal_id):
    edition = _edition(edition_id)
    proposal = _proposal(edition, proposal_id)
    chosen = set()
    for value in request.form.getlist("pair"):
        registration_id, _sep, slot_id = value.partition("-")
        ids = row_ids([registration_id, slot_id])
        if len(ids) == 2:
            chosen.add((ids[0], ids[1]))
    try:
        placed, refused = board.accept(proposal, chosen, actor=current_user)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for(".proposal", edition_id=edition.id, proposal_id=proposal.id))
    db.session.commit()
    flash(ngettext("%(num)d placement enregistré.", "%(num)d placements enregistrés.", placed))
    for registration, slot, rules in refused:
        flash(
            _(
                "« %(show)s » n'a pas été placé à %(time)s : %(rules)s.",
                show=registration.show.title,
                time=local(slot.starts_at).strftime("%H:%M"),
                rules=reasons(r.label for r in rules),
            ),
            "error",
        )
    return redirect(url_for(".grid", edition_id=edition.id))


@bp.post("/editions/<int:edition_id>/proposals/<int:proposal_id>/discard")
@allow(COORD)
def proposal_discard(edition_id, proposal_id):
    edition = _edition(edition_id)
    db.session.delete(_proposal(edition, proposal_id))
    db.session.commit()
    flash(_("Proposition écartée : rien n'a été placé."))
    return redirect(url_for(".grid", edition_id=edition.id))


@bp.post("/slots/<int:slot_id>/pack-series")
@allow(COORD)
def pack_series(slot_id):
    slot = _slot(slot_id)
    edition = _edition(slot.edition_id)
    moved = act(lambda: board.pack_series(edition, slot, actor=current_user), _("Série tassée."))
    if moved is not None:
        flash(ngettext("%(num)d présentation avancée.", "%(num)d présentations avancées.", moved))
    return redirect(url_for(".grid", edition_id=edition.id))


def _json_id(payload, key):
    value = payload.get(key)
    if value is None:
        return None
    try:
        return row_id(str(value))
    except ValueError:
        abort(400)


@bp.post("/editions/<int:edition_id>/planning/moves")
@allow(COORD)
def board_move(edition_id):
    """One move on the board (JSON): place, move or take back a show; conflicts come back as a 409."""
    edition = _edition(edition_id)
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        abort(400)
    registration = db.session.get(Registration, _json_id(payload, "registration_id") or 0)
    if registration is None or registration.edition_id != edition.id:
        abort(404)
    slots = {}
    for key in ("slot_id", "from_slot_id"):
        slot_id = _json_id(payload, key)
        slots[key] = db.session.get(Slot, slot_id) if slot_id else None
        if slot_id and (slots[key] is None or slots[key].edition_id != edition.id):
            abort(404)
    reason = payload.get("reason")
    reason = reason.strip()[:500] if isinstance(reason, str) else None
    try:
        undo = board.move(
            edition,
            registration,
            to_slot=slots["slot_id"],
            from_slot=slots["from_slot_id"],
            actor=current_user,
            reason=reason,
        )
    except planning.AssignmentConflictError as error:
        db.session.rollback()
        return jsonify(
            message=error.message,
            conflicts=[str(r.label) for r in error.rules],
            overridable=all(r in OVERRIDABLE for r in error.rules),
        ), 409
    except DomainError as error:
        db.session.rollback()
        return jsonify(message=error.message), 400
    db.session.commit()
    title = registration.show.title
    if slots["slot_id"] is None:
        message = _("« %(show)s » est de retour dans la liste à placer.", show=title)
    else:
        target = slots["slot_id"]
        message = _(
            "« %(show)s » placé à %(venue)s, %(time)s.",
            show=title,
            venue=target.venue.name,
            time=local(target.starts_at).strftime("%H:%M"),
        )
    return jsonify(message=message, undo=undo)


@bp.get("/editions/<int:edition_id>/planning")
@allow(COORD)
def grid(edition_id):
    edition = _edition(edition_id)
    if request.args.get("print"):
        slots = planning.edition_slots(edition)
        days = defaultdict(lambda: defaultdict(list))
        for slot in slots:
            days[local(slot.starts_at).date()][slot.venue_id].append(slot)
        venues = [v.venue for v in edition.venues]
        return render_template("showcase/running_order.html", edition=edition, days=days, venues=venues)
    return _board_page(edition)


def edition_context(edition) -> dict:
    editions.load_for_page(edition)
    counts = dict(
        db.session.execute(
            select(Registration.status, db.func.count())
            .where(Registration.edition_id == edition.id)
            .group_by(Registration.status)
        ).all()
    )
    return {"counts": counts, "transitions": editions.TRANSITIONS[edition.status]}
