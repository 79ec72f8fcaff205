"""The travel a showcase causes, and what carpools and the rotation saved.

How it is counted (the report page says the same):
- Distances: road km between the communes' centres (crm.territory.communes: great circle × 1.3).
- Companies: for each day they play, home → each venue of the day in the order of their slots → home, in
  the cars their cast fills (4 seats each), plus a van when the show's set travels in one.
- Programmers: for each day they came (checked in), their structure's commune → each venue → back, alone
  in a car unless a carpool says otherwise.
- A carpool: the passenger's own day of driving is not made; the driver's detour to fetch them is added.
- The rotation against one central venue: the same people, each day, to the one venue of the edition that
  would have made the fewest km in all (what a network without rotation would do), minus what was driven.
A place without a commune is left out of the figures and counted as such.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.orm import aliased

from crm.base.extensions import db
from crm.base.timeutil import local
from crm.checkin.models import Attendance
from crm.contacts.models import Organisation, Programmer
from crm.impact.models import EditionFootprint, TravelFactor
from crm.invitations import carpool
from crm.showcase.models import Assignment, Edition, EditionStatus, Registration, Show, Slot, SlotStatus
from crm.territory import carbon
from crm.territory.communes import ROAD_DETOUR, distance_km


@dataclass(frozen=True)
class Ride:
    """Two programmers who agreed to share a car on a day (the passenger rides with the driver)."""

    day: date
    driver_id: int
    passenger_id: int


@dataclass
class Figures:
    km: int = 0  # vehicle-km
    kg: float = 0.0
    trips: int = 0  # (person or company, day) journeys
    unknown: int = 0  # journeys left out: a commune missing


@dataclass
class Travel:
    companies: Figures = field(default_factory=Figures)
    programmers: Figures = field(default_factory=Figures)
    carpool_km: int = 0
    carpool_kg: float = 0.0
    carpools: int = 0
    baseline_venues: list[str] = field(default_factory=list)
    baseline_km: int = 0
    baseline_kg: float = 0.0
    factors: dict[str, float] = field(default_factory=dict)
    detour: float = ROAD_DETOUR

    @property
    def km(self) -> int:
        return self.companies.km + self.programmers.km

    @property
    def kg(self) -> float:
        return self.companies.kg + self.programmers.kg

    @property
    def rotation_km(self) -> int:
        """km the rotation saved against one central venue, carpools aside (negative: it cost more)."""
        return self.baseline_km - (self.km + self.carpool_km)

    @property
    def rotation_kg(self) -> float:
        return self.baseline_kg - (self.kg + self.carpool_kg)


def network_factors(network_id: int) -> dict[str, float]:
    """The emission factors a network uses: its own where it set them, ADEME's defaults otherwise."""
    return carbon.factors({mode: float(value) for mode, value in own_factors(network_id).items()})


def own_factors(network_id: int) -> dict[str, float]:
    """The factors the network set itself (the others follow ADEME's defaults)."""
    own = db.session.execute(
        select(TravelFactor.mode, TravelFactor.kg_per_km).where(TravelFactor.network_id == network_id)
    ).all()
    return {mode: value for mode, value in own}


def save_factors(network_id: int, values: dict) -> None:
    """Keep the network's own value of each mode; an empty one (or ADEME's) goes back to the default."""
    db.session.execute(delete(TravelFactor).where(TravelFactor.network_id == network_id))
    for mode, value in values.items():
        if mode in carbon.DEFAULTS and value is not None and float(value) != carbon.DEFAULTS[mode].kg_per_km:
            db.session.add(TravelFactor(network_id=network_id, mode=mode, kg_per_km=value))
    db.session.flush()


def _tour(home: str | None, stops: list[str | None]) -> int | None:
    """Road km of home → each stop in turn → home; None when a commune is missing."""
    path = [home, *stops, home]
    legs = [distance_km(a, b) for a, b in zip(path, path[1:], strict=False)]
    return None if any(leg is None for leg in legs) else sum(legs)


def _company_days(edition_ids, venues):
    company, venue = aliased(Organisation), aliased(Organisation)
    rows = db.session.execute(
        select(Slot.edition_id, Registration.company_id, company.commune_code, Registration.cast_size,
               Show.set_van, venue.commune_code, venue.name, Slot.starts_at)
        .join(Assignment, Assignment.slot_id == Slot.id)
        .join(Registration, Registration.id == Assignment.registration_id)
        .join(Show, Show.id == Registration.show_id)
        .join(company, company.id == Registration.company_id)
        .join(venue, venue.id == Slot.venue_id)
        .where(Slot.edition_id.in_(edition_ids), Slot.status == SlotStatus.PLANNED)
        .order_by(Slot.starts_at, Slot.id)
    ).all()  # fmt: skip
    days = defaultdict(lambda: {"home": None, "cast": 1, "van": False, "stops": []})
    for edition_id, company_id, home, cast, van, place, name, starts_at in rows:
        if place:
            venues[edition_id].setdefault(place, name)
        day = days[(edition_id, company_id, local(starts_at).date())]
        day["home"], day["cast"], day["van"] = home, max(day["cast"], cast or 1), day["van"] or van
        if not day["stops"] or day["stops"][-1] != place:
            day["stops"].append(place)
    return days


def _programmer_days(edition_ids, venues):
    structure, venue = aliased(Organisation), aliased(Organisation)
    rows = db.session.execute(
        select(Slot.edition_id, Attendance.programmer_id, structure.commune_code, venue.commune_code,
               venue.name, Slot.starts_at)
        .join(Slot, Slot.id == Attendance.slot_id)
        .join(Programmer, Programmer.id == Attendance.programmer_id)
        .outerjoin(structure, structure.id == Programmer.organisation_id)
        .join(venue, venue.id == Slot.venue_id)
        .where(Slot.edition_id.in_(edition_ids), Programmer.erased_at.is_(None))
        .order_by(Slot.starts_at, Slot.id)
    ).all()  # fmt: skip
    days = defaultdict(lambda: {"home": None, "stops": []})
    for edition_id, programmer_id, home, place, name, starts_at in rows:
        if place:
            venues[edition_id].setdefault(place, name)
        day = days[(edition_id, programmer_id, local(starts_at).date())]
        day["home"] = home
        if not day["stops"] or day["stops"][-1] != place:
            day["stops"].append(place)
    return days


def _baseline(companies, programmers, factors, venues) -> tuple[list[str], int, float]:
    """Per edition, the one venue that would have made the fewest km had everyone gone there."""
    by_edition = defaultdict(lambda: ([], []))
    for (edition_id, _c, _d), day in companies.items():
        by_edition[edition_id][0].append(day)
    for (edition_id, _p, _d), day in programmers.items():
        by_edition[edition_id][1].append(day)
    names, km, kg = [], 0, 0.0
    for edition_id, (company_days, programmer_days) in sorted(by_edition.items()):
        best = None
        for code, name in sorted(venues.get(edition_id, {}).items(), key=lambda item: (item[1], item[0])):
            c_km = [(_tour(d["home"], [code]), d) for d in company_days]
            p_km = [_tour(d["home"], [code]) for d in programmer_days]
            vehicle_km = sum(k * carbon.cars_for(d["cast"]) for k, d in c_km if k is not None)
            van_km = sum(k for k, d in c_km if k is not None and d["van"])
            own_km = sum(k for k in p_km if k is not None)
            total = vehicle_km + van_km + own_km
            if best is None or total < best[0]:
                emitted = (vehicle_km + own_km) * factors["car"] + van_km * factors["van"]
                best = (total, emitted, name)
        if best:
            km, kg = km + best[0], kg + best[1]
            names.append(best[2])
    return names, km, kg


def rides(edition_ids) -> dict[int, list[Ride]]:
    """The carpools programmers agreed on (both accepted), per edition."""
    by_edition = defaultdict(list)
    for edition_id, day, driver_id, passenger_id in carpool.accepted_rides(edition_ids):
        by_edition[edition_id].append(Ride(day, driver_id, passenger_id))
    return dict(by_edition)


def travel(
    edition_ids, factors: dict[str, float], rides_by_edition: dict[int, list[Ride]] | None = None
) -> Travel:
    """The editions' travel: km and kg CO₂e of companies and programmers, carpools, the rotation."""
    result = Travel(factors=factors)
    if not edition_ids:
        return result
    # the venues people went to, per edition: {commune: the venue's name}
    venues = defaultdict(dict)
    companies, programmers = _company_days(edition_ids, venues), _programmer_days(edition_ids, venues)
    for day in companies.values():
        result.companies.trips += 1
        km = _tour(day["home"], day["stops"])
        if km is None:
            result.companies.unknown += 1
            continue
        cars = carbon.cars_for(day["cast"])
        result.companies.km += km * cars + (km if day["van"] else 0)
        result.companies.kg += km * cars * factors["car"] + (km * factors["van"] if day["van"] else 0.0)
    own_km = {}
    for key, day in programmers.items():
        result.programmers.trips += 1
        km = _tour(day["home"], day["stops"])
        if km is None:
            result.programmers.unknown += 1
            continue
        own_km[key] = km
    for edition_id, rides in (rides_by_edition or {}).items():
        for ride in rides:
            driver = programmers.get((edition_id, ride.driver_id, ride.day))
            passenger_key = (edition_id, ride.passenger_id, ride.day)
            passenger = programmers.get(passenger_key)
            if driver is None or passenger is None or passenger_key not in own_km or not driver["stops"]:
                continue  # one of them did not come that day: nothing was shared
            first = driver["stops"][0]
            detour = _tour(driver["home"], [passenger["home"], first]) or 0
            direct = _tour(driver["home"], [first]) or 0
            saved = own_km.pop(passenger_key) - (detour - direct)
            result.carpools += 1
            result.carpool_km += saved
            own_km[("detour", *passenger_key)] = detour - direct
    result.programmers.km = sum(own_km.values())
    result.programmers.kg = result.programmers.km * factors["car"]
    result.carpool_kg = result.carpool_km * factors["car"]
    result.baseline_venues, result.baseline_km, result.baseline_kg = _baseline(
        companies, programmers, factors, venues
    )
    return result


def measure_footprints(edition_ids, *, now) -> int:
    """Measure each edition's travel again and keep its totals (EditionFootprint): what figures over
    many editions add up in the database. Returns how many were measured."""
    if not edition_ids:
        return 0
    networks = dict(
        db.session.execute(select(Edition.id, Edition.network_id).where(Edition.id.in_(edition_ids))).all()
    )
    factors = {n: network_factors(n) for n in set(networks.values())}
    all_rides = rides(list(networks))
    for edition_id, network_id in networks.items():
        found = travel([edition_id], factors[network_id], {edition_id: all_rides.get(edition_id, [])})
        row = db.session.get(EditionFootprint, edition_id) or EditionFootprint(edition_id=edition_id)
        row.km, row.kg, row.measured_at = found.km, round(found.kg, 1), now
        row.programmers, row.companies = _travellers(edition_id)
        db.session.add(row)
    db.session.flush()
    return len(networks)


def _travellers(edition_id) -> tuple[int, int]:
    """(programmers checked in, companies on stage) of the edition: the people behind its footprint."""
    programmers = db.session.scalar(
        select(func.count(func.distinct(Attendance.programmer_id)))
        .join(Slot, Slot.id == Attendance.slot_id)
        .where(Slot.edition_id == edition_id)
    )
    companies = db.session.scalar(
        select(func.count(func.distinct(Registration.company_id)))
        .join(Assignment, Assignment.registration_id == Registration.id)
        .join(Slot, Slot.id == Assignment.slot_id)
        .where(Slot.edition_id == edition_id, Slot.status == SlotStatus.PLANNED)
    )
    return programmers, companies


SHOWN = (EditionStatus.PUBLISHED, EditionStatus.HELD, EditionStatus.FOLLOW_UP)
FOOTPRINT_BATCH = 10
FOOTPRINT_AGE = timedelta(days=1)
FOOTPRINT_SPAN = timedelta(days=366)


def stale_footprints(*, now, limit=FOOTPRINT_BATCH) -> list[int]:
    """Editions shown to programmers and begun whose footprint is missing, or a day old while the edition
    ended in the last year (later check-ins and carpools still change it); the oldest first."""
    today = local(now).date()
    measured = aliased(EditionFootprint)
    query = (
        select(Edition.id)
        .outerjoin(measured, measured.edition_id == Edition.id)
        .where(
            Edition.status.in_(SHOWN),
            Edition.starts_on <= today,
            or_(
                measured.edition_id.is_(None),
                and_(measured.measured_at < now - FOOTPRINT_AGE, Edition.ends_on >= today - FOOTPRINT_SPAN),
            ),
        )
        .order_by(measured.measured_at.is_not(None), measured.measured_at, Edition.id)
        .limit(limit)
    )
    return list(db.session.scalars(query))
