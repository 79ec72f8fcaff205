"""A programmer's rights over their data (French law for B2B contact files): export, objection, erasure."""

import json
import logging
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from crm.base.audit import security_event
from crm.base.errors import DomainError
from crm.base.extensions import db
from crm.base.spreadsheets import to_csv
from crm.contacts.events import PersonErased, person_erased
from crm.contacts.models import Programmer
from crm.contacts.registry import ACTIVITY
from crm.mail import suppression
from crm.mail.models import SuppressionReason

log = logging.getLogger(__name__)


def export(programmer) -> dict:
    """Everything held about the person, as plain data."""
    organisation = programmer.organisation
    return {
        "id": programmer.id,
        "first_name": programmer.first_name,
        "last_name": programmer.last_name,
        "email": programmer.email,
        "phone": programmer.phone,
        "job_title": programmer.job_title,
        "organisation": organisation.name if organisation else None,
        "organisation_city": organisation.city if organisation else None,
        "departement": programmer.departement_code,
        "disciplines": [d.value for d in programmer.disciplines],
        "books_young_audiences": programmer.wants_young,
        "books_all_audiences": programmer.wants_all,
        "lawful_basis": programmer.lawful_basis.value,
        "source": programmer.source,
        "created_at": programmer.created_at.isoformat(),
        "opted_out_at": programmer.opted_out_at.isoformat() if programmer.opted_out_at else None,
    }


def export_json(programmer) -> bytes:
    return json.dumps(export(programmer), ensure_ascii=False, indent=2).encode()


def export_csv(programmer) -> bytes:
    """One field per row (field;value), as Excel in French opens it, formulas neutralised."""
    rows = [
        [key, ", ".join(value) if isinstance(value, list) else ("" if value is None else value)]
        for key, value in export(programmer).items()
    ]
    return to_csv([_("Champ"), _("Valeur")], rows)


def opt_out(programmer, *, now) -> None:
    """An objection (art. 21): no message of any kind is sent to the person again, in the whole network."""
    if programmer.opted_out_at is None:
        programmer.opted_out_at = now
        security_event("privacy.objection", programmer=programmer.id, network=programmer.network_id)
    db.session.flush()
    if programmer.erased_at is None:
        suppression.suppress(programmer.network_id, programmer.email, SuppressionReason.OBJECTION, now=now)


def erase(programmer, *, now) -> None:
    """Wipe the person's personal fields; the row stays so that counts (attendance, outcomes) stay right."""
    if programmer.erased_at is not None:
        raise DomainError(_("Cette personne a déjà été effacée."))
    suppression.suppress(programmer.network_id, programmer.email, SuppressionReason.ERASURE, now=now)
    suppression.forget(programmer.network_id, programmer.email, programmer.id)
    programmer.first_name = ""
    programmer.last_name = _("Personne effacée")
    programmer.email = f"effacee-{programmer.id}@invalid"
    programmer.phone = None
    programmer.job_title = None
    programmer.interests = []
    programmer.source = _("effacée le %(d)s", d=now.date().isoformat())
    programmer.search_key = ""
    programmer.opted_out_at = programmer.opted_out_at or now
    programmer.erased_at = now
    security_event("privacy.erasure", programmer=programmer.id, network=programmer.network_id)
    db.session.flush()
    person_erased.send(
        programmer.network_id,
        event=PersonErased(network_id=programmer.network_id, programmer_id=programmer.id, at=now),
    )


STALE_AFTER_DAYS = 3 * 365


def stale_query(network_id, *, now):
    """Records with nothing coming from the person for 3 years (CNIL's guidance for prospect files):
    created over 3 years ago, and since then no answer to an invitation or to a follow-up, no attendance,
    and no exchange in which the person took part (a call or meeting where they were reached)."""
    since = now - timedelta(days=STALE_AFTER_DAYS)
    alive = [sign_of_life(since) for sign_of_life in ACTIVITY]
    return (
        select(Programmer)
        .where(
            Programmer.network_id == network_id,
            Programmer.erased_at.is_(None),
            Programmer.created_at < since,
            *(Programmer.id.not_in(ids) for ids in alive),
        )
        .order_by(Programmer.created_at, Programmer.id)
    )


def purge(programmers, *, now) -> int:
    """Erase every record listed for review; returns how many."""
    count = 0
    for programmer in programmers:
        erase(programmer, now=now)
        count += 1
    return count
