"""Messages that come back, written from the RFCs and from what mail clients produce (tests/mail/corpus),
filled in with the tokens and Message-IDs of the messages a follow-up really sent."""

import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from crm.extensions import db
from crm.followups.runner import run_due
from crm.mail.addresses import reply_address
from crm.mail.models import OutboxMessage
from tests.scene import D2, launch, travel

CORPUS = Path(__file__).parent / "corpus"
REPLY = "suivi@reseau-a.example"
BOUNCES = "retours@reseau-a.example"


def corpus(name: str, message: OutboxMessage | None = None, **values) -> bytes:
    """A corpus message addressed as an answer to `message` (its token, its Message-ID, its recipient)."""
    text = (CORPUS / name).read_bytes()
    fields = {"UNIQUE": uuid.uuid4().hex}
    if message is not None:
        fields |= {
            "TO": reply_address(message.reply_token),
            "MESSAGE_ID": message.message_id,
            "FROM": message.to_address,
            "RECIPIENT": message.to_address,
        }
    fields |= values
    for key, value in fields.items():
        text = text.replace(("{" + key + "}").encode(), value.encode())
    return text


def sent_to(person) -> OutboxMessage:
    return db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.programmer_id == person.id).order_by(OutboxMessage.id)
    ).first()


@pytest.fixture
def answered(scene, app):
    """The scene's follow-up launched and its J+2 messages written, with reply and bounce addresses."""
    app.config.update(MAIL_REPLY_ADDRESS=REPLY, MAIL_BOUNCE_ADDRESS=BOUNCES)
    launch(scene)
    with travel(D2):
        run_due()
    db.session.commit()
    yield scene
    app.config.update(MAIL_REPLY_ADDRESS="", MAIL_BOUNCE_ADDRESS="")
