"""Walks every registered route as anonymous, company member, coordinator, admin and federation.

A route added without a permission rule, or without a line in EXPECTED, fails here.
"""

from datetime import date

import pytest

from crm.accounts.models import Role
from crm.base.database import utcnow
from crm.base.extensions import db
from crm.base.permissions import PUBLIC, SIGNED_IN, TOKEN_READ, TOKEN_WRITE, rule_for
from tests import factories
from tests.conftest import post_form, sign_in

ANON, MEMBER, COORD, ADMIN, FED = "anonymous", "member", "coordinator", "admin", "federation"
EVERYONE = {ANON, MEMBER, COORD, ADMIN, FED}
SIGNED = {MEMBER, COORD, ADMIN, FED}
# API tokens: a session opens none of their routes, and a token opens no page.
READ_T, WRITE_T = "read token", "write token"
TOKENS = {READ_T, WRITE_T}

EXPECTED = {
    "pages.home": SIGNED,
    "pages.language": EVERYONE,
    "pages.healthz": EVERYONE,
    "pages.favicon": EVERYONE,
    "accounts.login": EVERYONE,
    "accounts.logout": SIGNED,
    "accounts.change_password": SIGNED,
    "accounts.login_code": EVERYONE,
    "accounts.security": SIGNED,
    "admin.networks": {ADMIN},
    "admin.network_new": {ADMIN},
    "admin.network_edit": {ADMIN},
    "admin.users": {ADMIN},
    "admin.user_new": {ADMIN},
    "admin.user_active": {ADMIN},
    "admin.user_mfa_reset": {ADMIN},
    "meetings.sessions": {COORD},
    "meetings.session_new": {COORD},
    "meetings.session": {COORD},
    "meetings.session_edit": {COORD},
    "meetings.plan": {COORD},
    "meetings.publish": {COORD},
    "meetings.presence": {COORD},
    "meetings.presence_set": {COORD},
    "meetings.replan": {COORD},
    "meetings.company_page": {MEMBER},
    "meetings.company_view": {COORD},
    "meetings.mark": {MEMBER, COORD},
    "meetings.programmer_page": EVERYONE,
    "contacts.companies": {COORD},
    "contacts.company_new": {COORD},
    "contacts.company": {COORD, MEMBER},
    "contacts.company_edit": {COORD, MEMBER},
    "contacts.structures": {COORD},
    "contacts.places_to_settle": {COORD},
    "contacts.structure_new": {COORD},
    "contacts.structure_edit": {COORD},
    "contacts.programmers": {COORD, MEMBER},
    "contacts.programmer": {COORD, MEMBER},
    "contacts.programmer_new": {COORD, MEMBER},
    "contacts.programmer_edit": {COORD, MEMBER},
    "showcase.show_new": {COORD, MEMBER},
    "showcase.show_edit": {COORD, MEMBER},
    "showcase.editions": {COORD},
    "showcase.edition_new": {COORD},
    "showcase.edition": {COORD},
    "showcase.edition_edit": {COORD},
    "showcase.edition_rules": {COORD},
    "showcase.edition_venues": {COORD},
    "showcase.band_new": {COORD},
    "showcase.band_delete": {COORD},
    "showcase.band_edit": {COORD},
    "showcase.edition_status": {COORD},
    "showcase.review": {COORD},
    "showcase.decide": {COORD},
    "showcase.slot_new": {COORD},
    "showcase.pitch_series_new": {COORD},
    "showcase.slot_edit": {COORD},
    "showcase.slot_cancel": {COORD},
    "showcase.slot_delete": {COORD},
    "showcase.slot_assign": {COORD},
    "showcase.unassign": {COORD},
    "showcase.auto_assign": {COORD},
    "showcase.proposal": {COORD},
    "showcase.proposal_accept": {COORD},
    "showcase.proposal_discard": {COORD},
    "showcase.pack_series": {COORD},
    "showcase.board_move": {COORD},
    "showcase.registration_slots": {COORD},
    "showcase.grid": {COORD},
    "showcase.rotation_view": {COORD},
    "showcase.rotation_csv": {COORD},
    "showcase.register": {MEMBER},
    "showcase.registration": {MEMBER, COORD},
    "showcase.registration_edit": {MEMBER},
    "showcase.registration_withdraw": {MEMBER},
    "programme.index": EVERYONE,
    "programme.edition": EVERYONE,
    "programme.edition_json": EVERYONE,
    "api-docs.openapi_json": EVERYONE,
    "api_pages.reference": EVERYONE,
    "api_pages.tokens_list": {COORD},
    "api_pages.token_new": {COORD},
    "api_pages.token_revoke": {COORD},
    "api_public.programme_index": EVERYONE,
    "api_public.programme_edition": EVERYONE,
    "api.network": TOKENS,
    "api.editions": TOKENS,
    "api.edition": TOKENS,
    "api.registrations": TOKENS,
    "api.registration": TOKENS,
    "api.slots": TOKENS,
    "api.slot": TOKENS,
    "api.companies": TOKENS,
    "api.company": TOKENS,
    "api.programmers": TOKENS,
    "api.programmer": TOKENS,
    "api.attendance": TOKENS,
    "api.attendance_one": TOKENS,
    "api.invitations": TOKENS,
    "api.invitation": TOKENS,
    "api.bookings": TOKENS,
    "api.booking": TOKENS,
    "api.meeting_session": TOKENS,
    "api.meeting_sessions": TOKENS,
    "api.shows": TOKENS,
    "api.show": TOKENS,
    "api.structures": TOKENS,
    "api.structure": TOKENS,
    "api.impact_report": TOKENS,
    "api.programmer_create": {WRITE_T},
    "api.programmer_update": {WRITE_T},
    "api.booking_create": {WRITE_T},
    "api.attendance_create": {WRITE_T},
    "mail.outbox": {COORD},
    "mail.inbox": {COORD, ADMIN},
    "mail.inbox_decide": {COORD, ADMIN},
    "contacts.programmer_export": {COORD},
    "contacts.programmer_duplicates": {COORD},
    "contacts.programmer_review": {COORD},
    "contacts.programmer_purge": {COORD},
    "contacts.programmer_merge": {COORD},
    "contacts.programmer_opt_out": {COORD},
    "contacts.programmer_erase": {COORD},
    "followups.revoke_links": {COORD},
    "invitations.board": {COORD},
    "invitations.send": {COORD},
    "invitations.rsvp": EVERYONE,
    "invitations.stop": EVERYONE,
    "invitations.carpool_save": EVERYONE,
    "invitations.carpool_answer": EVERYONE,
    "checkin.slots": {COORD},
    "checkin.slot": {COORD},
    "checkin.tick": {COORD},
    "checkin.untick": {COORD},
    "checkin.walk_in": {COORD},
    "imports.upload": {COORD, MEMBER},
    "imports.upload_sheet": {COORD},
    "imports.preview": {COORD, MEMBER},
    "imports.apply": {COORD, MEMBER},
    "imports.refused": {COORD, MEMBER},
    "followups.dashboard_page": {COORD, MEMBER},
    "followups.sequence": {COORD},
    "followups.step_new": {COORD},
    "followups.step_edit": {COORD},
    "followups.step_delete": {COORD},
    "followups.step_preview": {COORD},
    "followups.activate": {COORD},
    "followups.tasks": {COORD, MEMBER},
    "followups.task": {COORD, MEMBER},
    "followups.reply": {COORD, MEMBER},
    "followups.log_exchange": {COORD, MEMBER},
    "followups.answer": EVERYONE,
    "followups.stop": EVERYONE,
    "mail.resolve": {COORD},
    "calendar.programme_feed": EVERYONE,
    "calendar.venue_feed": EVERYONE,
    "calendar.slot_download": EVERYONE,
    "calendar.programme_subscribe": EVERYONE,
    "calendar.private_feed": EVERYONE,
    "calendar.subscribe": {COORD, MEMBER},
    "calendar.programmer_subscribe": EVERYONE,
    "impact.outcomes": {COORD, MEMBER},
    "impact.outcome_new": {COORD, MEMBER},
    "impact.outcome_edit": {COORD, MEMBER},
    "impact.contract_page": {COORD, MEMBER},
    "impact.contract_document": {COORD, MEMBER},
    "impact.contract_template": {COORD, MEMBER},
    "impact.outcomes_export": {COORD, MEMBER},
    "impact.edition_report": {COORD, MEMBER},
    "impact.network_report": {COORD, MEMBER},
    "impact.report_export": {COORD},
    "impact.box_office": {COORD},
    "impact.funders_page": {COORD},
    "impact.box_office_performance": {COORD},
    "impact.box_office_sibil": {COORD},
    "impact.travel_factors": {COORD},
    "impact.box_office_company": {COORD, MEMBER},
    "impact.public_map": EVERYONE,
    "impact.map_settings": {COORD},
    "webhooks.endpoints": {COORD},
    "webhooks.endpoint_new": {COORD},
    "webhooks.endpoint_edit": {COORD},
    "webhooks.endpoint_rotate": {COORD},
    "webhooks.endpoint_enabled": {COORD},
    "webhooks.endpoint_ping": {COORD},
    "webhooks.replay": {COORD},
    # the federation reads the barometer, nothing inside a network
    "federation.barometer_page": {FED, ADMIN},
    "federation.barometer_export": {FED, ADMIN},
    "federation.public_barometer": EVERYONE,
    "federation.public_export": EVERYONE,
    "federation.consent": {COORD},
    "federation.withdraw": {COORD},
    # the shared budget: the coordination and the lead company (the walk's member) keep the books
    "cooperation.budget_page": {COORD, MEMBER},
    "cooperation.set_lead": {COORD},
    "cooperation.line_new": {COORD, MEMBER},
    "cooperation.line_edit": {COORD, MEMBER},
    "cooperation.line_delete": {COORD, MEMBER},
    "cooperation.statement": {COORD, MEMBER},
    "cooperation.statement_export": {COORD, MEMBER},
    "cooperation.budget_export": {COORD, MEMBER},
    # commissions: the walk's member sits on a departmental one (Loiret); volunteer time
    "cooperation.commission_list": {COORD, MEMBER},
    "cooperation.commission_new": {COORD},
    "cooperation.commission_edit": {COORD},
    "cooperation.commission": {COORD, MEMBER},
    "cooperation.commission_registrations": {COORD, MEMBER},
    "cooperation.commission_decide": {COORD, MEMBER},
    "cooperation.commission_hosts": {COORD, MEMBER},
    "cooperation.commission_task_new": {COORD, MEMBER},
    "cooperation.commission_task_done": {COORD, MEMBER},
    "cooperation.commission_programme": {COORD, MEMBER},
    "cooperation.commission_tasks": {COORD, MEMBER},
    "cooperation.commission_take_task": {COORD, MEMBER},
    "cooperation.volunteering": {COORD, MEMBER},
    "cooperation.volunteering_rate": {COORD},
    "cooperation.volunteering_delete": {COORD, MEMBER},
}


def _routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def _declared_audience(rule):
    declared = rule_for(rule.endpoint)
    if PUBLIC in declared:
        return EVERYONE
    if SIGNED_IN in declared:
        return SIGNED
    if TOKEN_READ in declared:
        return TOKENS
    if TOKEN_WRITE in declared:
        return {WRITE_T}
    return {str(role) for role in declared}


def test_every_route_has_a_rule_matching_the_expected_table(app):
    endpoints = {rule.endpoint for rule, _ in _routes(app)}
    assert endpoints == set(EXPECTED), "add the new route to EXPECTED with its intended audience"
    for rule, _method in _routes(app):
        assert rule_for(rule.endpoint) is not None, f"{rule.endpoint} has no @allow rule"
        assert _declared_audience(rule) == EXPECTED[rule.endpoint], rule.endpoint


def _url_values(world):
    a = world.a
    follow = factories.followup(vars(a), a.coordinator, a.programmers[0], a.members[0])
    a.network.public_map = True  # its public map is open (a network that did not open it answers 404)
    db.session.commit()
    values = {
        "company_id": a.companies[0].id,
        "show_id": a.shows[0].id,
        "programmer_id": a.member_contact.id,
        "structure_id": a.venue.id,
        "edition_id": a.edition.id,
        "network_id": a.network.id,
        "user_id": world.b.members[1].id,
        "band_id": a.band.id,
        "slot_id": a.slot.id,
        "assignment_id": a.assignment.id,
        "registration_id": a.registration.id,
        "slug": a.planned.slug,
        "network_slug": a.network.slug,
        "import_id": a.import_file.id,
        "kind": "json",
        "token": a.invitation_token,
        "keep_id": a.programmers[0].id,
        "drop_id": a.programmers[1].id,
        "step_id": follow["step"].id,
        "task_id": follow["task"].id,
        "message_id": follow["message"].id,
        "link": follow["followup_link"],
        "choice": "book",
        "programme_venue": a.venue.id,
        "programme_slot": _second_slot(a),
        "feed": "tasks",
        "secret": _calendar_secret(a),
        "outcome_id": _outcome(a),
        "fmt": "xlsx",
        "year": 2027,
        "quarter": 1,  # of the box office's performance on 5 March 2027
        "inbound_id": _unmatched_mail(a),
        "proposal_id": _proposal(a),
        "line_id": _budget_line(a),
        **_commission(a),
        **_meetings(a),
        **_api(world),
        **_webhooks(a),
    }
    return {**values, "booking_id": values["outcome_id"], "performance_id": values["programme_slot"]}


def _api(world):
    """What the API's routes name: an attendance, an invitation, a booking, and a token to revoke."""
    from crm.api import tokens
    from crm.checkin.models import Attendance
    from crm.checkin.services import check_in
    from crm.invitations.models import Invitation

    a = world.a
    check_in(a.slot, a.programmers[1], actor=a.coordinator, now=utcnow())
    row, _secret = tokens.create(a.network, scope="read", name="Walk", now=utcnow())
    db.session.commit()
    return {
        "attendance_id": db.session.scalar(db.select(Attendance.id)),
        "invitation_id": db.session.scalar(
            db.select(Invitation.id).where(Invitation.edition_id == a.planned.id)
        ),
        "token_id": row.id,
    }


def _webhooks(a):
    """An endpoint of network A (a public address, never reached here) and one delivery queued to it."""
    from crm.webhooks import services as webhooks
    from crm.webhooks.models import WebhookMessage

    endpoint, _secret = webhooks.create_endpoint(
        a.network, {"url": "https://93.184.216.34/hooks"}, now=utcnow()
    )
    webhooks.queue_ping(a.network, now=utcnow())
    db.session.commit()
    message = db.session.scalar(db.select(WebhookMessage).where(WebhookMessage.endpoint_id == endpoint.id))
    return {"endpoint_id": endpoint.id, "delivery_id": message.id}


def _meetings(a):
    """A published session of the planned edition: the member's company and the invited person take
    part and meet in its first round."""
    from datetime import time

    from crm.invitations.models import Answer, Invitation, InvitationDay
    from crm.meetings.models import Meeting, MeetingCompany, MeetingProgrammer, MeetingSession

    edition = a.planned
    invitation = db.session.scalar(db.select(Invitation).where(Invitation.edition_id == edition.id))
    invitation.answer = Answer.COMING
    db.session.add(InvitationDay(invitation_id=invitation.id, day=edition.starts_on))
    session = MeetingSession(network_id=a.network.id, edition_id=edition.id, venue_id=a.venue.id,
                             name="Rencontres", day=edition.starts_on, starts=time(10), rounds=3,
                             round_minutes=15, tables=2, break_after=[], published_at=utcnow())  # fmt: skip
    db.session.add(session)
    db.session.flush()
    company = a.companies[0]
    db.session.add(MeetingCompany(session_id=session.id, company_id=company.id))
    db.session.add(MeetingProgrammer(session_id=session.id, programmer_id=invitation.programmer_id,
                                     invitation_id=invitation.id))  # fmt: skip
    meeting = Meeting(session_id=session.id, programmer_id=invitation.programmer_id,
                      invitation_id=invitation.id, company_id=company.id, round=1,
                      table_number=1)  # fmt: skip
    db.session.add(meeting)
    db.session.commit()
    return {"session_id": session.id, "meeting_id": meeting.id}


def _proposal(a):
    from crm.showcase.models import PlanProposal

    row = PlanProposal(edition_id=a.edition.id, plan=[], unassigned={}, considered=0, already_placed=0,
                       respected=0, found=True, optimal=True, seconds=0.0)  # fmt: skip
    db.session.add(row)
    db.session.commit()
    return row.id


def _unmatched_mail(a):
    from crm.mail.models import InboundMessage, InboundState

    row = InboundMessage(digest="0" * 64, via="pipe", raw=b"Subject: ?\n\n?", size=14,
                         state=InboundState.UNMATCHED, network_id=a.network.id, reason="?")  # fmt: skip
    db.session.add(row)
    db.session.commit()
    return row.id


def _outcome(a):
    """An outcome of the member's company, and the planned edition's box office."""
    from datetime import date
    from decimal import Decimal

    from crm.impact.models import (
        BoxOffice,
        BoxOfficePerformance,
        Outcome,
        OutcomeKind,
        OutcomeStatus,
        RemainderRule,
        VenueType,
    )

    outcome = Outcome(network_id=a.network.id, company_id=a.companies[0].id, show_id=a.shows[0].id,
                      edition_id=a.planned.id, kind=OutcomeKind.PERFORMANCES, status=OutcomeStatus.OPTION,
                      decided_on=date(2027, 4, 1), currency="EUR")  # fmt: skip
    db.session.add(outcome)
    from tests.scene import on_stage

    slot = on_stage(a.edition, a.venue, a.companies[0], a.shows[0], 9)  # the member's company performs there
    db.session.add(BoxOfficePerformance(slot_id=slot.id, venue_type=VenueType.THEATRE, capacity=100))
    db.session.add(BoxOffice(edition_id=a.edition.id, income=Decimal("1000"), fee_per_person=Decimal("255"),
                             rule=RemainderRule.EQUAL))  # fmt: skip
    db.session.commit()
    return outcome.id


def _second_slot(a):
    """A slot of the published programme that the walk's own unassign and cancel leave alone."""
    from tests.scene import on_stage

    slot = on_stage(a.planned, a.venue, a.companies[1], a.shows[1], 10)
    db.session.commit()
    return slot.id


def _calendar_secret(a):
    from crm.calendar import services as calendars
    from crm.calendar.models import FeedKind

    subscription = calendars.subscription_for(FeedKind.COMPANY, a.companies[0].id)
    db.session.commit()
    return calendars.token_for(subscription)


def _request(client, rule, method, values, signed_in, headers=None):
    url = rule.build({arg: values[arg] for arg in rule.arguments})[1]
    if method == "GET":
        return client.get(url, headers=headers)
    if rule.endpoint.startswith("api."):
        return client.open(url, method=method, json={}, headers=headers)
    return post_form(
        client, url, {}, token_from="/account/password" if signed_in else "/login", headers=headers
    )


def _budget_line(a) -> int:
    """The edition's budget, carried by the walk's member's company, with one line (a fresh one each
    time: the walk deletes one, and sets the lead company to none)."""
    from decimal import Decimal

    from crm.cooperation import services as budget

    budget.set_lead(a.edition, a.companies[0].id)
    line = budget.save_line(a.edition, None, {"kind": "printing", "amount": Decimal("120"), "rule": "equal",
                                              "paid_by_id": a.companies[0].id, "on": a.edition.starts_on},
                            actor=a.coordinator)  # fmt: skip
    db.session.commit()
    return line.id


def _commission(a) -> dict:
    """A departmental commission of A (Loiret, with the decision delegated) the walk's member sits on,
    the Loiret company whose registration it decides on, and an hour of volunteer time of the member."""
    from decimal import Decimal

    from crm.cooperation import commissions, volunteers

    a.companies[0].departement_code = "45"
    found = commissions.save(a.network, None, {"kind": "departmental", "name": "Commission du Loiret",
                                               "departements": ["45"], "member_ids": [a.members[0].id],
                                               "referent_id": a.members[0].id, "decides": True})  # fmt: skip
    entry = volunteers.log(a.network, {"hours": Decimal("1"), "what": "Accueil", "on": a.planned.starts_on},
                           actor=a.members[0])  # fmt: skip
    task = commissions.add_task(found, {"title": "Repérer les salles"}, actor=a.members[0])
    db.session.commit()
    return {"commission_id": found.id, "entry_id": entry.id, "commission_task_id": task.id}


def _barometer_open(world):
    """Network A shares its figures and agreed to the public barometer (the walk's withdrawal ends it)."""
    from crm.federation import services as barometer

    if barometer.consent_of(world.a.network.id) is None:
        data = {"activity": True, "since": date(2026, 1, 1), "public": True}
        barometer.give(world.a.network, data, user=world.a.coordinator)
        db.session.commit()


@pytest.mark.parametrize("role", [ANON, MEMBER, COORD, ADMIN, FED])
def test_route_walk_gives_each_role_the_expected_status(app, world, role):
    federation = factories.user(Role.FEDERATION, email="federation@example.org")
    users = {MEMBER: world.a.members[0], COORD: world.a.coordinator, ADMIN: world.admin, FED: federation}
    values = _url_values(world)
    failures = []
    for rule, method in _routes(app):
        client = app.test_client()
        if role != ANON:
            sign_in(client, users[role])
        if rule.endpoint.startswith("showcase.proposal"):
            values["proposal_id"] = _proposal(world.a)  # accepting or discarding one uses it up
        if rule.endpoint.startswith("federation.public"):
            _barometer_open(world)
        if rule.endpoint.startswith("cooperation."):
            values["line_id"] = _budget_line(world.a)
        if rule.endpoint == "cooperation.volunteering_delete":
            values["entry_id"] = _commission(world.a)["entry_id"]  # each deletion uses one up
        response = _request(client, rule, method, values, role != ANON)
        allowed = role in EXPECTED[rule.endpoint]
        if EXPECTED[rule.endpoint] <= TOKENS:
            expected = {401}  # a session cookie opens no route of the API
        elif allowed:
            expected = {200} if method == "GET" else {200, 302, 422}
            if rule.endpoint == "accounts.login" and role != ANON:
                expected = {302}  # already signed in: sent to the home page
            if rule.endpoint == "accounts.login_code":
                expected = {302}  # no password checked just before: back to the sign-in page
            if rule.endpoint == "pages.home" and role == FED:
                expected = {302}  # to the barometer, its one page
            if rule.endpoint == "pages.favicon":
                expected = {301}  # to the icon in the static files
            if rule.endpoint == "showcase.board_move":
                expected = {400}  # let in, but a form is not the JSON move the board sends
            if rule.endpoint == "mail.inbox_decide" and role == ADMIN:
                expected = {404}  # the administrator handles only mail that no network could be told of
        elif role == ANON:
            expected = {302}
        else:
            expected = {403}
        if response.status_code not in expected:
            failures.append(f"{method} {rule.rule}: {response.status_code}, expected {sorted(expected)}")
        if role == ANON and not allowed and response.status_code != 401:
            assert response.headers["Location"].startswith("/login"), rule.rule
    assert failures == []


def test_member_gets_404_for_another_company_and_its_shows(app, world, client):
    sign_in(client, world.a.members[0])
    other = world.a.companies[1]
    assert client.get(f"/companies/{other.id}").status_code == 404
    assert client.get(f"/companies/{other.id}/edit").status_code == 404
    assert client.get(f"/shows/{world.a.shows[1].id}/edit").status_code == 404
    assert client.get(f"/companies/{other.id}/shows/new").status_code == 404
    response = post_form(
        client,
        f"/companies/{other.id}/edit",
        {"name": "Prise de contrôle"},
        token_from="/account/password",
    )
    assert response.status_code == 404
    assert other.name == "Compagnie A2"


def test_member_cannot_edit_a_contact_created_by_someone_else(app, world, client):
    sign_in(client, world.a.members[1])
    assert client.get(f"/programmers/{world.a.member_contact.id}").status_code == 200
    assert client.get(f"/programmers/{world.a.member_contact.id}/edit").status_code == 403
    assert client.get(f"/programmers/{world.a.programmers[0].id}/edit").status_code == 403


@pytest.mark.parametrize("kind", ["read", "write", "other network", "revoked"])
def test_route_walk_with_a_token(app, world, kind):
    """A read token reads and never writes; a token of network B finds nothing of A's (404, not 403); a
    revoked token is refused at once; and no token opens a page of the site."""
    from crm.api import tokens

    values = _url_values(world)
    network = world.b.network if kind == "other network" else world.a.network
    row, secret = tokens.create(
        network, scope="read" if kind == "read" else "write", name="Walk", now=utcnow()
    )
    if kind == "revoked":
        tokens.revoke(row, now=utcnow())
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    failures = []
    for rule, method in _routes(app):
        audience = EXPECTED[rule.endpoint]
        response = _request(app.test_client(), rule, method, values, False, headers=headers)
        if not audience <= TOKENS:
            if ANON not in audience and response.status_code != 302:
                failures.append(f"{method} {rule.rule}: a token opened a page ({response.status_code})")
            continue
        if kind == "revoked":
            expected = {401}
        elif kind == "read":
            expected = {200} if method == "GET" else {403}
        elif kind == "write":
            expected = {200} if method == "GET" else {200, 201, 422}
        else:
            names_a_record = bool(rule.arguments)
            expected = {404} if names_a_record else ({200} if method == "GET" else {422})
        if rule.endpoint == "api.impact_report" and kind == "other network":
            expected = {200}  # no edition named: its own network's report
        if response.status_code not in expected:
            failures.append(f"{method} {rule.rule}: {response.status_code}, expected {sorted(expected)}")
    assert failures == []
