"""The meetings' pages: a session set up, both sides' wishes, the plan published, seen only by its owners."""

import re
from datetime import UTC, datetime

import pytest
import time_machine
from icalendar import Calendar
from sqlalchemy import select

from crm.base.extensions import db
from crm.calendar import services as calendars
from crm.calendar.models import FeedKind
from crm.invitations import services as invitations
from crm.mail.models import OutboxMessage
from crm.meetings.models import Meeting, MeetingSession, MeetingWish
from tests import factories
from tests.conftest import post_form, sign_in, statement_counts

BEFORE = datetime(2027, 2, 1, 9, tzinfo=UTC)  # a month before the edition (4 and 5 March 2027)
SESSION = {
    "name": "Rencontres pro",
    "day": "2027-03-04",
    "starts": "10:00",
    "rounds": "4",
    "round_minutes": "15",
    "changeover_minutes": "5",
    "tables": "3",
    "break_after": "2",
    "break_minutes": "10",
    "wishes_close_at": "",
    "max_per_programmer": "3",
    "max_per_company": "4",
    "min_per_company": "1",
}


@pytest.fixture
def pinned():
    with time_machine.travel(BEFORE, tick=False):
        yield


def _coming(edition, person, token=None):
    """The person's invitation (the existing one when its token is given) answered "coming" on day one."""
    if token:
        invitation = invitations.by_token(token, now=BEFORE)
        invitation.token = token
    else:
        invitation = factories.invitation(edition, person)
    invitations.answer(invitation, "coming", [edition.starts_on.isoformat()], now=BEFORE)
    db.session.commit()
    return invitation


def _create_session(client, a):
    sign_in(client, a.coordinator)
    form = {**SESSION, "venue_id": str(a.venue.id)}
    response = post_form(
        client, f"/editions/{a.planned.id}/meetings/new", form, token_from="/account/password"
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return db.session.scalar(select(MeetingSession).where(MeetingSession.edition_id == a.planned.id))


def test_a_session_is_set_up_wished_planned_published_and_seen_by_its_owners(app, world, pinned):
    a = world.a
    coordinator, member = app.test_client(), app.test_client()
    session = _create_session(coordinator, a)
    assert session.break_after == [2] and session.tables == 3

    sign_in(member, a.members[0])
    home = member.get("/").get_data(as_text=True)
    assert f"/meetings/{session.id}/company" in home
    page = f"/meetings/{session.id}/company"
    assert post_form(member, page, {"action": "join", "at_table": "Lise, chargée de diffusion"},
                     token_from=page).status_code == 302  # fmt: skip

    people = [_coming(a.planned, a.programmers[0], a.invitation_token), _coming(a.planned, a.programmers[1])]
    programmer = app.test_client()
    link = f"/rsvp/{people[0].token}/meetings/{session.id}"
    assert link in programmer.get(f"/rsvp/{people[0].token}").get_data(as_text=True)
    assert post_form(programmer, link, {"action": "join"}, token_from=link).status_code == 302
    other = app.test_client()
    other_link = f"/rsvp/{people[1].token}/meetings/{session.id}"
    assert post_form(other, other_link, {"action": "join"}, token_from=other_link).status_code == 302

    company = a.companies[0].id
    wishes = {"action": "wishes", f"wish-{company}": "must", f"rank-{company}": "1"}
    assert post_form(programmer, link, wishes, token_from=link).status_code == 302
    # the company says "non merci" to the second person: that meeting is never planned
    veto = {
        "action": "wishes",
        f"wish-{people[1].programmer_id}": "no",
        f"wish-{people[0].programmer_id}": "happy",
    }
    assert post_form(member, page, veto, token_from=page).status_code == 302
    assert post_form(other, other_link, {"action": "wishes", f"wish-{company}": "must"},
                     token_from=other_link).status_code == 302  # fmt: skip

    # a rank that is not a number: said next to it, what was typed kept, nothing saved
    bad = {"action": "wishes", f"wish-{company}": "happy", f"rank-{company}": "premier"}
    response = post_form(programmer, link, bad, token_from=link)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Un rang de 1 (le plus souhaité) à 99." in html and 'value="premier"' in html
    db.session.expire_all()
    kept = select(MeetingWish.level).where(
        MeetingWish.programmer_id == people[0].programmer_id, MeetingWish.side == "programmer"
    )
    assert db.session.scalar(kept) == "must"

    # the company sees its own wishes (happy, no), never what the programmers wished ("must")
    seen = member.get(page).get_data(as_text=True)
    assert 'value="happy" selected' in seen and 'value="no" selected' in seen
    assert 'value="must" selected' not in seen

    url = f"/meetings/{session.id}"
    assert post_form(coordinator, f"{url}/plan", token_from="/account/password").status_code == 302
    meetings = db.session.scalars(select(Meeting).where(Meeting.session_id == session.id)).all()
    assert [(m.programmer_id, m.company_id) for m in meetings] == [(people[0].programmer_id, company)]
    board = coordinator.get(url).get_data(as_text=True)
    unmet = board.split("Souhaits non satisfaits, et pourquoi")[1]
    assert "Compagnie A1" in board and "ProgrammateurA2" in unmet and "dit «\u202fnon merci\u202f»" in unmet
    # before publication nobody but the coordination sees the plan
    assert "Vos rendez-vous" not in programmer.get(link).get_data(as_text=True)

    assert post_form(coordinator, f"{url}/publish", token_from="/account/password").status_code == 302
    sent = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.subject.like("Vos rendez-vous%"))
    ).all()
    assert {m.to_address for m in sent} >= {people[0].programmer.email, "member-a1@example.org"}
    body = next(m.body_text for m in sent if m.to_address == people[0].programmer.email)
    assert re.search(
        r"Tour 1, 10:00–10:15, table \d\u202f: Compagnie A1 \(Lise, chargée de diffusion\)", body
    ), body

    mine = programmer.get(link).get_data(as_text=True)
    assert "Vos rendez-vous" in mine and "Compagnie A1" in mine and "10:00–10:15" in mine
    theirs = other.get(other_link).get_data(as_text=True)
    assert "Aucun rendez-vous ne vous a été attribué" in theirs
    assert "ProgrammateurA1" in member.get(page).get_data(as_text=True)

    # the company's feed and the person's agenda gain the meeting
    secret = calendars.token_for(calendars.subscription_for(FeedKind.COMPANY, company))
    agenda = calendars.token_for(calendars.subscription_for(FeedKind.PROGRAMMER, people[0].id))
    db.session.commit()
    for feed, summary in ((secret, "Claire ProgrammateurA1"), (agenda, "Compagnie A1")):
        events = Calendar.from_ical(coordinator.get(f"/calendars/{feed}.ics").data).walk("VEVENT")
        found = [e for e in events if str(e["summary"]).startswith(f"Rendez-vous\u202f: {summary} (table ")]
        assert len(found) == 1, [str(e["summary"]) for e in events]
        assert found[0].decoded("dtstart").strftime("%H:%M") == "10:00"


def test_wishes_and_schedules_are_seen_only_by_their_owners_and_the_coordination(app, world, pinned):
    a, b = world.a, world.b
    coordinator = app.test_client()
    session = _create_session(coordinator, a)
    page = f"/meetings/{session.id}/company"
    outsider = app.test_client()
    sign_in(outsider, a.members[1])  # a company of the network with no accepted registration there
    assert outsider.get(page).status_code == 404
    assert post_form(outsider, page, {"action": "join"}, token_from="/account/password").status_code == 404
    elsewhere = app.test_client()
    sign_in(elsewhere, b.coordinator)  # another network
    for url in (
        f"/meetings/{session.id}",
        f"/meetings/{session.id}/presence",
        f"/editions/{a.planned.id}/meetings",
    ):
        assert elsewhere.get(url).status_code == 404, url
    assert elsewhere.get(f"/meetings/{session.id}/companies/{a.companies[0].id}").status_code == 404
    member_b = app.test_client()
    sign_in(member_b, b.members[0])
    assert member_b.get(page).status_code == 404
    # a person invited to another edition cannot open this session with their link
    assert app.test_client().get(f"/rsvp/{b.invitation_token}/meetings/{session.id}").status_code == 404
    # a person who does not come that day cannot take part
    maybe = factories.invitation(a.planned, a.member_contact)
    db.session.commit()
    link = f"/rsvp/{maybe.token}/meetings/{session.id}"
    client = app.test_client()
    assert "répondez «\u202fJe viens\u202f»" in client.get(link).get_data(as_text=True)
    post_form(client, link, {"action": "join"}, token_from=link)
    assert db.session.scalar(select(db.func.count()).select_from(MeetingWish)) == 0


def test_the_session_page_costs_the_same_whatever_the_number_of_people(app, world, pinned):
    a = world.a
    coordinator = app.test_client()
    session = _create_session(coordinator, a)
    url = f"/meetings/{session.id}"
    from crm.meetings import services

    people = [_coming(a.planned, a.programmers[0], a.invitation_token), _coming(a.planned, a.programmers[1])]
    services.join_as_company(session, a.companies[0].id, None, now=BEFORE)
    services.join_as_programmer(session, people[0], now=BEFORE)
    services.save_wishes(
        session, "programmer", people[0].programmer_id, {a.companies[0].id: ("must", 1)}, now=BEFORE
    )
    services.plan(session, now=BEFORE, repeatable=True)
    db.session.commit()
    small = statement_counts(coordinator, [url, f"{url}/presence"])
    more = [factories.programmer(a.network, a.coordinator, a.venue, last_name=f"Autre{i}") for i in range(6)]
    for person in more:
        invitation = _coming(a.planned, person)
        services.join_as_programmer(session, invitation, now=BEFORE)
        services.save_wishes(
            session, "programmer", person.id, {a.companies[0].id: ("happy", None)}, now=BEFORE
        )
    services.plan(session, now=BEFORE, repeatable=True)
    db.session.commit()
    assert statement_counts(coordinator, [url, f"{url}/presence"]) == small


def test_on_the_day_absentees_are_replanned_and_meetings_marked_held(app, world):
    from crm.meetings import services
    from crm.meetings.models import MeetingOutcome

    a = world.a
    coordinator, member = app.test_client(), app.test_client()
    with time_machine.travel(BEFORE, tick=False):
        session = _create_session(coordinator, a)
        first = _coming(a.planned, a.programmers[0], a.invitation_token)
        second = _coming(a.planned, a.programmers[1])
        company = a.companies[0].id
        services.join_as_company(session, company, None, now=BEFORE)
        for invitation, level in ((first, "must"), (second, "happy")):
            services.join_as_programmer(session, invitation, now=BEFORE)
            services.save_wishes(
                session, "programmer", invitation.programmer_id, {company: (level, None)}, now=BEFORE
            )
        session.max_per_company = 1  # one meeting for the company: the second person waits
        services.plan(session, now=BEFORE, repeatable=True)
        services.publish(session, now=BEFORE, tell=lambda *args, **kwargs: False)
        db.session.commit()
    [planned] = db.session.scalars(select(Meeting)).all()
    assert planned.programmer_id == first.programmer_id

    day = datetime(2027, 3, 4, 8, 30, tzinfo=UTC)  # 9:30 in Paris: no round has started
    with time_machine.travel(day, tick=False):
        sign_in(coordinator, a.coordinator)  # a month later: a new sign-in
        presence = f"/meetings/{session.id}/presence"
        post_form(coordinator, presence, {"programmer_id": str(second.programmer_id), "present": "1"},
                  token_from="/account/password")  # fmt: skip
        html = coordinator.get(presence).get_data(as_text=True)
        assert "1 programmateur·rice(s) pas encore là" in html
        assert (
            post_form(
                coordinator, f"/meetings/{session.id}/replan", token_from="/account/password"
            ).status_code
            == 302
        )
    db.session.expire_all()
    [moved] = db.session.scalars(select(Meeting)).all()
    assert moved.programmer_id == second.programmer_id  # the waiting wish of who is here fills the hole
    told = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.subject.like("Vos rendez-vous ont changé%"))
    )
    assert {m.to_address for m in told} == {second.programmer.email, "member-a1@example.org"}

    page = f"/meetings/{session.id}/company"
    with time_machine.travel(day, tick=False):  # before the round: not yet
        sign_in(member, a.members[0])
        post_form(member, f"/meetings/outcome/{moved.id}", {"outcome": "held"}, token_from=page)
        db.session.expire_all()
        assert db.session.get(Meeting, moved.id).outcome is None
    with time_machine.travel(datetime(2027, 3, 4, 9, 20, tzinfo=UTC), tick=False):
        post_form(member, f"/meetings/outcome/{moved.id}", {"outcome": "held"}, token_from=page)
    db.session.expire_all()
    assert db.session.get(Meeting, moved.id).outcome == MeetingOutcome.HELD
    # another company's member cannot mark it
    other = app.test_client()
    sign_in(other, a.members[1])
    response = post_form(
        other, f"/meetings/outcome/{moved.id}", {"outcome": "missed"}, token_from="/account/password"
    )
    assert response.status_code == 404
