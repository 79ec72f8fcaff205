from datetime import date

from dateutil.relativedelta import relativedelta
from sqlalchemy import func, select

from crm.accounts.models import Role, User
from crm.base.extensions import db
from crm.contacts.models import Organisation, OrganisationKind, Programmer
from crm.demo import loader
from crm.mail.models import OutboxMessage
from crm.meetings.models import Meeting
from crm.networks.models import Network
from crm.showcase.models import Assignment, Edition, EditionStatus, Registration, Show
from crm.territory import communes
from tests.conftest import _empty_tables

TODAY = date(2026, 11, 27)


def _count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _snapshot():
    return (
        sorted(db.session.scalars(select(Programmer.email))),
        sorted(db.session.scalars(select(Organisation.name))),
        sorted((e.name, e.starts_on, e.status.value) for e in db.session.scalars(select(Edition))),
        sorted(db.session.scalars(select(Show.title))),
        sorted(db.session.execute(select(Assignment.slot_id, Assignment.registration_id)).all()),
        sorted(
            db.session.execute(
                select(Meeting.programmer_id, Meeting.company_id, Meeting.round, Meeting.table_number)
            ).all()
        ),
    )


def test_demo_has_three_networks_of_the_expected_size(app):
    made = loader.load(TODAY)
    db.session.commit()
    assert _count(Network) == 3
    assert _count(Organisation, Organisation.kind == OrganisationKind.COMPANY) == 30
    assert _count(Programmer) == 150
    assert _count(Organisation, Organisation.kind == OrganisationKind.STRUCTURE, Organisation.is_venue) >= 9
    assert list(made.values()).count("member") >= 2
    for network in db.session.scalars(select(Network)):
        statuses = {
            e.status for e in db.session.scalars(select(Edition).where(Edition.network_id == network.id))
        }
        assert EditionStatus.FOLLOW_UP in statuses and EditionStatus.DRAFT in statuses
        assert len(statuses) == 3
    assert _count(User, User.role == Role.COORDINATOR) == 3
    # every place has a commune, and its département is the commune's
    assert _count(Organisation, Organisation.commune_code.is_(None)) == 0
    for code, departement in db.session.execute(
        select(Organisation.commune_code, Organisation.departement_code)
    ):
        assert communes.get(code).departement == departement


def test_demo_past_editions_report_their_travel(app):
    from crm.impact import travel

    loader.load(TODAY)
    db.session.commit()
    network = db.session.scalar(select(Network).where(Network.slug == "jeudis-croises"))
    past = db.session.scalars(
        select(Edition.id).where(Edition.network_id == network.id, Edition.status == EditionStatus.FOLLOW_UP)
    ).all()
    result = travel.travel(past, travel.network_factors(network.id), travel.rides(past))
    assert result.companies.km > 0 and result.programmers.km > 0 and result.kg > 0
    assert result.companies.unknown == 0 and result.baseline_venues
    # carpools agreed by people who then came: the report counts what they saved
    assert result.carpools > 0 and result.carpool_km > 0


def test_demo_upcoming_edition_has_carpools_waiting_for_both_answers(app):
    from crm.invitations import carpool
    from crm.invitations.models import CarpoolMatch, MatchStatus

    loader.load(TODAY)
    db.session.commit()
    upcoming = db.session.scalar(select(Edition).where(Edition.status == EditionStatus.PUBLISHED))
    waiting = db.session.scalars(
        select(CarpoolMatch).where(CarpoolMatch.edition_id == upcoming.id).order_by(CarpoolMatch.id)
    ).all()
    assert waiting and {row.status for row in waiting} == {MatchStatus.PROPOSED}
    [seen] = [s for s in carpool.seen_by(waiting[0].passenger) if s.match.id == waiting[0].id]
    assert seen.contact is None  # nobody has said yes yet: no name, no e-mail


def test_demo_is_deterministic(app):
    loader.load(TODAY)
    db.session.commit()
    first = _snapshot()
    _empty_tables()
    loader.load(TODAY)
    db.session.commit()
    assert _snapshot() == first


def test_demo_load_command_refuses_a_filled_database_unless_asked(app, runner):
    assert "demo loaded" in runner.invoke(args=["demo", "load"]).output
    again = runner.invoke(args=["demo", "load", "--if-empty"])
    assert again.exit_code == 0
    assert "nothing loaded" in again.output
    assert runner.invoke(args=["demo", "load"]).exit_code == 1
    assert _count(Network) == 3


def test_demo_members_belong_to_different_companies(app):
    loader.load(TODAY)
    db.session.commit()
    members = list(db.session.scalars(select(User).where(User.role == Role.MEMBER)))
    assert len({m.company_id for m in members}) == len(members)


def test_demo_names_read_as_french():
    assert [loader.of_town(t) for t in ("Blois", "Angers", "Le Mans", "Les Ponts-de-Cé", "Évry")] == [
        "de Blois", "d'Angers", "du Mans", "des Ponts-de-Cé", "d'Évry",
    ]  # fmt: skip


def test_demo_edition_names_are_distinct_within_each_network(app):
    loader.load(TODAY)
    db.session.commit()
    rows = db.session.execute(select(Edition.network_id, Edition.name)).all()
    assert len(rows) == len(set(rows)) == 9


def test_demo_has_a_published_programme_and_editions_at_every_stage(app, client):
    loader.load(TODAY)
    db.session.commit()
    published = db.session.scalars(select(Edition).where(Edition.status == EditionStatus.PUBLISHED)).one()
    assert _count(Assignment) > 20
    page = client.get(f"/programme/{published.slug}")
    assert page.status_code == 200
    assert "Plateaux Franciliens" in page.get_data(as_text=True)
    statuses = {e.status for e in db.session.scalars(select(Edition))}
    assert {
        EditionStatus.REGISTRATIONS_OPEN,
        EditionStatus.REGISTRATIONS_CLOSED,
        EditionStatus.FOLLOW_UP,
    } <= statuses
    festival = db.session.scalars(
        select(Edition).where(Edition.status == EditionStatus.REGISTRATIONS_OPEN)
    ).one()
    companies = db.session.scalars(
        select(Organisation).where(
            Organisation.network_id == festival.network_id, Organisation.kind == "company"
        )
    )
    eligible = {c.id for c in companies if c.member_since + relativedelta(years=2) <= festival.starts_on}
    registered = set(
        db.session.scalars(select(Registration.company_id).where(Registration.edition_id == festival.id))
    )
    assert registered == eligible
    assert 0 < len(eligible) < 10


def test_demo_has_a_published_meeting_session_in_the_plateaux_franciliens_current_edition(app):
    """Companies retained in the edition and programmers coming that day take part, both sides gave
    wishes, and the published plan breaks no rule and gives every company its floor."""
    from crm.invitations.models import Answer, Invitation, InvitationDay
    from crm.meetings import planner
    from crm.meetings import services as meetings
    from crm.meetings.models import MeetingSession, Side

    loader.load(TODAY)
    db.session.commit()
    session = db.session.scalars(select(MeetingSession)).one()
    edition = session.edition
    assert (edition.network.slug, edition.status) == ("plateaux-franciliens", EditionStatus.PUBLISHED)
    assert edition.starts_on <= session.day <= edition.ends_on
    assert session.venue_id in {v.id for v in meetings.venues_of(edition)}
    assert session.published_at is not None and session.plan_optimal
    companies = {c.company_id for c, _o in meetings.companies_taking_part(session)}
    assert companies == {c.id for c in meetings.eligible_companies(session)} and len(companies) >= 5
    coming = set(
        db.session.scalars(
            select(Invitation.programmer_id)
            .join(InvitationDay)
            .where(
                Invitation.edition_id == edition.id,
                Invitation.answer == Answer.COMING,
                InvitationDay.day == session.day,
            )
        )
    )
    assert {p.programmer_id for p, _o in meetings.programmers_taking_part(session)} == coming
    assert len(coming) >= 8
    assert {side for side, _level in meetings.wish_counts(session)} == {Side.PROGRAMMER, Side.COMPANY}
    planned = [
        (m.programmer_id, m.company_id, m.round, m.table_number) for m in meetings.meetings_of(session)
    ]
    assert len(planned) >= 30
    assert planner.check(meetings.problem_for(session), planned) == []
    per_company = [sum(1 for _p, c, _r, _t in planned if c == company) for company in companies]
    assert min(per_company) >= session.min_per_company


def test_demo_past_editions_have_invitations_answers_and_attendance(app):
    from crm.checkin.models import Attendance
    from crm.invitations.models import Invitation
    from crm.showcase.models import Slot

    loader.load(TODAY)
    db.session.commit()
    for past in db.session.scalars(select(Edition).where(Edition.status == EditionStatus.HELD)):
        invited = _count(Invitation, Invitation.edition_id == past.id)
        answered = _count(Invitation, Invitation.edition_id == past.id, Invitation.answer.is_not(None))
        present = db.session.scalar(
            select(func.count()).select_from(Attendance).join(Slot).where(Slot.edition_id == past.id)
        )
        assert invited == 50
        assert 0 < answered < invited
        assert present > 0
    outbox = db.session.scalar(select(func.count()).select_from(OutboxMessage))
    assert outbox > 150  # decisions, programmes and invitations, all in the development outbox


def test_demo_follow_up_sends_real_messages_right_after_loading(app, runner):
    """Each network's past edition has its follow-up launched with the J+2 step due."""
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    before = _count(OutboxMessage)
    result = runner.invoke(args=["followups", "run-due"])
    assert result.exit_code == 0, result.output
    sent = db.session.scalars(select(OutboxMessage).where(OutboxMessage.id > before)).all()
    per_network = {m.network_id for m in sent}
    assert len(per_network) == 3
    assert all("/suivi/" in m.body_text and m.unsubscribe_url for m in sent)
    again = runner.invoke(args=["followups", "run-due"])
    assert "nothing due; next step on " in again.output  # says when, rather than only "nothing"


def test_demo_follow_up_messages_carry_a_reply_token_and_a_display_name(app, runner):
    """With a reply address set, every follow-up message answers to an address of its own."""
    from email.headerregistry import Address

    from crm.mail.delivery import build

    app.config["MAIL_REPLY_ADDRESS"] = "suivi@reseau.example"
    try:
        assert runner.invoke(args=["demo", "load"]).exit_code == 0
        before = _count(OutboxMessage)
        assert runner.invoke(args=["followups", "run-due"]).exit_code == 0
        sent = db.session.scalars(select(OutboxMessage).where(OutboxMessage.id > before)).all()
        built = [build(m) for m in sent if m.programmer_id]
        reply_to = [m["Reply-To"].addresses[0].addr_spec for m in built]
    finally:
        app.config["MAIL_REPLY_ADDRESS"] = ""
    assert built and len(set(reply_to)) == len(built)
    assert all(a.startswith("suivi+") and a.endswith("@reseau.example") for a in reply_to)
    senders = {m["From"].addresses[0].display_name for m in built}
    assert senders == {
        "Plateaux Franciliens — coordination", "Jeudis Croisés — coordination", "Ça Mijote ! — coordination"
    }  # fmt: skip
    assert all(
        isinstance(m["From"].addresses[0], Address) and m["Auto-Submitted"] == "auto-generated" for m in built
    )


def test_demo_data_a_newcomer_can_use_as_it_is(app):
    """Two company accounts in every network, addresses that pass a syntax check, and RSVP answers
    "coming" or "maybe" with the days chosen, as the real form asks, so the agenda feeds are not empty."""
    from email_validator import validate_email

    from crm.invitations.models import Answer as Rsvp
    from crm.invitations.models import Invitation

    app.config["VITRINE_BASE_URL"] = "https://vitrine.reseau.example"
    loader.load(TODAY)
    db.session.commit()
    for network in db.session.scalars(select(Network)):
        companies = db.session.scalar(
            select(func.count(func.distinct(User.company_id))).where(
                User.role == Role.MEMBER, User.network_id == network.id
            )
        )
        assert companies >= 2, network.name
    addresses = [*db.session.scalars(select(Programmer.email)), *db.session.scalars(select(User.email))]
    addresses += [e for e in db.session.scalars(select(Organisation.email)) if e]
    for address in addresses:
        validate_email(address, check_deliverability=False, test_environment=True)
    answered = db.session.scalars(
        select(Invitation).where(Invitation.answer.in_([Rsvp.COMING, Rsvp.MAYBE]))
    ).all()
    assert answered and all(invitation.days for invitation in answered)
    invitations = db.session.scalars(
        select(OutboxMessage.body_text).where(OutboxMessage.subject.like("Invitation%"))
    )
    assert all("https://vitrine.reseau.example/rsvp/" in body for body in invitations)


def test_each_demo_coordinator_sees_what_next_on_each_edition(app):
    from time_machine import travel

    from tests.conftest import sign_in

    loader.load(TODAY)
    db.session.commit()
    coordinators = db.session.scalars(select(User).where(User.role == Role.COORDINATOR)).all()
    assert len(coordinators) == 3
    with travel(date(2026, 12, 2), tick=False):
        for coordinator in coordinators:
            client = app.test_client()
            sign_in(client, coordinator)
            editions = db.session.scalars(
                select(Edition).where(Edition.network_id == coordinator.network_id)
            ).all()
            waiting = 0
            for edition in editions:
                page = client.get(f"/editions/{edition.id}").get_data(as_text=True)
                assert f'aria-current="step">{edition.status.label}' in page, edition.name
                assert "À faire pour passer à l'étape suivante" in page
                waiting += '<ul class="todos">' in page
            assert waiting >= 2, coordinator.email  # every network has editions waiting for something
            assert "Ce qui vous attend" in client.get("/").get_data(as_text=True)


def test_demo_confirmed_cession_prepares_its_contract_with_what_is_missing_listed(app):
    from crm.impact import contract
    from crm.impact.models import Outcome, OutcomeStatus

    loader.load(TODAY)
    db.session.commit()
    booking = db.session.scalar(
        select(Outcome).where(Outcome.status == OutcomeStatus.CONFIRMED).order_by(Outcome.id)
    )
    assert contract.may_prepare(booking)
    found = contract.summary(booking)
    values, missing = found.values(), {line.key for line in found.missing}
    assert values["vendeur_signataire"] == "Camille Arnaud" and values["total_ht"] == "3\u202f600,00\u00a0€"
    # every field is either filled or listed as missing
    assert {k for k, v in values.items() if not v} == missing and "vendeur_nom" not in missing
