"""How the invitations react to what lower layers report (connected once, when the app is built)."""

from sqlalchemy import delete, or_, select, update

from crm.base.extensions import db
from crm.contacts.events import person_erased
from crm.invitations.models import ACTIVE, CarpoolEntry, CarpoolMatch, Invitation, MatchStatus


@person_erased.connect
def _forget_carpools(_network_id, event):
    """An erased person's carpool wishes (days, commune, seats) go; their current matches end."""
    theirs = select(Invitation.id).where(Invitation.programmer_id == event.programmer_id)
    db.session.execute(
        update(CarpoolMatch)
        .where(
            CarpoolMatch.status.in_(ACTIVE),
            or_(CarpoolMatch.driver_id.in_(theirs), CarpoolMatch.passenger_id.in_(theirs)),
        )
        .values(status=MatchStatus.CANCELLED, ended_at=event.at)
    )
    db.session.execute(delete(CarpoolEntry).where(CarpoolEntry.invitation_id.in_(theirs)))
    db.session.flush()
