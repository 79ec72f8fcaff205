"""The invitations' due work, for the scheduler's tick."""

from crm.base.extensions import db
from crm.base.links import external_url
from crm.invitations.services import send_reminders, signed_token


def _links(invitation):
    token = signed_token(invitation)
    return (
        external_url("invitations.rsvp", token=token),
        external_url("invitations.stop", token=token),
        external_url("programme.edition", slug=invitation.edition.slug),
    )


def reminders(*, now, worker) -> dict:
    """The reminder, the day before, to those who said they come."""
    sent = send_reminders(now=now, link_for=_links)
    db.session.commit()
    return {"reminders": sent}
