"""Builds the three demo networks through the app's own services (so the data obeys its rules)."""

import random
from collections import defaultdict
from datetime import date, time, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from crm.accounts import services as accounts
from crm.accounts.models import Role, User
from crm.admin.services import save_network
from crm.base import identifiers
from crm.base.database import utcnow
from crm.base.enums import Audience, Discipline
from crm.base.extensions import db
from crm.base.geo import departement
from crm.base.links import external_url
from crm.base.timeutil import local, to_utc
from crm.checkin import services as checkin
from crm.checkin.models import Attendance
from crm.contacts import services as contacts
from crm.contacts.models import LawfulBasis, Organisation, OrganisationKind, Programmer, StructureType
from crm.cooperation import commissions, volunteers
from crm.cooperation import services as shared_budget
from crm.demo import data
from crm.federation import services as barometer
from crm.federation import snapshots
from crm.federation.models import Category
from crm.followups import services as followups
from crm.impact import contract, sibil, travel
from crm.impact import services as impact
from crm.impact.models import Outcome
from crm.invitations import carpool
from crm.invitations import services as invitations
from crm.invitations.models import Answer, CarpoolRole, Invitation, InvitationDay
from crm.meetings import services as meetings
from crm.meetings.models import Side
from crm.meetings.sample import sample_wishes
from crm.networks.models import Network
from crm.showcase import editions, planning, registrations
from crm.showcase import shows as showcase
from crm.showcase.models import Assignment, EditionStatus, Registration, RegistrationStatus, Slot

SEED = 2026
DISCIPLINES = list(Discipline)
# Per network, its current edition: how many days away, and how far its preparation has gone.
CURRENT_EDITION = [
    (21, EditionStatus.PUBLISHED),
    (49, EditionStatus.REGISTRATIONS_CLOSED),
    (80, EditionStatus.REGISTRATIONS_OPEN),  # the festival falls in the February school holidays
]
FIRST_EDITION_NUMBER = [4, 16, 2]


def is_empty() -> bool:
    return db.session.scalar(select(func.count()).select_from(Network)) == 0


def load(today: date) -> dict:
    """Create the demo instance; returns the accounts made, for the caller to print."""
    rng = random.Random(SEED)
    admin = accounts.create_user(
        email="admin@vitrine.example", full_name="Administration Vitrine",
        role=Role.ADMIN, password=data.PASSWORD, check_strength=False,
    )  # fmt: skip
    made = [admin]
    for index, spec in enumerate(data.NETWORKS):
        made += _load_network(spec, index, rng, today)
    made.append(_federation(today))
    db.session.flush()
    return {user.email: user.role.value for user in made}


def _federation(today) -> User:
    """The federation's account; the first two networks share their figures (and agreed to the public
    barometer), the third keeps them to itself."""
    for spec in data.NETWORKS:
        network = db.session.scalar(select(Network).where(Network.slug == spec["slug"]))
        coordinator = db.session.scalar(
            select(User).where(User.network_id == network.id, User.role == Role.COORDINATOR)
        )
        if spec.get("barometer"):
            shared = {category.value: True for category in Category}
            barometer.give(
                network, {**shared, "since": date(today.year - 3, 1, 1), "public": True}, user=coordinator
            )
    travel.measure_footprints(travel.stale_footprints(now=utcnow(), limit=None), now=utcnow())
    snapshots.refresh_due(now=utcnow(), years_at_most=None)
    return accounts.create_user(
        email="federation@vitrine.example", full_name="Fédération des réseaux (baromètre)",
        role=Role.FEDERATION, password=data.PASSWORD, check_strength=False,
    )  # fmt: skip


def _load_network(spec, index, rng, today) -> list[User]:
    network = save_network(
        None,
        {"name": spec["name"], "slug": spec["slug"], "contact_email": f"coordination@{spec['slug']}.example"},
    )
    network.region_code = spec["region"]
    # One network shows its map (/map/jeudis-croises); the others did not open theirs.
    network.public_map = index == 1
    coordinator = accounts.create_user(
        email=f"coordination@{spec['slug']}.example", full_name=f"Coordination {spec['name']}",
        role=Role.COORDINATOR, password=data.PASSWORD, check_strength=False, network=network,
    )  # fmt: skip
    structures = _structures(network, spec, rng)
    companies = _companies(network, spec, rng, today)
    _official_numbers(index, structures, companies, today)
    people = _programmers(network, spec, structures, coordinator, rng, count=50)
    made = _editions(network, spec, index, today)
    for edition, status in made:
        _programme(edition, status, index, companies, [s for s in structures if s.is_venue], coordinator, rng)
        if status in (EditionStatus.PUBLISHED, EditionStatus.HELD):
            _invitations_and_attendance(edition, status, people, coordinator, rng)
        if status in (EditionStatus.PUBLISHED, EditionStatus.HELD):
            _carpools(edition, agreed=status == EditionStatus.HELD)
        if status == EditionStatus.PUBLISHED and spec.get("meetings"):
            _meeting_session(edition, today)
        if status == EditionStatus.HELD:
            held = edition
            editions.advance(edition, EditionStatus.HELD, now=utcnow())
            followups.activate(followups.sequence_for(edition, create=True), now=utcnow())
    members = []
    for n, company in enumerate(companies[:2], start=1):  # two companies to try in every network
        members.append(
            accounts.create_user(
                email=f"diffusion{n}@{spec['slug']}.example",
                full_name=f"Chargée de diffusion {company.name}",
                role=Role.MEMBER,
                password=data.PASSWORD,
                check_strength=False,
                company=company,
            )  # fmt: skip
        )
    _cession(held, companies[0], coordinator, today)
    _bookings(held, coordinator, today)
    if spec.get("box_office"):
        _box_office(held)
    if spec.get("shared_budget"):
        _shared_budget(held, companies[0], coordinator)
        _commissions(network, [e for e, _s in made], companies, members, coordinator)
    return [coordinator, *members]


def _cession(edition, company, coordinator, today) -> None:
    """A confirmed cession the first demo company obtained from a person who saw it at the past edition:
    its contract is ready to prepare (signatories and times given; what the records lack is listed)."""
    shows = {s.id for s in company.shows}
    seen = db.session.execute(
        select(Attendance.programmer_id, Registration.show_id)
        .join(Slot, Slot.id == Attendance.slot_id)
        .join(Assignment, Assignment.slot_id == Slot.id)
        .join(Registration, Registration.id == Assignment.registration_id)
        .where(Slot.edition_id == edition.id, Registration.company_id == company.id)
        .order_by(Attendance.id)
    ).first()
    if seen is None or seen.show_id not in shows:
        return
    person = db.session.get(Programmer, seen.programmer_id)
    venue = person.organisation
    first = today + timedelta(days=120)
    dates = [{"on": first + timedelta(days=n), "venue": venue.name if venue else None,
              "town": venue.city if venue else None,
              "departement_code": venue.departement_code if venue else None} for n in (0, 1)]  # fmt: skip
    outcome = impact.save_outcome(None, edition.network, {
        "company_id": company.id, "show_id": seen.show_id, "programmer_id": person.id,
        "edition_id": edition.id, "kind": "performances", "status": "confirmed", "fee": "1800",
        "dates": dates,
        "decided_on": today - timedelta(days=2), "attribution_confirmed": True,
    }, actor=coordinator, now=utcnow())  # fmt: skip
    terms = contract.terms_for(outcome)
    terms.seller_signatory, terms.seller_role = "Camille Arnaud", "Administratrice de production"
    terms.times = "10 h et 14 h 30"
    db.session.add(terms)
    db.session.flush()


def _bookings(edition, coordinator, today) -> None:
    """Dates that people who came to the past edition booked with the companies they saw: the report and
    the funders' page have figures to show."""
    seen = db.session.execute(
        select(Registration.company_id, Registration.show_id, Attendance.programmer_id)
        .join(Assignment, Assignment.registration_id == Registration.id)
        .join(Slot, Slot.id == Assignment.slot_id)
        .join(Attendance, Attendance.slot_id == Slot.id)
        .where(Slot.edition_id == edition.id)
        .order_by(Registration.company_id, Attendance.id)
    ).all()
    booked = {row.company_id for row in db.session.execute(
        select(Outcome.company_id).where(Outcome.edition_id == edition.id))}  # fmt: skip
    for n, (company_id, show_id, programmer_id) in enumerate(
        {row.company_id: row for row in reversed(seen) if row.company_id not in booked}.values()
    ):
        venue = db.session.get(Programmer, programmer_id).organisation
        first = today + timedelta(days=60 + 9 * n)
        dates = [{"on": first + timedelta(days=d), "venue": venue.name if venue else None,
                  "town": venue.city if venue else None,
                  "departement_code": venue.departement_code if venue else None}
                 for d in range(1 + n % 2)]  # fmt: skip
        impact.save_outcome(None, edition.network, {
            "company_id": company_id, "show_id": show_id, "programmer_id": programmer_id,
            "edition_id": edition.id, "kind": "performances", "status": "confirmed",
            "fee": str(900 + 150 * (n % 5)), "dates": dates,
            "decided_on": today - timedelta(days=1 + n), "attribution_confirmed": True,
        }, actor=coordinator, now=utcnow())  # fmt: skip


def _box_office(edition) -> None:
    """The past edition's pooled box office, each performance's tickets by price: the statement's income
    is what they took, and the quarter's SIBIL export adds up to it."""
    for n, performance in enumerate(sibil.performances(edition)):
        capacity = performance.venue.capacity or 180
        prices = [
            {"kind": "full", "label": "Plein tarif", "unit_price": Decimal("12"),
             "tickets": capacity * (30 + 5 * (n % 4)) // 100},
            {"kind": "reduced", "label": "Tarif réduit", "unit_price": Decimal("8"),
             "tickets": capacity * (15 + n % 3 * 5) // 100},
            {"kind": "subscription", "label": "Pass du temps fort", "unit_price": Decimal("6.50"),
             "tickets": capacity // 10},
        ]  # fmt: skip
        impact.save_performance(edition, performance.slot, {
            "venue_type": sibil.default_venue_type(performance.venue).value, "capacity": capacity,
            "free_tickets": 4 + n % 3, "young_audience": performance.show.audience == Audience.YOUNG,
            "vat_rate": sibil.DEFAULT_VAT, "prices": prices,
        })  # fmt: skip
    impact.save_box_office(edition, {"income": None, "fee_per_person": Decimal("255"), "rule": "equal"})


def _shared_budget(edition, lead, coordinator) -> None:
    """The past edition's shared budget, carried by the lead company: a grant split per person on stage,
    common costs split equally or by performances, fixed shares of the technical hire, the lead's own
    insurance, and each other company's contribution."""
    shared_budget.set_lead(edition, lead.id)
    programmed = [cid for cid, _name, _cast, _n in editions.performing_companies(edition)]
    others = [cid for cid in programmed if cid != lead.id]
    day = edition.ends_on
    lines = [
        ("grant", "Aide à la diffusion mutualisée", "Région Centre-Val de Loire", "2400", lead.id, "cast",
         {}),
        ("printing", "Plaquette commune, 3 000 exemplaires", None, "1850", lead.id, "equal", {}),
        ("video", "Captation des extraits", None, "1200", others[0], "performances", {}),
        ("travel", "Déplacements des équipes techniques", None, "640", lead.id, "cast", {}),
        ("insurance", "Assurance de la manifestation", None, "380", lead.id, "none", {}),
        ("technical", "Location lumière et son", None, "600", others[1], "fixed",
         dict(zip(programmed[:3], (Decimal("200"), Decimal("150"), Decimal("250")), strict=False))),
    ]  # fmt: skip
    lines += [
        ("contribution", "Participation aux frais communs", None, "150", cid, "none", {}) for cid in others
    ]
    for kind, label, funder, amount, paid_by, rule, shares in lines:
        shared_budget.save_line(edition, None, {
            "kind": kind, "label": label, "funder": funder, "amount": Decimal(amount), "paid_by_id": paid_by,
            "rule": rule, "on": day, "shares": shares,
        }, actor=coordinator)  # fmt: skip


def _commissions(network, made, companies, members, coordinator) -> None:
    """A departmental commission for the second demo company's département (its member is the referent;
    the decision stays the coordination's), which proposes a host for the coming edition; a thematic
    communication commission; and volunteer time on the past and the current editions, the first
    company's share falling sharply from one to the other."""
    held, current = made[0], made[1]
    home = companies[1].departement_code
    local = commissions.save(network, None, {
        "kind": "departmental", "name": f"Commission {departement(home).name} ({home})",
        "departements": [home],
        "member_ids": [members[1].id, coordinator.id], "referent_id": members[1].id, "decides": False,
    })  # fmt: skip
    communication = commissions.save(network, None, {
        "kind": "thematic", "name": "Communication", "member_ids": [members[0].id, coordinator.id],
        "referent_id": members[0].id,
    })  # fmt: skip
    for title, who, due in (
        ("Envoyer la plaquette à l'imprimeur", members[0], current.starts_on - timedelta(days=30)),
        ("Relancer la presse locale", coordinator, current.starts_on - timedelta(days=10)),
        ("Photos des spectacles pour le site", None, None),
    ):
        task = {
            "title": title,
            "assignee_id": who.id if who else None,
            "due_on": due,
            "edition_id": current.id,
        }
        commissions.add_task(communication, task, actor=coordinator)
    venues, hosts = commissions.places(local)
    if venues:
        commissions.propose_host(local, made[2], {
            "venue_id": venues[0].id, "host_company_id": hosts[0].id if hosts else None,
            "note": "Une salle équipée, libre aux dates de l'édition.",
        }, actor=members[1])  # fmt: skip
    days = [
        (held, members[0], companies[0], communication, "12", "Mise en page de la plaquette commune"),
        (held, members[1], companies[1], local, "8", "Visionnage des vidéos des candidatures"),
        (held, coordinator, companies[2], None, "6", "Accueil des programmateurs et programmatrices"),
        (held, coordinator, companies[3], None, "4", "Régie générale du jeudi"),
        (current, members[0], companies[0], communication, "2", "Relecture du programme"),
        (current, members[1], companies[1], local, "10", "Repérage des lieux du département"),
        (current, coordinator, companies[2], None, "7", "Accueil des programmateurs et programmatrices"),
        (current, coordinator, companies[3], None, "5", "Montage et démontage"),
    ]
    for edition, person, company, commission, hours, what in days:
        volunteers.log(network, {
            "on": edition.starts_on, "hours": Decimal(hours), "what": what, "user_id": person.id,
            "company_id": company.id, "edition_id": edition.id,
            "commission_id": commission.id if commission else None,
        }, actor=coordinator)  # fmt: skip


def _official_numbers(index, structures, companies, today) -> None:
    """Well-formed SIRETs everywhere, licences for the venues and most companies. The first company of
    the second network still has a licence of the former regime: its page warns, since it has a cession
    recorded; the third network's first company has none."""
    for n, structure in enumerate(structures):
        structure.siret = identifiers.demo_siret(21_000_000 + index * 1_000 + n)
        structure.ape_code = (
            "84.11Z" if structure.structure_type == StructureType.CULTURAL_SERVICE else "90.04Z"
        )
        if structure.is_venue:
            structure.licence_1 = f"PLATESV-R-{today.year - 2}-{4_100 + index * 100 + n:06d}"
            structure.licence_3 = f"PLATESV-R-{today.year - 2}-{4_150 + index * 100 + n:06d}"
    for n, company in enumerate(companies):
        company.siret = identifiers.demo_siret(80_000_000 + index * 1_000 + n)
        company.ape_code = "90.01Z"
        if n == 0 and index == 1:
            company.licence_2 = "2-1051234"
        elif not (n == 0 and index == 2):
            company.licence_2 = f"PLATESV-D-{today.year - 1 - n % 3}-{1_200 + index * 100 + n:06d}"
    for n, company in enumerate(companies):  # what each company chose to say of its artistic direction
        company.artistic_direction = (None, "women", "women", "men", "mixed", "women", "men")[n % 7]
    siren = companies[0].siret[:9]
    companies[0].vat_number = f"FR{(12 + 3 * (int(siren) % 97)) % 97:02d}{siren}"


def _phone(spec, rng):
    return f"{spec['phone']} {rng.randint(10, 99)} {rng.randint(10, 99)}"


def _address(rng, town):
    return f"{rng.randint(1, 120)} {rng.choice(data.STREETS)}"


def of_town(town: str) -> str:
    """'de Blois', "d'Angers", 'du Mans', 'des Ponts-de-Cé': French elision and contraction."""
    for article, contracted in (("Le ", "du "), ("Les ", "des ")):
        if town.startswith(article):
            return contracted + town[len(article) :]
    return f"d'{town}" if town[0] in "AEIOUYÉÈÊÂÎ" else f"de {town}"


def _structures(network, spec, rng) -> list[Organisation]:
    made = []
    for town, postcode in spec["towns"]:
        for kind, pattern in rng.sample(data.STRUCTURE_NAMES, 2):
            name = pattern.format(
                of_town=of_town(town), person=rng.choice(data.PERSONS), place=rng.choice(data.PLACES)
            )
            if any(s.name == name for s in made):
                continue
            made.append(
                contacts.save_organisation(
                    None,
                    network,
                    OrganisationKind.STRUCTURE,
                    {
                        "name": name,
                        "structure_type": kind,
                        "address": _address(rng, town),
                        "postcode": postcode,
                        "city": town,
                        "is_venue": kind in ("municipal_theatre", "scene_conventionnee", "cultural_centre"),
                    },
                )  # fmt: skip
            )
    return made


def _companies(network, spec, rng, today) -> list[Organisation]:
    made = []
    for n, name in enumerate(spec["companies"]):
        town, postcode = spec["towns"][n % len(spec["towns"])]
        company = contacts.save_organisation(
            None, network, OrganisationKind.COMPANY,
            {
                "name": name, "address": _address(rng, town), "postcode": postcode, "city": town,
                "email": f"contact@{showcase.slugify(name)}.example",
                "phone": _phone(spec, rng),
                "member_since": date(today.year - 1 - n % 6, 1 + n % 12, 1),
            },
        )  # fmt: skip
        for _ in range(1 + n % 2):
            _show(company, rng)
        made.append(company)
    return made


def _show(company, rng):
    audience = rng.choice([Audience.YOUNG, Audience.ALL])
    title = f"{rng.choice(data.SHOW_WORDS)} {rng.choice(data.SHOW_NOUNS)}"
    showcase.save_show(
        None, company,
        {
            "title": title, "discipline": rng.choice(DISCIPLINES), "audience": audience,
            "min_age": rng.choice([3, 6, 8]) if audience == Audience.YOUNG else None,
            "duration_minutes": rng.choice([35, 45, 50, 60, 75]), "cast_size": rng.randint(1, 5),
            "setup_minutes": rng.choice([30, 60, 90]), "strike_minutes": rng.choice([20, 30, 45]),
            "set_van": len(title) % 3 == 0,
            "video_url": f"https://video.example/{showcase.slugify(company.name)}/{showcase.slugify(title)}",
            "summary": "Un spectacle de la compagnie, présenté au réseau.",
        },
    )  # fmt: skip


def _programmers(network, spec, structures, coordinator, rng, count):
    seen, made = set(), []
    while len(seen) < count:
        first, last = rng.choice(data.FIRST_NAMES), rng.choice(data.LAST_NAMES)
        structure = rng.choice(structures)
        domain = showcase.slugify(structure.name)[:30].strip("-")  # a DNS label never ends with "-"
        email = f"{showcase.slugify(first)}.{showcase.slugify(last)}@{domain}.example"
        if email in seen:
            continue
        seen.add(email)
        person = contacts.save_programmer(
            None, network,
            {
                "first_name": first, "last_name": last, "email": email,
                "phone": _phone(spec, rng),
                "organisation_id": structure.id, "job_title": rng.choice(data.JOBS),
                "departement_code": structure.departement_code,
                "wants_young": rng.random() < 0.6, "wants_all": rng.random() < 0.7,
                "disciplines": [d.value for d in rng.sample(DISCIPLINES, rng.randint(1, 3))],
                "lawful_basis": LawfulBasis.LEGITIMATE_INTEREST,
                "source": "Carnet d'adresses partagé du réseau (import initial)",
            },
            actor=coordinator,
        )  # fmt: skip
        made.append(person)
    return made


def _invitations_and_attendance(edition, status, people, coordinator, rng):
    """Invite the network's programmers; some answer; at a held edition, those who came are checked in."""

    def links(token):  # at VITRINE_BASE_URL (or the request's own address), as real invitations are
        return external_url("invitations.rsvp", token=token), external_url("invitations.stop", token=token)

    invitations.invite(edition, people, link_for=links, now=utcnow())
    days = invitations.edition_days(edition)
    sent = db.session.scalars(
        select(Invitation).where(Invitation.edition_id == edition.id).order_by(Invitation.id)
    )
    slots = [s for s in planning.edition_slots(edition) if s.assignment is not None]
    for invitation in sent:
        roll = rng.random()
        if roll < 0.35:
            continue  # no answer
        choice = "coming" if roll < 0.75 else "maybe" if roll < 0.85 else "not_coming"
        invitation.answer, invitation.answered_at = Answer(choice), utcnow()
        if choice != "not_coming":  # as the real form asks: which days
            invitation.days = [
                InvitationDay(day=d) for d in sorted(rng.sample(days, rng.randint(1, len(days))))
            ]
        if status == EditionStatus.HELD and choice == "coming":
            for slot in rng.sample(slots, min(len(slots), rng.randint(2, 5))):
                checkin.check_in(slot, invitation.programmer, actor=coordinator, now=utcnow())
    db.session.flush()


def _carpools(edition, *, agreed):
    """Programmers coming to the edition say they drive (one in three, three seats) or look for a seat,
    from their structure's commune, and Vitrine proposes its matches. At a held edition, the people are
    those who came that day and both sides accepted (the report counts what it saved); at an upcoming
    one, the proposals wait for their answers."""
    # a past edition's carpools were agreed while its answers were open; an upcoming one's are made now
    before = to_utc(edition.starts_on - timedelta(days=3), time(12)) if agreed else utcnow()
    attended = defaultdict(set)  # {programmer id: the days they came}
    if agreed:
        for slot in planning.edition_slots(edition):
            for programmer_id in db.session.scalars(
                select(Attendance.programmer_id).where(Attendance.slot_id == slot.id)
            ):
                attended[programmer_id].add(local(slot.starts_at).date())
    coming = db.session.scalars(
        select(Invitation)
        .where(Invitation.edition_id == edition.id, Invitation.answer == Answer.COMING)
        .order_by(Invitation.id)
    ).all()
    made = []
    for n, invitation in enumerate(coming):
        days = [d.day for d in invitation.days]
        if agreed:
            days = [d for d in days if d in attended[invitation.programmer_id]]
        structure = invitation.programmer.organisation
        if not days or structure is None or structure.commune_code is None:
            continue
        role = CarpoolRole.DRIVER if n % 3 == 0 else CarpoolRole.PASSENGER
        wishes = {d: (role.value, 3 if role == CarpoolRole.DRIVER else None) for d in days}
        departure = {
            "postcode": structure.postcode,
            "town": structure.city,
            "commune_code": structure.commune_code,
        }
        made += carpool.save(invitation, wishes, departure, shared=n % 2 == 0, now=before)
    if agreed:
        for row in made:
            carpool.respond(row.driver, row.id, "accept", now=before)
            carpool.respond(row.passenger, row.id, "accept", now=before)
    db.session.flush()


def _meeting_session(edition, today):
    """Speed-meetings on the morning of the edition's first day, before the presentations: the companies
    retained in the edition and the programmers coming that day take part, both sides give wishes (shaped
    as `crm.meetings.sample` shapes them), and the plan is computed (repeatable, so the demo is the same
    every time) and published, without e-mail. Its own random stream leaves the rest of the demo as it was."""
    rng = random.Random(f"{SEED}-meetings")
    now = to_utc(today, time(8))  # from the day the demo is made for, not the clock: wishes are still open
    day = edition.starts_on
    companies = sorted(
        set(
            db.session.scalars(
                select(Registration.company_id).where(
                    Registration.edition_id == edition.id, Registration.status == RegistrationStatus.ACCEPTED
                )
            )
        )
    )
    session = meetings.save_session(
        edition,
        None,
        {
            "name": "Rencontres professionnelles",
            "venue_id": meetings.venues_of(edition)[0].id,
            "day": day,
            "starts": time(10),
            "rounds": 8,
            "round_minutes": 15,
            "changeover_minutes": 5,
            "tables": len(companies),  # a table per company: it stays there, programmers move
            "break_after": [4],
            "break_minutes": 15,
            "wishes_close_at": to_utc(day - timedelta(days=7), time(18)),
            "max_per_programmer": 5,
            "max_per_company": 8,
            "min_per_company": 3,
        },
    )
    for company in companies:
        meetings.join_as_company(session, company, None, now=now)
    coming = db.session.scalars(
        select(Invitation)
        .join(InvitationDay, InvitationDay.invitation_id == Invitation.id)
        .where(
            Invitation.edition_id == edition.id, Invitation.answer == Answer.COMING, InvitationDay.day == day
        )
        .order_by(Invitation.id)
    ).all()
    for invitation in coming:
        meetings.join_as_programmer(session, invitation, now=now)
    people = [invitation.programmer_id for invitation in coming]
    wishes = sample_wishes(
        rng, people, companies, programmer_wishes=(2, 5), programmer_musts=2, company_wishes=(3, 6),
        company_musts=2,
    )  # fmt: skip
    choices = defaultdict(dict)  # {(side, owner): {other: (level, rank)}}
    for (person, company), (mine, my_rank, theirs, their_rank) in wishes.items():
        if mine:
            choices[Side.PROGRAMMER, person][company] = (mine.value, my_rank)
        if theirs:
            choices[Side.COMPANY, company][person] = (theirs.value, their_rank)
    for (side, owner), chosen in choices.items():
        meetings.save_wishes(session, side, owner, chosen, now=now)
    meetings.plan(session, now=now, seconds=1, repeatable=True)  # under a second, the same every time
    meetings.publish(session, now=now, tell=lambda *_a, **_k: False)


def _editions(network, spec, index, today):
    """The network's past, current and upcoming editions, each with the status it should reach."""
    pattern = spec["editions"][0]
    current_offset, current_status = CURRENT_EDITION[index]
    plans = [  # (days from today, edition number offset, status)
        (-8, 1, EditionStatus.HELD),  # ended a week ago: its follow-up's J+2 step is due
        (current_offset, 2, current_status),
        (300, 3, EditionStatus.DRAFT),
    ]
    made = []
    for offset, n, status in plans:
        start = today + timedelta(days=offset)
        edition = showcase.save_edition(
            None,
            network,
            {
                "name": pattern.format(year=start.year, n=FIRST_EDITION_NUMBER[index] + n),
                "starts_on": start,
                "ends_on": start + timedelta(days=1 if index != 2 else 4),
                "description": f"Temps fort du réseau {spec['name']}.",
            },
        )
        made.append((edition, status))
    return made


ORDER = list(EditionStatus)


def _programme(edition, status, index, companies, venues, coordinator, rng):
    """Rules, venues, bands, registrations, decisions, slots and assignments up to `status`."""
    if status == EditionStatus.DRAFT:
        return
    opens = edition.starts_on - timedelta(days=90)
    editions.save_rules(
        edition,
        {
            "registration_opens_on": opens,
            "registration_closes_on": edition.starts_on - timedelta(days=20),
            "offers_full": index != 0,
            "offers_pitch": index == 0,
            "min_membership_years": 2 if index == 2 else None,
            "max_registrations_per_company": 1,
            "travel_minutes": 45,
            "rotation": index == 1,
        },
    )
    chosen = _spread_venues(venues, 3)
    hosts = {v.id: _host_for(v, companies) for v in chosen} if index == 1 else {}
    editions.set_venues(edition, [v.id for v in chosen], hosts)
    _bands(edition, index)
    editions.advance(edition, EditionStatus.REGISTRATIONS_OPEN, now=utcnow())
    regs = _register(edition, companies, coordinator, index, opens + timedelta(days=10))
    if status == EditionStatus.REGISTRATIONS_OPEN:
        return
    for n, reg in enumerate(regs):
        decision = "accepted" if n % 5 != 4 else rng.choice(["waitlisted", "declined"])
        message = (
            None if decision == "accepted" else "Merci pour votre proposition ; le programme est complet."
        )
        registrations.decide(reg, decision, message)
    editions.advance(edition, EditionStatus.REGISTRATIONS_CLOSED, now=utcnow())
    _slots(edition, index, chosen)
    if ORDER.index(status) < ORDER.index(EditionStatus.PUBLISHED):
        return
    planning.auto_assign(edition, actor=coordinator, seconds=5, repeatable=True)
    editions.advance(edition, EditionStatus.PUBLISHED, now=utcnow())


def _spread_venues(venues, count):
    """Venues in as many different départements as possible (rotation needs them apart)."""
    picked, seen = [], set()
    for venue in venues:
        if venue.departement_code not in seen:
            picked.append(venue)
            seen.add(venue.departement_code)
    return (picked + [v for v in venues if v not in picked])[:count]


def _host_for(venue, companies):
    return next((c.id for c in companies if c.departement_code == venue.departement_code), None)


def _bands(edition, index):
    day = edition.starts_on
    while day <= edition.ends_on:
        bands = (
            [
                ("Matin", 9, 12, True, False),
                ("Après-midi", 14, 17, True, False),
                ("Soirée", 19, 23, False, True),
            ]
            if index == 2
            else [("Après-midi", 14, 18, True, True), ("Soirée", 19, 23, True, True)]
        )
        for label, start, end, young, every in bands:
            editions.add_band(
                edition,
                {
                    "day": day,
                    "label": label,
                    "starts": time(start),
                    "ends": time(end),
                    "accepts_young": young,
                    "accepts_all": every,
                },
            )
        day += timedelta(days=1)


def _register(edition, companies, coordinator, index, today):
    made = []
    for company in companies:
        show = company.shows[0]
        data = {
            "show_id": show.id,
            "format": "pitch" if index == 0 else "full",
            "cast_size": show.cast_size,
            "setup_minutes": 20,
            "strike_minutes": 15,
            "needs_blackout": False,
            "band_ids": [b.id for b in edition.bands if b.label != "Matin" or show.audience == "young"],
            "video_url": show.video_url,
            "pitch": show.summary,
        }
        try:
            made.append(registrations.register(edition, company, data, actor=coordinator, today=today))
        except registrations.EligibilityError:
            continue  # e.g. members for less than two years at Ça Mijote: refused, as the network wants
    return made


def _slots(edition, index, venues):
    for n, venue in enumerate(venues):
        if index == 0:
            planning.create_pitch_series(
                edition,
                {
                    "venue_id": venue.id,
                    "day": edition.starts_on,
                    "starts": time(14 + n),
                    "count": 4,
                    "pitch_minutes": 10,
                    "changeover_minutes": 5,
                },
            )
            continue
        day = edition.starts_on
        while day <= edition.ends_on:
            for start, end in (
                (time(10), time(11, 45)),
                (time(14, 30), time(16, 30)),
                (time(20), time(22, 30)),
            ):
                if index == 2 or start.hour >= 14:
                    planning.create_slot(
                        edition, {"venue_id": venue.id, "day": day, "starts": start, "ends": end}
                    )
            day += timedelta(days=1)
