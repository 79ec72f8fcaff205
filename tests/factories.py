"""One factory per model, through the real services; plain predictable values."""

import itertools
from datetime import date
from types import SimpleNamespace

from crm.accounts import services as accounts
from crm.accounts.models import Role
from crm.admin.services import save_network
from crm.base.extensions import db
from crm.contacts import services as contacts
from crm.contacts.models import OrganisationKind, StructureType
from crm.showcase import shows as showcase

PASSWORD = "correct horse battery"
_n = itertools.count(1)


def network(name=None, slug=None):
    n = next(_n)
    return save_network(None, {"name": name or f"Réseau {n}", "slug": slug or f"reseau-{n}"})


def company(net, name=None, **extra):
    # a postcode given alone: the town follows from it (the default town is Orléans's)
    town = {"city": "Orléans"} if "postcode" not in extra else {}
    data = {"name": name or f"Compagnie {next(_n)}", "postcode": "45000", **town, **extra}
    return contacts.save_organisation(None, net, OrganisationKind.COMPANY, data)


def structure(net, name=None, **extra):
    data = {
        "name": name or f"Médiathèque {next(_n)}",
        "structure_type": StructureType.LIBRARY,
        "postcode": "37000",
        "city": "Tours",
        **extra,
    }
    return contacts.save_organisation(None, net, OrganisationKind.STRUCTURE, data)


def show(comp, title=None, **extra):
    data = {
        "title": title or f"Spectacle {next(_n)}",
        "discipline": "theatre",
        "audience": "all",
        "min_age": None,
        "duration_minutes": 50,
        "cast_size": 3,
        "setup_minutes": 60,
        "strike_minutes": 30,
        "video_url": None,
        "summary": None,
        **extra,
    }
    return showcase.save_show(None, comp, data)


def accepted(edition, company, show, *, fmt="full", cast_size=2, setup=10, strike=10):
    """An accepted registration of the show, waiting for a slot."""
    from crm.showcase.models import Registration, RegistrationStatus, ShowFormat

    registration = Registration(
        edition_id=edition.id,
        company_id=company.id,
        show_id=show.id,
        format=ShowFormat(fmt),
        status=RegistrationStatus.ACCEPTED,
        cast_size=cast_size,
        setup_minutes=setup,
        strike_minutes=strike,
    )
    db.session.add(registration)
    db.session.flush()
    return registration


def user(role=Role.COORDINATOR, net=None, comp=None, email=None, password=PASSWORD):
    return accounts.create_user(
        email=email or f"user{next(_n)}@example.org",
        full_name=f"Personne {next(_n)}",
        role=role,
        password=password,
        network=net,
        company=comp,
    )


def programmer(net, actor, org=None, **extra):
    n = next(_n)
    data = {
        "first_name": "Claire",
        "last_name": f"Dupont{n}",
        "email": f"claire.dupont{n}@example.org",
        "organisation_id": org.id if org else None,
        "lawful_basis": "legitimate_interest",
        "source": "Carte de visite",
        "disciplines": ["theatre"],
        **extra,
    }
    return contacts.save_programmer(None, net, data, actor=actor)


def edition(net, name=None, starts_on=date(2027, 3, 4), ends_on=date(2027, 3, 5)):
    data = {"name": name or f"Édition {next(_n)}", "starts_on": starts_on, "ends_on": ends_on}
    return showcase.save_edition(None, net, data)


def _network_world(label):
    net = network(name=f"Réseau {label}", slug=f"reseau-{label.lower()}")
    coordinator = user(Role.COORDINATOR, net=net, email=f"coord-{label.lower()}@example.org")
    companies = [company(net, name=f"Compagnie {label}{i}") for i in (1, 2)]
    members = [
        user(Role.MEMBER, comp=c, email=f"member-{label.lower()}{i}@example.org")
        for i, c in enumerate(companies, 1)
    ]
    shows = [show(c, title=f"Spectacle {label}{i}") for i, c in enumerate(companies, 1)]
    venue = structure(net, name=f"Théâtre {label}", structure_type=StructureType.MUNICIPAL_THEATRE)
    people = [programmer(net, coordinator, venue, last_name=f"Programmateur{label}{i}") for i in (1, 2)]
    member_contact = programmer(net, members[0], venue, last_name=f"ContactMembre{label}")
    ed = edition(net, name=f"Édition {label}")
    planned = planned_edition(net, venue, companies[0], shows[0], coordinator, name=f"Programme {label}")
    planned["import_file"] = import_file(net, members[0], b"Nom;E-mail\nDurand;durand@example.org\n")
    planned["invitation_token"] = invitation(planned["planned"], people[0]).token
    return SimpleNamespace(
        network=net,
        coordinator=coordinator,
        companies=companies,
        members=members,
        shows=shows,
        venue=venue,
        programmers=people,
        member_contact=member_contact,
        edition=ed,
        **planned,
    )


def invitation(ed, person):
    """An invitation with a known personal token (kept on the object for the tests)."""
    from crm.base.tokens import hash_token, new_token
    from crm.invitations.models import Invitation

    token = new_token()
    found = Invitation(edition_id=ed.id, programmer_id=person.id, token_hash=hash_token(token))
    db.session.add(found)
    db.session.flush()
    found.token = token
    return found


def followup(planned, coordinator, person, member):
    """The planned edition's follow-up, launched, with the person present at the slot, one task for
    the member's company and one message in the outbox."""
    from crm.base.database import utcnow
    from crm.checkin import services as checkin
    from crm.followups import services as followups
    from crm.followups.models import Action, Enrolment, Task
    from crm.mail.services import send

    checkin.check_in(planned["slot"], person, actor=coordinator, now=utcnow())
    sequence = followups.sequence_for(planned["planned"], create=True)
    followups.activate(sequence, now=utcnow())
    enrolment = db.session.scalar(db.select(Enrolment).where(Enrolment.programmer_id == person.id))
    task = Task(
        network_id=person.network_id,
        edition_id=planned["planned"].id,
        enrolment_id=enrolment.id,
        programmer_id=person.id,
        company_id=member.company_id,
        assignee_id=member.id,
        action=Action.CALL,
        title="Appeler",
        due_on=planned["planned"].ends_on,
    )
    db.session.add(task)
    message = send(person.network_id, [person.email], "Bonjour", "Texte")[0]
    db.session.flush()
    return {
        "sequence": sequence,
        "step": sequence.steps[0],
        "enrolment": enrolment,
        "followup_link": followups.token_for(enrolment.id),
        "task": task,
        "message": message,
    }


def import_file(net, owner, content, filename="contacts.csv"):
    from crm.imports.models import ImportFile

    found = ImportFile(
        network_id=net.id,
        user_id=owner.id,
        filename=filename,
        content=content,
        source="Carnet d'adresses",
        lawful_basis="legitimate_interest",
    )
    db.session.add(found)
    db.session.flush()
    return found


def open_for_registrations(world_network):
    """Open the draft edition of a world network to registrations, with its venue, from 2020 on."""
    from crm.showcase import editions
    from crm.showcase.models import EditionStatus

    ed = world_network.edition
    editions.save_rules(
        ed,
        {
            "registration_opens_on": date(2020, 1, 1),
            "registration_closes_on": ed.starts_on,
            "offers_full": True,
            "travel_minutes": 30,
        },
    )
    editions.set_venues(ed, [world_network.venue.id], {})
    editions.advance(ed, EditionStatus.REGISTRATIONS_OPEN, now=None)
    return ed


def planned_edition(net, venue, company, show, coordinator, name):
    """A published edition: one venue, one band, one accepted registration in one slot."""
    from datetime import time

    from crm.base.database import utcnow
    from crm.showcase import editions, planning, registrations
    from crm.showcase.models import EditionStatus

    ed = edition(net, name=name, starts_on=date(2027, 3, 4), ends_on=date(2027, 3, 5))
    editions.save_rules(
        ed,
        {
            "registration_opens_on": date(2027, 1, 1),
            "registration_closes_on": date(2027, 2, 1),
            "offers_full": True,
            "offers_pitch": True,
            "travel_minutes": 30,
        },
    )
    editions.set_venues(ed, [venue.id], {})
    band = editions.add_band(
        ed,
        {
            "day": ed.starts_on,
            "label": "Soirée",
            "starts": time(18),
            "ends": time(23),
            "accepts_young": True,
            "accepts_all": True,
        },
    )
    editions.advance(ed, EditionStatus.REGISTRATIONS_OPEN, now=utcnow())
    reg = registrations.register(
        ed,
        company,
        {
            "show_id": show.id,
            "format": "full",
            "cast_size": 3,
            "setup_minutes": 20,
            "strike_minutes": 10,
            "band_ids": [band.id],
        },
        actor=coordinator,
        today=date(2027, 1, 10),
    )
    registrations.decide(reg, "accepted", None)
    editions.advance(ed, EditionStatus.REGISTRATIONS_CLOSED, now=utcnow())
    slot = planning.create_slot(
        ed, {"venue_id": venue.id, "day": ed.starts_on, "starts": time(20), "ends": time(22)}
    )
    assignment = planning.assign(slot, reg, actor=coordinator)
    editions.advance(ed, EditionStatus.PUBLISHED, now=utcnow())
    return {"planned": ed, "band": band, "registration": reg, "slot": slot, "assignment": assignment}


def two_networks():
    """Networks A and B, built alike, plus an instance admin."""
    admin = user(Role.ADMIN, email="admin@example.org")
    world = SimpleNamespace(admin=admin, a=_network_world("A"), b=_network_world("B"))
    db.session.commit()
    return world
