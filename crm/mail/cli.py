"""`flask --app wsgi mail receive`: one message on standard input, as an MTA's pipe hands it over."""

import hashlib
import logging
import sys

import click
from flask.cli import AppGroup

from crm.base.database import utcnow
from crm.base.extensions import db
from crm.mail import inbound
from crm.mail.models import InboundMessage

log = logging.getLogger(__name__)
mail_cli = AppGroup("mail", help="Courrier entrant : réponses, absences, avis de non-remise.")

EX_TEMPFAIL = 75  # sysexits.h: the MTA keeps the message and tries again later


@mail_cli.command("receive")
@click.option("--recipient", default=None, help="The envelope recipient (Postfix: ${original_recipient}).")
def receive_command(recipient):
    """Read one message (RFC 5322 bytes) on stdin and handle it. Exits 0 once it is stored, whatever
    it turned out to be, so the MTA never bounces a reply back to a person; 75 only when it could not
    be stored at all (the MTA then defers and retries)."""

    raw = sys.stdin.buffer.read()
    try:
        row = inbound.receive(raw, via="pipe", envelope_to=recipient, now=utcnow())
    except Exception:
        db.session.rollback()
        stored = _stored(raw)
        if stored is None:
            log.exception("inbound message could not be stored; the MTA will retry")
            sys.exit(EX_TEMPFAIL)
        log.exception("inbound message %s stored but not handled; the worker retries it", stored)
        return
    click.echo(f"{row.id} {row.kind or ''} {row.state}")


def _stored(raw: bytes) -> int | None:
    """The id of the row holding these bytes, if they were stored before the failure (the database
    may be the thing that failed: then nothing is known to be stored)."""

    try:
        digest = hashlib.sha256(raw).hexdigest()
        return db.session.scalar(db.select(InboundMessage.id).where(InboundMessage.digest == digest))
    except Exception:  # noqa: BLE001 - any failure here means: not known to be stored
        db.session.rollback()
        return None
