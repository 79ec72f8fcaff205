import pytest

from crm.base.geo import departement_for_postcode, departements, regions


def test_all_101_departements_with_their_regions():
    found = departements()
    assert len(found) == 101
    assert (found["75"].name, found["75"].region_name) == ("Paris", "Île-de-France")
    assert (found["49"].name, found["49"].region_name) == ("Maine-et-Loire", "Pays de la Loire")
    assert (found["2B"].name, found["2B"].region_name) == ("Haute-Corse", "Corse")
    assert found["67"].region_name == "Grand Est"
    assert found["69"].region_name == "Auvergne-Rhône-Alpes"
    assert list(found)[:3] == ["01", "02", "03"]
    assert list(found)[-1] == "976"


def test_eighteen_regions():
    assert len(regions()) == 18
    assert sorted(d.code for d in departements().values() if d.region_code == "CVL") == [
        "18", "28", "36", "37", "41", "45",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("postcode", "code"),
    [
        ("45000", "45"),
        ("20090", "2A"),
        ("20600", "2B"),
        ("97400", "974"),
        ("75011", "75"),
        ("", None),
        ("4500", None),
    ],
)
def test_departement_from_postcode(postcode, code):
    assert departement_for_postcode(postcode) == code
