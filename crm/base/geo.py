"""French départements and regions.

Source: ISO 3166-2:FR as shipped by the maintained `pycountry` package (pinned in requirements.txt).
ISO lists Paris, Corsica, the Métropole de Lyon and Alsace as special collectivities; they are folded
back here into the 101 départements that INSEE numbers (75, 2A, 2B, 69, 67, 68) and their regions.
"""

from dataclasses import dataclass
from functools import cache

import pycountry

# ISO spells some regions with hyphens; these are the official (INSEE) spellings people expect.
_REGION_SPELLING = {
    "FR-PDL": "Pays de la Loire",
    "FR-GES": "Grand Est",
    "FR-PAC": "Provence-Alpes-Côte d'Azur",
    "FR-20R": "Corse",
}
_OVERSEAS_NAMES = {"FR-973": "Guyane"}


@dataclass(frozen=True)
class Departement:
    code: str
    name: str
    region_code: str
    region_name: str

    @property
    def label(self) -> str:
        return f"{self.code} – {self.name}"


def _region_of(subdivision, by_code):
    parent = subdivision.parent_code
    while parent and by_code[parent].type != "Metropolitan region" and parent != "FR-20R":
        parent = by_code[parent].parent_code
    return by_code[parent] if parent else subdivision


@cache
def departements() -> dict[str, Departement]:
    """Every département, keyed by its INSEE code ("01" … "95", "2A", "2B", "971" … "976")."""
    subs = list(pycountry.subdivisions.get(country_code="FR"))
    by_code = {s.code: s for s in subs}
    result = {}
    for sub in subs:
        code = sub.code.removeprefix("FR-")
        is_department = sub.type == "Metropolitan department" or sub.code == "FR-75C"
        is_overseas = sub.type.startswith("Overseas") and code.isdigit()
        if not (is_department or is_overseas):
            continue
        code = code.removesuffix("C")
        region = _region_of(sub, by_code)
        name = _OVERSEAS_NAMES.get(sub.code, sub.name)
        region_name = _REGION_SPELLING.get(region.code, _OVERSEAS_NAMES.get(region.code, region.name))
        result[code] = Departement(code, name, region.code.removeprefix("FR-"), region_name)
    return dict(sorted(result.items(), key=lambda item: _sort_key(item[0])))


def _sort_key(code: str):
    return (len(code) > 2, code.replace("2A", "20A").replace("2B", "20B"))


def departement(code: str | None) -> Departement | None:
    return departements().get(code) if code else None


def departement_choices() -> list[tuple[str, str]]:
    return [(d.code, d.label) for d in departements().values()]


def departements_in_use_first(in_use) -> list[tuple[bool, list[tuple[str, str]]]]:
    """The départements a list uses first, then the others: [(in use?, [(code, label)…])…], so a
    filter does not make people scroll through 101 names to find the six their network works with."""
    used = set(in_use or ())
    choices = departement_choices()
    groups = [(True, [c for c in choices if c[0] in used]), (False, [c for c in choices if c[0] not in used])]
    return [group for group in groups if group[1]]


def regions() -> dict[str, str]:
    """Region code → name, sorted by name."""
    found = {d.region_code: d.region_name for d in departements().values()}
    return dict(sorted(found.items(), key=lambda item: item[1]))


def departement_for_postcode(postcode: str) -> str | None:
    """The département a French postcode belongs to, or None when it cannot be told."""
    postcode = (postcode or "").strip()
    if len(postcode) != 5 or not postcode.isdigit():
        return None
    if postcode.startswith("97"):
        return postcode[:3] if postcode[:3] in departements() else None
    if postcode.startswith("20"):
        return "2A" if int(postcode) < 20200 else "2B"
    return postcode[:2] if postcode[:2] in departements() else None
