"""The planning board through HTTP: the waiting list, moves with their conflicts, undo, proposals, series."""

from datetime import time

from sqlalchemy import func, select

from crm.base.extensions import db
from crm.showcase import board, editions, planning
from crm.showcase.models import Assignment, PlanProposal, ShowFormat
from tests import factories
from tests.conftest import csrf_token, post_form, sign_in

TOKEN = "/account/password"


def _accepted(a, title, *, fmt=ShowFormat.FULL, duration=60, setup=10, strike=10, audience="all"):
    company = factories.company(a.network, name=f"Compagnie {title}")
    young = {"min_age": 4} if audience == "young" else {}
    show = factories.show(company, title=title, duration_minutes=duration, audience=audience, **young)
    return factories.accepted(a.planned, company, show, fmt=fmt.value, setup=setup, strike=strike)


def _slot(a, starts, ends, **extra):
    return planning.create_slot(
        a.planned,
        {"venue_id": a.venue.id, "day": a.planned.starts_on, "starts": starts, "ends": ends, **extra},
    )


def _move(client, a, **move):
    token = csrf_token(client, TOKEN)
    return client.post(f"/editions/{a.planned.id}/planning/moves", json=move, headers={"X-CSRFToken": token})


def _placed(slot):
    return db.session.scalar(select(Assignment.registration_id).where(Assignment.slot_id == slot.id))


def test_the_waiting_list_shows_what_the_coordinator_needs_and_filters(app, world, client):
    a = world.a
    _accepted(a, "Le Grand Large", setup=20, strike=15)
    _accepted(a, "Petit Pois", fmt=ShowFormat.PITCH, audience="young")
    db.session.commit()
    sign_in(client, a.coordinator)
    html = client.get(f"/editions/{a.planned.id}/planning").get_data(as_text=True)
    waiting = html.split('class="board-waiting"', 1)[1].split("</aside>", 1)[0]
    assert "Le Grand Large" in waiting and "Petit Pois" in waiting
    assert "(+ 20 min de montage, 15 de démontage)" in waiting
    assert "2 au plateau" in waiting and "Jeune public" in waiting
    assert a.registration.show.title not in waiting  # already in its slot
    only_pitches = client.get(f"/editions/{a.planned.id}/planning?format=pitch").get_data(as_text=True)
    waiting = only_pitches.split('class="board-waiting"', 1)[1].split("</aside>", 1)[0]
    assert "Petit Pois" in waiting and "Le Grand Large" not in waiting


def test_a_move_places_a_show_and_gives_the_move_that_undoes_it(app, world, client):
    a = world.a
    registration = _accepted(a, "Le Grand Large")
    slot = _slot(a, time(14), time(16))
    db.session.commit()
    sign_in(client, a.coordinator)
    response = _move(client, a, registration_id=registration.id, slot_id=slot.id, from_slot_id=None)
    assert response.status_code == 200, response.get_json()
    assert "« Le Grand Large » placé à" in response.get_json()["message"]
    undo = response.get_json()["undo"]
    assert undo == {
        "registration_id": registration.id,
        "slot_id": None,
        "from_slot_id": slot.id,
        "reason": None,
    }
    assert _placed(slot) == registration.id
    assert _move(client, a, **undo).status_code == 200
    assert _placed(slot) is None


def test_a_conflict_comes_back_with_its_reasons_and_is_overridden_only_with_a_reason(app, world, client):
    a = world.a
    registration = _accepted(a, "Trop long", duration=150)
    slot = _slot(a, time(14), time(15))
    db.session.commit()
    sign_in(client, a.coordinator)
    refused = _move(client, a, registration_id=registration.id, slot_id=slot.id)
    assert refused.status_code == 409
    assert refused.get_json()["conflicts"] == [
        "le spectacle, avec montage et démontage, ne tient pas dans le créneau"
    ]
    assert refused.get_json()["overridable"] is True
    assert _placed(slot) is None
    blank = _move(client, a, registration_id=registration.id, slot_id=slot.id, reason="   ")
    assert blank.status_code == 409
    kept = _move(client, a, registration_id=registration.id, slot_id=slot.id, reason="Extrait de 45 minutes")
    assert kept.status_code == 200
    assignment = db.session.scalar(select(Assignment).where(Assignment.slot_id == slot.id))
    assert assignment.override_reason == "Extrait de 45 minutes"


def test_a_taken_slot_cannot_be_overridden_and_nothing_moves(app, world, client):
    a = world.a
    registration = _accepted(a, "Le Grand Large")
    db.session.commit()
    sign_in(client, a.coordinator)
    refused = _move(client, a, registration_id=registration.id, slot_id=a.slot.id, reason="je veux")
    assert refused.status_code == 409
    assert refused.get_json()["overridable"] is False
    assert "le créneau est déjà attribué" in refused.get_json()["conflicts"]
    assert _placed(a.slot) == a.registration.id


def test_moving_a_placed_show_frees_its_slot_and_undo_puts_it_back_with_its_reason(app, world, client):
    a = world.a
    other = _slot(a, time(14), time(16, 30))
    a.assignment.override_reason = "convenu avec le lieu"
    db.session.commit()
    sign_in(client, a.coordinator)
    moved = _move(client, a, registration_id=a.registration.id, slot_id=other.id, from_slot_id=a.slot.id)
    assert moved.status_code == 200, moved.get_json()
    assert (_placed(a.slot), _placed(other)) == (None, a.registration.id)
    undo = moved.get_json()["undo"]
    assert undo["slot_id"] == a.slot.id and undo["reason"] == "convenu avec le lieu"
    back = _move(client, a, **undo)
    assert back.status_code == 200
    assert (_placed(a.slot), _placed(other)) == (a.registration.id, None)
    back_to_list = _move(client, a, registration_id=a.registration.id, slot_id=None, from_slot_id=a.slot.id)
    assert back_to_list.status_code == 200 and _placed(a.slot) is None
    assert "de retour dans la liste à placer" in back_to_list.get_json()["message"]


def test_a_stale_move_is_refused_and_another_networks_ids_are_not_found(app, world, client):
    a, b = world.a, world.b
    other = _slot(a, time(14), time(16, 30))
    db.session.commit()
    sign_in(client, a.coordinator)
    stale = _move(client, a, registration_id=a.registration.id, slot_id=other.id, from_slot_id=other.id)
    assert stale.status_code == 400 and "rechargez" in stale.get_json()["message"]
    assert _move(client, a, registration_id=b.registration.id, slot_id=other.id).status_code == 404
    assert _move(client, a, registration_id=a.registration.id, slot_id=b.slot.id).status_code == 404
    assert _move(client, a, registration_id="x", slot_id=other.id).status_code == 400
    no_token = client.post(f"/editions/{a.planned.id}/planning/moves", json={"registration_id": 1})
    assert no_token.status_code == 400
    assert _placed(a.slot) == a.registration.id


def test_a_member_cannot_move_shows(app, world, client):
    a = world.a
    sign_in(client, a.members[0])
    token = csrf_token(client, TOKEN)
    response = client.post(
        f"/editions/{a.planned.id}/planning/moves",
        json={"registration_id": a.registration.id, "slot_id": None, "from_slot_id": a.slot.id},
        headers={"X-CSRFToken": token},
    )
    assert response.status_code in (403, 404)
    assert _placed(a.slot) == a.registration.id


def test_the_automatic_assignment_is_a_proposal_shown_then_accepted_in_part(app, world, client):
    a = world.a
    first, second = _accepted(a, "Le Grand Large"), _accepted(a, "La Petite Marée")
    _accepted(a, "Trop long", duration=400)
    early, late = _slot(a, time(10), time(12)), _slot(a, time(14), time(16))
    db.session.commit()
    sign_in(client, a.coordinator)
    posted = post_form(client, f"/editions/{a.planned.id}/auto-assign", token_from=TOKEN)
    assert posted.status_code == 302 and "/proposals/" in posted.location
    assert (_placed(early), _placed(late)) == (None, None)  # nothing saved yet
    page = client.get(posted.location)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "2 candidatures sur 3 trouvent un créneau." in html
    assert "1 reste sans créneau" in html
    assert "Trop long" in html and "ne tient pas dans le créneau (3 créneaux)" in html
    assert "1 spectacle déjà placé reste où il est." in html
    assert "score" not in html
    client.get(posted.location)  # reloading shows it again, computes nothing new
    assert db.session.scalar(select(func.count()).select_from(PlanProposal)) == 1
    proposal = db.session.scalar(select(PlanProposal))
    pairs = {tuple(p) for p in proposal.plan}
    keep = next(p for p in pairs if p[0] == first.id)
    accepted = post_form(
        client,
        f"/editions/{a.planned.id}/proposals/{proposal.id}/accept",
        {"pair": f"{keep[0]}-{keep[1]}"},
        token_from=TOKEN,
    )
    assert accepted.status_code == 302
    placed = dict(db.session.execute(select(Assignment.registration_id, Assignment.slot_id)).all())
    assert placed.get(first.id) == keep[1] and second.id not in placed
    assert db.session.scalar(select(func.count()).select_from(PlanProposal)) == 0
    assert client.get(posted.location).status_code == 404  # used up


def test_a_new_proposal_starts_its_search_from_the_last_one(app, world, monkeypatch):
    a = world.a
    _accepted(a, "Le Grand Large"), _accepted(a, "La Petite Marée")
    _slot(a, time(10), time(12)), _slot(a, time(14), time(16))
    db.session.commit()
    hints, solve = [], planning.solve

    def spy(edition, **options):
        hints.append(options.get("hint"))
        return solve(edition, **options)

    monkeypatch.setattr(planning, "solve", spy)
    first = board.propose(a.planned, actor=a.coordinator)
    second = board.propose(a.planned, actor=a.coordinator)
    assert len(first.plan) == 2
    assert hints == [(), [tuple(pair) for pair in first.plan]]
    assert second.found and second.optimal and len(second.plan) == 2


def test_an_accepted_proposal_overtaken_by_a_manual_move_is_checked_again(app, world, client):
    a = world.a
    first = _accepted(a, "Le Grand Large")
    slot = _slot(a, time(10), time(12))
    db.session.commit()
    proposal = board.propose(a.planned, actor=a.coordinator, seconds=5)
    intruder = _accepted(a, "Arrivée entre-temps")
    planning.assign(slot, intruder, actor=a.coordinator)
    db.session.commit()
    placed, refused = board.accept(proposal, {(first.id, slot.id)}, actor=a.coordinator)
    assert placed == 0
    assert [(r.id, s.id) for r, s, _rules in refused] == [(first.id, slot.id)]
    assert _placed(slot) == intruder.id


def test_a_proposal_of_another_edition_or_network_is_not_found(app, world, client):
    a, b = world.a, world.b
    db.session.commit()
    proposal = board.propose(b.planned, actor=b.coordinator, seconds=2)
    db.session.commit()
    sign_in(client, a.coordinator)
    assert client.get(f"/editions/{b.planned.id}/proposals/{proposal.id}").status_code == 404
    assert client.get(f"/editions/{a.planned.id}/proposals/{proposal.id}").status_code == 404


def _series(a, count=5):
    return planning.create_pitch_series(
        a.planned,
        {
            "venue_id": a.venue.id,
            "day": a.planned.starts_on,
            "starts": time(14),
            "count": count,
            "pitch_minutes": 10,
            "changeover_minutes": 5,
        },
    )


def test_packing_a_series_moves_its_pitches_up_in_their_order(app, world, client):
    a = world.a
    series = _series(a)
    one, two = (_accepted(a, t, fmt=ShowFormat.PITCH) for t in ("Un", "Deux"))
    planning.assign(series[1], one, actor=a.coordinator)
    planning.assign(series[3], two, actor=a.coordinator)
    db.session.commit()
    sign_in(client, a.coordinator)
    html = client.get(f"/editions/{a.planned.id}/planning").get_data(as_text=True)
    assert "Tasser la série de 14:00" in html
    response = post_form(client, f"/slots/{series[2].id}/pack-series", token_from=TOKEN)
    assert response.status_code == 302
    assert [_placed(s) for s in series] == [one.id, two.id, None, None, None]
    html = client.get(f"/editions/{a.planned.id}/planning").get_data(as_text=True)
    assert "2 présentations avancées." in html
    assert "Tasser la série" not in html


def test_packing_refuses_whole_when_a_pitch_cannot_take_its_new_place(app, world, client):
    a = world.a
    editions.add_band(
        a.planned,
        {"day": a.planned.starts_on, "label": "Début", "starts": time(13), "ends": time(14, 10),
         "accepts_young": False, "accepts_all": True},
    )  # fmt: skip
    series = _series(a, 3)
    young = _accepted(a, "Petit Pois", fmt=ShowFormat.PITCH, audience="young")
    planning.assign(series[2], young, actor=a.coordinator)
    db.session.commit()
    sign_in(client, a.coordinator)
    post_form(client, f"/slots/{series[0].id}/pack-series", token_from=TOKEN)
    html = client.get(f"/editions/{a.planned.id}/planning").get_data(as_text=True)
    assert "« Petit Pois » ne peut pas passer à 14:00" in html and "Rien n&#39;a été déplacé." in html
    assert [_placed(s) for s in series] == [None, None, young.id]
