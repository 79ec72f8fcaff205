"""How the directory reacts to what lower layers report (connected once, when the app is built)."""

import logging

from crm.contacts.models import Programmer
from crm.extensions import db
from crm.mail.events import address_bounced

log = logging.getLogger(__name__)


@address_bounced.connect
def _mark_bouncing(_network_id, event):
    person = db.session.get(Programmer, event.programmer_id)
    if person is not None and person.bounced_at is None:
        person.bounced_at = event.at
        db.session.flush()
        log.info("programmer %s marked as bouncing", person.id)
