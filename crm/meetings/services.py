"""Meeting sessions: setting one up, who takes part, the wishes of both sides, the plan, the day itself.

Plain functions; the views commit. Times are stored in UTC and shown in the network's zone.
"""

import logging
from collections import defaultdict
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import and_, delete, func, or_, select

from crm.base.errors import DomainError
from crm.base.extensions import db
from crm.base.timeutil import local, to_utc
from crm.checkin.models import Attendance
from crm.contacts.models import Organisation, Programmer
from crm.invitations.models import Answer, Invitation, InvitationDay, InvitationShow
from crm.meetings import planner
from crm.meetings.events import MeetingPlanned, meeting_planned
from crm.meetings.models import (
    ROUND_LENGTHS,
    Meeting,
    MeetingCompany,
    MeetingOutcome,
    MeetingProgrammer,
    MeetingSession,
    MeetingWish,
    Side,
    Wish,
)
from crm.showcase.models import (
    Assignment,
    EditionVenue,
    Registration,
    RegistrationStatus,
    Slot,
    SlotStatus,
)

log = logging.getLogger(__name__)

SETTINGS = (
    "name", "venue_id", "day", "starts", "rounds", "round_minutes", "changeover_minutes", "tables",
    "break_after", "break_minutes", "wishes_close_at", "max_per_programmer", "max_per_company",
    "min_per_company",
)  # fmt: skip


# --- The session --------------------------------------------------------------------------------------


def round_times(session) -> list[tuple[int, datetime, datetime]]:
    """[(round, start, end)] in UTC: rounds follow each other after the changeover, and after a break
    where one is set."""
    start = to_utc(session.day, session.starts)
    breaks = set(session.break_after or ())
    times = []
    for number in range(1, session.rounds + 1):
        end = start + timedelta(minutes=session.round_minutes)
        times.append((number, start, end))
        start = end + timedelta(minutes=session.changeover_minutes)
        if number in breaks:
            start += timedelta(minutes=session.break_minutes)
    return times


def ends_at(session) -> datetime:
    return round_times(session)[-1][2]


def venues_of(edition) -> list:
    return list(
        db.session.scalars(
            select(Organisation)
            .join(EditionVenue, EditionVenue.venue_id == Organisation.id)
            .where(EditionVenue.edition_id == edition.id)
            .order_by(Organisation.name)
        )
    )


def _check(edition, data) -> None:
    if not 1 <= (data["rounds"] or 0) <= 40:
        raise DomainError(_("Entre 1 et 40 tours."), field="rounds")
    if (data["tables"] or 0) < 1:
        raise DomainError(_("Au moins une table."), field="tables")
    if not edition.starts_on <= data["day"] <= edition.ends_on:
        raise DomainError(_("Choisissez un jour de l'édition."), field="day")
    if data["venue_id"] not in {v.id for v in venues_of(edition)}:
        raise DomainError(_("Choisissez un lieu de l'édition."), field="venue_id")
    if data["round_minutes"] not in ROUND_LENGTHS:
        raise DomainError(_("Un tour dure 10, 15, 20 ou 30 minutes."), field="round_minutes")
    if any(r < 1 or r >= data["rounds"] for r in data["break_after"]):
        raise DomainError(
            _("Une pause se place après un tour, entre le premier et l'avant-dernier."), field="break_after"
        )
    if data["min_per_company"] > data["max_per_company"]:
        raise DomainError(
            _("Le minimum par compagnie ne peut dépasser son maximum."), field="min_per_company"
        )
    probe = MeetingSession(**{k: data[k] for k in SETTINGS})
    if local(ends_at(probe)).date() != data["day"]:
        raise DomainError(
            _("La session doit finir le jour même : moins de tours ou plus tôt."), field="rounds"
        )


def save_session(edition, session, data: dict) -> MeetingSession:
    """Create (session None) or change a session. Its times can change until it is published."""
    _check(edition, data)
    if session is None:
        session = MeetingSession(network_id=edition.network_id, edition_id=edition.id)
        db.session.add(session)
    elif session.published_at is not None:
        moved = [k for k in ("day", "starts", "rounds", "round_minutes", "changeover_minutes",
                             "break_after", "break_minutes", "tables", "venue_id")
                 if data[k] != getattr(session, k)]  # fmt: skip
        if moved:
            raise DomainError(
                _("Le planning est publié : ses horaires, ses tables et son lieu ne changent plus."),
                field=moved[0],
            )
    for key in SETTINGS:
        setattr(session, key, data[key])
    db.session.flush()
    return session


def sessions_of(edition_id) -> list:
    return list(
        db.session.scalars(
            select(MeetingSession)
            .where(MeetingSession.edition_id == edition_id)
            .order_by(MeetingSession.day, MeetingSession.starts, MeetingSession.id)
        )
    )


def wishes_open(session, now) -> bool:
    return session.published_at is None and (session.wishes_close_at is None or now < session.wishes_close_at)


def _wishes_must_be_open(session, now):
    if session.published_at is not None:
        raise DomainError(_("Le planning est publié : les souhaits ne changent plus."))
    if not wishes_open(session, now):
        raise DomainError(_("Les souhaits sont clos pour cette session."))


# --- Who takes part -----------------------------------------------------------------------------------


def eligible_companies(session) -> list:
    """Companies with an accepted registration in the session's edition."""
    return list(
        db.session.scalars(
            select(Organisation)
            .where(
                Organisation.id.in_(
                    select(Registration.company_id).where(
                        Registration.edition_id == session.edition_id,
                        Registration.status == RegistrationStatus.ACCEPTED,
                    )
                )
            )
            .order_by(Organisation.name)
        )
    )


def may_join_as_company(session, company_id) -> bool:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Registration)
            .where(
                Registration.edition_id == session.edition_id,
                Registration.company_id == company_id,
                Registration.status == RegistrationStatus.ACCEPTED,
            )
        )
        > 0
    )


def company_entry(session, company_id) -> MeetingCompany | None:
    return db.session.get(MeetingCompany, (session.id, company_id))


def join_as_company(session, company_id, at_table, *, now) -> MeetingCompany:
    if not may_join_as_company(session, company_id):
        raise DomainError(_("Seules les compagnies retenues dans l'édition prennent part aux rencontres."))
    entry = company_entry(session, company_id)
    if entry is None:
        _wishes_must_be_open(session, now)
        entry = MeetingCompany(session_id=session.id, company_id=company_id, joined_at=now)
        db.session.add(entry)
    entry.at_table = (at_table or "").strip()[:200] or None
    db.session.flush()
    return entry


def leave_as_company(session, company_id, *, now) -> None:
    _wishes_must_be_open(session, now)
    for model in (MeetingWish, Meeting):  # a proposal made meanwhile loses the company's meetings
        db.session.execute(
            delete(model).where(model.session_id == session.id, model.company_id == company_id)
        )
    db.session.execute(
        delete(MeetingCompany).where(
            MeetingCompany.session_id == session.id, MeetingCompany.company_id == company_id
        )
    )
    db.session.flush()


def sessions_for_invitation(invitation) -> list:
    """The sessions on the days the person said they would come (only those who come may take part)."""
    if invitation.answer != Answer.COMING:
        return []
    days = [d.day for d in invitation.days]
    return [s for s in sessions_of(invitation.edition_id) if s.day in days]


def programmer_entry(session, programmer_id) -> MeetingProgrammer | None:
    return db.session.get(MeetingProgrammer, (session.id, programmer_id))


def join_as_programmer(session, invitation, *, now) -> MeetingProgrammer:
    if session not in sessions_for_invitation(invitation):
        raise DomainError(_("Répondez d'abord « Je viens » pour le jour de la session."))
    entry = programmer_entry(session, invitation.programmer_id)
    if entry is None:
        _wishes_must_be_open(session, now)
        entry = MeetingProgrammer(
            session_id=session.id,
            programmer_id=invitation.programmer_id,
            invitation_id=invitation.id,
            joined_at=now,
        )
        db.session.add(entry)
        db.session.flush()
    return entry


def leave_as_programmer(session, invitation, *, now) -> None:
    _wishes_must_be_open(session, now)
    person = invitation.programmer_id
    for model in (MeetingWish, Meeting):
        db.session.execute(delete(model).where(model.session_id == session.id, model.programmer_id == person))
    db.session.execute(
        delete(MeetingProgrammer).where(
            MeetingProgrammer.session_id == session.id, MeetingProgrammer.programmer_id == person
        )
    )
    db.session.flush()


def _coming(session):
    """Condition: the invitation says "coming" on the session's day."""
    return and_(
        Invitation.answer == Answer.COMING,
        Invitation.id.in_(select(InvitationDay.invitation_id).where(InvitationDay.day == session.day)),
    )


def programmers_taking_part(session) -> list:
    """[(MeetingProgrammer, Programmer)] of those still coming that day, by name."""
    return db.session.execute(
        select(MeetingProgrammer, Programmer)
        .join(Programmer, Programmer.id == MeetingProgrammer.programmer_id)
        .join(Invitation, Invitation.id == MeetingProgrammer.invitation_id)
        .where(MeetingProgrammer.session_id == session.id, _coming(session), Programmer.erased_at.is_(None))
        .options(db.joinedload(Programmer.organisation))
        .order_by(Programmer.last_name, Programmer.first_name, Programmer.id)
    ).all()


def companies_taking_part(session) -> list:
    """[(MeetingCompany, Organisation)] by name."""
    return db.session.execute(
        select(MeetingCompany, Organisation)
        .join(Organisation, Organisation.id == MeetingCompany.company_id)
        .where(MeetingCompany.session_id == session.id)
        .order_by(Organisation.name, Organisation.id)
    ).all()


# --- Wishes -------------------------------------------------------------------------------------------


def wishes_of(session, side, owner_id) -> dict:
    """{other side's id: MeetingWish} of one person (programmer) or one company."""
    column = MeetingWish.programmer_id if side == Side.PROGRAMMER else MeetingWish.company_id
    other = "company_id" if side == Side.PROGRAMMER else "programmer_id"
    rows = db.session.scalars(
        select(MeetingWish).where(
            MeetingWish.session_id == session.id, MeetingWish.side == side, column == owner_id
        )
    )
    return {getattr(w, other): w for w in rows}


def save_wishes(session, side, owner_id, choices: dict, *, now) -> int:
    """Replace one side's wishes: `choices` {other id: (level or "", rank or None)}. Only people of the
    other side who take part may be named; ranks are 1 and up. Returns how many wishes are kept."""
    _wishes_must_be_open(session, now)
    entry = (
        programmer_entry(session, owner_id) if side == Side.PROGRAMMER else company_entry(session, owner_id)
    )
    if entry is None:
        raise DomainError(_("Inscrivez-vous à la session avant de donner vos souhaits."))
    if side == Side.PROGRAMMER:
        allowed = {c.company_id for c, _o in companies_taking_part(session)}
    else:
        allowed = {p.programmer_id for p, _o in programmers_taking_part(session)}
    column = MeetingWish.programmer_id if side == Side.PROGRAMMER else MeetingWish.company_id
    db.session.execute(
        delete(MeetingWish).where(
            MeetingWish.session_id == session.id, MeetingWish.side == side, column == owner_id
        )
    )
    kept = 0
    for other, (level, rank) in choices.items():
        if not level:
            continue
        if other not in allowed:
            raise DomainError(_("Cette personne ne participe pas (ou plus) à la session."))
        if rank is not None and rank < 1:
            raise DomainError(_("Le rang commence à 1 (le plus souhaité)."), field=f"rank-{other}")
        pair = (owner_id, other) if side == Side.PROGRAMMER else (other, owner_id)
        db.session.add(
            MeetingWish(
                session_id=session.id,
                side=side,
                programmer_id=pair[0],
                company_id=pair[1],
                level=Wish(level),
                rank=rank if level != Wish.NO else None,
                updated_at=now,
            )
        )
        kept += 1
    db.session.flush()
    return kept


def wish_counts(session) -> dict:
    """{(side, level): n} for the session, counted by the database."""
    rows = db.session.execute(
        select(MeetingWish.side, MeetingWish.level, func.count())
        .where(MeetingWish.session_id == session.id)
        .group_by(MeetingWish.side, MeetingWish.level)
    ).all()
    return {(side, level): n for side, level, n in rows}


# --- From the database to the planner and back ---------------------------------------------------------


def _overlapping(times, start, end) -> set:
    return {number for number, r_start, r_end in times if r_start < end and start < r_end}


def blocked_rounds(session, programmer_ids, company_ids) -> dict:
    """{("c", company): rounds it plays in (setup and strike included), ("p", programmer): rounds
    when a show they said interests them is on}; two queries."""
    times = round_times(session)
    day_start, day_end = times[0][1] - timedelta(hours=12), times[-1][2] + timedelta(hours=12)
    on_stage = (
        select(
            Registration.company_id,
            Registration.show_id,
            Registration.setup_minutes,
            Registration.strike_minutes,
            Slot.starts_at,
            Slot.ends_at,
        )
        .join(Assignment, Assignment.registration_id == Registration.id)
        .join(Slot, Slot.id == Assignment.slot_id)
        .where(
            Slot.edition_id == session.edition_id,
            Slot.status == SlotStatus.PLANNED,
            Slot.starts_at < day_end,
            Slot.ends_at > day_start,
        )
    )
    blocked = defaultdict(set)
    shows = defaultdict(list)
    for company, show, setup, strike, starts, ends in db.session.execute(on_stage):
        shows[show].append((starts, ends))
        if company in company_ids:
            start = starts - timedelta(minutes=setup or 0)
            blocked["c", company] |= _overlapping(times, start, ends + timedelta(minutes=strike or 0))
    interests = db.session.execute(
        select(Invitation.programmer_id, InvitationShow.show_id)
        .join(InvitationShow, InvitationShow.invitation_id == Invitation.id)
        .where(Invitation.edition_id == session.edition_id, Invitation.programmer_id.in_(programmer_ids))
    )
    for person, show in interests:
        for starts, ends in shows.get(show, ()):
            blocked["p", person] |= _overlapping(times, starts, ends)
    return dict(blocked)


def problem_for(session, *, programmers=None, companies=None) -> planner.Problem:
    """The planner's view of the session (who takes part, unless given, their wishes, their blocked
    rounds, who came from far); a bounded number of queries."""
    people = programmers_taking_part(session)
    teams = companies_taking_part(session)
    programmer_ids = programmers if programmers is not None else [p.programmer_id for p, _o in people]
    company_ids = companies if companies is not None else [c.company_id for c, _o in teams]
    wishes = {}
    for wish in db.session.scalars(select(MeetingWish).where(MeetingWish.session_id == session.id)):
        current = list(wishes.get((wish.programmer_id, wish.company_id), (None, None, None, None)))
        at = 0 if wish.side == Side.PROGRAMMER else 2
        current[at], current[at + 1] = wish.level, wish.rank
        wishes[wish.programmer_id, wish.company_id] = tuple(current)
    venue = db.session.get(Organisation, session.venue_id)
    far = {
        person.id
        for _entry, person in people
        if venue.departement_code and person.departement_code not in (None, venue.departement_code)
    }
    return planner.Problem(
        rounds=session.rounds,
        tables=session.tables,
        programmers=programmer_ids,
        companies=company_ids,
        wishes=wishes,
        blocked=blocked_rounds(session, set(programmer_ids), set(company_ids)),
        max_per_programmer=session.max_per_programmer,
        max_per_company=session.max_per_company,
        min_per_company=session.min_per_company,
        far=far,
    )


def meetings_of(session) -> list:
    return list(
        db.session.scalars(
            select(Meeting)
            .where(Meeting.session_id == session.id)
            .options(db.joinedload(Meeting.programmer), db.joinedload(Meeting.company))
            .order_by(Meeting.round, Meeting.table_number)
        )
    )


def _invitations(session, programmer_ids) -> dict:
    return dict(
        db.session.execute(
            select(Invitation.programmer_id, Invitation.id).where(
                Invitation.edition_id == session.edition_id, Invitation.programmer_id.in_(programmer_ids)
            )
        ).all()
    )


def _write(session, meetings, *, now) -> None:
    invitations = _invitations(session, {p for p, *_ in meetings})
    db.session.add_all(
        Meeting(
            session_id=session.id,
            programmer_id=p,
            invitation_id=invitations[p],
            company_id=c,
            round=r,
            table_number=t,
            created_at=now,
        )
        for p, c, r, t in meetings
    )


def _keep_result(session, problem, result, *, now) -> None:
    """The plan's quality, and each unmet wish as [programmer, company, side, reason, level]."""
    session.planned_at = now
    session.plan_optimal = result.optimal
    session.plan_gap = result.gap
    session.plan_seconds = result.seconds
    session.unmet = [
        [p, c, side, reason, str(problem.wishes[p, c][0 if side == "programmer" else 2])]
        for p, c, side, reason in result.unmet
    ]


def plan(session, *, now, seconds=8.0, repeatable=False) -> planner.Plan:
    """Plan the whole session anew (a proposal: nobody sees it until it is published)."""
    if session.published_at is not None:
        raise DomainError(
            _("Le planning est publié : replanifiez pour les absents, le jour même, plutôt que tout refaire.")
        )
    problem = problem_for(session)
    if not problem.programmers or not problem.companies:
        raise DomainError(_("Il faut au moins une compagnie et un·e programmateur·rice inscrits."))
    result = planner.solve(problem, seconds=seconds, repeatable=repeatable)
    db.session.execute(delete(Meeting).where(Meeting.session_id == session.id))
    _write(session, result.meetings, now=now)
    _keep_result(session, problem, result, now=now)
    db.session.flush()
    log.info(
        "meeting session %s planned: %d meetings, optimal %s, gap %.4f, %.2f s",
        session.id, len(result.meetings), result.optimal, result.gap, result.seconds,
    )  # fmt: skip
    return result


def schedules(session, meetings=None) -> dict:
    """{("p", id) | ("c", id): [Meeting, …]} in round order."""
    found = defaultdict(list)
    for meeting in meetings if meetings is not None else meetings_of(session):
        found["p", meeting.programmer_id].append(meeting)
        found["c", meeting.company_id].append(meeting)
    return dict(found)


def publish(session, *, now, tell) -> int:
    """Both sides now see their schedule; each gets one message with it (`tell(session, who, meetings)`,
    given by the caller that knows how to write). Returns how many were told."""
    if session.published_at is not None:
        raise DomainError(_("Ce planning est déjà publié."))
    meetings = meetings_of(session)
    if not meetings:
        raise DomainError(_("Planifiez la session avant de la publier."))
    session.published_at = now
    db.session.flush()
    told = 0
    for who, theirs in schedules(session, meetings).items():
        told += bool(tell(session, who, theirs))
    _tell_planned(session, replanned=False)
    return told


def _tell_planned(session, *, replanned: bool) -> None:
    meeting_planned.send(
        session.network_id,
        event=MeetingPlanned(
            network_id=session.network_id,
            edition_id=session.edition_id,
            session_id=session.id,
            replanned=replanned,
        ),
    )


# --- The day itself -----------------------------------------------------------------------------------


def present_programmers(session) -> set:
    """Who is here: ticked in on the session's list, or checked in at a slot of the edition that day."""
    day_start = to_utc(session.day, datetime.min.time())
    checked = (
        select(Attendance.programmer_id)
        .join(Slot, Slot.id == Attendance.slot_id)
        .where(
            Slot.edition_id == session.edition_id,
            Slot.starts_at >= day_start,
            Slot.starts_at < day_start + timedelta(days=1),
        )
    )
    return set(
        db.session.scalars(
            select(MeetingProgrammer.programmer_id).where(
                MeetingProgrammer.session_id == session.id,
                or_(MeetingProgrammer.present_at.is_not(None), MeetingProgrammer.programmer_id.in_(checked)),
            )
        )
    )


def set_present(session, programmer_id, present: bool, *, now) -> None:
    entry = programmer_entry(session, programmer_id)
    if entry is None:
        raise DomainError(_("Cette personne ne participe pas à la session."))
    entry.present_at = now if present else None
    db.session.flush()


def set_company_absent(session, company_id, absent: bool) -> None:
    entry = company_entry(session, company_id)
    if entry is None:
        raise DomainError(_("Cette compagnie ne participe pas à la session."))
    entry.absent = absent
    db.session.flush()


def absentees(session, *, now) -> tuple[set, set, list]:
    """(programmers, companies) who have a meeting still to come and are not here, and those meetings."""
    here = present_programmers(session)
    waiting = [m for m in meetings_of(session) if m.round in _rounds_to_come(session, now)]
    away_companies = {c.company_id for c, _o in companies_taking_part(session) if c.absent}
    away_p = {m.programmer_id for m in waiting if m.programmer_id not in here}
    away_c = {m.company_id for m in waiting if m.company_id in away_companies}
    return away_p, away_c, [m for m in waiting if m.programmer_id in away_p or m.company_id in away_c]


def _rounds_to_come(session, now) -> set:
    return {n for n, start, _end in round_times(session) if start > now}


def replan_for_absentees(session, *, now, tell, seconds=3.0) -> dict:
    """The meetings of who is not here are freed, and the holes filled from the waiting wishes of who is,
    in the rounds still to come; nobody present is moved. Those whose schedule changed are told."""
    if session.published_at is None:
        raise DomainError(_("Publiez le planning d'abord : avant, planifiez simplement à nouveau."))
    if local(now).date() != session.day:
        # Before the day nobody is checked in yet: every meeting would look like an absentee's.
        raise DomainError(
            _("La replanification pour les absents se fait le jour de la session, à l'accueil.")
        )
    open_rounds = _rounds_to_come(session, now)
    if not open_rounds:
        raise DomainError(_("Tous les tours ont commencé : il n'y a plus rien à replanifier."))
    away_p, away_c, dropped = absentees(session, now=now)
    kept = [m for m in meetings_of(session) if m not in dropped]
    here = present_programmers(session)
    people = [p.programmer_id for p, _o in programmers_taking_part(session) if p.programmer_id in here]
    teams = [c.company_id for c, _o in companies_taking_part(session) if not c.absent]
    problem = problem_for(session, programmers=people, companies=teams)
    # Kept meetings hold their people and tables, whoever they are (an absentee's earlier rounds too).
    problem.programmers = sorted(set(people) | {m.programmer_id for m in kept})
    problem.companies = sorted(set(teams) | {m.company_id for m in kept})
    problem.fixed = [(m.programmer_id, m.company_id, m.round, m.table_number) for m in kept]
    problem.open_rounds = open_rounds
    # Only who is here gets new meetings; an absentee's earlier, kept rounds stay as they were.
    here_pairs = {(p, c) for p in people for c in teams}
    problem.wishes = {pair: wish for pair, wish in problem.wishes.items() if pair in here_pairs}
    result = planner.solve(problem, seconds=seconds)
    fixed = set(problem.fixed)
    new = [m for m in result.meetings if m not in fixed]
    changed = {("p", m.programmer_id) for m in dropped} | {("c", m.company_id) for m in dropped}
    changed |= {("p", p) for p, *_ in new} | {("c", c) for _p, c, *_ in new}
    for meeting in dropped:
        db.session.delete(meeting)
    db.session.flush()
    _write(session, new, now=now)
    _keep_result(session, problem, result, now=now)
    db.session.flush()
    told = 0
    if changed:
        after = schedules(session)
        for who in sorted(changed):
            if who in {("p", p) for p in away_p} | {("c", c) for c in away_c}:
                continue  # not here: nothing to read on the spot
            told += bool(tell(session, who, after.get(who, []), changed=True))
    if dropped or new:
        _tell_planned(session, replanned=True)
    log.info("meeting session %s re-planned: %d freed, %d added", session.id, len(dropped), len(new))
    return {"freed": len(dropped), "added": len(new), "told": told, "result": result}


def mark(meeting, outcome, *, user, now) -> None:
    """Held or missed, from the company's phone or by the coordination; can be changed."""
    if meeting.session.published_at is None:
        raise DomainError(_("Le planning n'est pas encore publié."))
    start = next(s for n, s, _e in round_times(meeting.session) if n == meeting.round)
    if now < start:
        raise DomainError(_("Ce rendez-vous n'a pas encore commencé."))
    meeting.outcome = MeetingOutcome(outcome) if outcome else None
    meeting.marked_at = now
    meeting.marked_by_id = user.id if user else None
    db.session.flush()


def programmer_schedule(edition_id, programmer_id) -> list:
    """[(session, meeting)] of the published sessions of an edition, for the person's pages and agenda."""
    return db.session.execute(
        select(MeetingSession, Meeting)
        .join(Meeting, Meeting.session_id == MeetingSession.id)
        .where(
            MeetingSession.edition_id == edition_id,
            MeetingSession.published_at.is_not(None),
            Meeting.programmer_id == programmer_id,
        )
        .options(db.joinedload(Meeting.company))
        .order_by(MeetingSession.day, MeetingSession.starts, Meeting.round)
    ).all()


def company_schedule(company_id, *, edition_id=None) -> list:
    """[(session, meeting)] of the company's published sessions (one edition, or all)."""
    query = (
        select(MeetingSession, Meeting)
        .join(Meeting, Meeting.session_id == MeetingSession.id)
        .where(MeetingSession.published_at.is_not(None), Meeting.company_id == company_id)
        .options(db.joinedload(Meeting.programmer).joinedload(Programmer.organisation))
        .order_by(MeetingSession.day, MeetingSession.starts, Meeting.round)
    )
    if edition_id is not None:
        query = query.where(MeetingSession.edition_id == edition_id)
    return db.session.execute(query).all()


def sessions_for_company(company_id, edition_ids) -> list:
    """[(session, taking part)] of the editions where the company has an accepted registration; one query."""
    accepted = select(Registration.edition_id).where(
        Registration.company_id == company_id, Registration.status == RegistrationStatus.ACCEPTED
    )
    joined = (
        select(MeetingCompany.session_id)
        .where(MeetingCompany.company_id == company_id)
        .where(MeetingCompany.session_id == MeetingSession.id)
        .exists()
    )
    return db.session.execute(
        select(MeetingSession, joined)
        .where(MeetingSession.edition_id.in_(list(edition_ids)), MeetingSession.edition_id.in_(accepted))
        .order_by(MeetingSession.day, MeetingSession.starts)
    ).all()
