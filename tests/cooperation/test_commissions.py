"""Commissions: a departmental commission's members see and decide on their départements' registrations
only, and propose hosts; volunteer time, valued, per commission and per company, with the companies
whose share fell sharply pointed out."""

from datetime import date
from decimal import Decimal

import pytest
from markupsafe import escape
from sqlalchemy import select

from crm.accounts.models import Role
from crm.base.errors import DomainError
from crm.base.extensions import db
from crm.cooperation import commissions, volunteers
from crm.cooperation.models import HostProposal, VolunteerEntry
from crm.showcase.models import Registration, RegistrationStatus
from tests import factories
from tests.conftest import post_form, sign_in


@pytest.fixture
def cher(world):
    """Network A: the Cher commission (A2's member on it, A2 from Cher), A1 from Loiret; both companies
    registered in the draft edition; a venue in each département."""
    a = world.a
    a.companies[0].departement_code, a.companies[1].departement_code = "45", "18"
    registrations = []
    for company, show in zip(a.companies, a.shows, strict=True):
        registration = Registration(edition_id=a.edition.id, company_id=company.id, show_id=show.id,
                                    format="full", status=RegistrationStatus.SUBMITTED,
                                    cast_size=2)  # fmt: skip
        db.session.add(registration)
        registrations.append(registration)
    bourges = factories.structure(a.network, name="Théâtre de Bourges")
    bourges.is_venue, bourges.departement_code = True, "18"
    a.venue.is_venue, a.venue.departement_code = True, "45"
    commission = commissions.save(a.network, None, {
        "kind": "departmental", "name": "Commission du Cher", "departements": ["18"],
        "member_ids": [a.members[1].id], "referent_id": a.members[1].id, "decides": False,
    })  # fmt: skip
    db.session.commit()
    return a, commission, registrations, bourges


def _status(registration):
    db.session.expire_all()  # the request wrote through its own session
    return db.session.get(Registration, registration.id).status


def test_a_commission_member_sees_their_departement_registrations_only(app, cher, client):
    a, commission, (loiret, bourges_reg), _venue = cher
    base = f"/commissions/{commission.id}"
    sign_in(client, a.members[1])
    page = client.get(f"{base}/editions/{a.edition.id}/registrations").get_data(as_text=True)
    assert "Spectacle A2" in page and "Spectacle A1" not in page and "Compagnie A1" not in page
    assert "la décision revient à la coordination" in page
    form = {"decision": "accepted", "message": ""}
    # not delegated: no decision, even on a Cher registration
    post_form(client, f"{base}/registrations/{bourges_reg.id}/decision", form, token_from=base)
    assert _status(bourges_reg) == RegistrationStatus.SUBMITTED
    commission.decides = True
    db.session.commit()
    done = post_form(client, f"{base}/registrations/{bourges_reg.id}/decision", form, token_from=base)
    assert done.status_code == 302
    assert _status(bourges_reg) == RegistrationStatus.ACCEPTED
    # Loiret's: not even its existence is told, and nothing changes
    assert (
        post_form(client, f"{base}/registrations/{loiret.id}/decision", form, token_from=base).status_code
        == 404
    )
    assert _status(loiret) == RegistrationStatus.SUBMITTED
    assert client.get(f"/editions/{a.edition.id}/registrations").status_code == 403  # the network's review


def test_only_the_members_and_the_coordination_open_a_commission(app, cher, client, world):
    a, commission, _regs, _venue = cher
    base = f"/commissions/{commission.id}"
    sign_in(client, a.members[0])  # A1: not on the Cher commission
    assert client.get(base).status_code == 404
    assert client.get(f"{base}/editions/{a.edition.id}/registrations").status_code == 404
    assert client.get(f"{base}/edit").status_code == 403
    assert "Commission du Cher" in client.get("/commissions").get_data(as_text=True)  # listed, not opened
    sign_in(client, world.b.coordinator)  # another network
    assert client.get(base).status_code == 404
    sign_in(client, a.coordinator)
    assert client.get(f"{base}/editions/{a.edition.id}/registrations").status_code == 200


def test_a_commission_proposes_a_host_of_its_departements(app, cher, client):
    a, commission, _regs, bourges = cher
    url = f"/commissions/{commission.id}/editions/{a.edition.id}/hosts"
    sign_in(client, a.members[1])
    refused = post_form(client, url, {"venue_id": a.venue.id, "host_company_id": a.companies[1].id},
                        token_from=url)  # fmt: skip
    assert refused.status_code == 422 and "Choisissez un lieu de vos départements" in refused.get_data(
        as_text=True
    )
    page = client.get(url).get_data(as_text=True)
    assert "Théâtre de Bourges" in page and "Théâtre A" not in page.split("<main", 1)[1]
    done = post_form(client, url, {"venue_id": bourges.id, "host_company_id": a.companies[1].id,
                                   "note": "La salle est libre en mars."}, token_from=url)  # fmt: skip
    assert done.status_code == 302
    proposal = db.session.scalar(select(HostProposal))
    assert (proposal.venue_id, proposal.host_company_id) == (bourges.id, a.companies[1].id)
    sign_in(client, a.coordinator)  # the coordination sees it on the edition's page
    edition_page = client.get(f"/editions/{a.edition.id}").get_data(as_text=True)
    assert "Théâtre de Bourges" in edition_page and "Commission du Cher" in edition_page


def test_the_commission_form_keeps_what_was_typed_and_explains(app, cher, client):
    a = cher[0]
    sign_in(client, a.coordinator)
    typed = {"name": "Commission de l'Indre", "kind": "departmental"}
    response = post_form(client, "/commissions/new", typed, token_from="/commissions/new")
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "au moins un département" in html
    assert "Commission de l&#39;Indre" in html


def _log(network, actor, **data):
    entry = volunteers.log(network, {"on": date(2027, 3, 4), "what": "Accueil", **data}, actor=actor)
    db.session.commit()
    return entry


def test_volunteer_hours_are_valued_per_commission_and_per_company(app, cher, client):
    a, commission, _regs, _venue = cher
    earlier = factories.edition(a.network, name="Édition d'avant", starts_on=date(2026, 3, 5),
                                ends_on=date(2026, 3, 6))  # fmt: skip
    # the edition before: A1 carried 60 % of the load, A2 40 %
    _log(a.network, a.coordinator, user_id=a.members[0].id, hours=Decimal("6"), edition_id=earlier.id)
    _log(a.network, a.coordinator, user_id=a.members[1].id, hours=Decimal("4"), edition_id=earlier.id)
    # this one: A1 1 hour of 10 (a tenth: less than half its former share), A2 9 hours for the commission
    _log(a.network, a.members[0], hours=Decimal("1"), edition_id=a.edition.id)
    _log(a.network, a.members[1], hours=Decimal("4.5"), edition_id=a.edition.id, commission_id=commission.id)
    _log(a.network, a.coordinator, user_id=a.members[1].id, hours=Decimal("4.5"), edition_id=a.edition.id,
         commission_id=commission.id)  # fmt: skip
    found = volunteers.summary(a.network.id, [a.edition.id])
    assert (found.hours, found.rate, found.value) == (Decimal("10"), Decimal("12.02"), Decimal("120.20"))
    assert [(load.label, load.hours) for load in found.by_commission] == [
        ("Commission du Cher", Decimal("9")), ("Sans commission", Decimal("1"))
    ]  # fmt: skip
    companies = {load.label: load for load in found.by_company}
    assert (
        companies["Compagnie A2"].share == Decimal("0.9") and companies["Compagnie A2"].dropped_from is None
    )
    assert companies["Compagnie A1"].dropped_from == Decimal("0.6")  # pointed out to the steering committee
    sign_in(client, a.coordinator)
    assert (
        post_form(
            client, "/benevolat/valeur", {"rate-hourly_value": "15"}, token_from="/benevolat"
        ).status_code
        == 302
    )
    assert volunteers.summary(a.network.id, [a.edition.id]).value == Decimal("150.00")
    page = client.get(f"/editions/{a.edition.id}/funders").get_data(as_text=True)
    section = page.split("contributions volontaires en nature", 1)[1].split("<h2", 1)[0]
    for text in ("10 heures", "150,00\xa0€", "Commission du Cher", "135,00\xa0€", "Compagnie A1",
                 "À signaler au comité de pilotage\u202f: 60\u202f% de la charge"):  # fmt: skip
        assert text in section, text


def test_a_member_logs_their_own_time_and_bad_hours_are_refused_beside_the_field(app, cher, client):
    a = cher[0]
    sign_in(client, a.members[1])
    url = "/benevolat"
    response = post_form(client, url, {"on": "2027-03-04", "hours": "30", "what": "Montage"}, token_from=url)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "heures entre 0 et 24, par exemple 2,5." in html
    assert 'value="30"' in html and 'value="Montage"' in html
    assert db.session.scalars(select(VolunteerEntry)).all() == []
    smuggled = {"on": "2027-03-04", "hours": "2,5", "what": "Montage", "user_id": a.members[0].id,
                "company_id": a.companies[0].id}  # fmt: skip
    assert post_form(client, url, smuggled, token_from=url).status_code == 302
    entry = db.session.scalar(select(VolunteerEntry))
    assert (entry.user_id, entry.company_id, entry.hours) == (
        a.members[1].id,
        a.companies[1].id,
        Decimal("2.5"),
    )
    other = factories.user(Role.MEMBER, comp=a.companies[0], email="autre-a1@example.org")
    sign_in(client, other)
    post_form(client, f"/benevolat/{entry.id}/delete", {}, token_from=url)
    assert db.session.get(VolunteerEntry, entry.id) is not None  # only its author or the coordination


def test_the_demo_commission_reviews_its_departement_and_its_hours_reach_the_funders(app, client):
    from crm.accounts.models import User
    from crm.cooperation.models import Commission, CommissionKind
    from crm.demo import loader
    from crm.showcase.models import Edition, EditionStatus

    loader.load(date(2026, 11, 27))
    db.session.commit()
    commission = db.session.scalar(select(Commission).where(Commission.kind == CommissionKind.DEPARTMENTAL))
    member = db.session.scalar(select(User).where(User.email == "diffusion2@jeudis-croises.example"))
    assert commissions.is_member(commission, member) and commission.referent_id == member.id
    current = db.session.scalar(
        select(Edition).where(Edition.network_id == commission.network_id,
                              Edition.status == EditionStatus.REGISTRATIONS_CLOSED)
    )  # fmt: skip
    sign_in(client, member)
    page = client.get(f"/commissions/{commission.id}/editions/{current.id}/registrations").get_data(
        as_text=True
    )
    everyone = commissions.registrations_for(commission, current)
    assert everyone and all(r.company.departement_code in commission.codes for r in everyone)
    others = db.session.scalars(
        select(Registration).where(Registration.edition_id == current.id,
                                   Registration.id.not_in([r.id for r in everyone]))
    ).all()  # fmt: skip
    assert others  # the other départements' registrations exist, and none is on the page
    assert all(str(escape(r.show.title)) in page for r in everyone)
    assert not any(str(escape(r.show.title)) in page for r in others)
    assert db.session.scalar(select(HostProposal.commission_id)) == commission.id
    coordinator = db.session.scalar(select(User).where(User.email == "coordination@jeudis-croises.example"))
    sign_in(client, coordinator)
    funders = client.get(f"/editions/{current.id}/funders").get_data(as_text=True)
    section = funders.split("contributions volontaires en nature", 1)[1].split("<h2", 1)[0]
    assert "24 heures" in section and "288,48\xa0€" in section  # 24 h at the SMIC's 12.02 €
    assert (
        commission.name in section and "Communication" in section and "Théâtre de l&#39;Escargot" in section
    )
    assert "À signaler au comité de pilotage" in section  # the first company's share fell from 40 % to 8 %


def test_a_thematic_commission_keeps_its_task_list_visible_to_the_network(app, cher, client):
    a = cher[0]
    communication = commissions.save(a.network, None, {"kind": "thematic", "name": "Communication",
                                                       "member_ids": [a.members[0].id]})  # fmt: skip
    db.session.commit()
    base = f"/commissions/{communication.id}"
    sign_in(client, a.members[0])
    typed = {"title": "Commander les affiches", "assignee_id": a.members[1].id, "due_on": "2027-02-01"}
    post_form(client, f"{base}/tasks", typed, token_from=base)  # A2's member is not on the commission
    assert commissions.tasks_of(communication) == []
    assert post_form(client, f"{base}/tasks", {**typed, "assignee_id": a.members[0].id},
                     token_from=base).status_code == 302  # fmt: skip
    (task,) = commissions.tasks_of(communication)
    assert (task.title, task.assignee_id, str(task.due_on)) == ("Commander les affiches", a.members[0].id,
                                                                 "2027-02-01")  # fmt: skip
    sign_in(client, a.members[1])  # not a member: reads the list, changes nothing
    page = client.get(base).get_data(as_text=True)
    assert "Commander les affiches" in page and "Ajouter la tâche" not in page
    assert post_form(client, f"{base}/tasks/{task.id}/done", {}, token_from=base).status_code == 404
    sign_in(client, a.members[0])
    assert post_form(client, f"{base}/tasks/{task.id}/done", {}, token_from=base).status_code == 302
    db.session.expire_all()
    assert commissions.tasks_of(communication)[0].done_at is not None


def test_a_commission_takes_on_the_followup_of_its_departement_and_sees_its_venues_programme(
    app, cher, client
):
    from crm.followups.models import Action, Task
    from tests.scene import on_stage

    a, commission, _regs, bourges = cher
    tasks = {}
    for code, person in zip(("18", "45"), a.programmers, strict=True):
        person.departement_code = code
        tasks[code] = Task(network_id=a.network.id, edition_id=a.planned.id, programmer_id=person.id,
                           action=Action.CALL, title=f"Appeler {person.last_name}",
                           due_on=date(2027, 3, 10))  # fmt: skip
        db.session.add(tasks[code])
    on_stage(a.planned, bourges, a.companies[1], a.shows[1], 10)  # a show at the Cher venue
    db.session.commit()
    base = f"/commissions/{commission.id}"
    sign_in(client, a.members[1])
    page = client.get(f"{base}/suivi").get_data(as_text=True)
    assert tasks["18"].title in page and tasks["45"].title not in page
    assert post_form(client, f"{base}/suivi/{tasks['45'].id}/prendre", {}, token_from=base).status_code == 302
    assert post_form(client, f"{base}/suivi/{tasks['18'].id}/prendre", {}, token_from=base).status_code == 302
    db.session.expire_all()
    assert db.session.get(Task, tasks["45"].id).assignee_id is None  # Loiret's: refused
    assert db.session.get(Task, tasks["18"].id).assignee_id == a.members[1].id
    mine = client.get("/taches").get_data(as_text=True)
    assert tasks["18"].title in mine  # now in « Mes tâches », and theirs to do
    assert client.get(f"/taches/{tasks['18'].id}").status_code == 200
    programme = client.get(f"{base}/editions/{a.planned.id}/programme").get_data(as_text=True)
    assert "Théâtre de Bourges" in programme and "Spectacle A2" in programme
    assert "Spectacle A1" not in programme  # played at the Loiret venue


@pytest.mark.parametrize("typed", ["NaN", "sNaN", "Infinity", "0,001", "0", "-2", "24,5", "1e3"])
def test_hours_that_are_not_a_day_s_worth_are_refused_not_a_failure(app, cher, client, typed):
    a = cher[0]
    sign_in(client, a.members[1])
    response = post_form(client, "/benevolat", {"on": "2027-03-04", "hours": typed, "what": "Montage"},
                         token_from="/benevolat")  # fmt: skip
    assert response.status_code == 422, typed
    assert db.session.scalars(select(VolunteerEntry)).all() == []


def test_a_company_that_gave_nothing_this_time_is_pointed_out_and_members_see_no_company_figures(
    app, cher, client
):
    a, commission, _regs, _venue = cher
    earlier = factories.edition(a.network, name="Édition d'avant", starts_on=date(2026, 3, 5),
                                ends_on=date(2026, 3, 6))  # fmt: skip
    _log(a.network, a.coordinator, user_id=a.members[0].id, hours=Decimal("3"), edition_id=earlier.id)
    _log(a.network, a.coordinator, user_id=a.members[1].id, hours=Decimal("7"), edition_id=earlier.id)
    _log(a.network, a.members[1], hours=Decimal("5"), edition_id=a.edition.id)
    found = volunteers.summary(a.network.id, [a.edition.id])
    gone = next(load for load in found.by_company if load.label == "Compagnie A1")
    assert (gone.hours, gone.dropped_from) == (Decimal(0), Decimal("0.3"))  # 30 % then nothing
    assert volunteers.summary(a.network.id, [earlier.id]).by_company[0].dropped_from is None
    with pytest.raises(DomainError):
        volunteers.set_hourly_value(a.network, Decimal("10000"))
    sign_in(client, a.members[1])  # the report opens to members: the hours, not each company's share
    report = client.get(f"/editions/{a.edition.id}/impact").get_data(as_text=True)
    section = report.split("contributions volontaires en nature", 1)[1]
    assert "5 heures" in section and "Par compagnie" not in section and "Compagnie A1" not in section
