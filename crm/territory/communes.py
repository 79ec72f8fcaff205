"""France's communes, from the file shipped in `data/` (see reference.py and data/VERSION): looked up by
INSEE code or by postcode, never by asking an outside service."""

import csv
import gzip
import io
import math
import unicodedata
from dataclasses import dataclass
from functools import cache

from crm.territory.reference import COMMUNES

# Great-circle distance × this factor ≈ the distance by road. 1.3 is the usual figure for France
# (Cerema / Ademe use 1.2 to 1.4 between towns; 1.3 is the mean detour measured on French roads).
ROAD_DETOUR = 1.3
EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True)
class Commune:
    code: str
    name: str
    postcodes: tuple[str, ...]
    departement: str
    region: str
    population: int
    lat: float
    lon: float

    @property
    def label(self) -> str:
        """'Bourges (18000)' — the name with its first postcode, as people write it."""
        return f"{self.name} ({self.postcodes[0]})" if self.postcodes else self.name


@cache
def _table() -> tuple[dict[str, Commune], dict[str, tuple[Commune, ...]]]:
    by_code, by_postcode = {}, {}
    with gzip.open(COMMUNES, "rb") as raw:
        for row in csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8")):
            commune = Commune(
                row["code"], row["name"], tuple(row["postcodes"].split()), row["departement"], row["region"],
                int(row["population"]), float(row["lat"]), float(row["lon"]),
            )  # fmt: skip
            by_code[commune.code] = commune
            for postcode in commune.postcodes:
                by_postcode.setdefault(postcode, []).append(commune)
    return by_code, {k: tuple(sorted(v, key=lambda c: c.name)) for k, v in by_postcode.items()}


def load() -> None:
    """Read the shipped file now (it is otherwise read on first use)."""
    _table()


def get(code: str | None) -> Commune | None:
    return _table()[0].get(code) if code else None


@cache
def in_departement(code: str) -> tuple[Commune, ...]:
    """A département's communes, the most populated first."""
    return tuple(
        sorted((c for c in _table()[0].values() if c.departement == code), key=lambda c: -c.population)
    )


def every() -> tuple[Commune, ...]:
    """Every commune of the file, in its order (by INSEE code)."""
    return tuple(_table()[0].values())


def for_postcode(postcode: str | None) -> tuple[Commune, ...]:
    """The communes a postcode serves (several, often, in the countryside), by name."""
    return _table()[1].get((postcode or "").strip().replace(" ", ""), ())


def simplified(name: str | None) -> str:
    """'Saint-Amand-Montrond' and 'st amand montrond' alike: lower case, no accents nor hyphens, 'st' is
    'saint'."""
    text = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode().lower()
    words = "".join(ch if ch.isalnum() else " " for ch in text).split()
    words = ["saint" if w == "st" else "sainte" if w == "ste" else w for w in words]
    return " ".join(w for w in words if w not in ("cedex",) and not w.isdigit())


def match(postcode: str | None, town: str | None) -> tuple[Commune, ...]:
    """The communes of a postcode that a town name can mean (the name, or the name followed by more, as in
    'Bourges cedex 9'); all the postcode's communes when no town is given; none when they disagree."""
    candidates = for_postcode(postcode)
    wanted = simplified(town)
    if not wanted:
        return candidates
    exact = tuple(c for c in candidates if simplified(c.name) == wanted)
    return exact or tuple(c for c in candidates if wanted.startswith(simplified(c.name) + " "))


def _great_circle(a: Commune, b: Commune) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


@cache
def _distance(first: str, second: str) -> int | None:
    a, b = get(first), get(second)
    if a is None or b is None:
        return None
    return round(_great_circle(a, b) * ROAD_DETOUR)


def distance_km(first: str | None, second: str | None) -> int | None:
    """Road kilometres between two communes' centres (great circle × ROAD_DETOUR, rounded), None when
    either is unknown; 0 within one commune. Cached per pair, whichever way round it is asked."""
    if not first or not second:
        return None
    return _distance(*sorted((first, second)))
