"""The follow-up seen through HTTP: links in the messages, tasks, the shared log, the dashboard,
the sequence editor and its preview."""

from sqlalchemy import select

from crm.base.extensions import db
from crm.followups import services as followups
from crm.followups.models import Answer, Enrolment, Interaction, Step, Task
from crm.scheduler import run_due
from tests.conftest import post_form, sign_in
from tests.scene import D2, D10, launch, travel


def _link(scene, person):
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.programmer_id == person.id))
    return followups.token_for(enrolment.id)


def test_a_get_on_an_answer_link_only_shows_the_choice(scene, client):
    launch(scene)
    url = f"/suivi/{_link(scene, scene.came)}/reponse/{scene.shows[1].id}/book"
    page = client.get(url)
    assert page.status_code == 200
    assert "Confirmer" in page.get_data(as_text=True)
    assert db.session.scalar(select(Answer)) is None  # a link scanner's GET records nothing
    done = client.post(url)  # no cookie, no CSRF token: the signed link is enough
    assert done.status_code == 200 and "c'est noté" in done.get_data(as_text=True)
    assert db.session.scalar(select(Answer)).choice.value == "book"


def test_forged_or_foreign_links_get_a_clear_404(scene, client):
    launch(scene)
    token = _link(scene, scene.came)
    assert client.get(f"/suivi/{token}x/reponse/{scene.shows[0].id}/book").status_code == 404
    assert client.get(f"/suivi/{token}/reponse/{scene.world.b.shows[0].id}/book").status_code == 404
    assert client.get(f"/suivi/{token}/reponse/{scene.shows[0].id}/whatever").status_code == 404
    forged = client.get("/suivi/MQ.forged/stop")
    assert forged.status_code == 404 and "pas valide" in forged.get_data(as_text=True)


def test_one_click_unsubscribe_is_a_post_with_nothing_but_the_link(scene, app):
    launch(scene)
    url = f"/suivi/{_link(scene, scene.came)}/stop"
    bare = app.test_client()
    assert bare.get(url).status_code == 200
    db.session.refresh(scene.came)
    assert scene.came.opted_out_at is None  # GET changes nothing
    response = bare.post(url, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    db.session.refresh(scene.came)
    assert scene.came.opted_out_at is not None


def test_a_member_completes_a_task_and_the_dashboard_shows_who_called(scene, client):
    launch(scene)
    with travel(D10):
        run_due()
    member = scene.a.members[0]
    task = db.session.scalar(
        select(Task).where(Task.company_id == member.company_id, Task.programmer_id == scene.came.id)
    )
    with travel(D10):
        sign_in(client, member)
        listing = client.get("/taches").get_data(as_text=True)
        assert scene.came.full_name in listing
        response = post_form(
            client,
            f"/taches/{task.id}",
            {"result": "interested", "note": "Rappeler en mai"},
            token_from="/taches",
        )
    assert response.status_code == 302
    db.session.refresh(task)
    assert task.result.value == "interested" and task.done_by_id == member.id
    with travel(D10):
        board = client.get(f"/editions/{scene.edition.id}/suivi").get_data(as_text=True)
    assert "Intéressé·e" in board and member.full_name in board


def test_a_member_cannot_touch_another_companys_task(scene, client):
    launch(scene)
    with travel(D10):
        run_due()
    other = db.session.scalar(select(Task).where(Task.company_id == scene.companies[1].id))
    sign_in(client, scene.a.members[0])
    assert client.get(f"/taches/{other.id}").status_code == 404
    response = post_form(client, f"/taches/{other.id}", {"result": "booked"}, token_from="/taches")
    assert response.status_code == 404
    db.session.refresh(other)
    assert other.done_at is None


def test_a_task_without_a_result_is_refused_next_to_the_field(scene, client):
    launch(scene)
    with travel(D10):
        run_due()
    task = db.session.scalar(select(Task).where(Task.company_id == scene.a.members[0].company_id))
    sign_in(client, scene.a.members[0])
    response = post_form(client, f"/taches/{task.id}", {"result": "", "note": "gardé"}, token_from="/taches")
    assert response.status_code == 422
    assert "gardé" in response.get_data(as_text=True)
    db.session.refresh(task)
    assert task.done_at is None


def test_a_private_note_stays_within_its_company(scene, app):
    first, second = scene.a.members
    writer = app.test_client()
    sign_in(writer, first)
    response = post_form(
        writer,
        f"/programmers/{scene.came.id}/exchanges",
        {"kind": "note", "summary": "Budget serré <b>cette année</b>", "private": "y"},
        token_from="/taches",
    )
    assert response.status_code == 302
    assert "Budget serré &lt;b&gt;" in writer.get(f"/programmers/{scene.came.id}").get_data(as_text=True)
    reader = app.test_client()
    sign_in(reader, second)
    assert "Budget serré" not in reader.get(f"/programmers/{scene.came.id}").get_data(as_text=True)
    coordinator = app.test_client()
    sign_in(coordinator, scene.a.coordinator)
    assert "Budget serré" not in coordinator.get(f"/programmers/{scene.came.id}").get_data(as_text=True)


def test_an_exchange_in_the_future_is_refused_and_nothing_is_saved(scene, client):
    sign_in(client, scene.a.members[0])
    response = post_form(
        client,
        f"/programmers/{scene.came.id}/exchanges",
        {"kind": "call", "summary": "Appel prévu", "occurred_on": "2099-01-01"},
        token_from="/taches",
    )
    assert response.status_code == 422 and "futur" in response.get_data(as_text=True)
    assert db.session.scalar(select(Interaction)) is None


def test_a_template_cannot_reach_the_application(scene, client):
    sign_in(client, scene.a.coordinator)
    step = next(s for s in scene.sequence.steps if s.kind.value == "message")
    for body in ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "{{ config }}", "{% for x in %}"):
        response = post_form(
            client,
            f"/suivi/etapes/{step.id}",
            {"title": step.title, "offset_days": 2, "kind": "message", "path": "attended", "action": "",
             "subject_fr": "Objet", "body_fr": body},
            token_from="/taches",
        )  # fmt: skip
        assert response.status_code == 422, body
        assert "ne peut pas être utilisé" in response.get_data(as_text=True)
    db.session.refresh(step)
    assert "__class__" not in step.body_fr and "config" not in step.body_fr


def test_the_preview_renders_the_message_for_a_real_person(scene, client):
    sign_in(client, scene.a.coordinator)
    step = next(s for s in scene.sequence.steps if s.kind.value == "message")
    page = client.get(f"/suivi/etapes/{step.id}/apercu?programmer_id={scene.came.id}").get_data(as_text=True)
    assert f"Bonjour {scene.came.first_name}" in page and scene.shows[2].title.split(",")[0] in page
    assert f"Hello {scene.came.first_name}" in page  # both versions, before anything is sent
    assert db.session.scalar(select(Enrolment)) is None  # previewing enrols nobody and sends nothing


def test_a_running_sequence_keeps_its_shape(scene, client):
    launch(scene)
    sign_in(client, scene.a.coordinator)
    step = scene.sequence.steps[0]
    response = post_form(
        client,
        f"/suivi/etapes/{step.id}",
        {"title": step.title, "offset_days": 5, "kind": "message", "path": "attended", "action": "",
         "subject_fr": step.subject_fr, "body_fr": step.body_fr},
        token_from="/taches",
    )  # fmt: skip
    assert response.status_code == 422
    assert db.session.get(Step, step.id).offset_days == 2


def test_the_coordinator_creates_and_launches_the_sequence_from_the_page(world, client):
    edition = world.a.planned
    sign_in(client, world.a.coordinator)
    assert (
        post_form(client, f"/editions/{edition.id}/suivi/sequence", token_from="/taches").status_code == 302
    )
    response = post_form(client, f"/editions/{edition.id}/suivi/lancer", token_from="/taches")
    assert response.status_code == 302
    assert followups.sequence_for(edition).activated_at is not None


def test_the_dashboard_funnel_counts_people(scene, client):
    launch(scene)
    with travel(D2):
        run_due()
        followups.record_answer(
            db.session.scalar(select(Enrolment).where(Enrolment.programmer_id == scene.came.id)),
            scene.shows[0].id,
            "book",
            now=D2,
        )
        db.session.commit()
    sign_in(client, scene.a.members[1])
    page = client.get(f"/editions/{scene.edition.id}/suivi").get_data(as_text=True)
    from crm.impact.report import funnel

    figures = funnel([scene.edition.id])
    assert [figures[k] for k in ("present", "messaged", "answered", "interested", "booked")] == [
        2,
        2,
        1,
        1,
        0,
    ]
    assert figures["missed"] == {"said_yes": 1, "messaged": 1, "answered": 0}  # beside, not inside
    assert scene.came.full_name in page and "Je souhaite le programmer" in page


def test_the_directory_filters_on_the_last_contact(scene, client):
    from crm.followups.services import log_interaction
    from tests.scene import ENDED

    log_interaction(scene.came, {"kind": "call", "summary": "Appel"}, actor=scene.a.members[0], now=ENDED)
    log_interaction(scene.came_once, {"kind": "note", "summary": "Secret", "private": True},
                    actor=scene.a.members[0], now=ENDED)  # fmt: skip
    db.session.commit()
    sign_in(client, scene.a.coordinator)
    never = client.get("/programmers?contacted=never").get_data(as_text=True)
    assert scene.came.last_name not in never and scene.came_once.last_name in never  # private notes aside
    with travel(ENDED):
        sign_in(client, scene.a.coordinator)
        recent = client.get("/programmers?contacted=30").get_data(as_text=True)
    assert scene.came.last_name in recent and scene.came_once.last_name not in recent


def test_a_coordinator_revokes_a_persons_links_and_the_next_message_carries_new_ones(scene, client):
    from urllib.parse import urlsplit

    from crm.mail.models import OutboxMessage

    launch(scene)
    with travel(D2):
        run_due()
    [first] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.programmer_id == scene.came.id))
    old_stop = urlsplit(first.unsubscribe_url).path
    old_answer = f"/suivi/{_link(scene, scene.came)}/reponse/{scene.shows[0].id}/book"
    assert client.get(old_answer).status_code == 200 and client.get(old_stop).status_code == 200
    with travel(D2):
        sign_in(client, scene.a.coordinator)
        response = post_form(
            client, f"/programmers/{scene.came.id}/suivi/liens", token_from="/account/password"
        )
    assert response.status_code == 302
    anonymous = client.application.test_client()
    for url in (old_answer, old_stop):
        page = anonymous.get(url)
        assert page.status_code == 404 and "Ce lien a expiré." in page.get_data(as_text=True)
    assert anonymous.post(old_stop).status_code == 404  # a forwarded stop link no longer objects
    db.session.refresh(scene.came)
    assert scene.came.opted_out_at is None
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.programmer_id == scene.came.id))
    fresh = followups.token_for(enrolment.id, enrolment.link_version)
    assert anonymous.get(f"/suivi/{fresh}/reponse/{scene.shows[0].id}/book").status_code == 200
    other = db.session.scalar(select(Enrolment).where(Enrolment.programmer_id == scene.came_once.id))
    assert (
        anonymous.get(f"/suivi/{followups.token_for(other.id)}/stop").status_code == 200
    )  # others keep theirs


def test_a_member_cannot_revoke_links(scene, client):
    sign_in(client, scene.a.members[0])
    response = post_form(client, f"/programmers/{scene.came.id}/suivi/liens", token_from="/account/password")
    assert response.status_code == 403


def test_my_tasks_open_on_everything_to_do_with_what_people_asked_for_first(scene, client):
    launch(scene)
    with travel(D10):
        run_due()  # the J+10 calls: due today
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.programmer_id == scene.came.id))
    member = scene.a.members[0]
    with travel(D10):
        followups.record_answer(enrolment, scene.shows[0].id, "book", now=D10)  # a hot lead, due in 2 days
        db.session.commit()
        sign_in(client, member)
        listing = client.get("/taches").get_data(as_text=True)
    rows = listing.split("<tbody>", 1)[1]
    hot = rows.index("souhaite programmer")
    call = rows.index("Appeler pour recueillir son avis")
    assert 'aria-current="page">Tout ce qui est à faire' in listing
    assert hot < call  # the lead first, though the call is due sooner
