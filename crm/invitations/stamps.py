"""A person's agenda (their private feed) changes with their answer and the days they said they would
come: the invitation's change stamp."""

from crm.base.stamps import INVITATION, values, watch
from crm.invitations.models import Invitation, InvitationDay


def _invitations(rows, _connection):
    return {(INVITATION, i) for row in rows for i in values(row, "id")}


def _days(rows, _connection):
    return {(INVITATION, i) for row in rows for i in values(row, "invitation_id")}


watch(Invitation, _invitations, ["answer", "edition_id"])
watch(InvitationDay, _days)
