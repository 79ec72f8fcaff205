"""The meetings' place on a person's invitation page (connected by create_app)."""

from flask import url_for
from flask_babel import gettext as _

from crm.base.database import utcnow
from crm.invitations.registry import RSVP_SECTIONS
from crm.meetings import services


def _sections(invitation, token) -> list[dict]:
    blocks = []
    now = utcnow()
    for session in services.sessions_for_invitation(invitation):
        joined = services.programmer_entry(session, invitation.programmer_id) is not None
        if session.published_at and joined:
            text = _("Votre planning de rendez-vous est prêt.")
            action = _("Voir mes rendez-vous")
        elif joined:
            text = _("Vous participez : choisissez les compagnies que vous voulez rencontrer.")
            action = _("Mes souhaits de rencontres")
        elif services.wishes_open(session, now):
            text = _(
                "Des rendez-vous en tête-à-tête avec les compagnies, le %(day)s : inscrivez-vous et dites "
                "qui vous voulez rencontrer.",
                day=session.day.strftime("%d/%m"),
            )
            action = _("Participer aux rencontres")
        else:
            continue
        blocks.append(
            {
                "title": session.name,
                "text": text,
                "url": url_for("meetings.programmer_page", token=token, session_id=session.id),
                "action": action,
            }
        )
    return blocks


RSVP_SECTIONS.append(_sections)
