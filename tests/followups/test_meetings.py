"""Held meetings (speed-dating) in the shared follow-up: who met a company is followed up as who came,
the consolidated message lists the companies met next to the shows seen, with the same answers, and
each company met gets its task within the weekly cap."""

from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from crm.base.extensions import db
from crm.followups import messages
from crm.followups import services as followups
from crm.followups.models import Enrolment, Path, Task
from crm.followups.runner import preview
from crm.mail.events import Reply, reply_received
from crm.mail.models import OutboxMessage
from crm.scheduler import run_due
from crm.showcase.models import SlotStatus
from tests import factories
from tests.conftest import sign_in
from tests.scene import D2, D10, launch, meet, meeting_session, on_stage, travel

MET = "Rencontre en tête-à-tête"


@pytest.fixture
def met(scene):
    """On top of the scene, a published session on 5 March (round n at 9:00 + 20 min × (n − 1)):
    - `only_met`, who checked in nowhere, met Compagnie A2 (round 2, held), Compagnie A3 (round 3,
      missed) and Compagnie A4 (round 4, held), whose accepted show has no slot on the programme;
    - `came_once` (saw Spectacle A1 only) met Compagnie A3 (round 1, held);
    - `came` (saw the three shows) met Compagnie A1 (round 1, held);
    - `missed` (said yes, did not come) had a meeting with Compagnie A1 marked missed;
    - `not_marked` had a meeting nobody marked, and no answer to the invitation (and one marked held in a
      session never published).
    Compagnie A2 also has a second accepted show, on a cancelled slot earlier that day: the show it is
    listed with is the one on the programme."""
    a, edition = scene.a, scene.edition
    c1, c2, c3 = scene.companies
    fourth = factories.company(a.network, name="Compagnie A4")
    fourth_show = factories.show(fourth, title="Spectacle A4 en création")
    factories.accepted(edition, fourth, fourth_show)
    other_show = factories.show(c2, title="Autre spectacle A2")
    cancelled = on_stage(edition, a.venue, c2, other_show, 8)
    cancelled.status = SlotStatus.CANCELLED
    only_met = factories.programmer(a.network, a.coordinator, a.venue, last_name="Rencontrée")
    not_marked = factories.programmer(a.network, a.coordinator, a.venue, last_name="NonPointée")
    session = meeting_session(edition, a.venue)
    meetings = {
        "only_met_c2": meet(session, only_met, c2, 2),
        "only_met_c3": meet(session, only_met, c3, 3, outcome="missed"),
        "only_met_c4": meet(session, only_met, fourth, 4),
        "came_once_c3": meet(session, scene.came_once, c3, 1, table=2),
        "came_c1": meet(session, scene.came, c1, 1),
        "missed_c1": meet(session, scene.missed, c1, 2, table=2, outcome="missed"),
        "not_marked_c2": meet(session, not_marked, c2, 5, outcome=None),
        # an unpublished session cannot have been held: its row marked held counts nowhere
        "unpublished": meet(meeting_session(edition, a.venue, published=False), not_marked, c1, 1),
    }
    db.session.commit()
    return SimpleNamespace(
        scene=scene, session=session, only_met=only_met, not_marked=not_marked, fourth=fourth,
        fourth_show=fourth_show, other_show=other_show, meetings=meetings,
    )  # fmt: skip


def _message(person):
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.programmer_id == person.id)).one()


def test_a_held_meeting_enrols_the_person_as_having_come(met):
    scene = met.scene
    assert launch(scene) == 4
    paths = {e.programmer_id: e.path for e in db.session.scalars(select(Enrolment))}
    assert paths == {
        scene.came.id: Path.ATTENDED,
        scene.came_once.id: Path.ATTENDED,
        met.only_met.id: Path.ATTENDED,  # no attendance: the held meeting is enough
        scene.missed.id: Path.MISSED,  # a missed meeting is not coming
    }  # a meeting nobody marked enrols nobody


def test_a_meeting_marked_held_after_the_launch_is_enrolled_at_the_next_tick(met):
    launch(met.scene)
    met.meetings["not_marked_c2"].outcome = "held"
    db.session.commit()
    with travel(D2):
        run_due()
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.programmer_id == met.not_marked.id))
    assert enrolment is not None and enrolment.path == Path.ATTENDED


def test_the_message_lists_the_companies_met_after_the_shows_seen(met):
    scene = met.scene
    launch(scene)
    with travel(D2):
        run_due()
    only = _message(met.only_met)
    text = only.body_text
    assert "vos spectacles et vos rencontres" in only.subject
    assert "les compagnies rencontrées en tête-à-tête et leurs spectacles" in text
    a2, a4 = scene.shows[1].title, met.fourth_show.title
    assert text.index(a2) < text.index(a4)  # in the order of the meetings
    assert met.other_show.title not in text  # the show on the programme, not the one whose slot is cancelled
    assert scene.shows[2].title not in text  # the meeting with Compagnie A3 did not take place
    assert f"{MET}, vendredi 5 mars à 09:20" in text and f"{MET}, vendredi 5 mars à 10:00" in text
    assert text.count("/reponse/") == 6  # the same three answers for each
    assert f"/reponse/{scene.shows[1].id}/book" in text and f"/reponse/{met.fourth_show.id}/file" in text
    html = only.body_html
    assert html.count(f"{MET}, vendredi 5 mars à 09:20") == 1 and html.count(MET) == 2
    assert html.count("Je souhaite le programmer") == 2 and html.count("Pas cette saison") == 2

    once = _message(scene.came_once).body_text
    assert "les spectacles que vous avez vus et les compagnies rencontrées en tête-à-tête" in once
    assert once.index(scene.shows[0].title) < once.index(scene.shows[2].title)
    assert once.count(MET) == 1 and once.count("/reponse/") == 6

    came = _message(scene.came)
    for show in scene.shows:  # Compagnie A1 was seen and met: listed once, and said to have been met
        assert came.body_text.count(show.title) == 1
    assert came.body_text.count(MET) == 1 and came.body_text.count("/reponse/") == 9
    block = came.body_text.split(scene.shows[0].title, 1)[1].split("—", 1)[0]
    assert f"{MET}, vendredi 5 mars à 09:00" in block

    missed = _message(scene.missed)
    assert "vous nous avez manqué" in missed.subject and MET not in missed.body_text


def test_in_english_the_meeting_is_said_in_english(met):
    met.only_met.language = "en"
    launch(met.scene)
    with travel(D2):
        run_due()
    message = _message(met.only_met)
    assert message.subject.endswith("your shows and meetings")
    assert "One-to-one meeting, Friday 5 March " in message.body_text  # then "at 09:20", once translated
    assert "the companies you met one-to-one and their shows" in message.body_text


def test_who_saw_and_met_nobody_gets_the_message_as_before(scene):
    launch(scene)
    with travel(D2):
        run_due()
    message = _message(scene.came_once)
    assert message.subject.endswith("les spectacles que vous avez vus")
    assert MET not in message.body_text and MET not in message.body_html


def test_an_answer_about_a_company_met_works_as_about_a_show_seen(met):
    scene = met.scene
    launch(scene)
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.programmer_id == met.only_met.id))
    followups.record_answer(enrolment, met.fourth_show.id, "file", now=D2)
    db.session.commit()
    [task] = db.session.scalars(select(Task).where(Task.company_id == met.fourth.id)).all()
    assert task.programmer_id == met.only_met.id and "demande le dossier" in task.title


def test_each_company_met_gets_its_task_and_the_weekly_cap_counts_it(met):
    scene = met.scene
    scene.sequence.max_calls_per_week = 1
    launch(scene)
    with travel(D10):
        run_due()

    def tasks(person):
        return [
            (t.company_id, t.due_on)
            for t in db.session.scalars(
                select(Task)
                .where(Task.programmer_id == person.id, Task.step_run_id.is_not(None))
                .order_by(Task.due_on, Task.id)
            )
        ]

    c1, c2, c3 = scene.companies
    # one call a week: the company seen first, the company met the week after
    assert tasks(scene.came_once) == [(c1.id, date(2027, 3, 15)), (c3.id, date(2027, 3, 22))]
    assert tasks(met.only_met) == [(c2.id, date(2027, 3, 15)), (met.fourth.id, date(2027, 3, 22))]
    # Compagnie A1, seen and met, is called once
    assert [c for c, _day in tasks(scene.came)] == [c1.id, c2.id, c3.id]
    in_charge = db.session.scalar(select(Task.assignee_id).where(Task.programmer_id == met.only_met.id,
                                                                  Task.company_id == c2.id))  # fmt: skip
    assert in_charge == scene.a.members[1].id


def test_a_reply_by_mail_gives_each_company_met_its_task(met, app):
    scene = met.scene
    launch(scene)
    event = Reply(network_id=scene.a.network.id, programmer_id=met.only_met.id, inbound_id=None,
                  answered_message_id=None, text="Rappelez-moi", at=D2)  # fmt: skip
    reply_received.send(scene.a.network.id, event=event)
    db.session.commit()
    replies = db.session.scalars(
        select(Task.company_id).where(Task.programmer_id == met.only_met.id, Task.action == "reply")
    ).all()
    assert sorted(replies) == sorted([scene.companies[1].id, met.fourth.id])


def test_the_preview_lists_the_companies_met(met, client):
    scene = met.scene
    step = scene.sequence.steps[0]
    [subject, text, html] = preview(step, met.only_met)[0][0]
    assert scene.shows[1].title in text and met.fourth_show.title in text and MET in html
    sign_in(client, scene.a.coordinator)
    page = client.get(f"/editions/{scene.edition.id}/suivi/sequence").get_data(as_text=True)
    assert met.only_met.last_name in page  # a person to preview for, though never checked in
    shown = client.get(f"/suivi/etapes/{step.id}/apercu?programmer_id={met.only_met.id}")
    assert shown.status_code == 200 and f"{MET}, vendredi 5 mars à 09:20" in shown.get_data(as_text=True)


def test_templates_may_use_the_meeting_fields():
    source = (
        "{{ vus }} {{ rencontres }}{% for s in spectacles %}{{ s.vu }} {{ s.rencontre }} "
        "{{ s.rencontre_heure }}{% endfor %}"
    )
    messages.check(source, "body_fr")  # the sample a template is checked against has them
    assert "rencontres" in messages.MERGE_FIELDS and "rencontre_heure" in messages.MERGE_FIELDS


def test_met_companies_of_another_edition_are_not_listed(met):
    scene = met.scene
    other = factories.edition(scene.a.network, name="Autre édition")
    factories.accepted(other, scene.companies[2], scene.shows[2])  # not placed: listed all the same
    meet(meeting_session(other, scene.a.venue), scene.came_once, scene.companies[2], 1)
    db.session.commit()
    listed = followups.shows_and_meetings([scene.edition.id], [scene.came_once.id])
    assert [i.show_id for i in listed[(scene.edition.id, scene.came_once.id)]] == [
        scene.shows[0].id,
        scene.shows[2].id,
    ]
    listed = followups.shows_and_meetings([other.id], [scene.came_once.id])
    [item] = listed[(other.id, scene.came_once.id)]
    assert (item.show_id, item.seen, item.met) == (scene.shows[2].id, False, True)
    assert item.met_at == datetime(2027, 3, 5, 8, tzinfo=UTC)  # 9:00 in Paris
