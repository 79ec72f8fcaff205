"""The three networks of the brief, run through the app's own functions."""

from datetime import date, time

import pytest
from sqlalchemy import select

from crm.accounts.models import Role
from crm.base.errors import DomainError
from crm.base.extensions import db
from crm.mail.models import OutboxMessage
from crm.showcase import editions, planning, registrations
from crm.showcase.models import EditionStatus, RegistrationStatus, SlotStatus
from crm.showcase.registrations import EligibilityError
from crm.showcase.rules import Rule, plan_violations
from tests import factories
from tests.showcase.scenarios import TODAY, apply, band, edition_with_rules, open_registrations, venue


@pytest.fixture
def net(app):
    return factories.network(slug="reseau")


def _accept_all(regs):
    for reg in regs:
        registrations.decide(reg, "accepted", None)


def _close(edition):
    editions.advance(edition, EditionStatus.REGISTRATIONS_CLOSED, now=None)


def test_ca_chauffe_two_year_membership_and_young_audience_bands(app, net, coordinator):
    edition = edition_with_rules(net, min_membership_years=2)
    theatre = venue(net, "Angers", "49000")
    open_registrations(edition, [theatre])
    day = edition.starts_on
    morning = band(edition, day, "Matin", (9, 0), (12, 0), young=True, every=False)
    evening = band(edition, day, "Soirée", (19, 0), (23, 0), young=False, every=True)
    recent = factories.company(net, name="Jeune compagnie", member_since=date(2025, 3, 1))
    with pytest.raises(EligibilityError) as refused:
        apply(edition, recent, factories.show(recent), coordinator)
    assert refused.value.message == "Membre depuis le 03/2025 : il faut 2 ans d'adhésion au 15/02/2027."
    old_young = factories.company(net, name="Ancienne A", member_since=date(2019, 1, 1))
    old_all = factories.company(net, name="Ancienne B", member_since=date(2020, 5, 1))
    young_show = factories.show(old_young, audience="young", min_age=4, duration_minutes=45)
    evening_show = factories.show(old_all, duration_minutes=70)
    regs = [
        apply(edition, old_young, young_show, coordinator, band_ids=[morning.id]),
        apply(edition, old_all, evening_show, coordinator, band_ids=[evening.id]),
    ]
    _accept_all(regs)
    _close(edition)
    slots = [
        planning.create_slot(
            edition, {"venue_id": theatre.id, "day": day, "starts": time(s), "ends": time(e)}
        )
        for s, e in ((9, 11), (20, 22))
    ]
    result = planning.auto_assign(edition, actor=coordinator)
    assert result.optimal
    assert sorted(result.plan) == [(regs[0].id, slots[0].id), (regs[1].id, slots[1].id)]
    assert (slots[0].band_id, slots[1].band_id) == (morning.id, evening.id)


def test_scenes_sur_seine_pitch_series_with_changeover(app, net, coordinator):
    edition = edition_with_rules(net, offers_full=False, offers_pitch=True)
    hall = venue(net, "Montreuil", "93100")
    open_registrations(edition, [hall])
    companies = [factories.company(net, name=f"Cie {i}") for i in range(6)]
    regs = [
        apply(edition, c, factories.show(c, duration_minutes=60), coordinator, fmt="pitch") for c in companies
    ]
    with pytest.raises(EligibilityError) as refused:
        apply(edition, companies[0], factories.show(companies[0]), coordinator, fmt="full")
    assert refused.value.field == "format"
    _accept_all(regs)
    _close(edition)
    series = planning.create_pitch_series(
        edition,
        {
            "venue_id": hall.id,
            "day": edition.starts_on,
            "starts": time(14, 0),
            "count": 5,
            "pitch_minutes": 10,
            "changeover_minutes": 5,
        },
    )
    local_starts = [
        s.starts_at.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Paris")).strftime("%H:%M")
        for s in series
    ]
    assert local_starts == ["14:00", "14:15", "14:30", "14:45", "15:00"]
    assert {s.minutes for s in series} == {10}
    result = planning.auto_assign(edition, actor=coordinator)
    assert len(result.plan) == 5
    assert list(result.unassigned.values()) == [[(Rule.SLOT_TAKEN, 0)]]


def test_jeudiffusion_rotation_guests_play_away_hosts_not_at_home(app, net, coordinator):
    edition = edition_with_rules(net, rotation=True)
    tours, blois = venue(net, "Tours", "37000"), venue(net, "Blois", "41000")
    host_tours = factories.company(net, name="Hôte Tours", postcode="37000")
    guest_tours = factories.company(net, name="Invitée Tours", postcode="37000")
    guest_blois = factories.company(net, name="Invitée Blois", postcode="41000", city="Blois")
    open_registrations(edition, [tours, blois], {tours.id: host_tours.id})
    regs = [
        apply(edition, c, factories.show(c, duration_minutes=50), coordinator)
        for c in (host_tours, guest_tours, guest_blois)
    ]
    _accept_all(regs)
    _close(edition)
    day = edition.starts_on
    at_tours = planning.create_slot(
        edition, {"venue_id": tours.id, "day": day, "starts": time(14), "ends": time(16)}
    )
    at_blois = [
        planning.create_slot(
            edition, {"venue_id": blois.id, "day": day, "starts": time(h), "ends": time(h + 2)}
        )
        for h in (10, 17)
    ]
    result = planning.auto_assign(edition, actor=coordinator)
    placed = dict(result.plan)
    assert placed[regs[2].id] == at_tours.id  # the Blois company plays in Tours
    assert placed[regs[1].id] in {s.id for s in at_blois}  # the Tours guest plays in Blois
    assert placed[regs[0].id] in {s.id for s in at_blois}  # the Tours host does not play at home
    with pytest.raises(planning.AssignmentConflictError) as conflict:
        planning.assign(at_tours, regs[1], actor=coordinator)
    assert conflict.value.rules == [Rule.SLOT_TAKEN, Rule.GUEST_OUTSIDE_HOME, Rule.SLOTS_PER_REGISTRATION]


def test_manual_assignment_shows_conflicts_and_records_an_override(app, net, coordinator):
    edition = edition_with_rules(net)
    hall = venue(net, "Orléans", "45000")
    open_registrations(edition, [hall])
    company = factories.company(net)
    reg = apply(edition, company, factories.show(company, duration_minutes=100), coordinator)
    registrations.decide(reg, "accepted", None)
    short = planning.create_slot(
        edition, {"venue_id": hall.id, "day": edition.starts_on, "starts": time(10), "ends": time(11)}
    )
    with pytest.raises(planning.AssignmentConflictError) as conflict:
        planning.assign(short, reg, actor=coordinator)
    assert conflict.value.rules == [Rule.LENGTH]
    assignment = planning.assign(short, reg, actor=coordinator, override_reason="Version courte convenue")
    assert assignment.override_reason == "Version courte convenue"
    assert planning.assignment_conflicts(assignment) == [Rule.LENGTH]
    other = factories.company(net)
    second = apply(edition, other, factories.show(other), coordinator)
    registrations.decide(second, "accepted", None)
    with pytest.raises(planning.AssignmentConflictError) as taken:
        planning.assign(short, second, actor=coordinator, override_reason="Je force")
    assert taken.value.rules[0] == Rule.SLOT_TAKEN


def test_registration_refusals_name_the_rule(app, net, coordinator):
    edition = edition_with_rules(net, max_registrations_per_company=1, disciplines=["dance"])
    open_registrations(edition, [venue(net, "Bourges", "18000")])
    company = factories.company(net)
    dance = factories.show(company, discipline="dance")
    apply(edition, company, dance, coordinator)
    with pytest.raises(EligibilityError) as limit:
        apply(edition, company, factories.show(company, discipline="dance"), coordinator)
    assert limit.value.message == "Votre compagnie a déjà 1 candidature(s) pour cette édition, le maximum."
    with pytest.raises(EligibilityError) as discipline:
        apply(edition, company, factories.show(company, discipline="theatre"), coordinator)
    assert (
        discipline.value.message
        == "Discipline non retenue pour cette édition : Théâtre (disciplines ouvertes : Danse)."
    )
    with pytest.raises(DomainError) as twice:
        apply(edition, company, dance, coordinator)
    assert twice.value.field == "show_id"
    late_show = factories.show(factories.company(net), discipline="dance")
    with pytest.raises(EligibilityError) as closed:
        registrations.register(
            edition,
            late_show.company,
            {"show_id": late_show.id, "format": "full", "cast_size": 2},
            actor=coordinator,
            today=date(2027, 2, 1),
        )
    assert closed.value.message == "Les candidatures sont closes depuis le 31/01/2027."


def test_withdrawn_registration_can_come_back(app, net, coordinator):
    edition = edition_with_rules(net)
    open_registrations(edition, [venue(net, "Vierzon", "18100")])
    company = factories.company(net)
    show = factories.show(company)
    first = apply(edition, company, show, coordinator)
    registrations.withdraw(first, today=TODAY)
    again = apply(edition, company, show, coordinator)
    assert (again.id, again.status) == (first.id, RegistrationStatus.SUBMITTED)


def test_decisions_tell_the_company_why(app, net, coordinator):
    edition = edition_with_rules(net)
    open_registrations(edition, [venue(net, "Chartres", "28000")])
    company = factories.company(net, email="cie@example.org")
    factories.user(role=Role.MEMBER, comp=company, email="diffusion@example.org")
    reg = apply(edition, company, factories.show(company, title="Zélie"), coordinator)
    registrations.decide(reg, "declined", "Trop de spectacles de marionnettes cette année.")
    sent = list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.to_address)))
    assert [m.to_address for m in sent] == ["cie@example.org", "diffusion@example.org"]
    assert "« Zélie »" in sent[0].body_text and "Non retenue" in sent[0].body_text
    assert "Trop de spectacles de marionnettes cette année." in sent[0].body_text


def test_slot_rules_overlap_and_dates(app, net, coordinator):
    edition = edition_with_rules(net)
    hall = venue(net, "Blois", "41000")
    open_registrations(edition, [hall])
    day = edition.starts_on
    planning.create_slot(edition, {"venue_id": hall.id, "day": day, "starts": time(10), "ends": time(12)})
    for data, field in [
        ({"day": day, "starts": time(11), "ends": time(13)}, "starts"),
        ({"day": day, "starts": time(15), "ends": time(14)}, "ends"),
        ({"day": date(2027, 3, 1), "starts": time(10), "ends": time(11)}, "day"),
    ]:
        with pytest.raises(DomainError) as error:
            planning.create_slot(edition, {"venue_id": hall.id, **data})
        assert error.value.field == field


def test_publish_notifies_and_cancelled_slot_is_kept(app, net, coordinator):
    edition = edition_with_rules(net)
    hall = venue(net, "Tours", "37000")
    open_registrations(edition, [hall])
    company = factories.company(net, email="cie@example.org")
    reg = apply(edition, company, factories.show(company, title="La Marée"), coordinator)
    registrations.decide(reg, "accepted", None)
    _close(edition)
    with pytest.raises(DomainError):
        editions.advance(edition, EditionStatus.PUBLISHED, now=None)
    slot = planning.create_slot(
        edition, {"venue_id": hall.id, "day": edition.starts_on, "starts": time(20), "ends": time(22)}
    )
    planning.assign(slot, reg, actor=coordinator)
    editions.advance(edition, EditionStatus.PUBLISHED, now=factories_now())
    planning.cancel_slot(slot)
    subjects = [m.subject for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]
    assert subjects[-2:] == [
        f"{edition.name} : programme publié",
        f"{edition.name} : changement de programme",
    ]
    assert slot.status == SlotStatus.CANCELLED
    with pytest.raises(DomainError):
        planning.delete_slot(slot)
    plan = [(reg.id, slot.id)]
    facts = [planning.registration_facts(reg, edition)], [planning.slot_facts(slot, edition)]
    assert plan_violations(plan, *facts, False, 30) == [(reg.id, slot.id, Rule.CANCELLED)]


def factories_now():
    from crm.base.database import utcnow

    return utcnow()


def test_host_duty_rotates_to_the_company_that_hosted_longest_ago(app, net, coordinator):
    from crm.showcase.models import EditionVenue

    tours = venue(net, "Tours", "37000")
    veteran = factories.company(net, name="A Hôte ancienne", postcode="37000")
    recent = factories.company(net, name="B Hôte récente", postcode="37000")
    newcomer = factories.company(net, name="C Jamais hôte", postcode="37000")
    elsewhere = factories.company(net, name="D Blois", postcode="41000", city="Blois")
    for year, host in ((2024, veteran), (2026, recent)):
        past = edition_with_rules(
            net,
            starts=date(year, 2, 1),
            ends=date(year, 2, 2),
            rotation=True,
            registration_opens_on=None,
            registration_closes_on=None,
        )
        db.session.add(EditionVenue(edition_id=past.id, venue_id=tours.id, host_company_id=host.id))
    edition = edition_with_rules(net, rotation=True)
    companies = [veteran, recent, newcomer, elsewhere]
    assert editions.suggest_hosts(edition, [tours], companies) == {tours.id: (newcomer, None)}
    assert editions.suggest_hosts(edition, [tours], [veteran, recent, elsewhere]) == {
        tours.id: (veteran, date(2024, 2, 1))
    }


def test_coordinator_can_give_a_registration_two_slots(app, net, coordinator):
    edition = edition_with_rules(net)
    hall = venue(net, "Blois", "41000")
    open_registrations(edition, [hall])
    company = factories.company(net)
    reg = apply(edition, company, factories.show(company, duration_minutes=40), coordinator)
    registrations.decide(reg, "accepted", None)
    day = edition.starts_on
    slots = [
        planning.create_slot(
            edition, {"venue_id": hall.id, "day": day, "starts": time(h), "ends": time(h + 2)}
        )
        for h in (10, 15)
    ]
    planning.assign(slots[0], reg, actor=coordinator)
    with pytest.raises(planning.AssignmentConflictError) as one_only:
        planning.assign(slots[1], reg, actor=coordinator)
    assert one_only.value.rules == [Rule.SLOTS_PER_REGISTRATION]
    registrations.set_max_slots(reg, 2)
    assert planning.assign(slots[1], reg, actor=coordinator).slot_id == slots[1].id
    with pytest.raises(DomainError):
        registrations.set_max_slots(reg, 1)
