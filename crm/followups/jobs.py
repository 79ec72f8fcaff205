"""The follow-up's due work, for the scheduler's tick."""

from crm.base.extensions import db
from crm.followups.runner import BATCH, enrol_late, run_batch


def enrol(*, now, worker) -> dict:
    """People who came late (a signed sheet typed up afterwards) join the follow-ups already running."""
    enrolled = enrol_late(now=now)
    db.session.commit()
    return {"enrolled": enrolled}


def steps(*, now, worker, batch=BATCH) -> dict:
    """The due step rows, batch after batch until a batch is not full."""
    counts = {}
    while True:
        done = run_batch(now=now, worker=worker, limit=batch)
        for key, value in done.items():
            counts[key] = counts.get(key, 0) + value
        if sum(done.values()) < batch:
            return counts
