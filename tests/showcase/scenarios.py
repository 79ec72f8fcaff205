"""Helpers that set up an edition the way each network of the brief works."""

from datetime import date, time

from crm.contacts.models import StructureType
from crm.showcase import editions, registrations
from crm.showcase.models import EditionStatus
from tests import factories

TODAY = date(2027, 1, 10)


def edition_with_rules(net, *, starts=date(2027, 2, 15), ends=date(2027, 2, 16), **rules):
    edition = factories.edition(net, starts_on=starts, ends_on=ends)
    data = {
        "registration_opens_on": date(2026, 12, 1),
        "registration_closes_on": date(2027, 1, 31),
        "offers_full": True,
        "offers_pitch": False,
        "min_membership_years": None,
        "max_registrations_per_company": None,
        "travel_minutes": 30,
        "rotation": False,
        "disciplines": [],
        **rules,
    }
    editions.save_rules(edition, data)
    return edition


def venue(net, name, postcode, **extra):
    return factories.structure(
        net,
        name=name,
        postcode=postcode,
        city=name,
        is_venue=True,
        structure_type=StructureType.MUNICIPAL_THEATRE,
        **extra,
    )


def open_registrations(edition, venues, hosts=None):
    editions.set_venues(edition, [v.id for v in venues], hosts or {})
    editions.advance(edition, EditionStatus.REGISTRATIONS_OPEN, now=None)


def band(edition, day, label, starts, ends, young=True, every=True):
    return editions.add_band(
        edition,
        {
            "day": day,
            "label": label,
            "starts": time(*starts),
            "ends": time(*ends),
            "accepts_young": young,
            "accepts_all": every,
        },
    )


def apply(edition, company, show, actor, fmt="full", **extra):
    data = {
        "show_id": show.id,
        "format": fmt,
        "cast_size": show.cast_size,
        "setup_minutes": 20,
        "strike_minutes": 10,
        "needs_blackout": False,
        "band_ids": [],
        **extra,
    }
    return registrations.register(edition, company, data, actor=actor, today=TODAY)
