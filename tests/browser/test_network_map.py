"""A network's public map in a real Chromium: every request goes to our own server (the CSP is the
usual one), the points sit on the map, and the filters work as a plain form."""

import pytest

from crm.base.extensions import db
from crm.base.security import CONTENT_SECURITY_POLICY
from crm.contacts.models import StructureType
from crm.territory import communes
from tests import factories
from tests.browser.test_home import _screenshot, _sign_in

pytestmark = pytest.mark.browser

PLACES = {  # company → (commune, discipline of its show)
    "Compagnie du Ponant": ("29019", "theatre"),
    "Les Fildeféristes": ("67482", "circus"),
    "Ensemble Calanques": ("13055", "music"),
    "Théâtre de l'Ouvroir": ("75056", "theatre"),
    "Collectif Berry": ("18033", "dance"),
    "Cie Île de Beauté": ("2A004", "storytelling"),
}


def _located(org, code):
    org.commune_code = code
    org.departement_code = communes.get(code).departement


def _network(world):
    a = world.a
    a.network.public_map = True
    for name, (code, discipline) in PLACES.items():
        company = factories.company(a.network, name=name)
        _located(company, code)
        factories.show(company, discipline=discipline)
    for org, code in ((a.companies[0], "45234"), (a.companies[1], "37261"), (a.venue, "18279")):
        _located(org, code)
    hall = factories.structure(a.network, name="Salle des Fêtes de Lille", is_venue=True,
                               structure_type=StructureType.CULTURAL_CENTRE)  # fmt: skip
    _located(hall, "59350")
    _located(world.b.companies[0], "33063")  # Bordeaux, another network's
    db.session.commit()
    return a


def _watch(page, base):
    """Every request the page makes, and any complaint of the browser (a CSP refusal among them)."""
    seen, complaints = [], []
    page.on("request", lambda request: seen.append(request.url))
    page.on("console", lambda message: message.type == "error" and complaints.append(message.text))
    page.on("pageerror", lambda error: complaints.append(str(error)))
    return seen, complaints


@pytest.mark.parametrize("viewport", [(1280, 900), (390, 844)], ids=["desktop", "phone"])
def test_the_public_map_renders_from_our_own_server_only(world, live_server, browser, viewport):
    a = _network(world)
    page = browser.new_page()
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    seen, complaints = _watch(page, live_server)
    response = page.goto(f"{live_server}/map/{a.network.slug}")
    page.wait_for_load_state("networkidle")
    assert response.status == 200
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert seen and all(url.startswith(live_server + "/") for url in seen), seen
    assert complaints == []
    _screenshot(page, f"network-map-{viewport[0]}")
    circles = page.locator("svg.network-map circle.place-company")
    assert circles.count() == len(PLACES) + 2
    assert page.locator("svg.network-map rect.place-venue").count() == 2
    box = page.locator("svg.network-map").bounding_box()
    for i in range(circles.count()):
        dot = circles.nth(i).bounding_box()
        assert box["x"] <= dot["x"] and dot["x"] + dot["width"] <= box["x"] + box["width"]
        assert box["y"] <= dot["y"] and dot["y"] + dot["height"] <= box["y"] + box["height"]
    assert "Compagnie B1" not in page.content() and "Bordeaux" not in page.content()


def test_the_filters_are_a_plain_form(world, live_server, browser):
    a = _network(world)
    page = browser.new_page()
    seen, _complaints = _watch(page, live_server)
    # as without JavaScript: no script is let through
    page.route("**/*.js", lambda route: route.abort())
    page.goto(f"{live_server}/map/{a.network.slug}")
    page.get_by_label("Discipline").select_option(label="Cirque")
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_load_state()
    assert page.url.endswith("?discipline=circus&departement=")
    rows = page.locator("table.places tbody tr")
    assert rows.count() == 1 and "Les Fildeféristes" in rows.first.inner_text()
    assert "Strasbourg (67)" in rows.first.inner_text()
    page.get_by_label("Discipline").select_option(label="Toutes les disciplines")
    page.get_by_label("Département").select_option(value="18")
    page.get_by_role("button", name="Filtrer").click()
    names = page.locator("table.places tbody tr td:first-child").all_inner_texts()
    assert names == ["Collectif Berry", "Théâtre A"]  # a company in Bourges, the venue in Vierzon
    assert all(url.startswith(live_server + "/") for url in seen)


def test_the_coordination_opens_its_map_and_sees_its_places_on_the_report(world, live_server, browser):
    a = _network(world)
    a.network.public_map = False
    db.session.commit()
    page = browser.new_page()
    _sign_in(page, live_server, a.coordinator.email)
    page.goto(f"{live_server}/network/map")
    assert "La carte n'est pas publiée" in page.content()
    page.get_by_label("Publier la carte du réseau").check()
    page.get_by_role("button", name="Enregistrer").click()
    _screenshot(page, "network-map-settings")
    page.get_by_role("link", name=f"/map/{a.network.slug}").click()
    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading == f"{a.network.name}\u202f: ses lieux et ses compagnies"
    page.goto(f"{live_server}/editions/{a.planned.id}/impact")
    _screenshot(page, "impact-report-places")
    assert page.locator("svg.map rect.place-venue").count() == 1  # the edition's venue, in Vierzon
    assert page.locator("svg.map circle.place-company").count() == 1  # the company it accepted
