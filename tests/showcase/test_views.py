from sqlalchemy import func, select

from crm.base.extensions import db
from crm.showcase.models import Edition, Show
from tests.conftest import post_form, sign_in

TOKEN_PAGE = "/account/password"


def test_edition_with_dates_reversed_keeps_input_and_saves_nothing(app, world, client):
    sign_in(client, world.a.coordinator)
    before = db.session.scalar(select(func.count()).select_from(Edition))
    data = {"name": "Hiver", "starts_on": "2027-02-10", "ends_on": "2027-02-08"}
    response = post_form(client, "/editions/new", data, token_from=TOKEN_PAGE)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="ends_on-error">La fin de l&#39;édition précède son début.' in html
    assert 'value="2027-02-10"' in html
    assert db.session.scalar(select(func.count()).select_from(Edition)) == before


def test_edition_with_a_bad_date_is_named(app, world, client):
    sign_in(client, world.a.coordinator)
    data = {"name": "Hiver", "starts_on": "31/02/2027", "ends_on": "2027-02-08"}
    response = post_form(client, "/editions/new", data, token_from=TOKEN_PAGE)
    assert response.status_code == 422
    assert 'id="starts_on-error"' in response.get_data(as_text=True)


def test_member_adds_a_show_to_their_company(app, world, client):
    sign_in(client, world.a.members[0])
    company = world.a.companies[0]
    data = {
        "title": "La Ballade de Lou", "discipline": "puppetry", "audience": "young", "min_age": "4",
        "duration_minutes": "35", "cast_size": "2", "setup_minutes": "45", "strike_minutes": "20",
        "video_url": "https://video.example/lou",
    }  # fmt: skip
    response = post_form(client, f"/companies/{company.id}/shows/new", data, token_from=TOKEN_PAGE)
    assert response.status_code == 302
    show = db.session.scalar(select(Show).where(Show.title == "La Ballade de Lou"))
    assert (show.company_id, show.min_age, show.discipline.value) == (company.id, 4, "puppetry")
    assert "La Ballade de Lou" in client.get("/").get_data(as_text=True)


def test_show_with_bad_numbers_is_refused_field_by_field(app, world, client):
    sign_in(client, world.a.members[0])
    data = {"title": "Trop long", "discipline": "theatre", "audience": "all", "duration_minutes": "0",
            "cast_size": "deux", "video_url": "pas une adresse"}  # fmt: skip
    response = post_form(
        client, f"/companies/{world.a.companies[0].id}/shows/new", data, token_from=TOKEN_PAGE
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    for field in ("duration_minutes", "cast_size", "video_url"):
        assert f'id="{field}-error"' in html
    assert 'value="pas une adresse"' in html
