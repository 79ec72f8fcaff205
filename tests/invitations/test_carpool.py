"""Carpooling between programmers: who is proposed to whom, the double opt-in before any contact is
shown, cancelling, what the coordination sees, the reminder, and the rides the impact report counts.

Road km (great circle × 1.3): Blois–Bourges 128, Blois–Vierzon 89, Vierzon–Bourges 38 (Vierzon is on the
way from Blois: 127 against 128), Mehun–Bourges 20; Tours is off the way (Blois–Tours–Bourges far longer).
"""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from crm.base.extensions import db
from crm.impact import travel
from crm.invitations import carpool
from crm.invitations.models import Answer, CarpoolMatch, InvitationDay, MatchStatus
from crm.showcase.models import EditionStatus, ShowFormat, Slot
from tests import factories
from tests.conftest import csrf_token

DAY1, DAY2 = date(2027, 3, 4), date(2027, 3, 5)
BEFORE = datetime(2027, 2, 20, 10, tzinfo=UTC)


@pytest.fixture
def scene(app):
    net = factories.network()
    coordinator = factories.user(net=net)
    place = {"structure_type": "municipal_theatre", "is_venue": True}
    bourges = factories.structure(net, "Théâtre de Bourges", postcode="18000", city="Bourges", **place)
    edition = factories.edition(net)
    for day in (DAY1, DAY2):
        starts = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=13)
        db.session.add(Slot(edition_id=edition.id, venue_id=bourges.id, format=ShowFormat.FULL,
                            starts_at=starts, ends_at=starts + timedelta(hours=1)))  # fmt: skip
    towns = {"blois": ("41000", "Blois"), "vierzon": ("18100", "Vierzon"), "tours": ("37000", "Tours"),
             "mehun": ("18500", "Mehun-sur-Yèvre")}  # fmt: skip
    people = {}
    for key, (postcode, city) in towns.items():
        structure = factories.structure(net, f"Structure de {city}", postcode=postcode, city=city)
        person = factories.programmer(net, coordinator, structure, last_name=f"Nom{key.capitalize()}",
                                      phone="06 12 34 56 78")  # fmt: skip
        invitation = factories.invitation(edition, person)
        invitation.answer = Answer.COMING
        invitation.days = [InvitationDay(day=DAY1), InvitationDay(day=DAY2)]
        people[key] = invitation
    db.session.commit()
    return net, edition, people


def _say(invitation, role, seats=None, *, postcode=None, town=None, shared=False, day=DAY1):
    departure = carpool.default_departure(invitation)
    place = {"postcode": postcode or departure.postcode, "town": town or departure.town}
    made = carpool.save(invitation, {day: (role, seats)}, place, shared=shared, now=BEFORE)
    db.session.commit()
    return made


def test_a_passenger_on_the_drivers_way_is_proposed_and_one_off_the_way_is_not(scene):
    _net, _edition, people = scene
    assert carpool.default_departure(people["blois"]).town == "Blois"  # the structure's commune
    _say(people["blois"], "driver", 3)
    [proposal] = _say(people["vierzon"], "passenger")
    assert (proposal.driver_id, proposal.passenger_id) == (people["blois"].id, people["vierzon"].id)
    assert proposal.detour_km == 0  # 89 + 38 = 127 against 128 straight
    assert _say(people["tours"], "passenger") == []
    assert carpool.counts(_edition) == {
        "drivers": 1,
        "seats": 3,
        "passengers": 2,
        "proposed": 1,
        "accepted": 0,
    }


def test_seats_run_out_and_a_refusal_passes_the_seat_to_the_next(scene):
    _net, _edition, people = scene
    _say(people["vierzon"], "passenger")
    _say(people["mehun"], "passenger")
    made = _say(people["blois"], "driver", 1)
    # one seat: the passenger whose pick-up costs the least detour is proposed first
    assert [m.passenger_id for m in made] == [people["vierzon"].id]
    carpool.respond(people["vierzon"], made[0].id, "refuse", now=BEFORE)
    db.session.commit()
    rows = db.session.scalars(select(CarpoolMatch).order_by(CarpoolMatch.id)).all()
    assert [(r.passenger_id, r.status) for r in rows] == [
        (people["vierzon"].id, MatchStatus.REFUSED),
        (people["mehun"].id, MatchStatus.PROPOSED),
    ]
    carpool.match(_edition.id, DAY1, now=BEFORE)  # matching again never brings back a refused pair
    assert db.session.scalar(select(db.func.count()).select_from(CarpoolMatch)) == 2


def test_contacts_show_only_once_both_accept_and_a_cancel_frees_the_seat(scene):
    net, edition, people = scene
    driver, passenger = people["blois"], people["vierzon"]
    _say(driver, "driver", 1)
    [proposal] = _say(passenger, "passenger")
    [seen] = carpool.seen_by(passenger)
    assert seen.contact is None and seen.other_commune == "Blois" and not seen.i_drive
    carpool.respond(driver, proposal.id, "accept", now=BEFORE)
    assert carpool.seen_by(driver)[0].contact is None  # one yes is not enough
    assert carpool.seen_by(passenger)[0].other_accepted
    carpool.respond(passenger, proposal.id, "accept", now=BEFORE)
    db.session.commit()
    contact = carpool.seen_by(driver)[0].contact
    assert contact == {"name": passenger.programmer.full_name, "structure": "Structure de Vierzon",
                       "email": passenger.programmer.email, "phone": "06 12 34 56 78"}  # fmt: skip
    assert travel.rides([edition.id]) == {
        edition.id: [travel.Ride(DAY1, driver.programmer_id, passenger.programmer_id)]
    }
    carpool.respond(driver, proposal.id, "cancel", now=BEFORE)
    db.session.commit()
    assert proposal.status == MatchStatus.CANCELLED and carpool.seen_by(passenger) == []
    assert travel.rides([edition.id]) == {}
    with pytest.raises(carpool.DomainError, match="déjà été refusé ou annulé"):
        carpool.respond(passenger, proposal.id, "accept", now=BEFORE)
    with pytest.raises(carpool.DomainError, match="n'existe plus"):
        carpool.respond(people["tours"], proposal.id, "accept", now=BEFORE)  # not theirs


def test_changing_ones_mind_ends_the_match_of_that_day(scene):
    _net, _edition, people = scene
    _say(people["blois"], "driver", 2)
    [proposal] = _say(people["vierzon"], "passenger")
    _say(people["vierzon"], "")  # no carpool any more that day
    assert proposal.status == MatchStatus.CANCELLED
    assert carpool.entries(people["vierzon"]) == {}
    other_day = _say(people["vierzon"], "passenger", day=DAY2)
    assert other_day == []  # nobody drives on day 2


def test_the_page_asks_again_with_what_was_typed_and_saves_nothing_half(scene, app):
    _net, _edition, people = scene
    token = people["blois"].token
    client = app.test_client()
    with time_machine.travel(BEFORE, tick=False):
        url = f"/rsvp/{token}"
        page = client.get(url).get_data(as_text=True)
        assert "Covoiturage" in page and 'value="Blois"' in page
        form = {"csrf_token": csrf_token(client, url), "role-2027-03-04": "driver",
                "seats-2027-03-04": "beaucoup", "role-2027-03-05": "passenger", "postcode": "41000",
                "town": "Blois"}  # fmt: skip
        refused = client.post(f"{url}/carpool", data=form)
        html = refused.get_data(as_text=True)
        assert refused.status_code == 422 and "nombre de places libres" in html
        assert 'value="beaucoup"' in html and 'aria-invalid="true"' in html
        assert carpool.entries(people["blois"]) == {}  # neither day saved
        unknown = client.post(f"{url}/carpool", data={**form, "seats-2027-03-04": "2", "postcode": "99999"})
        assert unknown.status_code == 422 and "Code postal inconnu" in unknown.get_data(as_text=True)
        several = client.post(f"{url}/carpool", data={**form, "seats-2027-03-04": "2", "postcode": "37140",
                                                      "town": ""})  # fmt: skip
        assert several.status_code == 422 and "plusieurs communes" in several.get_data(as_text=True)
        assert '<select id="carpool-commune"' in several.get_data(as_text=True)
        ok = client.post(f"{url}/carpool", data={**form, "seats-2027-03-04": "2"})
        assert ok.status_code == 302
    saved = carpool.entries(people["blois"])
    assert {d: (e.role.value, e.seats, e.commune_code) for d, e in saved.items()} == {
        DAY1: ("driver", 2, "41018"),
        DAY2: ("passenger", 0, "41018"),
    }


def test_each_side_sees_the_others_contact_only_after_both_accept(scene, app):
    _net, _edition, people = scene
    driver, passenger = people["blois"], people["vierzon"]
    _say(driver, "driver", 1)
    [proposal] = _say(passenger, "passenger")
    with time_machine.travel(BEFORE, tick=False):
        for invitation, other in ((driver, passenger), (passenger, driver)):
            client = app.test_client()
            url = f"/rsvp/{invitation.token}"
            before = client.get(url).get_data(as_text=True)
            assert other.programmer.email not in before and other.programmer.last_name not in before
            data = {"csrf_token": csrf_token(client, url), "match": proposal.id, "choice": "accept"}
            assert client.post(f"{url}/carpool/answer", data=data).status_code == 302
        after = app.test_client().get(f"/rsvp/{driver.token}").get_data(as_text=True)
    assert passenger.programmer.email in after and "Covoiturage confirmé des deux côtés" in after


def test_the_coordination_sees_counts_and_names_only_where_both_shared(scene, client):
    from tests.conftest import sign_in

    net, edition, people = scene
    _say(people["blois"], "driver", 2, shared=True)
    [first] = _say(people["vierzon"], "passenger", shared=True)
    [second] = _say(people["mehun"], "passenger")  # did not say the coordination may know
    for row in (first, second):
        carpool.respond(row.driver, row.id, "accept", now=BEFORE)
        carpool.respond(row.passenger, row.id, "accept", now=BEFORE)
    db.session.commit()
    edition.status = EditionStatus.REGISTRATIONS_CLOSED
    coordinator = factories.user(net=net, email="coord-carpool@example.org")
    db.session.commit()
    sign_in(client, coordinator)
    html = client.get(f"/editions/{edition.id}/invitations").get_data(as_text=True)
    assert "1 conducteur·rices (2 places), 2 personnes cherchent une place" in html
    assert "2 covoiturages acceptés" in html
    assert people["vierzon"].programmer.full_name in html
    assert people["mehun"].programmer.full_name not in html


def test_the_reminder_carries_the_agreed_ride_and_the_waiting_proposal(scene):
    from crm.mail.models import OutboxMessage
    from crm.scheduler import run_due

    _net, edition, people = scene
    _say(people["blois"], "driver", 2)
    [agreed] = _say(people["vierzon"], "passenger")
    _say(people["mehun"], "passenger")
    carpool.respond(people["blois"], agreed.id, "accept", now=BEFORE)
    carpool.respond(people["vierzon"], agreed.id, "accept", now=BEFORE)
    edition.status = EditionStatus.PUBLISHED
    db.session.commit()
    with time_machine.travel(datetime(2027, 3, 2, 10, tzinfo=UTC), tick=False):
        assert run_due()["reminders"] == 4
    bodies = {
        m.programmer_id: m.body_text
        for m in db.session.scalars(select(OutboxMessage).where(OutboxMessage.subject.startswith("Rappel")))
    }
    vierzon, blois = people["vierzon"].programmer, people["blois"].programmer
    assert (
        f"{blois.full_name} (Structure de Blois) vous emmène — {blois.email}, 06 12 34 56 78"
        in (bodies[vierzon.id])
    )
    assert f"vous emmenez {vierzon.full_name}" in bodies[blois.id]
    assert (
        "Un covoiturage vous est proposé le jeudi 4 mars (départ de Blois)"
        in (bodies[people["mehun"].programmer_id])
    )
    assert "Covoiturage" not in bodies[people["tours"].programmer_id]


def test_an_erased_person_disappears_from_the_other_side(scene):
    from crm.contacts import privacy

    _net, _edition, people = scene
    _say(people["blois"], "driver", 1)
    [proposal] = _say(people["vierzon"], "passenger")
    carpool.respond(people["blois"], proposal.id, "accept", now=BEFORE)
    carpool.respond(people["vierzon"], proposal.id, "accept", now=BEFORE)
    privacy.erase(people["vierzon"].programmer, now=BEFORE)
    db.session.commit()
    assert carpool.seen_by(people["blois"]) == []


def test_the_invitation_page_sends_as_many_statements_with_one_match_or_three(scene, app):
    from tests.conftest import statement_counts

    _net, _edition, people = scene
    _say(people["blois"], "driver", 3)
    _say(people["vierzon"], "passenger")
    client = app.test_client()
    url = f"/rsvp/{people['blois'].token}"
    with time_machine.travel(BEFORE, tick=False):
        [one] = statement_counts(client, [url])
        _say(people["mehun"], "passenger")
        _say(people["tours"], "passenger", postcode="41000", town="Blois")  # leaves from Blois too
        assert len(carpool.seen_by(people["blois"])) == 3
        [three] = statement_counts(client, [url])
    assert one == three == 13


def test_erasure_drops_the_persons_carpool_wishes_and_ends_their_matches(scene):
    from crm.contacts import privacy

    _net, _edition, people = scene
    _say(people["blois"], "driver", 1)
    [proposal] = _say(people["vierzon"], "passenger")
    privacy.erase(people["blois"].programmer, now=BEFORE)
    db.session.commit()
    assert proposal.status == MatchStatus.CANCELLED
    assert carpool.entries(people["blois"]) == {}
    assert carpool.entries(people["vierzon"]) != {}  # the other person's wish stays, to be matched again
