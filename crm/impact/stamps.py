"""A company's private feed shows its confirmed performances: a booking's change raises its stamp."""

from sqlalchemy import select

from crm.base.stamps import COMPANY, values, watch
from crm.impact.models import Outcome, OutcomeDate


def _outcomes(rows, _connection):
    return {(COMPANY, i) for row in rows for i in values(row, "company_id")}


def _dates(rows, connection):
    outcomes = {i for row in rows for i in values(row, "outcome_id")}
    found = connection.execute(select(Outcome.company_id).where(Outcome.id.in_(outcomes)))
    return {(COMPANY, i) for (i,) in found}


watch(Outcome, _outcomes)  # every column: `updated_at` is the events' DTSTAMP
watch(OutcomeDate, _dates)
