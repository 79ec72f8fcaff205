"""Two networks on one instance: nothing of network B ever shows or changes from network A."""

import pytest

from crm.base.extensions import db
from tests.conftest import post_form, sign_in

LIST_PAGES = ["/", "/companies", "/structures", "/programmers", "/editions"]


def _b_names(world):
    b = world.b
    return [
        b.network.name, *[c.name for c in b.companies], *[s.title for s in b.shows], b.venue.name,
        *[p.last_name for p in b.programmers], b.member_contact.last_name, b.edition.name,
    ]  # fmt: skip


@pytest.mark.parametrize("page", LIST_PAGES)
def test_coordinator_lists_hold_only_their_network(app, world, client, page):
    sign_in(client, world.a.coordinator)
    html = client.get(page).get_data(as_text=True)
    for name in _b_names(world):
        assert name not in html
    own = {"/": "Édition A", "/companies": "Compagnie A1", "/structures": "Théâtre A",
           "/programmers": "ProgrammateurA1", "/editions": "Édition A"}  # fmt: skip
    assert own[page] in html


def test_a_networks_public_map_holds_only_its_own_places(app, world, client):
    world.a.network.public_map = world.b.network.public_map = True
    world.b.venue.is_venue = True
    db.session.commit()
    html = client.get(f"/map/{world.a.network.slug}").get_data(as_text=True)
    for name in _b_names(world):
        assert name not in html
    assert "Compagnie A1" in html and "Théâtre A" in html


@pytest.mark.parametrize("query", ["Programmateur", "Compagnie", "Théâtre", "example.org"])
def test_searches_stay_inside_the_network(app, world, client, query):
    sign_in(client, world.a.coordinator)
    for page in ("/programmers", "/companies", "/structures"):
        html = client.get(page, query_string={"q": query}).get_data(as_text=True)
        for name in _b_names(world):
            assert name not in html


def test_member_directory_holds_only_their_network(app, world, client):
    sign_in(client, world.a.members[0])
    html = client.get("/programmers").get_data(as_text=True)
    assert "ProgrammateurA1" in html
    assert "ProgrammateurB1" not in html


def _b_urls(world):
    b = world.b
    return [
        f"/companies/{b.companies[0].id}", f"/companies/{b.companies[0].id}/edit",
        f"/companies/{b.companies[0].id}/shows/new", f"/shows/{b.shows[0].id}/edit",
        f"/structures/{b.venue.id}/edit", f"/programmers/{b.programmers[0].id}",
        f"/programmers/{b.programmers[0].id}/edit", f"/editions/{b.edition.id}",
        f"/editions/{b.edition.id}/edit",
    ]  # fmt: skip


def test_coordinator_gets_404_for_every_page_of_another_network(app, world, client):
    sign_in(client, world.a.coordinator)
    statuses = {url: client.get(url).status_code for url in _b_urls(world)}
    assert set(statuses.values()) == {404}


def test_coordinator_cannot_change_another_networks_records(app, world, client):
    sign_in(client, world.a.coordinator)
    token_page = "/account/password"
    edits = {
        f"/companies/{world.b.companies[0].id}/edit": {"name": "Volée"},
        f"/editions/{world.b.edition.id}/edit": {
            "name": "Volée",
            "starts_on": "2027-01-01",
            "ends_on": "2027-01-02",
        },
        f"/programmers/{world.b.programmers[0].id}/edit": {"first_name": "Volée"},
    }
    for url, data in edits.items():
        assert post_form(client, url, data, token_from=token_page).status_code == 404
    db.session.expire_all()
    assert world.b.companies[0].name == "Compagnie B1"
    assert world.b.edition.name == "Édition B"


def test_programmer_cannot_be_attached_to_another_networks_structure(app, world, client):
    sign_in(client, world.a.coordinator)
    response = post_form(
        client,
        "/programmers/new",
        {
            "first_name": "Inès", "last_name": "Croisée", "email": "ines@example.org",
            "organisation_id": str(world.b.venue.id), "lawful_basis": "legitimate_interest",
            "source": "Salon",
        },
        token_from="/account/password",
    )  # fmt: skip
    assert response.status_code == 422
    assert "Croisée" not in client.get("/programmers").get_data(as_text=True)
