"""Places (a commune's centre) drawn on the département map of `maps.py`.

The SVG's projection is not documented, so it is fitted: each commune's (lon, lat) goes through a simple
projection, then an affine transform to the SVG's coordinates, chosen by least squares between each
département's outline centroid (from its path) and the mean centre of its communes. Of the projections
tried, the one that fits best is kept (Mercator: the residual is smallest, see the test). Computed once
per process, from the files shipped; no outside service."""

import math
import re
from dataclasses import dataclass
from functools import cache

from crm.impact import maps
from crm.territory import communes

_TOKENS = re.compile(r"[MmLlZz]|-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
Ring = list[tuple[float, float]]


def rings(path: str) -> list[Ring]:
    """The closed rings of an SVG path made of moveto / lineto / closepath (what the map's paths use),
    absolute or relative, in SVG coordinates."""
    found: list[Ring] = []
    current: Ring = []
    x = y = start_x = start_y = 0.0
    command, numbers = "M", []
    for part in _TOKENS.findall(path):
        if part in "Zz":
            if current:
                found.append(current)
            current, (x, y) = [], (start_x, start_y)
            continue
        if part.isalpha():
            command, numbers = part, []
            continue
        numbers.append(float(part))
        if len(numbers) < 2:
            continue
        dx, dy = numbers
        numbers = []
        x, y = (x + dx, y + dy) if command.islower() else (dx, dy)
        if command in "Mm":
            if current:
                found.append(current)
            current, (start_x, start_y) = [(x, y)], (x, y)
            command = "l" if command == "m" else "L"  # further pairs after a moveto are linetos
        else:
            current.append((x, y))
    if current:
        found.append(current)
    return found


def centroid(outline: list[Ring]) -> tuple[float, float]:
    """The area centroid of the rings (shoelace formula; islands add up with the mainland)."""
    area = cx = cy = 0.0
    for ring in outline:
        for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
            cross = x0 * y1 - x1 * y0
            area += cross
            cx += (x0 + x1) * cross
            cy += (y0 + y1) * cross
    return cx / (3 * area), cy / (3 * area)


def contains(outline: list[Ring], x: float, y: float) -> bool:
    """Whether the point is inside the rings (even-odd rule, as the SVG fills them)."""
    inside = False
    for ring in outline:
        for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
            if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
                inside = not inside
    return inside


@cache
def outlines() -> dict[str, list[Ring]]:
    """Each département's rings, by code."""
    return {place["id"]: rings(place["path"]) for place in maps.shapes()["locations"]}


@cache
def centroids() -> dict[str, tuple[float, float]]:
    """Each département's outline centroid (where its code is written on a zoomed map)."""
    return {code: centroid(outline) for code, outline in outlines().items()}


@cache
def bounds() -> dict[str, tuple[float, float, float, float]]:
    """Each département's bounding box (left, top, right, bottom)."""
    found = {}
    for code, outline in outlines().items():
        xs = [x for ring in outline for x, _ in ring]
        ys = [y for ring in outline for _, y in ring]
        found[code] = (min(xs), min(ys), max(xs), max(ys))
    return found


def _mercator(lon: float, lat: float) -> tuple[float, float]:
    return math.radians(lon), math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def _equirectangular(lon: float, lat: float) -> tuple[float, float]:
    return math.radians(lon) * math.cos(math.radians(46.5)), math.radians(lat)


PROJECTIONS = {"mercator": _mercator, "equirectangular": _equirectangular}


@dataclass(frozen=True)
class Fit:
    projection: str
    x: tuple[float, float, float]  # svg x = a·u + b·v + c, (u, v) the projected point
    y: tuple[float, float, float]
    rms: float  # root mean square distance between the centroids and the projected communes' centres

    def place(self, lon: float, lat: float) -> tuple[float, float]:
        u, v = PROJECTIONS[self.projection](lon, lat)
        return self.x[0] * u + self.x[1] * v + self.x[2], self.y[0] * u + self.y[1] * v + self.y[2]


def _solve3(matrix, vector):
    """Gauss-Jordan with partial pivoting, for the 3×3 normal equations."""
    rows = [list(row) + [value] for row, value in zip(matrix, vector, strict=True)]
    for i in range(3):
        pivot = max(range(i, 3), key=lambda r: abs(rows[r][i]))
        rows[i], rows[pivot] = rows[pivot], rows[i]
        for r in range(3):
            if r != i:
                factor = rows[r][i] / rows[i][i]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[i], strict=True)]
    return tuple(rows[i][3] / rows[i][i] for i in range(3))


def _fit_one(name, pairs) -> Fit:
    project = PROJECTIONS[name]
    projected = [(project(lon, lat), target) for (lon, lat), target in pairs]
    normal = [[0.0] * 3 for _ in range(3)]
    for_x, for_y = [0.0] * 3, [0.0] * 3
    for (u, v), (x, y) in projected:
        row = (u, v, 1.0)
        for i in range(3):
            for j in range(3):
                normal[i][j] += row[i] * row[j]
            for_x[i] += row[i] * x
            for_y[i] += row[i] * y
    ax, ay = _solve3(normal, for_x), _solve3(normal, for_y)
    squares = sum(
        (ax[0] * u + ax[1] * v + ax[2] - x) ** 2 + (ay[0] * u + ay[1] * v + ay[2] - y) ** 2
        for (u, v), (x, y) in projected
    )
    return Fit(name, ax, ay, math.sqrt(squares / len(projected)))


def _centres() -> dict[str, tuple[float, float]]:
    """Each département's mean commune centre (lon, lat); communes without a known position are left out."""
    sums: dict[str, list[float]] = {}
    for commune in communes.every():
        if math.isfinite(commune.lat) and math.isfinite(commune.lon):
            total = sums.setdefault(commune.departement, [0.0, 0.0, 0])
            total[0] += commune.lon
            total[1] += commune.lat
            total[2] += 1
    return {code: (lon / n, lat / n) for code, (lon, lat, n) in sums.items()}


def fits() -> list[Fit]:
    """Every projection tried, best first."""
    centres = _centres()
    pairs = [(centres[code], point) for code, point in centroids().items() if code in centres]
    return sorted((_fit_one(name, pairs) for name in PROJECTIONS), key=lambda fit: fit.rms)


@cache
def fit() -> Fit:
    return fits()[0]


def place(commune_code: str | None) -> tuple[float, float] | None:
    """The SVG point of a commune's centre, rounded to a tenth; None when unknown, without a position, or
    outside the map (overseas départements)."""
    commune = communes.get(commune_code)
    if (
        commune is None
        or commune.departement not in outlines()
        or not (math.isfinite(commune.lat) and math.isfinite(commune.lon))
    ):
        return None
    x, y = fit().place(commune.lon, commune.lat)
    return round(x, 1), round(y, 1)
