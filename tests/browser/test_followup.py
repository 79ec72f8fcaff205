"""A company member sees their follow-up tasks, completes one with its result, and the shared
dashboard shows who called whom with what result."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from crm.base.database import utcnow
from crm.base.extensions import db
from crm.followups.models import Step, StepKind, StepRun, Task
from crm.scheduler import run_due
from tests.browser.test_home import _screenshot, _sign_in
from tests.scene import launch

pytestmark = pytest.mark.browser


def test_member_completes_a_task_and_the_dashboard_shows_it(scene, live_server, browser):
    launch(scene)
    calls = select(Step.id).where(Step.sequence_id == scene.sequence.id, Step.kind == StepKind.COMPANY_TASK)
    db.session.execute(
        update(StepRun)
        .where(StepRun.step_id.in_(calls.order_by(Step.offset_days).limit(1).scalar_subquery()))
        .values(due_at=utcnow() - timedelta(minutes=1))
    )
    db.session.commit()
    run_due()
    member = scene.a.members[0]
    assert db.session.scalar(select(Task).where(Task.company_id == member.company_id)) is not None

    page = browser.new_page()
    _sign_in(page, live_server, member.email)
    page.get_by_role("link", name="Mes tâches").click()
    page.get_by_role("link", name="À venir").click()
    _screenshot(page, "followup-tasks")
    row = page.get_by_role("row").filter(has_text=scene.came.full_name)
    row.get_by_role("button", name="C'est fait").click()
    page.get_by_label("Résultat").select_option(label="Intéressé·e")
    page.get_by_label("Note").fill("Veut voir le spectacle en entier, rappeler en mai")
    _screenshot(page, "followup-task")
    page.get_by_role("button", name="Enregistrer le résultat").click()
    assert "Tâche faite" in page.content()

    page.get_by_role("link", name="Faites").click()
    page.get_by_role("link", name=scene.edition.name).first.click()
    _screenshot(page, "followup-dashboard")
    line = page.get_by_role("row").filter(has_text=scene.came.full_name)
    assert "Intéressé·e" in line.inner_text() and member.full_name in line.inner_text()
    task = db.session.scalar(
        select(Task).where(Task.company_id == member.company_id, Task.programmer_id == scene.came.id)
    )
    db.session.refresh(task)
    assert task.result.value == "interested" and "rappeler en mai" in task.result_note
