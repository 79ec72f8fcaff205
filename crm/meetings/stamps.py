"""A person's agenda and a company's feed show their published meetings: a meeting's change raises the
stamps of both, and a session's change (its times, its venue, its publication) those of everyone in it.
(A proposal is replaced by a bulk delete: unpublished, it is on no feed.)"""

from sqlalchemy import select

from crm.base.stamps import COMPANY, INVITATION, values, watch
from crm.meetings.models import Meeting, MeetingSession


def _meetings(rows, _connection):
    found = {(INVITATION, i) for row in rows for i in values(row, "invitation_id")}
    return found | {(COMPANY, i) for row in rows for i in values(row, "company_id")}


def _sessions(rows, connection):
    ids = {row.id for row in rows if row.id is not None}
    people = connection.execute(
        select(Meeting.invitation_id, Meeting.company_id).where(Meeting.session_id.in_(ids))
    ).all()
    return {(INVITATION, i) for i, _c in people} | {(COMPANY, c) for _i, c in people}


watch(Meeting, _meetings, ["round", "table_number", "company_id", "invitation_id"])
watch(
    MeetingSession,
    _sessions,
    ["name", "venue_id", "day", "starts", "rounds", "round_minutes", "changeover_minutes", "break_after",
     "break_minutes", "published_at"],
)  # fmt: skip
