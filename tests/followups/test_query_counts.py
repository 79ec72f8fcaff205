"""The follow-up's pages and its batches send a fixed number of statements, whatever their size."""

from sqlalchemy import select

from crm.base.extensions import db
from crm.base.querycount import count_queries
from crm.checkin import services as checkin
from crm.followups import services as followups
from crm.followups.models import Enrolment, Task
from crm.followups.runner import run_batch
from tests import factories
from tests.conftest import IS_POSTGRES, sign_in
from tests.scene import D2, D10, ENDED, launch, travel

# The dashboard counts the e-mail replies to read and lists the latest (2), and shows the report's own
# funnel (invited included: 1); the outbox counts the mail received that waits to be attached (1).
DASHBOARD, TASKS, PROGRAMMER, OUTBOX = 19, 2, 8, 5
# The claim (UPDATE … RETURNING, preceded by BEGIN IMMEDIATE on SQLite), the claimed rows, what they
# need (7 lookups: the shows seen and the companies met in held meetings among them), then one write per
# table (3).
BATCH = 12 if IS_POSTGRES else 13
# A batch of company tasks: the tasks and the rows marked done (2 writes: no message, no log line).
TASK_BATCH = BATCH - 1


def _crowd(scene, n, start=0):
    people = []
    for i in range(start, start + n):
        person = factories.programmer(scene.a.network, scene.a.coordinator, last_name=f"Foule{i:03d}")
        for slot in scene.slots:
            checkin.check_in(slot, person, actor=scene.a.coordinator, now=ENDED)
        people.append(person)
    db.session.commit()
    return people


def _activity(scene):
    """Messages, tasks, answers and results for everyone enrolled."""
    with travel(D10):
        while sum(run_batch(now=D10, worker="test").values()):
            pass
        for enrolment in db.session.scalars(select(Enrolment)):
            followups.record_answer(enrolment, scene.shows[0].id, "book", now=D10)
        for task in db.session.scalars(select(Task).where(Task.done_at.is_(None))).all()[::2]:
            followups.complete(task, {"result": "reached", "note": "ok"}, actor=scene.a.coordinator, now=D10)
        db.session.commit()


def _count(client, url):
    with count_queries(db.engine) as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(statements)


def test_follow_up_pages_do_not_grow_with_the_data(scene, app):
    _crowd(scene, 3)
    launch(scene)
    _activity(scene)
    member, coordinator = app.test_client(), app.test_client()
    with travel(D10):
        sign_in(member, scene.a.members[0])
        sign_in(coordinator, scene.a.coordinator)
        urls = {
            f"/editions/{scene.edition.id}/suivi": (coordinator, DASHBOARD),
            "/taches?vue=upcoming": (member, TASKS + 1),
            "/taches?vue=done": (coordinator, TASKS + 1),
            f"/programmers/{scene.came.id}": (member, PROGRAMMER),
            "/outbox": (coordinator, OUTBOX + 1),
        }
        small = {url: _count(client, url) for url, (client, _budget) in urls.items()}
    _crowd(scene, 20, start=3)
    followups.enrol(scene.sequence, now=ENDED)
    db.session.commit()
    _activity(scene)
    with travel(D10):
        large = {url: _count(client, url) for url, (client, _budget) in urls.items()}
    assert small == large == {url: budget for url, (_client, budget) in urls.items()}


def test_a_batch_sends_the_same_number_of_statements_for_5_or_50_people(scene):
    def batch_statements(n, start):
        _crowd(scene, n, start)
        followups.enrol(scene.sequence, now=ENDED)
        db.session.commit()
        with travel(D2), count_queries(db.engine) as statements:
            done = run_batch(now=D2, worker="test", limit=500)
        assert done["messages"] == n
        return len(statements)

    launch(scene)
    with travel(D2):
        run_batch(now=D2, worker="test")  # the scene's own people (one took the other path)
    assert batch_statements(5, 0) == batch_statements(50, 100) == BATCH


def test_a_batch_of_people_who_met_companies_sends_as_many_statements(scene):
    """People followed up for their held meetings only (no check-in): the companies met come with the
    shows seen, in the same lookup whatever the number of people."""
    from tests.scene import meet, meeting_session

    def batch_statements(n, start):
        first, second = (meeting_session(scene.edition, scene.a.venue, rounds=40) for _ in range(2))
        for i in range(n):
            person = factories.programmer(
                scene.a.network, scene.a.coordinator, last_name=f"Vue{start + i:03d}"
            )
            meet(first, person, scene.companies[0], i + 1)
            meet(second, person, scene.companies[2], i + 1)
        db.session.commit()
        followups.enrol(scene.sequence, now=ENDED)
        db.session.commit()
        with travel(D2), count_queries(db.engine) as statements:
            done = run_batch(now=D2, worker="test", limit=500)
        assert done["messages"] == n
        return len(statements)

    launch(scene)
    with travel(D2):
        run_batch(now=D2, worker="test")
    assert batch_statements(5, 0) == batch_statements(40, 100) == BATCH
    with travel(D10), count_queries(db.engine) as statements:
        done = run_batch(now=D10, worker="test", limit=500)
    # 45 people and the scene's 2 who came, each with their companies met (and seen): one INSERT of tasks
    assert done["tasks"] == 47 and len(statements) == TASK_BATCH
    calls = select(db.func.count()).select_from(Task).where(Task.company_id.is_not(None))
    assert db.session.scalar(calls) == 45 * 2 + 3 + 1
