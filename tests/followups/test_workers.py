"""At most once, nothing lost: real worker processes (`flask followups run-due`) against the test
database and a real SMTP server. Two at once never send a message twice; one killed mid-batch and a
second started after it leave every message either delivered once or flagged for a coordinator."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from crm.base.database import utcnow
from crm.base.extensions import db
from crm.followups.models import Step, StepKind, StepRun
from crm.mail import delivery
from crm.mail.models import MailState, OutboxMessage
from tests import factories
from tests.conftest import DATABASE_URL
from tests.scene import launch

pytestmark = pytest.mark.slow

PEOPLE = 120
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture
def crowd(scene):
    """Many people at the first slot, with their J+2 message due now."""
    from crm.checkin import services as checkin

    for n in range(PEOPLE):
        person = factories.programmer(scene.a.network, scene.a.coordinator, last_name=f"Foule{n:03d}")
        checkin.check_in(scene.slots[0], person, actor=scene.a.coordinator, now=utcnow())
    launch(scene, now=utcnow())
    first = db.session.scalars(
        select(Step.id).where(Step.sequence_id == scene.sequence.id, Step.kind == StepKind.MESSAGE)
    ).all()
    db.session.execute(
        update(StepRun).where(StepRun.step_id.in_(first[:2])).values(due_at=utcnow() - timedelta(minutes=1))
    )
    db.session.commit()
    expected = db.session.scalar(select(func.count()).select_from(StepRun).where(StepRun.due_at <= utcnow()))
    return expected


def _worker(smtp, **env):
    environment = {
        **os.environ,
        "DATABASE_URL": DATABASE_URL,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp.port),
        "SECRET_KEY": "test-secret-key",
        **env,
    }
    environment.pop("VITRINE_SCHEDULER", None)
    command = [
        os.path.join(os.path.dirname(sys.executable), "flask"),
        "--app",
        "wsgi",
        "followups",
        "run-due",
    ]
    return subprocess.Popen(
        command, cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def _states():
    db.session.expire_all()
    return dict(
        db.session.execute(
            select(OutboxMessage.state, func.count())
            .where(OutboxMessage.programmer_id.is_not(None))
            .group_by(OutboxMessage.state)
        ).all()
    )


def _outbox_ids():
    return set(
        db.session.scalars(select(OutboxMessage.message_id).where(OutboxMessage.programmer_id.is_not(None)))
    )


def test_two_workers_at_once_send_each_message_exactly_once(crowd, smtp_server):
    workers = [_worker(smtp_server), _worker(smtp_server)]
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err.decode()[-2000:]
    received = smtp_server.message_ids()
    assert len(received) == crowd
    assert len(set(received)) == crowd  # nobody got a message twice
    assert set(received) == _outbox_ids()  # and every queued message left
    assert _states() == {MailState.SENT: crowd}


def test_a_worker_killed_mid_batch_loses_nothing_and_sends_nothing_twice(crowd, smtp_server):
    smtp_server.delay = 0.05
    first = _worker(smtp_server, MAIL_LEASE_SECONDS="1")
    deadline = time.monotonic() + 60
    while len(smtp_server.message_ids()) < crowd // 4:
        assert time.monotonic() < deadline, "the first worker sent nothing"
        assert first.poll() is None, first.stderr.read().decode()[-2000:]
        time.sleep(0.02)
    first.send_signal(signal.SIGKILL)
    first.communicate(timeout=10)  # reaps it and closes its pipes
    before = len(smtp_server.message_ids())
    assert before < crowd, "the worker finished before it could be killed"
    time.sleep(1.5)  # its leases run out
    second = _worker(smtp_server, MAIL_LEASE_SECONDS="1")
    out, err = second.communicate(timeout=120)
    assert second.returncode == 0, err.decode()[-2000:]
    time.sleep(0.2)
    received = smtp_server.message_ids()
    assert len(received) == len(set(received))  # never twice
    states = _states()
    print("states after the kill:", states, "received before the kill:", before)
    assert set(states) <= {MailState.SENT, MailState.UNKNOWN}
    # at most the group it had marked as being sent when it died
    assert states.get(MailState.UNKNOWN, 0) <= delivery.SENDING_GROUP
    assert sum(states.values()) == crowd  # nothing dropped: each step gave its message
    sent = set(
        db.session.scalars(select(OutboxMessage.message_id).where(OutboxMessage.state == MailState.SENT))
    )
    assert sent <= set(received)
    assert len(received) >= states[MailState.SENT]


def test_the_worker_process_runs_the_tick_on_its_own(crowd, smtp_server):
    """`flask worker`: APScheduler's tick runs at start and every minute, in its own process."""
    environment = {
        **os.environ,
        "DATABASE_URL": DATABASE_URL,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp_server.port),
        "SECRET_KEY": "test-secret-key",
    }
    command = [os.path.join(os.path.dirname(sys.executable), "flask"), "--app", "wsgi", "worker"]
    worker = subprocess.Popen(
        command, cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 60
        # the server has every message, and the worker has recorded the last one as sent (it records a
        # message after the server's answer: stopping it in between would rightly leave one "sending")
        while len(smtp_server.message_ids()) < crowd or _states().get(MailState.SENT, 0) < crowd:
            assert time.monotonic() < deadline, "the worker did not send the due messages"
            assert worker.poll() is None, worker.stderr.read().decode()[-2000:]
            time.sleep(0.1)
    finally:
        worker.terminate()
        worker.communicate(timeout=20)
    assert _states() == {MailState.SENT: crowd}
    assert len(smtp_server.message_ids()) == crowd
