"""The barometer's due work, run by the scheduler's tick."""

from crm.base.extensions import db
from crm.federation import snapshots


def snapshots_job(*, now, worker) -> dict:
    """Compute again a few years of the barometer's figures whose snapshot is missing or an hour old."""
    computed = snapshots.refresh_due(now=now)
    db.session.commit()
    return {"barometer_figures": computed}
