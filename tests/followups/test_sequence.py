"""The whole sequence with the clock moved: enrolment, the consolidated message, answers, stop rules,
spreading, and the coordination's task. Runs on SQLite and on PostgreSQL."""

from datetime import date

import pytest
from sqlalchemy import func, select

from crm.base.errors import DomainError
from crm.base.extensions import db
from crm.contacts.privacy import opt_out
from crm.followups import services as followups
from crm.followups.models import Enrolment, PairStop, Path, RunState, StepKind, StepRun, Task
from crm.invitations.models import Invitation, InvitationShow
from crm.mail.models import OutboxMessage
from crm.scheduler import run_due
from tests.scene import D2, D10, D30, launch, travel


def _messages_to(person):
    return db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.programmer_id == person.id).order_by(OutboxMessage.id)
    ).all()


def _enrolment(scene, person):
    return db.session.scalar(
        select(Enrolment).where(
            Enrolment.sequence_id == scene.sequence.id, Enrolment.programmer_id == person.id
        )
    )


def test_launch_enrols_who_came_and_who_said_yes_without_coming(scene):
    assert launch(scene) == 3
    paths = {e.programmer_id: e.path for e in db.session.scalars(select(Enrolment))}
    assert paths == {
        scene.came.id: Path.ATTENDED,
        scene.came_once.id: Path.ATTENDED,
        scene.missed.id: Path.MISSED,
    }
    runs = db.session.execute(
        select(Enrolment.path, func.count()).join(StepRun).group_by(Enrolment.path)
    ).all()
    steps_per_path = {p: sum(1 for s in scene.sequence.steps if s.path == p) for p in Path}
    assert dict(runs) == {
        Path.ATTENDED: 2 * steps_per_path[Path.ATTENDED],
        Path.MISSED: steps_per_path[Path.MISSED],
    }
    assert launch_again_enrols_nobody(scene) == 0


def launch_again_enrols_nobody(scene):
    return followups.enrol(scene.sequence, now=D2)


def test_people_who_objected_are_not_enrolled(scene):
    opt_out(scene.came_once, now=D2)
    launch(scene)
    assert {e.programmer_id for e in db.session.scalars(select(Enrolment))} == {
        scene.came.id,
        scene.missed.id,
    }


def test_one_consolidated_message_per_person_on_its_day(scene):
    launch(scene)
    with travel(D2.replace(hour=7)):  # 8:00 in Paris: not yet
        assert run_due().get("messages", 0) == 0
    with travel(D2):
        counts = run_due()
    db.session.expire_all()
    assert counts["messages"] == 3
    [message] = _messages_to(scene.came)
    text = message.body_text
    for show in scene.shows:
        assert text.count(show.title) == 1
    assert "Compagnie A2" in text and "https://video.example/" in text
    member = scene.a.members[1]
    assert f"{member.full_name} {member.email}" in text  # the person in charge at Compagnie A2
    assert text.count("/reponse/") == 9  # three answers for each of the three shows
    assert "Pour ne plus rien recevoir" in text and scene.came.source in text
    run = db.session.scalar(
        select(StepRun)
        .join(Enrolment)
        .where(Enrolment.programmer_id == scene.came.id, StepRun.state == RunState.DONE)
    )
    assert message.message_id == run.message_id
    assert message.unsubscribe_url.endswith("/stop")
    with travel(D2):
        assert run_due().get("messages", 0) == 0  # never twice


def test_who_said_yes_and_did_not_come_gets_the_videos_of_what_interested_them(scene):
    launch(scene)
    with travel(D2):
        run_due()
    [message] = _messages_to(scene.missed)
    assert "vous nous avez manqué" in message.subject
    assert scene.shows[1].title in message.body_text
    assert scene.shows[0].title not in message.body_text  # they said only show 2 interested them


def test_messages_follow_the_persons_language(scene):
    scene.came.language = "en"
    launch(scene)
    with travel(D2):
        run_due()
    [message] = _messages_to(scene.came)
    assert message.subject.endswith("the shows you saw")
    assert "I'd like to book it" in message.body_text and "To receive nothing more" in message.body_text


def test_an_answer_stops_the_messages_and_that_companys_tasks_and_hands_it_a_task(scene):
    launch(scene)
    with travel(D2):
        run_due()
        enrolment = _enrolment(scene, scene.came)
        followups.record_answer(enrolment, scene.shows[1].id, "book", now=D2)
        db.session.commit()
    company = scene.companies[1]
    [call_back] = db.session.scalars(select(Task).where(Task.company_id == company.id)).all()
    assert call_back.assignee_id == scene.a.members[1].id and "souhaite programmer" in call_back.title
    notice = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.to_address == scene.a.members[1].email)
    ).all()
    assert len(notice) == 1 and "Je souhaite le programmer" in notice[0].body_text
    with travel(D10):
        run_due()
    tasks = {t.company_id for t in db.session.scalars(select(Task).where(Task.step_run_id.is_not(None)))}
    assert company.id not in {t for t in tasks if t}  # the pair is stopped
    assert scene.companies[0].id in tasks and scene.companies[2].id in tasks
    with travel(D30):
        run_due()
    assert len(_messages_to(scene.came)) == 1  # no reminder after an answer
    assert len(_messages_to(scene.came_once)) == 2  # who did not answer gets it
    coordination = db.session.scalars(select(Task).where(Task.company_id.is_(None))).all()
    assert {t.programmer_id for t in coordination} == {scene.came_once.id}


def test_changing_an_answer_keeps_one_answer(scene):
    launch(scene)
    enrolment = _enrolment(scene, scene.came)
    followups.record_answer(enrolment, scene.shows[0].id, "file", now=D2)
    followups.record_answer(enrolment, scene.shows[0].id, "not_this_season", now=D2)
    db.session.commit()
    from crm.followups.models import Answer

    assert [a.choice.value for a in db.session.scalars(select(Answer))] == ["not_this_season"]


def test_an_answer_about_a_show_of_another_edition_is_refused(scene):
    launch(scene)
    enrolment = _enrolment(scene, scene.came)
    with pytest.raises(DomainError):
        followups.record_answer(enrolment, scene.world.b.shows[0].id, "book", now=D2)


def test_an_objection_after_enrolment_is_honoured_when_the_step_is_claimed(scene):
    launch(scene)
    opt_out(scene.came, now=D2)
    db.session.commit()
    with travel(D2):
        run_due()
    assert _messages_to(scene.came) == []
    enrolment = _enrolment(scene, scene.came)
    assert enrolment.stop_reason == "opt_out"
    with travel(D10):
        run_due()
    assert (
        db.session.scalar(select(func.count()).select_from(Task).where(Task.programmer_id == scene.came.id))
        == 0
    )


def test_calls_are_spread_at_most_n_a_week_in_the_order_of_interest(scene):
    scene.sequence.max_calls_per_week = 1
    invitation = factories_invitation(scene)
    db.session.add(InvitationShow(invitation_id=invitation.id, show_id=scene.shows[2].id))
    launch(scene)
    with travel(D10):
        run_due()
    tasks = db.session.scalars(
        select(Task)
        .where(Task.programmer_id == scene.came.id, Task.company_id.is_not(None))
        .order_by(Task.due_on)
    ).all()
    assert [t.due_on for t in tasks] == [date(2027, 3, 15), date(2027, 3, 22), date(2027, 3, 29)]
    assert tasks[0].company_id == scene.companies[2].id  # the show they said interested them comes first
    assert len({t.due_on.isocalendar().week for t in tasks}) == 3


def factories_invitation(scene):
    from tests import factories

    found = db.session.scalar(
        select(Invitation).where(
            Invitation.programmer_id == scene.came.id, Invitation.edition_id == scene.edition.id
        )
    )
    return found or factories.invitation(scene.edition, scene.came)


def test_spreading_counts_calls_already_planned_by_another_edition(scene):
    scene.sequence.max_calls_per_week = 2
    db.session.add(
        Task(
            network_id=scene.came.network_id,
            programmer_id=scene.came.id,
            company_id=scene.companies[0].id,
            action="call",
            title="Appel d'une autre édition",
            due_on=date(2027, 3, 16),
        )
    )
    launch(scene)
    with travel(D10):
        run_due()
    weeks = db.session.execute(
        select(Task.due_on).where(Task.programmer_id == scene.came.id, Task.step_run_id.is_not(None))
    ).scalars()
    assert sorted(weeks) == [date(2027, 3, 15), date(2027, 3, 22), date(2027, 3, 22)]


def test_a_stopped_pair_survives_in_the_table(scene):
    launch(scene)
    enrolment = _enrolment(scene, scene.came)
    followups.record_answer(enrolment, scene.shows[0].id, "not_this_season", now=D2)
    followups.record_answer(enrolment, scene.shows[0].id, "book", now=D2)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(PairStop)) == 1


def test_every_message_step_has_both_languages_in_the_default_template(scene):
    for step in scene.sequence.steps:
        if step.kind == StepKind.MESSAGE:
            assert step.subject_fr and step.body_fr and step.subject_en and step.body_en
