"""Meeting sessions against the database: setting one up, who may join, wishes, the plan with the rounds
people are busy in, publication, the re-plan for absentees on the day, and marking a meeting."""

from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace

import pytest
import time_machine
from sqlalchemy import select

from crm.base.errors import DomainError
from crm.base.extensions import db
from crm.base.timeutil import to_utc
from crm.checkin import services as checkin
from crm.invitations.models import Answer, Invitation, InvitationDay, InvitationShow
from crm.meetings import services
from crm.meetings.models import Meeting, MeetingOutcome, MeetingSession, Side, Wish
from crm.showcase.models import RegistrationStatus, SlotStatus
from tests import factories

DAY = date(2027, 3, 4)  # world A's planned edition runs on 4 and 5 March 2027
BEFORE = datetime(2027, 2, 1, 9, tzinfo=UTC)


def settings(venue, **changes):
    data = {
        "name": "Rencontres professionnelles",
        "venue_id": venue.id,
        "day": DAY,
        "starts": time(10),
        "rounds": 3,
        "round_minutes": 15,
        "changeover_minutes": 5,
        "tables": 2,
        "break_after": [],
        "break_minutes": 0,
        "wishes_close_at": datetime(2027, 3, 1, 12, tzinfo=UTC),
        "max_per_programmer": 3,
        "max_per_company": 3,
        "min_per_company": 0,
    }
    return data | changes


def coming(edition, person, *, day=DAY, answer=Answer.COMING, invitation=None):
    """The person's invitation, answered, with the day they come."""
    invitation = invitation or factories.invitation(edition, person)
    invitation.answer = answer
    invitation.days = [InvitationDay(day=day)]
    db.session.flush()
    return invitation


@pytest.fixture
def meet(world):
    """A session of world A's planned edition: its two companies accepted, four programmers coming."""
    a = world.a
    edition = a.planned
    factories.accepted(edition, a.companies[1], a.shows[1])
    extra = factories.programmer(a.network, a.coordinator, a.venue, last_name="Programmateur A3")
    people = [*a.programmers, a.member_contact, extra]
    first = db.session.scalar(select(Invitation).where(Invitation.programmer_id == people[0].id))
    invitations = [coming(edition, people[0], invitation=first)] + [coming(edition, p) for p in people[1:]]
    db.session.commit()
    return SimpleNamespace(
        a=a, edition=edition, companies=a.companies, people=people, invitations=invitations
    )


def new_session(meet, **changes):
    session = services.save_session(meet.edition, None, settings(meet.a.venue, **changes))
    for company in meet.companies:
        services.join_as_company(session, company.id, None, now=BEFORE)
    for invitation in meet.invitations:
        services.join_as_programmer(session, invitation, now=BEFORE)
    return session


def wish(session, person, company, level, rank=1):
    """Add one programmer's wish about one company, keeping their others."""
    current = services.wishes_of(session, Side.PROGRAMMER, person.id)
    choices = {c: (w.level.value, w.rank) for c, w in current.items()}
    choices[company.id] = (level, rank)
    services.save_wishes(session, Side.PROGRAMMER, person.id, choices, now=BEFORE)


def rows(session):
    return sorted(
        (m.programmer_id, m.company_id, m.round, m.table_number)
        for m in db.session.scalars(select(Meeting).where(Meeting.session_id == session.id))
    )


# --- Setting a session up -------------------------------------------------------------------------------


def test_a_session_is_saved_with_its_settings(meet):
    session = services.save_session(
        meet.edition, None, settings(meet.a.venue, break_after=[2], break_minutes=10)
    )
    db.session.commit()
    assert db.session.get(MeetingSession, session.id).network_id == meet.edition.network_id
    times = services.round_times(session)
    assert [start for _n, start, _end in times] == [
        to_utc(DAY, time(10)),
        to_utc(DAY, time(10, 20)),
        to_utc(DAY, time(10, 50)),  # after the break that follows round 2
    ]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"day": date(2027, 3, 6)}, "day"),
        ({"day": date(2027, 3, 3)}, "day"),
        ({"break_after": [3]}, "break_after"),
        ({"break_after": [0]}, "break_after"),
        ({"min_per_company": 4, "max_per_company": 3}, "min_per_company"),
        ({"round_minutes": 25}, "round_minutes"),
        ({"starts": time(23), "rounds": 4}, "rounds"),  # 23:00 + 4 × 15 min + 3 × 5 min: past midnight
        ({"rounds": 0, "break_after": []}, "rounds"),
        ({"tables": 0}, "tables"),
    ],
)
def test_a_session_that_does_not_fit_is_refused_on_the_field_concerned(meet, changes, field):
    with pytest.raises(DomainError) as refused:
        services.save_session(meet.edition, None, settings(meet.a.venue, **changes))
    assert refused.value.field == field


def test_a_session_just_before_midnight_is_accepted(meet):
    session = services.save_session(meet.edition, None, settings(meet.a.venue, starts=time(23), rounds=2))
    assert services.ends_at(session) == to_utc(DAY, time(23, 35))


def test_a_venue_outside_the_edition_is_refused(meet):
    elsewhere = factories.structure(meet.a.network, name="Salle hors édition", is_venue=True)
    with pytest.raises(DomainError) as refused:
        services.save_session(meet.edition, None, settings(elsewhere))
    assert refused.value.field == "venue_id"


def test_a_published_session_keeps_its_times(meet):
    session = new_session(meet)
    wish(session, meet.people[0], meet.companies[0], "must")
    services.plan(session, now=BEFORE, seconds=2, repeatable=True)
    services.publish(session, now=BEFORE, tell=lambda *a, **k: True)
    with pytest.raises(DomainError) as refused:
        services.save_session(meet.edition, session, settings(meet.a.venue, starts=time(11)))
    assert refused.value.field == "starts"
    services.save_session(meet.edition, session, settings(meet.a.venue, name="Speed-meeting"))
    assert session.name == "Speed-meeting"


# --- Who takes part -------------------------------------------------------------------------------------


def test_only_companies_accepted_in_the_edition_join(meet):
    session = services.save_session(meet.edition, None, settings(meet.a.venue))
    outsider = factories.company(meet.a.network, name="Compagnie pas retenue")
    waitlisted = factories.accepted(meet.edition, outsider, factories.show(outsider))
    waitlisted.status = RegistrationStatus.WAITLISTED
    db.session.flush()
    with pytest.raises(DomainError):
        services.join_as_company(session, outsider.id, None, now=BEFORE)
    entry = services.join_as_company(session, meet.companies[0].id, "  Léa et Karim  ", now=BEFORE)
    assert entry.at_table == "Léa et Karim"
    assert {c.id for c in services.eligible_companies(session)} == {c.id for c in meet.companies}


def test_a_company_of_another_network_cannot_join(meet, world):
    session = services.save_session(meet.edition, None, settings(meet.a.venue))
    with pytest.raises(DomainError):
        services.join_as_company(session, world.b.companies[0].id, None, now=BEFORE)


@pytest.mark.parametrize(
    ("answer", "day"),
    [(Answer.MAYBE, DAY), (Answer.NOT_COMING, DAY), (Answer.COMING, date(2027, 3, 5)), (None, DAY)],
)
def test_a_programmer_not_coming_that_day_cannot_join(meet, answer, day):
    session = services.save_session(meet.edition, None, settings(meet.a.venue))
    person = factories.programmer(meet.a.network, meet.a.coordinator, last_name="Indécise")
    invitation = coming(meet.edition, person, day=day, answer=answer)
    with pytest.raises(DomainError):
        services.join_as_programmer(session, invitation, now=BEFORE)
    assert services.programmer_entry(session, person.id) is None


def test_a_programmer_coming_that_day_joins_once(meet):
    session = services.save_session(meet.edition, None, settings(meet.a.venue))
    first = services.join_as_programmer(session, meet.invitations[0], now=BEFORE)
    again = services.join_as_programmer(session, meet.invitations[0], now=BEFORE)
    assert first is again and first.invitation_id == meet.invitations[0].id


def test_nobody_new_joins_once_wishes_are_closed(meet):
    session = services.save_session(meet.edition, None, settings(meet.a.venue))
    closed = datetime(2027, 3, 2, tzinfo=UTC)
    with pytest.raises(DomainError):
        services.join_as_company(session, meet.companies[0].id, None, now=closed)
    with pytest.raises(DomainError):
        services.join_as_programmer(session, meet.invitations[0], now=closed)


# --- Wishes ---------------------------------------------------------------------------------------------


def test_wishes_name_only_people_who_take_part(meet):
    session = services.save_session(meet.edition, None, settings(meet.a.venue))
    services.join_as_company(session, meet.companies[0].id, None, now=BEFORE)
    for invitation in meet.invitations[:2]:
        services.join_as_programmer(session, invitation, now=BEFORE)
    person, company = meet.people[0], meet.companies[0]
    kept = services.save_wishes(
        session,
        Side.PROGRAMMER,
        person.id,
        {company.id: ("must", 1), meet.companies[1].id: ("", None)},
        now=BEFORE,
    )
    assert kept == 1
    assert services.wishes_of(session, Side.PROGRAMMER, person.id)[company.id].level == Wish.MUST
    with pytest.raises(DomainError):  # the second company did not join
        services.save_wishes(
            session, Side.PROGRAMMER, person.id, {meet.companies[1].id: ("happy", 1)}, now=BEFORE
        )
    with pytest.raises(DomainError):  # the third programmer did not join
        services.save_wishes(session, Side.COMPANY, company.id, {meet.people[2].id: ("must", 1)}, now=BEFORE)
    assert (
        services.save_wishes(session, Side.COMPANY, company.id, {meet.people[1].id: ("no", 3)}, now=BEFORE)
        == 1
    )
    assert services.wishes_of(session, Side.COMPANY, company.id)[meet.people[1].id].rank is None
    with pytest.raises(DomainError, match="Inscrivez-vous"):  # the third programmer wishes without joining
        services.save_wishes(
            session, Side.PROGRAMMER, meet.people[2].id, {company.id: ("must", 1)}, now=BEFORE
        )
    with pytest.raises(DomainError, match="Inscrivez-vous"):  # so does a company that did not join
        services.save_wishes(
            session, Side.COMPANY, meet.companies[1].id, {person.id: ("must", 1)}, now=BEFORE
        )


def test_a_programmer_who_no_longer_comes_cannot_be_named(meet):
    session = new_session(meet)
    meet.invitations[1].answer = Answer.NOT_COMING
    db.session.flush()
    with pytest.raises(DomainError):
        services.save_wishes(
            session, Side.COMPANY, meet.companies[0].id, {meet.people[1].id: ("must", 1)}, now=BEFORE
        )


def test_a_rank_below_one_is_refused(meet):
    session = new_session(meet)
    with pytest.raises(DomainError) as refused:
        services.save_wishes(
            session, Side.PROGRAMMER, meet.people[0].id, {meet.companies[0].id: ("must", 0)}, now=BEFORE
        )
    assert refused.value.field == f"rank-{meet.companies[0].id}"


def test_wishes_close_at_their_time_and_at_publication(meet):
    session = new_session(meet)
    person, company = meet.people[0], meet.companies[0]
    choice = {company.id: ("must", 1)}
    just_before = session.wishes_close_at - timedelta(seconds=1)
    assert services.save_wishes(session, Side.PROGRAMMER, person.id, choice, now=just_before) == 1
    with pytest.raises(DomainError):
        services.save_wishes(session, Side.PROGRAMMER, person.id, choice, now=session.wishes_close_at)
    session.wishes_close_at = None
    services.plan(session, now=BEFORE, seconds=2, repeatable=True)
    services.publish(session, now=BEFORE, tell=lambda *a, **k: True)
    with pytest.raises(DomainError):
        services.save_wishes(session, Side.PROGRAMMER, person.id, choice, now=BEFORE)
    assert services.wishes_of(session, Side.PROGRAMMER, person.id)[company.id].level == Wish.MUST


# --- The plan -------------------------------------------------------------------------------------------


@pytest.fixture
def busy_evening(meet):
    """A session at 19:00 on the evening the first company plays: its slot starts at 20:00 (set-up of 20
    minutes from 19:40), and the first programmer said the show interests them.

    Rounds (local time): 1 at 19:00, 2 at 19:20, 3 at 19:40, 4 at 20:00, each 15 minutes long."""
    slot = meet.a.slot
    assert (slot.starts_at, slot.ends_at) == (to_utc(DAY, time(20)), to_utc(DAY, time(22)))
    assert meet.a.registration.setup_minutes == 20 and slot.assignment is not None
    db.session.add(InvitationShow(invitation_id=meet.invitations[0].id, show_id=meet.a.shows[0].id))
    session = new_session(meet, starts=time(19), rounds=4, tables=2, max_per_programmer=4, max_per_company=4)
    playing, other = meet.companies
    first, second, vetoed, fourth = meet.people
    for person in (first, second, vetoed, fourth):
        wish(session, person, playing, "must")  # everybody wants the company that plays
    for person in (first, vetoed):
        wish(session, person, other, "must", rank=2)
    services.save_wishes(session, Side.COMPANY, playing.id, {vetoed.id: ("no", None)}, now=BEFORE)
    db.session.commit()
    return SimpleNamespace(session=session, playing=playing, other=other, people=meet.people)


def test_the_plan_keeps_out_of_the_rounds_people_are_busy_in(busy_evening):
    session, playing = busy_evening.session, busy_evening.playing
    first, _second, vetoed, _fourth = busy_evening.people
    problem = services.problem_for(session)
    assert problem.blocked == {("c", playing.id): {3, 4}, ("p", first.id): {4}}
    result = services.plan(session, now=BEFORE, seconds=2, repeatable=True)
    db.session.commit()
    planned = rows(session)
    assert planned == sorted(result.meetings) and planned
    assert sorted(r for _p, c, r, _t in planned if c == playing.id) == [1, 2]  # three want it, two rounds
    assert all(r != 4 for p, _c, r, _t in planned if p == first.id)
    assert (vetoed.id, playing.id) not in {(p, c) for p, c, _r, _t in planned}
    assert [vetoed.id, playing.id, "programmer", "veto", "must"] in session.unmet
    assert session.planned_at == BEFORE and session.plan_optimal is True and session.plan_gap == 0
    assert services.problem_for(session).blocked == problem.blocked


def test_planning_again_replaces_the_proposal(busy_evening):
    session = busy_evening.session
    services.plan(session, now=BEFORE, seconds=2, repeatable=True)
    first = rows(session)
    services.plan(session, now=BEFORE + timedelta(hours=1), seconds=2, repeatable=True)
    assert rows(session) == first and session.planned_at == BEFORE + timedelta(hours=1)


def test_a_cancelled_slot_blocks_nobody(busy_evening, meet):
    meet.a.slot.status = SlotStatus.CANCELLED
    db.session.flush()
    assert services.problem_for(busy_evening.session).blocked == {}


def test_nothing_to_plan_without_people(meet):
    session = services.save_session(meet.edition, None, settings(meet.a.venue))
    services.join_as_company(session, meet.companies[0].id, None, now=BEFORE)
    with pytest.raises(DomainError):
        services.plan(session, now=BEFORE)


# --- Publication ----------------------------------------------------------------------------------------


def test_publish_tells_each_participant_with_a_meeting_once(busy_evening):
    session = busy_evening.session
    services.plan(session, now=BEFORE, seconds=2, repeatable=True)
    told = []
    count = services.publish(
        session, now=BEFORE, tell=lambda s, who, meetings: told.append((s, who, meetings)) or True
    )
    planned = rows(session)
    expected = {("p", p) for p, *_ in planned} | {("c", c) for _p, c, *_ in planned}
    assert sorted(who for _s, who, _m in told) == sorted(expected) and count == len(expected)
    assert all(s is session for s, _w, _m in told)
    for _s, (kind, key), meetings in told:
        index = 0 if kind == "p" else 1
        assert sorted((m.programmer_id, m.company_id, m.round, m.table_number) for m in meetings) == [
            m for m in planned if m[index] == key
        ]
    assert session.published_at == BEFORE
    with pytest.raises(DomainError):
        services.publish(session, now=BEFORE, tell=lambda *a: True)
    with pytest.raises(DomainError):
        services.plan(session, now=BEFORE)


def test_publish_counts_only_those_actually_told(busy_evening):
    session = busy_evening.session
    services.plan(session, now=BEFORE, seconds=2, repeatable=True)
    assert services.publish(session, now=BEFORE, tell=lambda s, who, m: who[0] == "c") == 2


def test_an_empty_plan_is_not_published(meet):
    session = new_session(meet)
    with pytest.raises(DomainError):
        services.publish(session, now=BEFORE, tell=lambda *a: True)
    assert session.published_at is None


# --- The day itself -------------------------------------------------------------------------------------


ROUND_1 = to_utc(DAY, time(10))
ROUND_3 = to_utc(DAY, time(10, 40))


@pytest.fixture
def published(meet):
    """A published morning session (10:00, 10:20, 10:40; two tables), written by hand so that it is known:

        round 1: absent–A at 1, second–B at 2
        round 2: first–A at 1, absent–B at 2
        round 3: second–A at 1, first–B at 2

    The fourth programmer's wishes wait: both companies are taken in every round."""
    session = new_session(meet, max_per_programmer=3, max_per_company=3)
    company_a, company_b = meet.companies
    first, second, absent, fourth = meet.people
    for person, company, level in [
        (absent, company_a, "must"), (absent, company_b, "must"), (first, company_a, "must"),
        (first, company_b, "happy"), (second, company_b, "must"), (second, company_a, "happy"),
        (fourth, company_b, "happy"), (fourth, company_a, "happy"),
    ]:  # fmt: skip
        wish(session, person, company, level)
    invitations = {i.programmer_id: i.id for i in meet.invitations}
    for person, company, number, table in [
        (absent, company_a, 1, 1), (second, company_b, 1, 2), (first, company_a, 2, 1),
        (absent, company_b, 2, 2), (second, company_a, 3, 1), (first, company_b, 3, 2),
    ]:  # fmt: skip
        db.session.add(
            Meeting(
                session_id=session.id,
                programmer_id=person.id,
                invitation_id=invitations[person.id],
                company_id=company.id,
                round=number,
                table_number=table,
            )
        )
    db.session.flush()
    services.publish(session, now=BEFORE, tell=lambda *a: True)
    db.session.commit()
    return SimpleNamespace(
        session=session, a=company_a, b=company_b, first=first, second=second, absent=absent, fourth=fourth,
        meet=meet,
    )  # fmt: skip


def test_replan_frees_the_absentees_future_meetings_and_fills_the_hole(published):
    p = published
    during_round_1 = ROUND_1 + timedelta(minutes=5)
    with time_machine.travel(during_round_1, tick=False):
        checkin.check_in(p.meet.a.slot, p.first, actor=p.meet.a.coordinator, now=during_round_1)
        services.set_present(p.session, p.second.id, True, now=during_round_1)
        services.set_present(p.session, p.fourth.id, True, now=during_round_1)
        before = {
            m.id: (m.programmer_id, m.company_id, m.round, m.table_number)
            for m in services.meetings_of(p.session)
        }
        away_p, away_c, freed = services.absentees(p.session, now=during_round_1)
        assert (away_p, away_c) == ({p.absent.id}, set()) and len(freed) == 1
        told = []
        outcome = services.replan_for_absentees(
            p.session,
            now=during_round_1,
            tell=lambda s, who, meetings, changed: told.append((who, meetings, changed)) or True,
        )
        db.session.commit()
    after = {
        m.id: (m.programmer_id, m.company_id, m.round, m.table_number)
        for m in services.meetings_of(p.session)
    }
    dropped = {i for i, m in before.items() if m == (p.absent.id, p.b.id, 2, 2)}
    assert set(before) - set(after) == dropped and len(dropped) == 1
    for key, meeting in before.items():
        if key not in dropped:
            assert after[key] == meeting  # same row, same round, same table
    assert (p.absent.id, p.a.id, 1, 1) in after.values()  # round 1 had started: kept
    new = [m for key, m in after.items() if key not in before]
    assert new == [(p.fourth.id, p.b.id, 2, 2)]  # the waiting wish takes the hole, at B's table
    assert outcome["freed"] == 1 and outcome["added"] == 1
    assert sorted(who for who, _m, _c in told) == [("c", p.b.id), ("p", p.fourth.id)]
    assert outcome["told"] == 2 and all(changed for _w, _m, changed in told)
    schedule_b = next(m for who, m, _c in told if who == ("c", p.b.id))
    assert [(m.round, m.programmer_id) for m in schedule_b] == [
        (1, p.second.id),
        (2, p.fourth.id),
        (3, p.first.id),
    ]


def test_replan_with_everybody_here_changes_nothing(published):
    p = published
    now = ROUND_1 - timedelta(minutes=10)
    with time_machine.travel(now, tick=False):
        for person in (p.first, p.second, p.absent, p.fourth):
            services.set_present(p.session, person.id, True, now=now)
        before = rows(p.session)
        told = []
        outcome = services.replan_for_absentees(p.session, now=now, tell=lambda *a, **k: told.append(a))
    assert rows(p.session) == before and outcome["freed"] == outcome["added"] == 0 and told == []


def test_replan_frees_an_absent_companys_meetings(published):
    p = published
    now = ROUND_1 - timedelta(minutes=10)
    with time_machine.travel(now, tick=False):
        for person in (p.first, p.second, p.absent, p.fourth):
            services.set_present(p.session, person.id, True, now=now)
        services.set_company_absent(p.session, p.b.id, True)
        told = []
        outcome = services.replan_for_absentees(
            p.session, now=now, tell=lambda s, who, *a, **k: told.append(who)
        )
    assert outcome["freed"] == 3
    assert all(c == p.a.id for _p, c, _r, _t in rows(p.session))
    assert ("c", p.b.id) not in told and told  # the absent company is not written to; its people are


def test_replan_needs_a_round_still_to_come_and_a_published_plan(published, meet):
    p = published
    late = ROUND_3 + timedelta(minutes=1)
    with time_machine.travel(late, tick=False), pytest.raises(DomainError):
        services.replan_for_absentees(p.session, now=late, tell=lambda *a, **k: True)
    draft = new_session(meet, name="Brouillon")
    with pytest.raises(DomainError):
        services.replan_for_absentees(draft, now=BEFORE, tell=lambda *a, **k: True)
    # before the day nobody is checked in: every meeting would look like an absentee's, so it waits
    with time_machine.travel(BEFORE, tick=False), pytest.raises(DomainError, match="le jour de la session"):
        services.replan_for_absentees(p.session, now=BEFORE, tell=lambda *a, **k: True)
    assert services.meetings_of(p.session)


def test_a_meeting_is_marked_only_once_its_round_has_started(published):
    p = published
    meeting = next(m for m in services.meetings_of(p.session) if m.round == 3)
    coordinator = p.meet.a.coordinator
    just_before = ROUND_3 - timedelta(seconds=1)
    with time_machine.travel(just_before, tick=False), pytest.raises(DomainError):
        services.mark(meeting, "held", user=coordinator, now=just_before)
    assert meeting.outcome is None and meeting.marked_at is None
    with time_machine.travel(ROUND_3, tick=False):
        services.mark(meeting, "held", user=coordinator, now=ROUND_3)
    assert meeting.outcome == MeetingOutcome.HELD
    assert (meeting.marked_at, meeting.marked_by_id) == (ROUND_3, coordinator.id)
    later = ROUND_3 + timedelta(minutes=30)
    with time_machine.travel(later, tick=False):
        services.mark(meeting, "missed", user=None, now=later)
        services.mark(meeting, "", user=None, now=later)
    assert meeting.outcome is None and meeting.marked_by_id is None


def test_a_meeting_of_an_unpublished_plan_is_not_marked(busy_evening):
    services.plan(busy_evening.session, now=BEFORE, seconds=2, repeatable=True)
    meeting = services.meetings_of(busy_evening.session)[0]
    with pytest.raises(DomainError):
        services.mark(meeting, "held", user=None, now=datetime(2027, 3, 4, 23, tzinfo=UTC))
