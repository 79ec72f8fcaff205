"""How the directory reacts to what lower layers report (connected once, when the app is built)."""

import logging

from crm.base.extensions import db
from crm.contacts.models import Programmer
from crm.contacts.privacy import opt_out
from crm.mail.events import address_bounced, person_looked_up, person_objected_by_mail

log = logging.getLogger(__name__)


@address_bounced.connect
def _mark_bouncing(_network_id, event):
    person = db.session.get(Programmer, event.programmer_id)
    if person is not None and person.bounced_at is None:
        person.bounced_at = event.at
        db.session.flush()
        log.info("programmer %s marked as bouncing", person.id)


@person_objected_by_mail.connect
def _object(_network_id, event):
    """A complaint ("spam" button, ARF) or a mail to the unsubscribe address: an objection."""

    person = db.session.get(Programmer, event.programmer_id)
    if person is not None and person.erased_at is None:
        opt_out(person, now=event.at)


@person_looked_up.connect
def _person_with_address(network_id, address):
    return db.session.scalar(
        db.select(Programmer.id).where(Programmer.network_id == network_id, Programmer.email == address)
    )
