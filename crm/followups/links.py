"""A person's follow-up links: signed, revocable, and what they open."""

import logging
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import update

from crm.base.audit import security_event
from crm.base.extensions import db
from crm.base.tokens import LinkError, sign, unsign
from crm.followups.models import (
    Enrolment,
)

log = logging.getLogger(__name__)

ANSWER_DAYS = 365  # one-click answers stay open a year after the edition


# --- Personal links ----------------------------------------------------------------------------------


def token_for(enrolment_id: int, version: int = 0) -> str:
    """The person's signed link; links written before any revocation carry the bare id (version 0)."""
    return sign("followup-enrolment", *((enrolment_id,) if not version else (enrolment_id, version)))


def _read(token: str) -> tuple[int | None, int]:
    ids = unsign("followup-enrolment", token)
    if ids is None or len(ids) > 2:
        return None, 0
    return ids[0], ids[1] if len(ids) == 2 else 0


def revoke_links(programmer, *, actor, now) -> int:
    """Every follow-up link the person was sent stops working (answers as an expired link does); the
    next messages carry new ones. Returns how many enrolments were concerned."""
    count = db.session.execute(
        update(Enrolment)
        .where(Enrolment.programmer_id == programmer.id)
        .values(link_version=Enrolment.link_version + 1),
        execution_options={"synchronize_session": "fetch"},
    ).rowcount
    security_event("followup.links_revoked", programmer=programmer.id, user=actor.id)
    return count


def by_token(token: str, *, now) -> Enrolment:
    enrolment_id, version = _read(token)
    enrolment = db.session.get(Enrolment, enrolment_id) if enrolment_id and 0 < enrolment_id < 2**31 else None
    if enrolment is None:
        raise LinkError(_("Ce lien n'est pas valide. Vérifiez qu'il a été copié en entier."))
    if enrolment.programmer.erased_at is not None:
        raise LinkError(_("Ce lien n'est plus valide : les données de cette personne ont été effacées."))
    too_old = now.date() > enrolment.sequence.edition.ends_on + timedelta(days=ANSWER_DAYS)
    if too_old or version != enrolment.link_version:
        raise LinkError(_("Ce lien a expiré."))
    return enrolment
