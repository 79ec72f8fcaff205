"""The travel of an edition, against a case computed by hand.

Road km between the communes (great circle × 1.3, tested in tests/territory): Orléans–Bourges 128,
Orléans–Vierzon 100, Tours–Vierzon 138, Vierzon–Bourges 38, Tours–Bourges 174, Mehun–Vierzon 18,
Mehun–Bourges 20, Blois–Bourges 128, Blois–Vierzon 89.
"""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from crm.base.extensions import db
from crm.checkin.models import Attendance
from crm.impact import travel
from crm.impact.models import TravelFactor
from crm.showcase.models import Assignment, ShowFormat, Slot
from crm.territory import carbon
from tests import factories

UTC_DAY1 = datetime(2027, 3, 4, 13, 0, tzinfo=UTC)


def _slot(edition, venue, when, registration=None):
    slot = Slot(edition_id=edition.id, venue_id=venue.id, format=ShowFormat.FULL, starts_at=when,
                ends_at=when + timedelta(hours=1))  # fmt: skip
    db.session.add(slot)
    db.session.flush()
    if registration is not None:
        db.session.add(Assignment(slot_id=slot.id, registration_id=registration.id))
    return slot


@pytest.fixture
def scene(app):
    net = factories.network()
    coordinator = factories.user(net=net)
    place = {"structure_type": "municipal_theatre", "is_venue": True}
    bourges = factories.structure(net, "Théâtre de Bourges", postcode="18000", city="Bourges", **place)
    vierzon = factories.structure(net, "Salle de Vierzon", postcode="18100", city="Vierzon", **place)
    mehun = factories.structure(net, "Médiathèque de Mehun", postcode="18500", city="Mehun-sur-Yèvre")
    blois = factories.structure(net, "Scène de Blois", postcode="41000", city="Blois")
    orleans_company = factories.company(net, "Compagnie d'Orléans")  # Orléans, the factory's default
    tours_company = factories.company(net, "Compagnie de Tours", postcode="37000", city="Tours")
    edition = factories.edition(net)
    # A: cast of 5 (two cars) and a van, plays Bourges on day 1
    a = factories.accepted(
        edition, orleans_company, factories.show(orleans_company, set_van=True), cast_size=5
    )
    # B: cast of 2 (one car), plays Vierzon then Bourges on day 1
    b = factories.accepted(edition, tours_company, factories.show(tours_company), cast_size=2)
    at_bourges = _slot(edition, bourges, UTC_DAY1, a)
    _slot(edition, vierzon, UTC_DAY1 + timedelta(hours=2), b)
    late_bourges = _slot(edition, bourges, UTC_DAY1 + timedelta(hours=5), b)
    day2_bourges = _slot(edition, bourges, UTC_DAY1 + timedelta(days=1))
    day1_vierzon = db.session.scalar(select(Slot).where(Slot.venue_id == vierzon.id))
    people = {
        "p1": factories.programmer(net, coordinator, mehun),  # Vierzon then Bourges, day 1
        "p2": factories.programmer(net, coordinator, blois),  # Bourges day 1, drives P4
        "p3": factories.programmer(net, coordinator, vierzon),  # Vierzon day 1, Bourges day 2
        "p4": factories.programmer(net, coordinator, vierzon),  # Bourges day 1, rides with P2
        "nowhere": factories.programmer(net, coordinator),  # no structure: left out, counted
    }
    seen = [("p1", day1_vierzon), ("p1", late_bourges), ("p2", at_bourges), ("p3", day1_vierzon),
            ("p3", day2_bourges), ("p4", at_bourges), ("nowhere", at_bourges)]  # fmt: skip
    for who, slot in seen:
        db.session.add(Attendance(slot_id=slot.id, programmer_id=people[who].id))
    db.session.commit()
    return net, edition, people


def test_an_editions_travel_matches_the_hand_computed_case(scene):
    net, edition, people = scene
    factors = travel.network_factors(net.id)
    ride = travel.Ride(UTC_DAY1.date(), people["p2"].id, people["p4"].id)
    result = travel.travel([edition.id], factors, {edition.id: [ride]})
    # A: Orléans–Bourges–Orléans 256 km × 2 cars + 256 by van; B: Tours–Vierzon–Bourges–Tours 350 km
    assert (result.companies.km, result.companies.trips, result.companies.unknown) == (
        256 * 2 + 256 + 350,
        2,
        0,
    )
    assert result.companies.kg == pytest.approx(256 * 2 * 0.218 + 256 * 0.276 + 350 * 0.218)
    # P1 Mehun–Vierzon–Bourges–Mehun 76; P2 Blois–Bourges 256; P3 0 then 76; P4 Vierzon–Bourges 76
    # P4 rides with P2: P2's detour Blois–Vierzon–Bourges–Blois 255 against 256 (Vierzon is on the way)
    assert (result.programmers.trips, result.programmers.unknown) == (6, 1)
    assert result.carpools == 1
    assert result.carpool_km == 76 - (255 - 256)
    assert result.programmers.km == 76 + 256 + 0 + 76 + 76 - result.carpool_km
    assert result.programmers.kg == pytest.approx(result.programmers.km * 0.218)
    assert result.carpool_kg == pytest.approx(77 * 0.218)
    # Everyone to Vierzon would have made: A 200 × 2 cars + 200 van, B 276, P1 36, P2 178, P3 and P4 0
    assert result.baseline_venues == ["Salle de Vierzon"]
    assert result.baseline_km == 400 + 200 + 276 + 36 + 178
    assert result.baseline_kg == pytest.approx((400 + 276 + 36 + 178) * 0.218 + 200 * 0.276)
    assert result.rotation_km == 1090 - (1118 + 484)  # this rotation cost km: the report says so


def test_a_networks_own_factors_replace_the_defaults(scene):
    net, edition, _people = scene
    db.session.add(TravelFactor(network_id=net.id, mode="car", kg_per_km=0.1))
    db.session.commit()
    factors = travel.network_factors(net.id)
    assert factors["car"] == 0.1 and factors["van"] == carbon.DEFAULTS["van"].kg_per_km
    result = travel.travel([edition.id], factors)
    assert result.companies.kg == pytest.approx((512 + 350) * 0.1 + 256 * 0.276)
    assert result.carpools == 0 and result.programmers.km == 76 + 256 + 0 + 76 + 76


def test_a_ride_on_a_day_one_of_them_did_not_come_saves_nothing(scene):
    net, edition, people = scene
    day2 = (UTC_DAY1 + timedelta(days=1)).date()
    ride = travel.Ride(day2, people["p2"].id, people["p4"].id)
    result = travel.travel([edition.id], travel.network_factors(net.id), {edition.id: [ride]})
    assert (result.carpools, result.carpool_km) == (0, 0)


def test_the_report_shows_the_travel_with_its_factors_and_sources(scene, client):
    from tests.conftest import post_form, sign_in

    net, edition, _people = scene
    coordinator = factories.user(net=net, email="coord-travel@example.org")
    db.session.commit()
    sign_in(client, coordinator)
    html = client.get(f"/editions/{edition.id}/impact").get_data(as_text=True)
    assert "Déplacements et carbone" in html
    # companies 1 118 km; programmers 484 km (no carpool agreed here); 1 602 in all
    assert "1\u202f118" in html and "484" in html and "1\u202f602" in html
    assert "Base Carbone" in html and "multipliées par 1,3" in html
    assert "Salle de Vierzon" in html  # the central venue the rotation is compared with
    assert "Non comptés, faute de commune connue" in html
    refused = post_form(client, "/travel-factors", {"car": "abc"}, token_from="/account/password")
    assert refused.status_code == 422 and 'value="abc"' in refused.get_data(as_text=True)
    saved = post_form(client, "/travel-factors", {"car": "0,1"}, token_from="/account/password")
    assert saved.status_code == 302
    assert travel.network_factors(net.id)["car"] == 0.1
    html = client.get(f"/editions/{edition.id}/impact").get_data(as_text=True)
    assert "valeur du réseau" in html
