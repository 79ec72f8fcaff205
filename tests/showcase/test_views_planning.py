"""The planning pages through HTTP: what coordinators and companies see and do."""

import threading
from datetime import date, time

import pytest
from sqlalchemy import func, select

from crm.base.extensions import db
from crm.showcase import planning, registrations
from crm.showcase.models import Assignment, Registration, RegistrationStatus, ShowFormat, Slot
from tests import factories
from tests.conftest import csrf_token, post_form, sign_in, statement_counts

TOKEN = "/account/password"


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def _more_assigned_slots(world, n):
    """Grow the planned edition of network A by n accepted registrations, each in its own slot."""
    a = world.a
    for i in range(n):
        company = factories.company(a.network, name=f"Compagnie grille {i}")
        show = factories.show(company, duration_minutes=30)
        reg = Registration(
            edition_id=a.planned.id,
            company_id=company.id,
            show_id=show.id,
            format=ShowFormat.FULL,
            status=RegistrationStatus.ACCEPTED,
            cast_size=2,
            setup_minutes=5,
            strike_minutes=5,
        )
        db.session.add(reg)
        slot = Slot(
            edition_id=a.planned.id,
            venue_id=a.venue.id,
            format=ShowFormat.FULL,
            band_id=a.band.id,
            starts_at=a.slot.starts_at.replace(hour=8 + i % 8, minute=0).replace(day=5),
            ends_at=a.slot.starts_at.replace(hour=8 + i % 8, minute=50).replace(day=5),
        )
        db.session.add(slot)
        db.session.flush()
        db.session.add(Assignment(slot_id=slot.id, registration_id=reg.id))
    db.session.commit()


@pytest.mark.parametrize(
    "page", ["edition", "grid", "running_order", "review", "programme", "programme_json"]
)
def test_planning_pages_send_a_fixed_number_of_queries(app, world, page):
    a = world.a
    urls = {
        "edition": f"/editions/{a.planned.id}",
        "grid": f"/editions/{a.planned.id}/planning",
        "running_order": f"/editions/{a.planned.id}/planning?print=1",
        "review": f"/editions/{a.planned.id}/registrations",
        "programme": f"/programme/{a.planned.slug}",
        "programme_json": f"/programme/{a.planned.slug}.json",
    }
    client = app.test_client()
    sign_in(client, a.coordinator)

    small = statement_counts(client, [urls[page]])
    _more_assigned_slots(world, 6)
    assert statement_counts(client, [urls[page]]) == small


def test_grid_shows_an_overridden_conflict_with_its_reason(app, world, client):
    a = world.a
    company = factories.company(a.network, name="Compagnie longue")
    reg = registrations.Registration(
        edition_id=a.planned.id,
        company_id=company.id,
        show_id=factories.show(company, duration_minutes=200).id,
        format=ShowFormat.FULL,
        status=RegistrationStatus.ACCEPTED,
        cast_size=2,
        setup_minutes=30,
        strike_minutes=30,
    )
    db.session.add(reg)
    slot = planning.create_slot(
        a.planned, {"venue_id": a.venue.id, "day": a.planned.starts_on, "starts": time(10), "ends": time(11)}
    )
    planning.assign(slot, reg, actor=a.coordinator, override_reason="Extrait de 45 minutes convenu")
    db.session.commit()
    sign_in(client, a.coordinator)
    html = client.get(f"/editions/{a.planned.id}/planning").get_data(as_text=True)
    assert "Conflit : le spectacle, avec montage et démontage, ne tient pas dans le créneau" in html
    assert "accepté : Extrait de 45 minutes convenu" in html
    assert html.count('class="slot conflict"') == 1
    client.post("/language", data={"locale": "en", "csrf_token": csrf_token(client, TOKEN)})
    html = client.get(f"/editions/{a.planned.id}/planning").get_data(as_text=True)
    assert "Conflict: " in html and " :" not in html.split("<main", 1)[1]  # English spacing in English


def test_manual_assignment_page_refuses_a_conflict_and_keeps_the_choice(app, world, client):
    a = world.a
    slot = planning.create_slot(
        a.planned,
        {"venue_id": a.venue.id, "day": a.planned.ends_on, "starts": time(10), "ends": time(10, 30)},
    )
    db.session.commit()
    sign_in(client, a.coordinator)
    response = post_form(
        client, f"/slots/{slot.id}/assign", {"registration_id": str(a.registration.id)}, token_from=TOKEN
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "ne tient pas dans le créneau et cette candidature a déjà tous ses créneaux" in html
    assert f'<option selected value="{a.registration.id}">' in html
    assert (
        db.session.scalar(select(func.count()).select_from(Assignment).where(Assignment.slot_id == slot.id))
        == 0
    )


def test_auto_assign_page_reports_what_it_could_not_place(app, world, client):
    a = world.a
    company = factories.company(a.network, name="Compagnie sans place")
    db.session.add(
        registrations.Registration(
            edition_id=a.planned.id,
            company_id=company.id,
            show_id=factories.show(company, title="Trop long").id,
            format=ShowFormat.FULL,
            status=RegistrationStatus.ACCEPTED,
            cast_size=1,
            setup_minutes=300,
            strike_minutes=0,
        )
    )
    db.session.commit()
    sign_in(client, a.coordinator)
    response = post_form(
        client, f"/editions/{a.planned.id}/auto-assign", token_from=TOKEN, follow_redirects=True
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Aucune des candidatures sans créneau ne peut être placée." in html
    assert "Trop long" in html
    assert "le spectacle, avec montage et démontage, ne tient pas dans le créneau (1 créneau)" in html


def test_public_programme_json_lists_slots_with_show_and_venue(app, world, client):
    a = world.a
    data = client.get(f"/programme/{a.planned.slug}.json").get_json()
    assert data["edition"]["slug"] == a.planned.slug
    assert [s["show"]["title"] for s in data["slots"]] == ["Spectacle A1"]
    assert data["slots"][0]["starts_at"] == "2027-03-04T20:00:00+01:00"
    assert data["venues"][0]["name"] == "Théâtre A"
    assert client.get(f"/programme/{world.a.edition.slug}").status_code == 404  # a draft is not public


def test_cancelled_slot_stays_on_the_public_programme(app, world, client):
    planning.cancel_slot(world.a.slot)
    db.session.commit()
    html = client.get(f"/programme/{world.a.planned.slug}").get_data(as_text=True)
    assert 'class="cancelled"' in html
    assert "<strong>Annulé</strong>" in html


def test_member_registration_form_keeps_input_and_names_the_field(app, world, client):
    a = world.a
    factories.open_for_registrations(a)
    db.session.commit()
    sign_in(client, a.members[0])
    data = {
        "show_id": str(a.shows[0].id),
        "format": "full",
        "cast_size": "3",
        "video_url": "pas une adresse",
        "pitch": "Une présentation à garder",
    }
    response = post_form(client, f"/editions/{a.edition.id}/register", data, token_from=TOKEN)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="video_url-error"' in html
    assert "Une présentation à garder" in html
    data["video_url"] = "https://video.example/a1"
    response = post_form(client, f"/editions/{a.edition.id}/register", data, token_from=TOKEN)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Déposée" in page and "https://video.example/a1" in page


def test_member_sees_only_their_company_registrations(app, world, client):
    sign_in(client, world.a.members[1])
    assert client.get(f"/registrations/{world.a.registration.id}").status_code == 404
    sign_in(client, world.a.members[0])
    html = client.get(f"/registrations/{world.a.registration.id}").get_data(as_text=True)
    assert "Vos passages" in html


def _concurrently(app, calls):
    """Run each call in its own thread at the same moment; returns their results."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        barrier.wait()
        results[i] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def _rival(a, name):
    company = factories.company(a.network, name=name)
    registration = Registration(
        edition_id=a.planned.id,
        company_id=company.id,
        show_id=factories.show(company).id,
        format=ShowFormat.FULL,
        status=RegistrationStatus.ACCEPTED,
        cast_size=2,
        setup_minutes=5,
        strike_minutes=5,
    )
    db.session.add(registration)
    return registration


def test_two_coordinators_assigning_one_slot_at_once_end_with_one_assignment(app, world):
    a = world.a
    second = factories.user(net=a.network, email="coord-a2@example.org")
    rounds = []
    for n in range(3):
        slot = planning.create_slot(
            a.planned,
            {
                "venue_id": a.venue.id,
                "day": a.planned.ends_on,
                "starts": time(10 + 3 * n),
                "ends": time(12 + 3 * n),
            },
        )
        rivals = [_rival(a, f"Rivale {n}-{i}") for i in range(2)]
        db.session.flush()
        rounds.append((slot.id, [str(r.id) for r in rivals]))
    db.session.commit()
    clients = [app.test_client(), app.test_client()]
    sign_in(clients[0], a.coordinator)
    sign_in(clients[1], second)
    for slot_id, rival_ids in rounds:
        calls = [
            lambda c=c, r=r, url=f"/slots/{slot_id}/assign": post_form(
                c, url, {"registration_id": r}, token_from=TOKEN
            )
            for c, r in zip(clients, rival_ids, strict=True)
        ]
        responses = _concurrently(app, calls)
        assert sorted(r.status_code for r in responses) == [302, 422]
        loser = next(r for r in responses if r.status_code == 422)
        assert "Conflit : le créneau est déjà attribué." in loser.get_data(as_text=True)
        count = select(func.count()).select_from(Assignment).where(Assignment.slot_id == slot_id)
        assert db.session.scalar(count) == 1


def test_registering_twice_in_two_tabs_ends_with_one_registration(app, world):
    a = world.a
    factories.open_for_registrations(a)
    db.session.commit()
    tabs = [app.test_client(), app.test_client()]
    for tab in tabs:
        sign_in(tab, a.members[0])
    data = {"show_id": str(a.shows[0].id), "format": "full", "cast_size": "3"}
    url = f"/editions/{a.edition.id}/register"
    responses = _concurrently(app, [lambda t=t: post_form(t, url, data, token_from=TOKEN) for t in tabs])
    assert sorted(r.status_code for r in responses) == [302, 422]
    loser = next(r for r in responses if r.status_code == 422)
    assert "Ce spectacle est déjà candidat à cette édition." in loser.get_data(as_text=True)
    query = (
        select(func.count())
        .select_from(Registration)
        .where(Registration.edition_id == int(url.split("/")[2]))
    )
    assert db.session.scalar(query) == 1


def test_a_new_band_ticks_no_audience_and_requires_one(app, world, client):
    from tests.conftest import post_form, sign_in

    edition = world.a.planned
    sign_in(client, world.a.coordinator)
    page = client.get(f"/editions/{edition.id}/bands").get_data(as_text=True)
    assert 'name="accepts_young"' in page and "checked" not in page.split('name="accepts_young"')[1][:40]
    assert "checked" not in page.split('name="accepts_all"')[1][:40]
    response = post_form(
        client, f"/editions/{edition.id}/bands",
        {"day": edition.starts_on.isoformat(), "label": "Soirée", "starts": "19:00", "ends": "22:00"},
        token_from=f"/editions/{edition.id}/bands",
    )  # fmt: skip
    assert response.status_code == 422
    assert "Une tranche accueille au moins un public." in response.get_data(as_text=True)


def test_the_registration_page_says_before_the_form_when_the_edition_takes_none(app, world, client):
    from crm.showcase import editions

    a = world.a
    editions.save_rules(
        a.edition,
        {
            "registration_opens_on": date(2027, 1, 5),
            "registration_closes_on": date(2027, 2, 1),
            "offers_full": True,
        },
    )
    db.session.commit()
    sign_in(client, a.members[0])
    page = client.get(f"/editions/{a.edition.id}/register")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'name="show_id"' not in html
    assert (
        "Les candidatures ne sont pas ouvertes pour cette édition. "
        "Elles sont prévues du 05/01/2027 au 01/02/2027." in html.replace("&#39;", "'")
    )
    factories.open_for_registrations(a)
    db.session.commit()
    assert 'name="show_id"' in client.get(f"/editions/{a.edition.id}/register").get_data(as_text=True)


def test_dates_and_times_read_as_people_write_them(app, world, client):
    """One formatter: the day in words, then the hours — no seconds, no time zone's long name."""
    a = world.a
    sign_in(client, a.coordinator)
    html = client.get(f"/slots/{a.slot.id}/assign").get_data(as_text=True)
    assert "jeudi 4 mars 2027 20:00–22:00" in html
    assert "heure normale" not in html and ":00:00" not in html


def test_a_band_is_edited_and_its_slots_follow(app, world, client):
    a = world.a
    sign_in(client, a.coordinator)
    url = f"/bands/{a.band.id}/edit"
    response = post_form(
        client, url,
        {"day": a.band.day.isoformat(), "label": "Soirée", "starts": "18:00", "ends": "23:00",
         "accepts_all": "y"},
        token_from=url,
    )  # fmt: skip
    assert response.status_code == 302
    db.session.refresh(a.band)
    assert (a.band.accepts_young, a.band.accepts_all) == (False, True)
    assert db.session.get(type(a.slot), a.slot.id).band_id == a.band.id


def test_deleting_a_band_its_slots_use_is_refused_unless_they_move(app, world, client):
    from crm.showcase import editions
    from crm.showcase.models import TimeBand

    a = world.a
    other = editions.add_band(
        a.planned,
        {"day": a.planned.starts_on, "label": "Après-midi", "starts": time(14), "ends": time(18),
         "accepts_young": True, "accepts_all": True},
    )  # fmt: skip
    db.session.commit()
    sign_in(client, a.coordinator)
    band_id, other_id = a.band.id, other.id
    refused = post_form(client, f"/bands/{band_id}/delete", {}, token_from=TOKEN, follow_redirects=True)
    assert "Cette tranche sert à 1 créneau (jeudi 4 mars 20:00)" in refused.get_data(as_text=True)
    assert db.session.get(TimeBand, band_id) is not None
    moved = post_form(client, f"/bands/{band_id}/delete", {"move_to": str(other_id)}, token_from=TOKEN)
    assert moved.status_code == 302
    db.session.expire_all()
    assert db.session.get(TimeBand, band_id) is None
    assert db.session.get(type(a.slot), a.slot.id).band_id == other_id


def test_availability_is_boxes_to_tick_with_each_bands_day_hours_and_audiences(app, world, client):
    from crm.showcase import editions

    a = world.a
    factories.open_for_registrations(a)
    db.session.commit()
    sign_in(client, a.members[0])
    assert 'name="band_ids"' not in client.get(f"/editions/{a.edition.id}/register").get_data(as_text=True)
    band = editions.add_band(
        a.edition,
        {"day": a.edition.starts_on, "label": "Soirée", "starts": time(18), "ends": time(23),
         "accepts_young": False, "accepts_all": True},
    )  # fmt: skip
    db.session.commit()
    html = client.get(f"/editions/{a.edition.id}/register").get_data(as_text=True)
    assert f'type="checkbox" value="{band.id}"' in html and "<select multiple" not in html
    assert "jeudi 4 mars, Soirée, 18:00–23:00 — tout public" in html
    data = {"show_id": str(a.shows[0].id), "format": "full", "band_ids": str(band.id)}
    response = post_form(client, f"/editions/{a.edition.id}/register", data, token_from=TOKEN)
    assert response.status_code == 302
