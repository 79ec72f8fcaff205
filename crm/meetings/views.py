from collections import Counter

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from crm.accounts.models import Role
from crm.base.database import get_in_network_or_404, utcnow
from crm.base.errors import DomainError
from crm.base.extensions import db
from crm.base.permissions import PUBLIC, allow
from crm.base.timeutil import local, to_utc
from crm.base.tokens import LinkError
from crm.base.views import act, handle_form
from crm.contacts.models import Organisation, Programmer
from crm.invitations import services as invitations
from crm.meetings import bp, notices, services
from crm.meetings.forms import SessionForm
from crm.meetings.models import Meeting, MeetingOutcome, MeetingSession, Side, Wish
from crm.showcase.models import Edition, Registration, RegistrationStatus, Show

COORD, MEMBER = Role.COORDINATOR, Role.MEMBER
UNMET_LISTED = 60  # unmet "je veux" shown by name on the session page; the rest are counted

REASONS = {
    "veto": _l("l'autre côté a dit « non merci »"),
    "not_taking_part": _l("l'autre côté ne participe pas"),
    "clash": _l("aucun tour libre pour les deux (spectacle joué ou choisi)"),
    "quota": _l("quota de rendez-vous atteint"),
    "no_free_round": _l("plus de tour libre en commun (tables ou plannings pleins)"),
}


def _session(session_id) -> MeetingSession:
    return get_in_network_or_404(MeetingSession, session_id, current_user.network_id)


def _data(form) -> dict:
    data = {name: getattr(form, name).data for name in services.SETTINGS if name != "break_after"}
    data["break_after"] = getattr(form.break_after, "rounds", [])
    data["changeover_minutes"] = data["changeover_minutes"] or 0
    data["break_minutes"] = data["break_minutes"] or 0
    data["min_per_company"] = data["min_per_company"] or 0
    closes = data["wishes_close_at"]
    data["wishes_close_at"] = to_utc(closes.date(), closes.time()) if closes else None
    return data


def _session_form(edition, session=None):
    form = SessionForm(obj=session)
    form.set_venues(services.venues_of(edition))
    if session is not None and request.method == "GET":
        form.break_after.data = ", ".join(str(r) for r in session.break_after or ())
        if session.wishes_close_at:
            form.wishes_close_at.data = local(session.wishes_close_at).replace(tzinfo=None)
    elif session is None and request.method == "GET":
        form.day.data = edition.starts_on
    return form


# --- Coordination -------------------------------------------------------------------------------------


@bp.get("/editions/<int:edition_id>/meetings")
@allow(COORD)
def sessions(edition_id):
    edition = get_in_network_or_404(Edition, edition_id, current_user.network_id)
    found = services.sessions_of(edition.id)
    counts = Counter(
        db.session.scalars(select(Meeting.session_id).where(Meeting.session_id.in_([s.id for s in found])))
    )
    return render_template("meetings/sessions.html", edition=edition, sessions=found, counts=counts)


@bp.route("/editions/<int:edition_id>/meetings/new", methods=["GET", "POST"])
@allow(COORD)
def session_new(edition_id):
    edition = get_in_network_or_404(Edition, edition_id, current_user.network_id)
    form = _session_form(edition)
    return handle_form(
        form,
        lambda: services.save_session(edition, None, _data(form)),
        title=_("Nouvelle session de rencontres"),
        cancel_url=url_for(".sessions", edition_id=edition.id),
        done_message=_("Session créée : les compagnies et les programmateur·rices peuvent s'inscrire."),
        done_url=lambda s: url_for(".session", session_id=s.id),
    )


@bp.route("/meetings/<int:session_id>/edit", methods=["GET", "POST"])
@allow(COORD)
def session_edit(session_id):
    session = _session(session_id)
    form = _session_form(session.edition, session)
    return handle_form(
        form,
        lambda: services.save_session(session.edition, session, _data(form)),
        title=_("Modifier la session"),
        cancel_url=url_for(".session", session_id=session.id),
        done_message=_("Session enregistrée."),
        done_url=lambda s: url_for(".session", session_id=s.id),
    )


def _unmet_view(session):
    """Counts of unmet wishes by reason and side, and the first unmet "je veux" with names."""
    unmet = session.unmet or []
    by_reason = Counter((side, reason) for _p, _c, side, reason, _level in unmet)
    musts = [row[:4] for row in unmet if row[4] == Wish.MUST]
    shown = musts[:UNMET_LISTED]
    people = dict(
        db.session.execute(
            select(Programmer.id, Programmer.first_name + " " + Programmer.last_name).where(
                Programmer.id.in_({p for p, *_ in shown})
            )
        ).all()
    )
    companies = dict(
        db.session.execute(
            select(Organisation.id, Organisation.name).where(Organisation.id.in_({c for _p, c, *_ in shown}))
        ).all()
    )
    listed = [
        (people.get(p, "?"), companies.get(c, "?"), side, REASONS[reason]) for p, c, side, reason in shown
    ]
    return by_reason, listed, len(musts)


@bp.get("/meetings/<int:session_id>")
@allow(COORD)
def session(session_id):
    found = _session(session_id)
    meetings = services.meetings_of(found)
    grid = {(m.round, m.table_number): m for m in meetings}
    by_reason, unmet, unmet_musts = _unmet_view(found)
    companies = services.companies_taking_part(found)
    programmers = services.programmers_taking_part(found)
    blocked = services.blocked_rounds(
        found, {p.programmer_id for p, _o in programmers}, {c.company_id for c, _o in companies}
    )
    return render_template(
        "meetings/session.html",
        session=found,
        times=services.round_times(found),
        companies=companies,
        programmers=programmers,
        blocked=blocked,
        wish_counts=services.wish_counts(found),
        meetings=meetings,
        grid=grid,
        held=sum(m.outcome == MeetingOutcome.HELD for m in meetings),
        missed=sum(m.outcome == MeetingOutcome.MISSED for m in meetings),
        by_reason=by_reason,
        unmet=unmet,
        unmet_musts=unmet_musts,
        reasons=REASONS,
        sides=Side,
        levels=Wish,
        wishes_open=services.wishes_open(found, utcnow()),
    )


@bp.post("/meetings/<int:session_id>/plan")
@allow(COORD)
def plan(session_id):
    found = _session(session_id)
    result = act(
        lambda: services.plan(found, now=utcnow()), _("Planning proposé : vérifiez-le, puis publiez.")
    )
    if result is not None and not result.optimal:
        flash(_("Planning trouvé à %(gap)s %% au plus de l'optimum.", gap=f"{result.gap * 100:.1f}"))
    return redirect(url_for(".session", session_id=found.id))


@bp.post("/meetings/<int:session_id>/publish")
@allow(COORD)
def publish(session_id):
    found = _session(session_id)
    told = act(
        lambda: services.publish(found, now=utcnow(), tell=notices.tell),
        _("Planning publié : chacun voit ses rendez-vous et les reçoit par e-mail."),
    )
    if told is not None:
        flash(_("%(n)s message(s) envoyé(s).", n=told))
    return redirect(url_for(".session", session_id=found.id))


@bp.get("/meetings/<int:session_id>/presence")
@allow(COORD)
def presence(session_id):
    found = _session(session_id)
    now = utcnow()
    away_p, away_c, freed = services.absentees(found, now=now) if found.published_at else (set(), set(), [])
    return render_template(
        "meetings/presence.html",
        session=found,
        programmers=services.programmers_taking_part(found),
        companies=services.companies_taking_part(found),
        here=services.present_programmers(found),
        away_p=away_p,
        away_c=away_c,
        freed=len(freed),
    )


@bp.post("/meetings/<int:session_id>/presence")
@allow(COORD)
def presence_set(session_id):
    found = _session(session_id)
    now = utcnow()
    person, company = request.form.get("programmer_id", ""), request.form.get("company_id", "")
    if person.isdigit():
        act(
            lambda: services.set_present(found, int(person), request.form.get("present") == "1", now=now),
            _("Noté."),
        )
    elif company.isdigit():
        act(
            lambda: services.set_company_absent(found, int(company), request.form.get("absent") == "1"),
            _("Noté."),
        )
    return redirect(url_for(".presence", session_id=found.id, _anchor=request.form.get("anchor") or None))


@bp.post("/meetings/<int:session_id>/replan")
@allow(COORD)
def replan(session_id):
    found = _session(session_id)
    result = act(
        lambda: services.replan_for_absentees(found, now=utcnow(), tell=notices.tell),
        _("Planning refait pour les absents."),
    )
    if result is not None:
        flash(
            _(
                "%(freed)s rendez-vous libéré(s), %(added)s nouveau(x), %(told)s personne(s) prévenue(s).",
                freed=result["freed"],
                added=result["added"],
                told=result["told"],
            )
        )
    return redirect(url_for(".presence", session_id=found.id))


# --- Both sides' wishes -------------------------------------------------------------------------------


def _choices(form, ids) -> tuple[dict, dict, dict]:
    """From the form's `wish-ID` and `rank-ID` fields: {id: (level, rank)} to save, {id: (level, text)}
    as typed, {id: message} for a rank that is not a number from 1 to 99."""
    choices, typed, errors = {}, {}, {}
    for other in ids:
        level = form.get(f"wish-{other}", "")
        if level not in {w.value for w in Wish}:
            level = ""
        text = (form.get(f"rank-{other}") or "").strip()
        rank = int(text) if text.isdigit() and 1 <= int(text) <= 99 else None
        if text and rank is None:
            errors[other] = _("Un rang de 1 (le plus souhaité) à 99.")
        choices[other], typed[other] = (level, rank), (level, text)
    return choices, typed, errors


def _save_wishes(session, side, owner_id, ids, now):
    """Save the posted wishes; (typed values to show again, errors) when something is refused."""
    choices, typed, errors = _choices(request.form, ids)
    if not errors:
        try:
            kept = services.save_wishes(session, side, owner_id, choices, now=now)
        except DomainError as error:
            db.session.rollback()
            errors[None] = error.message
        else:
            db.session.commit()
            flash(_("%(n)s souhait(s) enregistré(s). Vous pouvez les changer jusqu'à la clôture.", n=kept))
            return None, None
    return typed, errors


def _typed(wishes) -> dict:
    return {other: (w.level.value, w.rank) for other, w in wishes.items()}


@bp.route("/meetings/<int:session_id>/company", methods=["GET", "POST"])
@allow(MEMBER)
def company_page(session_id):
    """A company's page for one session: taking part, its wishes, then its schedule to mark."""
    found = _session(session_id)
    if not services.may_join_as_company(found, current_user.company_id):
        abort(404)
    return _company_screen(found, current_user.company_id, url_for(".company_page", session_id=found.id))


@bp.route("/meetings/<int:session_id>/companies/<int:company_id>", methods=["GET", "POST"])
@allow(COORD)
def company_view(session_id, company_id):
    """The same page for the coordination, for a company that takes part (to help or to mark)."""
    found = _session(session_id)
    if services.company_entry(found, company_id) is None:
        abort(404)
    back = url_for(".company_view", session_id=found.id, company_id=company_id)
    return _company_screen(found, company_id, back)


def _company_screen(found, company_id, here):
    now = utcnow()
    entry = services.company_entry(found, company_id)
    typed, errors, status = None, {}, 200
    if request.method == "POST":
        action = request.form.get("action")
        if action == "join":
            act(lambda: services.join_as_company(found, company_id, request.form.get("at_table"), now=now),
                _("Votre compagnie participe aux rencontres."))  # fmt: skip
            return redirect(here)
        if action == "leave":
            act(lambda: services.leave_as_company(found, company_id, now=now), _("Vous ne participez plus."))
            return redirect(
                url_for(".company_page", session_id=found.id)
                if current_user.role == MEMBER
                else url_for(".session", session_id=found.id)
            )
        if action == "wishes" and entry is not None:
            ids = [p.programmer_id for p, _o in services.programmers_taking_part(found)]
            typed, errors = _save_wishes(found, Side.COMPANY, company_id, ids, now)
            if typed is None:
                return redirect(
                    url_for(".company_page", session_id=found.id, company_id=request.values.get("company_id"))
                )
            status = 422
    people = services.programmers_taking_part(found) if entry is not None else []
    schedule = (
        services.company_schedule(company_id, edition_id=found.edition_id) if found.published_at else []
    )
    return render_template(
        "meetings/company.html",
        session=found,
        company=db.session.get(Organisation, company_id),
        entry=entry,
        people=people,
        typed=typed if typed is not None else _typed(services.wishes_of(found, Side.COMPANY, company_id)),
        errors=errors,
        levels=Wish,
        open=services.wishes_open(found, now),
        times={n: (s, e) for n, s, e in services.round_times(found)},
        people_rows=[(p.programmer_id, person.full_name, _who(person)) for p, person in people],
        schedule=[(m, _who(m.programmer, name=True)) for s, m in schedule if s.id == found.id],
        now=now,
    ), status


@bp.post("/meetings/outcome/<int:meeting_id>")
@allow(MEMBER, COORD)
def mark(meeting_id):
    meeting = db.get_or_404(Meeting, meeting_id)
    found = _session(meeting.session_id)
    if current_user.role == MEMBER and meeting.company_id != current_user.company_id:
        abort(404)
    outcome = request.form.get("outcome", "")
    if outcome not in ("", *(o.value for o in MeetingOutcome)):
        abort(400)
    act(
        lambda: services.mark(meeting, outcome or None, user=current_user, now=utcnow()),
        _("Rendez-vous noté."),
    )
    if current_user.role == COORD:
        return redirect(
            url_for(
                ".company_view", session_id=found.id, company_id=meeting.company_id, _anchor=f"m{meeting.id}"
            )
        )
    return redirect(url_for(".company_page", session_id=found.id, _anchor=f"m{meeting.id}"))


def _who(person, *, name=False) -> str:
    """A programmer as the other side sees them: job, structure, département (and name)."""
    structure = person.organisation.name if person.organisation else None
    code = f"({person.departement_code})" if person.departement_code else None
    detail = ", ".join(p for p in (person.job_title, structure, code) if p)
    if not name:
        return detail
    return f"{person.full_name} — {detail}" if detail else person.full_name


def _companies_with_shows(session) -> dict:
    """{company id: [show titles]} of the accepted registrations, for the programmer's choice."""
    rows = db.session.execute(
        select(Registration.company_id, Show.title)
        .join(Show, Show.id == Registration.show_id)
        .where(
            Registration.edition_id == session.edition_id, Registration.status == RegistrationStatus.ACCEPTED
        )
        .order_by(Show.title)
    ).all()
    found = {}
    for company, title in rows:
        found.setdefault(company, []).append(title)
    return found


@bp.route("/rsvp/<token>/meetings/<int:session_id>", methods=["GET", "POST"])
@allow(PUBLIC)
def programmer_page(token, session_id):
    """The programmer's page for one session, from their invitation link: no account."""
    now = utcnow()
    try:
        invitation = invitations.by_token(token, now=now)
    except LinkError as error:
        return render_template("invitations/link_error.html", message=error.message), 404
    found = db.session.get(MeetingSession, session_id)
    if found is None or found.edition_id != invitation.edition_id:
        abort(404)
    entry = services.programmer_entry(found, invitation.programmer_id)
    typed, errors, status = None, {}, 200
    if request.method == "POST":
        action = request.form.get("action")
        if action == "join":
            act(
                lambda: services.join_as_programmer(found, invitation, now=now),
                _("Vous participez aux rencontres."),
            )
            return redirect(url_for(".programmer_page", token=token, session_id=found.id))
        if action == "leave":
            act(
                lambda: services.leave_as_programmer(found, invitation, now=now),
                _("Vous ne participez plus."),
            )
            return redirect(url_for(".programmer_page", token=token, session_id=found.id))
        if action == "wishes" and entry is not None:
            ids = [c.company_id for c, _o in services.companies_taking_part(found)]
            typed, errors = _save_wishes(found, Side.PROGRAMMER, invitation.programmer_id, ids, now)
            if typed is None:
                return redirect(url_for(".programmer_page", token=token, session_id=found.id))
            status = 422
    companies = services.companies_taking_part(found) if entry is not None else []
    shows = _companies_with_shows(found) if companies else {}
    schedule = (
        services.programmer_schedule(found.edition_id, invitation.programmer_id) if found.published_at else []
    )
    return render_template(
        "meetings/programmer.html",
        session=found,
        invitation=invitation,
        token=token,
        entry=entry,
        may_join=found in services.sessions_for_invitation(invitation),
        companies=companies,
        typed=typed
        if typed is not None
        else _typed(services.wishes_of(found, Side.PROGRAMMER, invitation.programmer_id)),
        errors=errors,
        levels=Wish,
        open=services.wishes_open(found, now),
        times={n: (s, e) for n, s, e in services.round_times(found)},
        company_rows=[
            (
                c.company_id,
                company.name,
                " · ".join([*shows.get(company.id, []), *([c.at_table] if c.at_table else [])]),
            )
            for c, company in companies
        ],
        schedule=[(m, m.company.name) for s, m in schedule if s.id == found.id],
    ), status
