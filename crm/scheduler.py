"""The scheduler: APScheduler 3 runs one job, a tick every minute, that runs each feature's due work.

The steps live in our tables, not in APScheduler's job stores (those cannot be shared between
processes, and skip what fell due while the process was down). Under `make run` the tick runs inside
the development server (VITRINE_SCHEDULER=1); in production one `flask --app wsgi worker` process runs
it and web processes do not.
"""

import contextlib
import logging
from datetime import datetime

import click
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import func, select

from crm.base import rendered
from crm.base.database import refresh_statistics, utcnow
from crm.base.extensions import db
from crm.base.timeutil import local
from crm.federation import jobs as federation_jobs
from crm.followups import jobs as followup_jobs
from crm.followups.models import RunState, StepRun
from crm.followups.runner import BATCH, worker_name
from crm.impact import jobs as impact_jobs
from crm.invitations import jobs as invitation_jobs
from crm.mail import jobs as mail_jobs
from crm.webhooks import jobs as webhook_jobs

log = logging.getLogger(__name__)

TICK_SECONDS = 60

# Each feature's due work, in the order a tick runs it: who came late joins the follow-up, mail that
# came back is read, reminders and follow-up steps queue their messages, then the mail leaves and the
# webhooks go out (a disabled endpoint's notice leaves at the next tick), a few editions' travel is
# measured again for the barometer, then a few years of its figures; last, the shared render cache is
# kept within its bound and SQLite's planner statistics fresh.
JOBS = (
    followup_jobs.enrol,
    mail_jobs.receive,
    invitation_jobs.reminders,
    followup_jobs.steps,
    mail_jobs.deliver,
    webhook_jobs.deliver,
    impact_jobs.footprints,
    federation_jobs.snapshots_job,
    rendered.trim_job,
    refresh_statistics,
)


def run_due(*, now=None, worker=None, batch=BATCH) -> dict:
    """Everything due, job after job. Returns counts."""
    worker = worker or worker_name()
    counts = {}
    for job in JOBS:
        extra = {"batch": batch} if job is followup_jobs.steps else {}
        for key, value in job(now=now or utcnow(), worker=worker, **extra).items():
            counts[key] = counts.get(key, 0) + value
    return counts


def tick(app) -> dict:
    with app.app_context():
        try:
            counts = run_due(worker=worker_name())
        except Exception:
            db.session.rollback()
            log.exception("follow-up tick failed; the due rows stay due for the next tick")
            return {}
        finally:
            db.session.remove()
    if any(counts.values()):
        log.info("tick: %s", counts)
    return counts


def _add_tick(scheduler, app):

    scheduler.add_job(
        tick,
        "interval",
        seconds=TICK_SECONDS,
        args=[app],
        id="followups-tick",
        next_run_time=datetime.now(),
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
    )


def start_in_process(app) -> BackgroundScheduler:
    """The development server's own scheduler (a daemon thread)."""
    scheduler = BackgroundScheduler(daemon=True)
    _add_tick(scheduler, app)
    scheduler.start()
    log.info("follow-up scheduler running inside this process")
    return scheduler


@click.command("worker")
@with_appcontext
def worker_command():
    """Run the follow-up scheduler: a tick every minute (production: one such process)."""
    app = current_app._get_current_object()
    scheduler = BlockingScheduler()
    _add_tick(scheduler, app)
    click.echo(f"Worker {worker_name()}: a tick every {TICK_SECONDS} s. Ctrl+C to stop.")
    with contextlib.suppress(KeyboardInterrupt, SystemExit):
        scheduler.start()


followups_cli = AppGroup("followups", help="Suivi commun après les éditions.")


@followups_cli.command("run-due")
def run_due_command():
    """Run the due steps and send the queued mail once (for cron, and for tests)."""
    counts = run_due(worker=worker_name())
    db.session.commit()
    done = ", ".join(f"{k}: {v}" for k, v in sorted(counts.items()) if v)
    if done:
        click.echo(done)
        return
    upcoming = next_due()
    click.echo(f"nothing due; next step on {local(upcoming):%d/%m/%Y %H:%M}" if upcoming else "nothing due")


def next_due():
    """When the next follow-up step falls due (in UTC), or None when nothing waits."""

    return db.session.scalar(select(func.min(StepRun.due_at)).where(StepRun.state == RunState.PENDING))
