"""A network's public map: opened by its coordination, its own places only, companies may stay off."""

import re

import pytest

from crm.base.extensions import db
from crm.contacts.models import StructureType
from crm.impact import network_map, projection
from tests import factories
from tests.conftest import post_form, sign_in, statement_counts

BOURGES, VIERZON, TOURS, BREST = "18033", "18279", "37261", "29019"


def _located(world):
    """Network A's places: companies in Bourges and Vierzon (Cher), the venue in Tours (Indre-et-Loire);
    network B's in Brest."""
    a, b = world.a, world.b
    for org, code, dep in (
        (a.companies[0], BOURGES, "18"),
        (a.companies[1], VIERZON, "18"),
        (a.venue, TOURS, "37"),
        (b.companies[0], BREST, "29"),
        (b.venue, BREST, "29"),
    ):
        org.commune_code, org.departement_code = code, dep  # fmt: skip
    factories.show(a.companies[1], title="Voltige", discipline="circus")
    a.network.public_map = True
    b.network.public_map = True
    db.session.commit()
    return a


def test_a_network_that_did_not_open_its_map_answers_404(client, world):
    assert client.get(f"/map/{world.a.network.slug}").status_code == 404
    assert client.get("/map/no-such-network").status_code == 404


def test_the_coordination_opens_the_map_and_it_lists_its_places(app, world, client):
    a = _located(world)
    a.network.public_map = False
    db.session.commit()
    sign_in(client, a.coordinator)
    assert "introuvable" in client.get("/network/map").get_data(as_text=True)
    response = post_form(client, "/network/map", {"public_map": "y"}, token_from="/network/map")
    assert response.status_code == 302 and a.network.public_map is True
    html = app.test_client().get(f"/map/{a.network.slug}").get_data(as_text=True)
    assert "Compagnie A1" in html and "Compagnie A2" in html and "Théâtre A" in html
    assert "Bourges (18)" in html and "Vierzon (18)" in html and "Tours (37)" in html
    assert "Théâtre, Cirque" in html  # the disciplines of the company's shows
    assert "Théâtre municipal" in html  # a venue's kind
    assert html.count('<circle class="place-company"') == 2 and html.count('<rect class="place-venue"') == 1
    x, y = projection.place(BOURGES)
    assert f'cx="{x}" cy="{y}"' in html
    post_form(client, "/network/map", {}, token_from="/network/map")
    assert app.test_client().get(f"/map/{a.network.slug}").status_code == 404


def test_another_networks_places_never_appear(client, world):
    a = _located(world)
    html = client.get(f"/map/{a.network.slug}").get_data(as_text=True)
    for name in ("Compagnie B1", "Compagnie B2", "Théâtre B", "Brest"):
        assert name not in html
    x, y = projection.place(BREST)
    assert f'cx="{x}"' not in html


def test_a_company_that_unticks_the_box_on_its_profile_leaves_the_map(app, world, client):
    a = _located(world)
    sign_in(client, a.members[0])
    form = client.get(f"/companies/{a.companies[0].id}/edit").get_data(as_text=True)
    box = re.search(r'<input[^>]*name="on_public_map"[^>]*>', form).group(0)
    assert "checked" in box  # shown unless unticked
    data = {"name": a.companies[0].name, "postcode": "18000", "city": "Bourges"}
    edit = f"/companies/{a.companies[0].id}/edit"
    response = post_form(client, edit, data, token_from=edit)
    assert response.status_code == 302
    db.session.refresh(a.companies[0])
    assert a.companies[0].on_public_map is False
    html = app.test_client().get(f"/map/{a.network.slug}").get_data(as_text=True)
    assert "Compagnie A1" not in html and "Compagnie A2" in html
    assert html.count('<circle class="place-company"') == 1


def test_filters_by_discipline_and_departement_are_plain_get_parameters(client, world):
    a = _located(world)
    slug = a.network.slug
    circus = client.get(f"/map/{slug}?discipline=circus").get_data(as_text=True)
    assert "Compagnie A2" in circus and "Compagnie A1" not in circus and "Théâtre A" not in circus
    cher = client.get(f"/map/{slug}?departement=18").get_data(as_text=True)
    assert "Compagnie A1" in cher and "Compagnie A2" in cher and "Théâtre A" not in cher
    both = client.get(f"/map/{slug}?departement=37&discipline=circus").get_data(as_text=True)
    assert "Aucun lieu ni compagnie" in both
    ignored = client.get(f"/map/{slug}?departement=29&discipline=opera").get_data(as_text=True)
    assert "Compagnie A1" in ignored and "Théâtre A" in ignored  # unknown values filter nothing
    assert '<option value="29"' not in ignored  # only the network's own départements are offered


def test_the_public_page_sends_the_same_statements_whatever_the_network_size(app, world, client):
    a = _located(world)
    url = f"/map/{a.network.slug}"
    small = statement_counts(client, [url, url + "?discipline=theatre&departement=18"])
    for i in range(30):
        company = factories.company(a.network, name=f"Compagnie en plus {i}")
        company.commune_code = BOURGES
        factories.show(company, discipline="dance")
        factories.show(company, title=f"Autre {i}", discipline="theatre")
        factories.structure(a.network, name=f"Salle en plus {i}", is_venue=True,
                            structure_type=StructureType.CULTURAL_CENTRE)  # fmt: skip
    db.session.commit()
    large = statement_counts(client, [url, url + "?discipline=theatre&departement=18"])
    # the network, the départements in use, the places, the disciplines of the companies listed
    assert small == large == [4, 4]


def test_the_list_is_paginated_and_the_map_shows_every_place(client, world):
    a = _located(world)
    for i in range(60):
        factories.company(a.network, name=f"Compagnie Z{i:02d}").commune_code = TOURS
    db.session.commit()
    first = client.get(f"/map/{a.network.slug}").get_data(as_text=True)
    assert first.count('<circle class="place-company"') == 62
    assert first.count('<tr class="place-') == 50 and "Page 1 sur 2" in first
    second = client.get(f"/map/{a.network.slug}?page=2").get_data(as_text=True)
    assert second.count('<tr class="place-') == 13 and "Compagnie Z59" in second


def test_the_impact_report_map_shows_the_venues_and_the_companies_homes(client, world):
    a = _located(world)
    sign_in(client, a.coordinator)
    html = client.get(f"/editions/{a.planned.id}/impact").get_data(as_text=True)
    vx, vy = projection.place(TOURS)
    cx, cy = projection.place(BOURGES)
    assert f'x="{round(vx - 4.5, 1)}" y="{round(vy - 4.5, 1)}"' in html  # the edition's venue
    assert f'cx="{cx}" cy="{cy}"' in html  # the accepted company's home
    x, y = projection.place(VIERZON)
    assert f'cx="{x}"' not in html  # the other company was not accepted to this edition


def _at(*codes):
    return [network_map.Place("company", c, c, None, (), projection.place(c)) for c in codes]


def test_the_map_zooms_onto_a_regional_network_and_never_beyond_the_whole_map():
    whole = "0 0 613 585"
    assert network_map.frame([], whole).view_box == "0.0 0.0 613.0 585.0"
    assert network_map.frame(_at(BREST, "67482", "2A004"), whole).scale == 1.0  # all of France
    regional = network_map.frame(_at(BOURGES, VIERZON, TOURS), whole)
    assert 0.2 < regional.scale < 0.4
    assert regional.width / regional.height == pytest.approx(613 / 585)
    for x, y in (place.point for place in _at(BOURGES, VIERZON, TOURS)):
        assert regional.x + 20 < x < regional.x + regional.width - 20
        assert regional.y + 20 < y < regional.y + regional.height - 20
    corner = network_map.frame(_at(BREST), whole)  # near the edge: moved in, not cut
    assert corner.x == 0.0 and corner.width == pytest.approx(network_map.SMALLEST * 613 / 585)


def test_a_zoomed_map_sends_only_the_departements_it_shows():
    whole = network_map.frame([], "0 0 613 585")
    assert len(network_map.outlines(whole)) == 96 and network_map.labels(whole) == []
    regional = network_map.frame(_at(BOURGES, VIERZON, TOURS), "0 0 613 585")
    shown = {d["code"] for d in network_map.outlines(regional)}
    assert {"18", "37", "41", "36"} <= shown and not shown & {"29", "13", "67", "2A", "59"}
    assert {code for code, _x, _y in network_map.labels(regional)} <= shown
