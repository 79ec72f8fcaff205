"""The département map's projection, fitted from the shipped files: places land where they are."""

import pytest

from crm.impact import projection
from crm.territory import communes

CITIES = {
    "75056": "75",  # Paris
    "13055": "13",  # Marseille, on the coast
    "29019": "29",  # Brest, at the western tip
    "67482": "67",  # Strasbourg, on the Rhine
    "18033": "18",  # Bourges, in the middle
    # Corsica inland: Ajaccio's town hall, on the shore, is within the fit's error of the sea
    "2B096": "2B",  # Corte
}


@pytest.mark.parametrize("code", sorted(CITIES))
def test_a_known_city_lands_inside_its_departement(code):
    commune = communes.get(code)
    assert commune.departement == CITIES[code]
    x, y = projection.place(code)
    assert projection.contains(projection.outlines()[CITIES[code]], x, y)
    others = [d for d, outline in projection.outlines().items() if projection.contains(outline, x, y)]
    assert others == [CITIES[code]]  # in that one département, and in no other


def test_every_departement_holds_the_centre_of_its_communes():
    centres = projection._centres()
    fit = projection.fit()
    assert len(projection.outlines()) == 96  # metropolitan France and Corsica
    outside = [code for code, outline in projection.outlines().items()
               if not projection.contains(outline, *fit.place(*centres[code]))]  # fmt: skip
    assert outside == []


def test_the_fit_kept_is_the_closest_and_close_enough():
    fits = projection.fits()
    assert [f.projection for f in fits] == ["mercator", "equirectangular"]
    assert fits[0].rms < fits[1].rms
    assert projection.fit().rms < 4.0  # SVG units; a département is 30 to 60 wide
    assert projection.fit() is projection.fit()  # computed once


def test_overseas_and_unknown_communes_have_no_point():
    assert projection.place("97411") is None  # Saint-Denis (La Réunion): not on this map
    assert projection.place("99999") is None
    assert projection.place(None) is None


def test_the_path_reader_follows_relative_and_absolute_moves_and_each_ring():
    outline = projection.rings("m 0,0 10,0 0,10 -10,0 z m 20,0 5,0 0,5 z M 100,100 L 110,100 110,110 z")
    assert outline == [
        [(0, 0), (10, 0), (10, 10), (0, 10)],
        [(20, 0), (25, 0), (25, 5)],  # after z, a relative move starts from the ring's start
        [(100, 100), (110, 100), (110, 110)],
    ]
    square = outline[:1]
    assert projection.centroid(square) == pytest.approx((5, 5))
    assert projection.contains(square, 5, 5) and not projection.contains(square, 15, 5)
    assert projection.contains(outline, 24, 1) and not projection.contains(outline, 21, 4)
