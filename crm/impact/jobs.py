"""The impact's due work, run by the scheduler's tick."""

from crm.base.extensions import db
from crm.impact import travel


def footprints(*, now, worker) -> dict:
    """Measure again the travel of a few editions whose stored footprint is missing or stale."""
    measured = travel.measure_footprints(travel.stale_footprints(now=now), now=now)
    db.session.commit()
    return {"footprints": measured}
