from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm.accounts.models import Role
from crm.base.database import get_in_network_or_404, utcnow
from crm.base.errors import DomainError, attach_to_form
from crm.base.extensions import csrf, db
from crm.base.numbers import row_id
from crm.base.permissions import PUBLIC, allow
from crm.base.timeutil import today_local
from crm.base.tokens import LinkError
from crm.base.views import act, handle_form, paginate
from crm.checkin.models import Attendance
from crm.contacts.models import Programmer
from crm.contacts.privacy import opt_out
from crm.followups import bp, runner, services
from crm.followups.forms import CompleteForm, InteractionForm, ReplyForm, SettingsForm, StepForm
from crm.followups.messages import MERGE_FIELDS
from crm.followups.models import Choice, RunState, Step, StepRun, Task
from crm.meetings.models import Meeting, MeetingSession
from crm.showcase.models import Edition, Slot

# "open" first: every task still to do, so a hot lead due next week is not hidden behind "today".
TABS = ("open", "today", "overdue", "upcoming", "done")


# --- Dashboard ---------------------------------------------------------------------------------------


# --- The sequence (coordinators) ---------------------------------------------------------------------


@bp.route("/editions/<int:edition_id>/suivi/sequence", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def sequence(edition_id):
    edition = get_in_network_or_404(Edition, edition_id, current_user.network_id)
    found = services.sequence_for(edition)
    if found is None and request.method == "POST":
        services.sequence_for(edition, create=True)
        db.session.commit()
        flash(_("Suivi créé à partir du modèle : relisez les étapes, puis lancez-le."))
        return redirect(url_for(".sequence", edition_id=edition.id))
    form = SettingsForm(obj=found)
    if found is not None and form.validate_on_submit():
        services.save_settings(found, form.data)
        db.session.commit()
        flash(_("Réglage enregistré."))
        return redirect(url_for(".sequence", edition_id=edition.id))
    counts = {}
    if found is not None:
        counts = dict(
            db.session.execute(
                db.select(StepRun.step_id, db.func.count())
                .join(Step, Step.id == StepRun.step_id)
                .where(Step.sequence_id == found.id, StepRun.state == RunState.DONE)
                .group_by(StepRun.step_id)
            ).all()
        )
    people = _preview_people(edition) if found is not None else []
    return render_template(
        "followups/sequence.html", edition=edition, sequence=found, form=form, done=counts, people=people
    ), 422 if form.errors else 200


def _preview_people(edition):
    """Real people to preview a message for: those who came (or would be enrolled), checked in or met
    in a held meeting."""

    attended = db.select(Attendance.programmer_id).join(Slot).where(Slot.edition_id == edition.id)
    met = (
        db.select(Meeting.programmer_id)
        .join(MeetingSession, MeetingSession.id == Meeting.session_id)
        .where(MeetingSession.edition_id == edition.id, services.held_meeting())
    )
    return db.session.scalars(
        db.select(Programmer)
        .where(db.or_(Programmer.id.in_(attended), Programmer.id.in_(met)), Programmer.erased_at.is_(None))
        .order_by(Programmer.last_name, Programmer.first_name)
        .limit(50)
    ).all()


def _step_in_network(step_id) -> Step:
    step = db.session.get(Step, step_id)
    if step is None or step.sequence.edition.network_id != current_user.network_id:
        abort(404)
    return step


@bp.route("/editions/<int:edition_id>/suivi/etapes/nouvelle", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def step_new(edition_id):
    edition = get_in_network_or_404(Edition, edition_id, current_user.network_id)
    found = services.sequence_for(edition)
    if found is None:
        abort(404)
    form = StepForm()
    return handle_form(
        form,
        lambda: services.save_step(found, None, form.data),
        title=_("Nouvelle étape du suivi"),
        cancel_url=url_for(".sequence", edition_id=edition.id),
        done_message=_("Étape ajoutée."),
        done_url=lambda _saved: url_for(".sequence", edition_id=edition.id),
        template="followups/step_form.html",
        merge_fields=MERGE_FIELDS,
    )


@bp.route("/suivi/etapes/<int:step_id>", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def step_edit(step_id):
    step = _step_in_network(step_id)
    form = StepForm(obj=step)
    if not form.is_submitted():
        form.action.data = step.action.value if step.action else ""
    return handle_form(
        form,
        lambda: services.save_step(step.sequence, step, form.data),
        title=_("Étape : %(title)s", title=step.title),
        cancel_url=url_for(".sequence", edition_id=step.sequence.edition_id),
        done_message=_("Étape enregistrée."),
        done_url=lambda _saved: url_for(".sequence", edition_id=step.sequence.edition_id),
        template="followups/step_form.html",
        merge_fields=MERGE_FIELDS,
    )


@bp.post("/suivi/etapes/<int:step_id>/supprimer")
@allow(Role.COORDINATOR)
def step_delete(step_id):
    step = _step_in_network(step_id)
    edition_id = step.sequence.edition_id
    act(lambda: services.delete_step(step), _("Étape supprimée."))
    return redirect(url_for(".sequence", edition_id=edition_id))


@bp.get("/suivi/etapes/<int:step_id>/apercu")
@allow(Role.COORDINATOR)
def step_preview(step_id):
    """The message as one real person would receive it (nothing is sent or saved)."""
    step = _step_in_network(step_id)
    edition = step.sequence.edition
    chosen = request.args.get("programmer_id", type=row_id)
    if chosen is None:
        people = _preview_people(edition)
        if not people:
            flash(_("L'aperçu se fait pour une personne pointée présente : il n'y en a pas encore."), "error")
            return redirect(url_for(".sequence", edition_id=edition.id))
        chosen = people[0].id
    person = get_in_network_or_404(Programmer, chosen, current_user.network_id)
    previews, error = runner.preview(step, person)
    return render_template("followups/preview.html", step=step, person=person, previews=previews, error=error)


@bp.post("/editions/<int:edition_id>/suivi/lancer")
@allow(Role.COORDINATOR)
def activate(edition_id):
    edition = get_in_network_or_404(Edition, edition_id, current_user.network_id)
    found = services.sequence_for(edition)
    if found is None:
        abort(404)
    count = act(lambda: services.activate(found, now=utcnow()), _("Suivi lancé."))
    if count is not None:
        flash(_("%(n)s personne(s) inscrite(s) au suivi.", n=count))
    return redirect(url_for(".sequence", edition_id=edition.id))


# --- Tasks -------------------------------------------------------------------------------------------


@bp.get("/taches")
@allow(Role.COORDINATOR, Role.MEMBER)
def tasks():
    tab = request.args.get("vue", "open")
    if tab not in TABS:
        tab = "open"
    page = paginate(services.tasks_query(current_user, tab, today_local()))
    return render_template("followups/tasks.html", page=page, tab=tab, tabs=TABS, form=CompleteForm())


@bp.route("/taches/<int:task_id>", methods=["GET", "POST"])
@allow(Role.COORDINATOR, Role.MEMBER)
def task(task_id):
    found = get_in_network_or_404(Task, task_id, current_user.network_id)
    if not services.may_handle(current_user, found):
        abort(404)
    form = CompleteForm()
    if form.validate_on_submit():
        try:
            services.complete(found, form.data, actor=current_user, now=utcnow())
        except DomainError as error:
            db.session.rollback()
            attach_to_form(form, error)
        else:
            db.session.commit()
            flash(_("Tâche faite : le résultat est dans l'historique partagé."))
            return redirect(url_for(".tasks", vue=request.args.get("vue", "open")))
    return _task_page(found, form, ReplyForm(prefix="reply"))


def _task_page(found, form, reply_form):
    status = 422 if form.errors or reply_form.errors or reply_form.form_errors else 200
    return render_template("followups/task.html", task=found, form=form, reply_form=reply_form), status


@bp.post("/taches/<int:task_id>/reponse")
@allow(Role.COORDINATOR, Role.MEMBER)
def reply(task_id):
    """Answer a person's e-mail from the task (the answer leaves in the network's name, in the thread)."""
    found = get_in_network_or_404(Task, task_id, current_user.network_id)
    if not services.may_handle(current_user, found):
        abort(404)
    reply_form = ReplyForm(prefix="reply")
    if reply_form.validate_on_submit():
        try:
            services.answer_by_mail(found, reply_form.text.data, actor=current_user, now=utcnow())
        except DomainError as error:
            db.session.rollback()
            attach_to_form(reply_form, error)
        else:
            db.session.commit()
            flash(_("Réponse envoyée ; elle est dans l'historique partagé."))
            return redirect(url_for(".tasks"))
    return _task_page(found, CompleteForm(formdata=None), reply_form)


# --- The shared log ----------------------------------------------------------------------------------


@bp.route("/programmers/<int:programmer_id>/exchanges", methods=["GET", "POST"])
@allow(Role.COORDINATOR, Role.MEMBER)
def log_exchange(programmer_id):
    person = get_in_network_or_404(Programmer, programmer_id, current_user.network_id)
    form = InteractionForm()
    return handle_form(
        form,
        lambda: services.log_interaction(person, form.data, actor=current_user, now=utcnow()),
        title=_("Noter un échange avec %(name)s", name=person.full_name),
        cancel_url=url_for("contacts.programmer", programmer_id=person.id),
        done_message=_("Échange noté."),
        done_url=lambda _saved: url_for("contacts.programmer", programmer_id=person.id),
    )


# --- Links in the messages (no account, no cookie) ---------------------------------------------------


def _link_error(error):
    return render_template("invitations/link_error.html", message=error.message), 404


@bp.route("/suivi/<link>/reponse/<int:show_id>/<choice>", methods=["GET", "POST"])
@allow(PUBLIC)
@csrf.exempt  # the signed link is the authorisation; a GET (link scanners) only shows the choice
def answer(link, show_id, choice):
    try:
        enrolment = services.by_token(link, now=utcnow())
    except LinkError as error:
        return _link_error(error)
    if choice not in {c.value for c in Choice}:
        abort(404)
    show = services.answerable(enrolment, show_id)
    if show is None:
        abort(404)
    recorded = False
    if request.method == "POST":
        services.record_answer(enrolment, show_id, choice, now=utcnow())
        db.session.commit()
        recorded = True
    return render_template(
        "followups/answer.html", enrolment=enrolment, show=show, choice=Choice(choice), recorded=recorded
    )


@bp.route("/suivi/<link>/stop", methods=["GET", "POST"])
@allow(PUBLIC)
@csrf.exempt  # RFC 8058: mail providers post the one-click unsubscribe with no cookie and no token
def stop(link):

    try:
        enrolment = services.by_token(link, now=utcnow())
    except LinkError as error:
        return _link_error(error)
    network = enrolment.sequence.edition.network
    if request.method == "POST":
        opt_out(enrolment.programmer, now=utcnow())
        services.stop_everything(enrolment, reason="opt_out", now=utcnow())
        db.session.commit()
        return render_template("invitations/stopped.html", network=network)
    return render_template("invitations/stop.html", network=network)


@bp.post("/programmers/<int:programmer_id>/suivi/liens")
@allow(Role.COORDINATOR)
def revoke_links(programmer_id):
    """A forwarded message: the person's answer and stop links stop working; new ones come with the
    next message."""
    person = get_in_network_or_404(Programmer, programmer_id, current_user.network_id)
    act(
        lambda: services.revoke_links(person, actor=current_user, now=utcnow()),
        _("Liens désactivés : ceux des messages déjà envoyés ne fonctionnent plus."),
    )
    return redirect(url_for("contacts.programmer", programmer_id=person.id))
