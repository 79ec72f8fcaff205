"""The companies' road travel to the venues where they play: plain functions on the rules' facts.

A registration placed at a venue costs the round trip home → venue → home, once per slot, in each of the
cars its cast takes: 2 × road km × cars (vehicle-km). A company or venue whose commune is unknown costs
nothing; the pages say how many companies that leaves out.
"""

from crm.territory.communes import distance_km

# How much the automatic assignment counts travel, against its preferences (solver.PLACED 1000, AVAILABLE 10,
# FAVOURED 5, GAP 8). With travel counted, those are multiplied by SCALE and each vehicle-km costs
# WEIGHTS[level]:
# - "some" (1): one preference point is worth 1 000 vehicle-km. A hole in a pitch series (8 points) gives
#   way only for 8 000 vehicle-km saved, a stated availability (10) for 10 000: in practice it chooses
#   between plans otherwise equal, or all but equal.
# - "a_lot" (20): one preference point is worth 50 vehicle-km. 250 vehicle-km saved outweigh favouring a
#   company the last edition left out (5), 400 a hole in a series, 500 a stated availability (a company
#   of two cars sparing 125 km each way); placing a registration (1 000 points, 50 000 vehicle-km) always
#   comes first.
# - "none" (0): the objective without travel, unscaled: the very plans of before.
SCALE = 1000
WEIGHTS = {"none": 0, "some": 1, "a_lot": 20}


def vehicle_km(reg, slot) -> int | None:
    """Vehicle-km of one placement (`rules.RegistrationFacts`, `rules.SlotFacts`); None when unknown."""
    km = distance_km(reg.commune, slot.venue_commune)
    return None if km is None else 2 * km * reg.cars


def plan_km(plan, registrations, slots) -> tuple[int, frozenset[int]]:
    """Vehicle-km of a plan [(registration id, slot id)], and the companies whose km are unknown."""
    regs, by_id = {r.id: r for r in registrations}, {s.id: s for s in slots}
    total, unknown = 0, set()
    for r, s in plan:
        if r not in regs or s not in by_id:
            continue
        km = vehicle_km(regs[r], by_id[s])
        if km is None:
            unknown.add(regs[r].company_id)
        else:
            total += km
    return total, frozenset(unknown)
