"""Commissions and volunteer time. A commission's pages open to its members and the coordination; a
departmental commission's members see the registrations of their départements only."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm.accounts.models import Role
from crm.base.database import get_in_network_or_404, utcnow
from crm.base.extensions import db
from crm.base.permissions import allow
from crm.base.views import act, handle_form, paginate
from crm.cooperation import bp, commissions, volunteers
from crm.cooperation.forms import (
    CommissionForm,
    CommissionTaskForm,
    HostProposalForm,
    RateForm,
    VolunteerForm,
)
from crm.cooperation.models import Commission, CommissionKind, CommissionTask, VolunteerEntry
from crm.cooperation.services import network_companies
from crm.followups.models import Task
from crm.showcase.forms import DecisionForm
from crm.showcase.models import Edition, Registration

COORD, MEMBER = Role.COORDINATOR, Role.MEMBER


def _commission(commission_id, *, to_read=False) -> Commission:
    """The commission, for the coordination and its own members (404 for anyone else); a thematic
    commission's page and task list are read by the whole network (`to_read`)."""
    found = get_in_network_or_404(Commission, commission_id, current_user.network_id)
    if to_read and found.kind == CommissionKind.THEMATIC:
        return found
    if current_user.role != COORD and not commissions.is_member(found, current_user):
        abort(404)
    return found


def _departmental(commission_id) -> Commission:
    found = _commission(commission_id)
    if found.kind != CommissionKind.DEPARTMENTAL:
        abort(404)
    return found


@bp.get("/commissions")
@allow(COORD, MEMBER)
def commission_list():
    found = commissions.of_network(current_user.network_id)
    mine = {c.id for c in found if commissions.is_member(c, current_user)}
    return render_template("cooperation/commissions.html", commissions=found, mine=mine)


def _commission_page(commission):
    people = commissions.network_people(current_user.network_id)
    form = CommissionForm(people, obj=commission)
    if commission is not None and request.method == "GET":
        form.departements.data = commission.codes
        form.member_ids.data = [m.user_id for m in commission.members]
    return handle_form(
        form,
        lambda: commissions.save(current_user.network, commission, form.data),
        title=_("Modifier la commission") if commission else _("Nouvelle commission"),
        cancel_url=url_for(".commission_list"),
        done_message=_("Commission enregistrée."),
        done_url=lambda saved: url_for(".commission", commission_id=saved.id),
    )


@bp.route("/commissions/new", methods=["GET", "POST"])
@allow(COORD)
def commission_new():
    return _commission_page(None)


@bp.route("/commissions/<int:commission_id>/edit", methods=["GET", "POST"])
@allow(COORD)
def commission_edit(commission_id):
    return _commission_page(_commission(commission_id))


@bp.get("/commissions/<int:commission_id>")
@allow(COORD, MEMBER)
def commission(commission_id):
    found = _commission(commission_id, to_read=True)
    editions = commissions.editions_to_review(found.network_id)
    may_act = current_user.role == COORD or commissions.is_member(found, current_user)
    tasks = commissions.tasks_of(found) if found.kind == CommissionKind.THEMATIC else []
    return render_template("cooperation/commission.html", commission=found, editions=editions, tasks=tasks,
                           may_act=may_act, task_form=CommissionTaskForm(found, editions))  # fmt: skip


@bp.post("/commissions/<int:commission_id>/tasks")
@allow(COORD, MEMBER)
def commission_task_new(commission_id):
    found = _commission(commission_id)
    form = CommissionTaskForm(found, commissions.editions_to_review(found.network_id))
    if form.validate_on_submit():
        act(lambda: commissions.add_task(found, form.data, actor=current_user), _("Tâche ajoutée."))
    else:
        flash(_("Donnez un intitulé à la tâche (et une date valide)."), "error")
    return redirect(url_for(".commission", commission_id=found.id, _anchor="taches"))


@bp.post("/commissions/<int:commission_id>/tasks/<int:commission_task_id>/done")
@allow(COORD, MEMBER)
def commission_task_done(commission_id, commission_task_id):
    found = _commission(commission_id)
    task = db.session.get(CommissionTask, commission_task_id)
    if task is None or task.commission_id != found.id:
        abort(404)
    act(lambda: commissions.toggle_task(task, now=utcnow()), _("Tâche mise à jour."))
    return redirect(url_for(".commission", commission_id=found.id, _anchor="taches"))


def _edition(commission, edition_id) -> Edition:
    edition = get_in_network_or_404(Edition, edition_id, commission.network_id)
    return edition


@bp.get("/commissions/<int:commission_id>/editions/<int:edition_id>/registrations")
@allow(COORD, MEMBER)
def commission_registrations(commission_id, edition_id):
    found = _departmental(commission_id)
    edition = _edition(found, edition_id)
    return render_template("cooperation/commission_registrations.html", commission=found, edition=edition,
                           rows=commissions.registrations_for(found, edition),
                           form=DecisionForm())  # fmt: skip


@bp.post("/commissions/<int:commission_id>/registrations/<int:registration_id>/decision")
@allow(COORD, MEMBER)
def commission_decide(commission_id, registration_id):
    found = _departmental(commission_id)
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.edition.network_id != found.network_id:
        abort(404)
    if not commissions.covers(found, registration):
        abort(404)  # another département's registration: not even its existence is told
    form = DecisionForm()
    if form.validate_on_submit():
        act(lambda: commissions.decide(found, registration, form.decision.data, form.message.data),
            _("Décision enregistrée ; la compagnie est prévenue."))  # fmt: skip
    return redirect(url_for(".commission_registrations", commission_id=found.id,
                            edition_id=registration.edition_id))  # fmt: skip


@bp.route("/commissions/<int:commission_id>/editions/<int:edition_id>/hosts", methods=["GET", "POST"])
@allow(COORD, MEMBER)
def commission_hosts(commission_id, edition_id):
    found = _departmental(commission_id)
    edition = _edition(found, edition_id)
    venues, companies = commissions.places(found)
    form = HostProposalForm(venues, companies)
    proposed = [p for p in commissions.proposals_for(edition) if p.commission_id == found.id]
    return handle_form(
        form,
        lambda: commissions.propose_host(found, edition, form.data, actor=current_user),
        title=_("Proposer un lieu et une compagnie accueillante pour %(name)s", name=edition.name),
        cancel_url=url_for(".commission", commission_id=found.id),
        done_message=_("Proposition transmise à la coordination."),
        done_url=lambda _saved: url_for(".commission_hosts", commission_id=found.id, edition_id=edition.id),
        template="cooperation/commission_hosts.html",
        commission=found,
        edition=edition,
        proposed=proposed,
    )


@bp.get("/commissions/<int:commission_id>/editions/<int:edition_id>/programme")
@allow(COORD, MEMBER)
def commission_programme(commission_id, edition_id):
    found = _departmental(commission_id)
    edition = _edition(found, edition_id)
    return render_template("cooperation/commission_programme.html", commission=found, edition=edition,
                           slots=commissions.programme_of_venues(found, edition))  # fmt: skip


@bp.get("/commissions/<int:commission_id>/suivi")
@allow(COORD, MEMBER)
def commission_tasks(commission_id):
    found = _departmental(commission_id)
    return render_template("cooperation/commission_tasks.html", commission=found,
                           page=paginate(commissions.followup_tasks(found)))  # fmt: skip


@bp.post("/commissions/<int:commission_id>/suivi/<int:task_id>/prendre")
@allow(COORD, MEMBER)
def commission_take_task(commission_id, task_id):
    found = _departmental(commission_id)
    task = get_in_network_or_404(Task, task_id, found.network_id)
    act(lambda: commissions.take_task(found, task, current_user),
        _("La tâche est à vous : elle est dans « Mes tâches »."))  # fmt: skip
    return redirect(url_for(".commission_tasks", commission_id=found.id))


# --- Volunteer time -----------------------------------------------------------------------------------


def _volunteer_form():
    network_id = current_user.network_id
    return VolunteerForm(
        people=commissions.network_people(network_id),
        companies=network_companies(network_id),
        editions=db.session.scalars(
            db.select(Edition).where(Edition.network_id == network_id).order_by(Edition.starts_on.desc())
        ).all(),
        commissions=commissions.of_network(network_id),
        coordinator=current_user.role == COORD,
        user_id=current_user.id,
    )


@bp.route("/benevolat", methods=["GET", "POST"])
@allow(COORD, MEMBER)
def volunteering():
    form = _volunteer_form()
    rate = RateForm(prefix="rate", hourly_value=volunteers.hourly_value(current_user.network_id))
    return handle_form(
        form,
        lambda: volunteers.log(current_user.network, form.data, actor=current_user),
        title=_("Temps bénévole"),
        cancel_url=url_for("pages.home"),
        done_message=_("Temps enregistré. Merci !"),
        done_url=lambda _saved: url_for(".volunteering"),
        template="cooperation/volunteering.html",
        page=paginate(volunteers.entries_query(current_user.network_id, current_user)),
        rate_form=rate,
    )


@bp.post("/benevolat/valeur")
@allow(COORD)
def volunteering_rate():
    form = RateForm(prefix="rate")
    if form.validate_on_submit():
        value = form.hourly_value.data
        act(
            lambda: volunteers.set_hourly_value(current_user.network, value),
            _("Valeur de l'heure enregistrée."),
        )
    else:
        flash(_("Une valeur de l'heure en euros, par exemple 12,02."), "error")
    return redirect(url_for(".volunteering"))


@bp.post("/benevolat/<int:entry_id>/delete")
@allow(COORD, MEMBER)
def volunteering_delete(entry_id):
    entry = get_in_network_or_404(VolunteerEntry, entry_id, current_user.network_id)
    act(lambda: volunteers.delete(entry, actor=current_user), _("Temps effacé."))
    return redirect(url_for(".volunteering"))


@bp.app_context_processor
def _host_proposals():
    """The edition page shows the departmental commissions' proposals (the page belongs to a feature
    below this one: it asks through this helper)."""
    return {"host_proposals": commissions.proposals_for}
