"""Check-in at the door: ticks kept whoever ticks, walk-ins without duplicates, attendance per slot."""

import threading

import pytest
from sqlalchemy import func, select

from crm.base.database import utcnow
from crm.base.errors import DomainError
from crm.base.extensions import db
from crm.checkin import services
from crm.checkin.models import Attendance
from crm.contacts.models import Programmer
from crm.showcase import planning
from tests import factories
from tests.conftest import csrf_token, post_form, sign_in

TOKEN = "/account/password"


def _present(slot_id):
    return set(db.session.scalars(select(Attendance.programmer_id).where(Attendance.slot_id == slot_id)))


def test_tick_twice_untick_and_refusals(app, world):
    a = world.a
    person = a.programmers[0]
    services.check_in(a.slot, person, actor=a.coordinator, now=utcnow())
    services.check_in(a.slot, person, actor=a.coordinator, now=utcnow())
    assert services.count(a.slot) == 1
    services.check_out(a.slot, person)
    assert services.count(a.slot) == 0
    with pytest.raises(DomainError):
        services.check_in(a.slot, world.b.programmers[0], actor=a.coordinator, now=utcnow())
    planning.cancel_slot(a.slot)
    with pytest.raises(DomainError):
        services.check_in(a.slot, person, actor=a.coordinator, now=utcnow())


def test_two_or_three_letters_find_people(app, world):
    a = world.a
    assert services.find(a.network.id, "p") == []
    found = services.find(a.network.id, "progra")
    assert {p.id for p in found} == {p.id for p in a.programmers}


def test_two_volunteers_ticking_at_once_lose_nothing(app, world):
    a = world.a
    others = [
        factories.programmer(a.network, a.coordinator, a.venue, last_name=f"Foule{i}") for i in range(6)
    ]
    second = factories.user(net=a.network, email="benevole@example.org")
    db.session.commit()
    volunteers = [app.test_client(), app.test_client()]
    sign_in(volunteers[0], a.coordinator)
    sign_in(volunteers[1], second)
    slot_id = a.slot.id
    # each phone has the door list open (its form token in hand) before anyone ticks
    tokens = [csrf_token(v, TOKEN) for v in volunteers]
    # each volunteer ticks three people, and both tick the same person, all at the same moment
    jobs = [(n % 2, f"/slots/{slot_id}/checkin/{p.id}") for n, p in enumerate(others)]
    jobs += [(n, f"/slots/{slot_id}/checkin/{a.programmers[0].id}") for n in range(len(volunteers))]
    barrier = threading.Barrier(len(jobs))
    statuses = []

    def tick(n, url):
        barrier.wait()
        statuses.append(volunteers[n].post(url, data={"csrf_token": tokens[n]}).status_code)

    threads = [threading.Thread(target=tick, args=job) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert statuses == [302] * len(jobs)
    assert _present(slot_id) == {p.id for p in others} | {a.programmers[0].id}


def test_walk_in_warns_about_a_look_alike_then_adds_and_ticks(app, world, client):
    a = world.a
    sign_in(client, a.coordinator)
    known = a.programmers[0]
    data = {"first_name": known.first_name, "last_name": known.last_name, "email": "autre@example.org"}
    warned = post_form(client, f"/slots/{a.slot.id}/walk-in", data, token_from=TOKEN)
    html = warned.get_data(as_text=True)
    assert "peut-être déjà dans l&#39;annuaire" in html or "peut-être déjà dans l'annuaire" in html
    assert known.email in html
    assert (
        db.session.scalar(
            select(func.count()).select_from(Programmer).where(Programmer.email == "autre@example.org")
        )
        == 0
    )
    added = post_form(client, f"/slots/{a.slot.id}/walk-in", {**data, "someone_else": "y"}, token_from=TOKEN)
    assert added.status_code == 302
    person = db.session.scalar(select(Programmer).where(Programmer.email == "autre@example.org"))
    assert person.source == "Accueil de l'édition (entrée sans invitation)"
    assert person.id in _present(a.slot.id)


def test_attendance_follows_a_merge(app, world):
    from crm.contacts import duplicates

    a = world.a
    keep, drop = a.programmers
    services.check_in(a.slot, drop, actor=a.coordinator, now=utcnow())
    services.check_in(a.slot, keep, actor=a.coordinator, now=utcnow())
    duplicates.merge(keep, drop, actor=a.coordinator)
    db.session.commit()
    assert _present(a.slot.id) == {keep.id}


def test_directory_filters_people_who_came_and_the_page_shows_their_history(app, world, client):
    a = world.a
    came, invited_only = a.programmers
    services.check_in(a.slot, came, actor=a.coordinator, now=utcnow())
    factories.invitation(a.planned, invited_only)
    db.session.commit()
    sign_in(client, a.coordinator)
    html = client.get(f"/programmers?attended={a.planned.id}").get_data(as_text=True)
    assert came.last_name in html
    assert invited_only.last_name not in html
    page = client.get(f"/programmers/{came.id}").get_data(as_text=True)
    assert "Programme A" in page
    history = {h["edition"].id: (h["invited"], h["slots"]) for h in services_history(came)}
    assert history == {a.planned.id: (True, 1)}


def services_history(person):
    from crm.pages.directory import programmer_history

    return programmer_history(person)


def test_signed_sheet_typed_up_afterwards_is_matched_to_the_directory(app, world, client):
    import io

    a = world.a
    known_by_email, known_by_name = a.programmers
    sheet = (
        "Prénom;Nom;E-mail\r\n"
        f";;{known_by_email.email.upper()}\r\n"
        f"{known_by_name.first_name};{known_by_name.last_name};\r\n"
        "Nouvelle;Venue;nouvelle.venue@example.org\r\n"
        "Sans;Adresse;\r\n"
    ).encode("cp1252")
    sign_in(client, a.coordinator)
    upload = {
        "file": (io.BytesIO(sheet), "emargement.csv"),
        "source": "Feuille d'émargement",
        "lawful_basis": "legitimate_interest",
    }
    response = post_form(
        client, f"/slots/{a.slot.id}/sheet", upload, token_from=TOKEN, content_type="multipart/form-data"
    )
    assert response.status_code == 302
    preview = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 à ajouter à l'annuaire et pointer · 2 à pointer · 0 déjà pointé·e · 1 refusé" in preview
    assert _present(a.slot.id) == set()  # the preview ticks nobody
    post_form(
        client,
        response.headers["Location"] + "/apply",
        {"col_0": "first_name", "col_1": "last_name", "col_2": "email"},
        token_from=TOKEN,
    )
    newcomer = db.session.scalar(select(Programmer).where(Programmer.email == "nouvelle.venue@example.org"))
    assert _present(a.slot.id) == {known_by_email.id, known_by_name.id, newcomer.id}


def test_the_slot_list_shows_only_slots_with_a_show(app, world, client):
    from datetime import time

    a = world.a
    empty = planning.create_slot(
        a.planned, {"venue_id": a.venue.id, "day": a.planned.starts_on, "starts": time(10), "ends": time(11)}
    )
    db.session.commit()
    sign_in(client, a.coordinator)
    html = client.get(f"/editions/{a.planned.id}/checkin").get_data(as_text=True)
    assert f"/slots/{a.slot.id}/checkin" in html
    assert f"/slots/{empty.id}/checkin" not in html


def test_each_person_found_shows_what_they_answered_to_the_invitation(app, world, client):
    from crm.invitations.models import Answer, Invitation

    a = world.a
    sign_in(client, a.coordinator)
    html = client.get(f"/slots/{a.slot.id}/checkin?q=Programmateur").get_data(as_text=True)
    invited, not_invited = a.programmers
    row = html.split(invited.full_name, 1)[1].split("</li>", 1)[0]
    assert "pas de réponse" in row
    assert "pas invité·e" in html.split(not_invited.full_name, 1)[1].split("</li>", 1)[0]
    db.session.scalar(select(Invitation).where(Invitation.programmer_id == invited.id)).answer = Answer.COMING
    db.session.commit()
    html = client.get(f"/slots/{a.slot.id}/checkin?q=Programmateur").get_data(as_text=True)
    assert "a dit oui" in html.split(invited.full_name, 1)[1].split("</li>", 1)[0]
