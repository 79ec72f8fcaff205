"""The hard rules of a showcase programme, as plain functions on plain data.

The manual assignment, the solver and the property tests all use these, so the rules are stated once.
"""

import enum
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from flask_babel import lazy_gettext as _l


class Rule(enum.StrEnum):
    CANCELLED = "cancelled"
    FORMAT = "format"
    LENGTH = "length"
    STAGE = "stage"
    BLACKOUT = "blackout"
    AUDIENCE = "audience"
    GUEST_OUTSIDE_HOME = "guest_outside_home"
    HOST_NOT_AT_OWN_VENUE = "host_not_at_own_venue"
    COMPANY_OVERLAP = "company_overlap"
    TRAVEL = "travel"
    SLOTS_PER_REGISTRATION = "slots_per_registration"
    SLOT_TAKEN = "slot_taken"

    @property
    def label(self):
        return RULE_LABELS[self]


# Each label says what is wrong with this placement (the rule it breaks follows, where it helps).
RULE_LABELS = {
    Rule.CANCELLED: _l("le créneau est annulé"),
    Rule.FORMAT: _l("le format du créneau n'est pas celui demandé"),
    Rule.LENGTH: _l("le spectacle, avec montage et démontage, ne tient pas dans le créneau"),
    Rule.STAGE: _l("le plateau du lieu est trop petit pour le spectacle"),
    Rule.BLACKOUT: _l("le spectacle demande le noir et le lieu ne le permet pas"),
    Rule.AUDIENCE: _l("le public du spectacle n'est pas accueilli dans cette tranche horaire"),
    Rule.GUEST_OUTSIDE_HOME: _l(
        "ce lieu est dans le département de la compagnie, or une compagnie accueillie joue hors de chez elle"
    ),
    Rule.HOST_NOT_AT_OWN_VENUE: _l(
        "la compagnie accueille ce lieu, or une compagnie accueillante ne joue pas dans le lieu "
        "qu'elle accueille"
    ),
    Rule.COMPANY_OVERLAP: _l("la compagnie joue déjà à la même heure"),
    Rule.TRAVEL: _l("la compagnie n'a pas le temps de trajet entre deux lieux"),
    Rule.SLOTS_PER_REGISTRATION: _l("cette candidature a déjà tous ses créneaux"),
    Rule.SLOT_TAKEN: _l("le créneau est déjà attribué"),
}
# Rules a coordinator may knowingly set aside (the reason is recorded); the others never bend.
OVERRIDABLE = frozenset(Rule) - {Rule.CANCELLED, Rule.SLOT_TAKEN}


@dataclass(frozen=True)
class SlotFacts:
    id: int
    venue_id: int
    venue_departement: str | None
    host_company_id: int | None
    starts: datetime
    ends: datetime
    format: str
    accepts_young: bool = True
    accepts_all: bool = True
    band_id: int | None = None
    stage_width: Decimal | None = None
    stage_depth: Decimal | None = None
    blackout: bool = False
    cancelled: bool = False
    venue_commune: str | None = None  # INSEE code, for the travel it takes to get there

    @property
    def minutes(self) -> float:
        return (self.ends - self.starts).total_seconds() / 60


@dataclass(frozen=True)
class RegistrationFacts:
    id: int
    company_id: int
    company_departement: str | None
    format: str
    young_audience: bool
    duration: int
    setup: int = 0
    strike: int = 0
    stage_width: Decimal | None = None
    stage_depth: Decimal | None = None
    needs_blackout: bool = False
    max_slots: int = 1
    available_bands: frozenset = field(default_factory=frozenset)
    hosted_venues: frozenset = field(default_factory=frozenset)
    favoured: bool = False
    commune: str | None = None  # the company's INSEE code, where its travel starts
    cars: int = 1  # cars its cast takes on the road

    @property
    def is_host(self) -> bool:
        return bool(self.hosted_venues)


def pair_violations(reg: RegistrationFacts, slot: SlotFacts, rotation: bool) -> list[Rule]:
    """Rules broken by putting this registration in this slot, whatever else is planned."""
    broken = []
    if slot.cancelled:
        broken.append(Rule.CANCELLED)
    if reg.format != slot.format:
        broken.append(Rule.FORMAT)
    elif reg.format == "full" and reg.setup + reg.duration + reg.strike > slot.minutes:
        broken.append(Rule.LENGTH)
    if _too_small(reg.stage_width, slot.stage_width) or _too_small(reg.stage_depth, slot.stage_depth):
        broken.append(Rule.STAGE)
    if reg.needs_blackout and not slot.blackout:
        broken.append(Rule.BLACKOUT)
    if not (slot.accepts_young if reg.young_audience else slot.accepts_all):
        broken.append(Rule.AUDIENCE)
    if rotation:
        broken += _rotation_violations(reg, slot)
    return broken


def _too_small(needed, offered) -> bool:
    return needed is not None and offered is not None and needed > offered


def _rotation_violations(reg, slot) -> list[Rule]:
    if reg.is_host:
        return [Rule.HOST_NOT_AT_OWN_VENUE] if slot.venue_id in reg.hosted_venues else []
    same = reg.company_departement is not None and reg.company_departement == slot.venue_departement
    return [Rule.GUEST_OUTSIDE_HOME] if same else []


def clash(a: SlotFacts, b: SlotFacts, travel_minutes: int) -> Rule | None:
    """Why one company cannot play both slots: they overlap, or leave no time to travel."""
    if a.starts < b.ends and b.starts < a.ends:
        return Rule.COMPANY_OVERLAP
    if a.venue_id != b.venue_id:
        gap = b.starts - a.ends if a.ends <= b.starts else a.starts - b.ends
        if gap < timedelta(minutes=travel_minutes):
            return Rule.TRAVEL
    return None


def plan_violations(plan, registrations, slots, rotation, travel_minutes) -> list[tuple[int, int, Rule]]:
    """Every hard rule a whole plan [(registration id, slot id)] breaks: for tests and checks."""
    regs = {r.id: r for r in registrations}
    by_slot = {s.id: s for s in slots}
    found = [(r, s, rule) for r, s in plan for rule in pair_violations(regs[r], by_slot[s], rotation)]
    slot_uses, reg_uses, company_slots = {}, {}, {}
    for r, s in plan:
        slot_uses[s] = slot_uses.get(s, 0) + 1
        reg_uses[r] = reg_uses.get(r, 0) + 1
        company_slots.setdefault(regs[r].company_id, []).append((r, by_slot[s]))
    found += [(0, s, Rule.SLOT_TAKEN) for s, n in slot_uses.items() if n > 1]
    found += [(r, 0, Rule.SLOTS_PER_REGISTRATION) for r, n in reg_uses.items() if n > regs[r].max_slots]
    for entries in company_slots.values():
        for i, (r1, s1) in enumerate(entries):
            for _r2, s2 in entries[i + 1 :]:
                rule = clash(s1, s2, travel_minutes)
                if rule:
                    found.append((r1, s1.id, rule))
    return found
