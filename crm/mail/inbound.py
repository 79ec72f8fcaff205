"""Incoming mail, one pipeline for every way in (`flask mail receive` on a pipe, the IMAP poller):
store the bytes first, so nothing is ever lost; then match the message to one of ours and classify it;
then act. Each step is idempotent: the same message twice, or a crash midway, changes nothing twice.

The mail layer acts itself on what concerns addresses (a bounce lists the address); what concerns
people (a reply, an out-of-office, a complaint) it tells the features above through its events.
"""

import email
import hashlib
import json
import logging
from email import policy
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr

import flufl.bounce
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from crm.base.extensions import db
from crm.mail import addresses, events, reading, suppression
from crm.mail.models import (
    InboundKind,
    InboundMessage,
    InboundState,
    MailState,
    OutboxMessage,
    SuppressionReason,
)
from crm.networks.models import Network

log = logging.getLogger(__name__)
HEADER_FIELDS = ("To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To")


def receive(raw: bytes, *, via: str, envelope_to: str | None = None, now) -> InboundMessage:
    """Store a message as it came (committed before anything else), then handle it."""
    digest = hashlib.sha256(raw).hexdigest()
    found = db.session.scalar(select(InboundMessage).where(InboundMessage.digest == digest))
    if found is None:
        found = _store(raw, digest, via=via, envelope_to=envelope_to, now=now)
    if found.state == InboundState.STORED:
        _handle_safely(found, now=now)
    return found


def handle_left_over(*, now, limit: int = 100) -> int:
    """Messages stored but not handled (the process died between the two): handled now."""
    rows = db.session.scalars(
        select(InboundMessage)
        .where(InboundMessage.state == InboundState.STORED)
        .order_by(InboundMessage.id)
        .limit(limit)
    ).all()
    for row in rows:
        _handle_safely(row, now=now)
    return len(rows)


def _handle_safely(row: InboundMessage, *, now) -> None:
    """Handle and commit; a message that makes handling fail is kept for a person to look at, rather
    than failing again at every tick and holding up the rest."""
    row_id = row.id
    try:
        handle(row, now=now)
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        log.exception("inbound message %s could not be handled; kept for a coordinator", row_id)
        row = db.session.get(InboundMessage, row_id)
        row.state, row.handled_at = InboundState.UNMATCHED, now
        row.reason = _("Message reçu que Vitrine n'a pas su traiter (%(error)s).", error=type(exc).__name__)
        db.session.commit()


def _store(raw: bytes, digest: str, *, via, envelope_to, now) -> InboundMessage:
    limit = current_app.config["MAIL_MAX_INBOUND_BYTES"]
    kept = raw if len(raw) <= limit else raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    message = _parse(kept)
    message_id = _header(message, "Message-ID", 300)
    if message_id:
        same = db.session.scalar(select(InboundMessage).where(InboundMessage.message_id == message_id))
        if same is not None:  # the same message again, through another way in or with other headers
            log.info("inbound message %s seen again (same Message-ID)", same.id)
            return same
    row = InboundMessage(
        digest=digest,
        message_id=message_id or None,
        received_at=now,
        via=via,
        envelope_to=(envelope_to or "").translate(_CONTROL)[:320] or None,
        raw=kept,
        size=len(raw),
        truncated=len(kept) < len(raw),
        from_address=_header(message, "From", 320),
        subject=_header(message, "Subject", 300),
        state=InboundState.STORED,
    )
    db.session.add(row)
    db.session.commit()
    log.info("inbound message %s stored (%d bytes, via %s)", row.id, row.size, via)
    return row


def _parse(raw: bytes) -> EmailMessage | None:
    try:
        return email.message_from_bytes(raw, policy=policy.default)
    except Exception:  # noqa: BLE001 - a message we cannot parse is still kept
        return None


def _header(message, name, length):
    if message is None:
        return None
    try:
        value = str(message.get(name) or "")
    except Exception:  # noqa: BLE001 - a header that does not decode
        return None
    return "".join(c if c.isprintable() else " " for c in value).strip()[:length] or None


# --- Matching ----------------------------------------------------------------------------------------


def _ours_by_token(message, envelope_to) -> OutboxMessage | None:
    values = [str(message.get(name) or "") for name in HEADER_FIELDS] + [envelope_to or ""]
    for token in addresses.tokens_in(values):
        found = db.session.scalar(select(OutboxMessage).where(OutboxMessage.reply_token == token))
        if found is not None:
            return found
    return None


def _message_ids(value) -> list[str]:
    return [f"<{part.strip('<> ')}>" for part in str(value or "").replace(",", " ").split() if "@" in part]


def _ours_by_thread(message) -> OutboxMessage | None:
    ids = _message_ids(message.get("In-Reply-To")) + _message_ids(message.get("References"))[::-1]
    for part in message.walk():  # a bounce quotes the headers of what bounced
        if part.get_content_type() in ("message/rfc822", "text/rfc822-headers", "message/rfc822-headers"):
            ids += _message_ids(_embedded_header(part, "Message-ID"))
    for message_id in ids:
        found = db.session.scalar(select(OutboxMessage).where(OutboxMessage.message_id == message_id))
        if found is not None:
            return found
    return None


def _embedded_header(part, name):
    payload = part.get_payload()
    if isinstance(payload, list) and payload:
        return payload[0].get(name)
    if isinstance(payload, EmailMessage):
        return payload.get(name)
    text = part.get_payload(decode=True) or b""
    embedded = email.message_from_bytes(text, policy=policy.default)
    return embedded.get(name)


def _ours_by_sender(message, envelope_to) -> OutboxMessage | None:
    """Only for mail to our bare reply address: the sender is someone we wrote to, in one network."""
    targets = [str(message.get(name) or "") for name in HEADER_FIELDS] + [envelope_to or ""]
    if not any(addresses.is_ours(a) for _n, a in getaddresses(targets)):
        return None
    sender = parseaddr(str(message.get("From") or ""))[1]
    if not sender:
        return None
    rows = db.session.scalars(
        select(OutboxMessage)
        .where(
            OutboxMessage.to_hash == suppression.address_digest(sender),
            OutboxMessage.programmer_id.is_not(None),
        )
        .order_by(OutboxMessage.created_at.desc())
        .limit(20)
    ).all()
    networks = {row.network_id for row in rows}
    return rows[0] if len(networks) == 1 else None


def match(message, envelope_to) -> OutboxMessage | None:
    """The message of ours this one answers: by token, by thread, then by sender."""
    return (
        _ours_by_token(message, envelope_to)
        or _ours_by_thread(message)
        or _ours_by_sender(message, envelope_to)
    )


# --- Classifying and acting --------------------------------------------------------------------------


def classify(message) -> tuple[InboundKind, dict]:
    kind = reading.report_type(message)
    if kind == "feedback-report":
        return InboundKind.COMPLAINT, {}
    if kind == "delivery-status" or reading.looks_like_bounce(message):
        temporary, permanent = _failures(message)
        if permanent:
            return InboundKind.BOUNCE, {"recipients": sorted(permanent)}
        if temporary or kind == "delivery-status":
            return InboundKind.DELAY, {"recipients": sorted(temporary)}
    if reading.is_automatic(message):
        return InboundKind.AUTO_REPLY, {}
    if reading.is_unsubscribe(message):
        return InboundKind.UNSUBSCRIBE, {}
    return InboundKind.REPLY, {}


def _failures(message) -> tuple[set[str], set[str]]:

    try:
        temporary, permanent = flufl.bounce.all_failures(message)
    except Exception:  # noqa: BLE001 - a detector failing on odd input is not a reason to lose the message
        log.warning("bounce detectors failed on an inbound message", exc_info=True)
        return set(), set()
    decode = lambda values: {v.decode(errors="replace").lower() for v in values}  # noqa: E731
    return decode(temporary), decode(permanent)


def handle(row: InboundMessage, *, now) -> None:
    """Match, classify and act on a stored message; leaves it HANDLED or UNMATCHED, never STORED."""
    message = _parse(row.raw)
    if message is None or not row.raw.strip():
        return _unmatched(row, InboundKind.UNKNOWN, _("Message illisible (pas au format d'un e-mail)."), now)
    kind, details = classify(message)
    row.kind = kind
    if kind in (InboundKind.REPLY, InboundKind.AUTO_REPLY):
        row.text = _words(message)
    row.attachments = json.dumps(_attachments(message), ensure_ascii=False) or None
    ours = match(message, row.envelope_to)
    if ours is None:
        reason = _("Aucun message de Vitrine ne correspond (ni jeton, ni fil, ni expéditeur connu).")
        return _unmatched(row, kind, reason, now)
    row.network_id, row.outbox_message_id, row.programmer_id = ours.network_id, ours.id, ours.programmer_id
    ACTIONS[kind](row, ours, message, details, now)
    if row.state == InboundState.STORED:
        row.state, row.handled_at = InboundState.HANDLED, now
    db.session.flush()
    log.info("inbound message %s: %s, network %s", row.id, kind, row.network_id)


def _unmatched(row, kind, reason, now):
    row.kind, row.state, row.reason, row.handled_at = kind, InboundState.UNMATCHED, reason, now
    if row.network_id is None:
        row.network_id = _network_of_address(row)
    db.session.flush()
    log.info("inbound message %s kept unmatched (%s)", row.id, kind)


def _network_of_address(row) -> int | None:
    """The network whose own sender address the message reached, when one can tell."""

    message = _parse(row.raw)
    if message is None:
        return None
    targets = {a.lower() for _n, a in getaddresses([str(message.get(n) or "") for n in HEADER_FIELDS])}
    if row.envelope_to:
        targets.add(row.envelope_to.lower())
    found = db.session.scalars(select(Network.id).where(Network.sender_address.in_(targets))).all()
    return found[0] if len(found) == 1 else None


_CONTROL = dict.fromkeys([c for c in range(32) if c not in (9, 10)] + [127], None)


def _words(message) -> str:
    """The person's own words, without the control characters (NUL…) a text column cannot hold."""
    text = reading.own_words(reading.body_text(message), _sender_name(message))
    return text.replace("\r\n", "\n").translate(_CONTROL)


def _sender_name(message) -> str:
    return parseaddr(str(message.get("From") or ""))[0]


def _attachments(message) -> list:
    found = []
    for part in message.walk():
        name = part.get_filename()
        if name and part.get_content_disposition() in ("attachment", "inline"):
            payload = part.get_payload(decode=True) or b""
            found.append([name[:200], len(payload)])
    return found


def _bounce(row, ours, message, details, now):
    """A relay's later bounce: the same as a 5xx at SMTP time (the address is listed; people's
    follow-up stops through the event the contacts listen to)."""
    failed = set(details.get("recipients") or ())
    if failed and ours.to_address not in failed and not ours.to_address.startswith("effacee"):
        # e.g. the person's own forwarding to another address failed: theirs is fine
        row.reason = _("Avis de non-remise pour une autre adresse que celle du message.")
        return
    detail = (reading.body_text(message) or "")[:500]
    if ours.state in (MailState.SENT, MailState.UNKNOWN):
        ours.state, ours.last_error = MailState.BOUNCED, detail
    if ours.network_id:
        suppression.suppress(ours.network_id, ours.to_address, SuppressionReason.BOUNCE, now=now)
    if ours.programmer_id and ours.network_id:
        events.address_bounced.send(
            ours.network_id, event=events.AddressBounced(ours.network_id, ours.programmer_id, now)
        )


def _delay(row, ours, message, details, now):
    row.reason = _("Remise retardée : le serveur du destinataire réessaie, rien n'est arrêté.")


def _objection(row, ours, message, details, now):
    if ours.network_id:
        suppression.suppress(ours.network_id, ours.to_address, SuppressionReason.OBJECTION, now=now)
    if ours.programmer_id:
        events.person_objected_by_mail.send(
            ours.network_id, event=events.PersonObjected(ours.network_id, ours.programmer_id, row.id, now)
        )


def _auto_reply(row, ours, message, details, now):
    if ours.programmer_id:
        back = reading.return_date(f"{row.subject or ''}\n{row.text}", today=now.date())
        events.auto_reply_received.send(
            ours.network_id,
            event=events.AutoReply(ours.network_id, ours.programmer_id, row.id, ours.message_id, back, now),
        )


def _reply(row, ours, message, details, now):
    if not ours.programmer_id:
        row.state, row.handled_at = InboundState.UNMATCHED, now
        row.reason = _("Réponse à un message qui n'était pas adressé à un·e programmateur·rice.")
        return
    events.reply_received.send(
        ours.network_id,
        event=events.Reply(ours.network_id, ours.programmer_id, row.id, ours.message_id, row.text, now),
    )


ACTIONS = {
    InboundKind.BOUNCE: _bounce,
    InboundKind.DELAY: _delay,
    InboundKind.COMPLAINT: _objection,
    InboundKind.UNSUBSCRIBE: _objection,
    InboundKind.AUTO_REPLY: _auto_reply,
    InboundKind.REPLY: _reply,
    InboundKind.UNKNOWN: lambda *_args: None,
}


def unmatched_count(network_id: int | None) -> int:

    scope = InboundMessage.network_id == network_id if network_id else InboundMessage.network_id.is_(None)
    return db.session.scalar(
        select(func.count()).where(scope, InboundMessage.state == InboundState.UNMATCHED)
    )


def attach(row: InboundMessage, programmer_id: int, *, now) -> None:
    """A coordinator says whom an unmatched message is from: it is handled as a reply of that person's."""
    message = _parse(row.raw)
    row.programmer_id = programmer_id
    row.text = _words(message) if message is not None else ""
    row.kind, row.state, row.handled_at = InboundKind.REPLY, InboundState.HANDLED, now
    db.session.flush()
    events.reply_received.send(
        row.network_id, event=events.Reply(row.network_id, programmer_id, row.id, None, row.text, now)
    )


def discard(row: InboundMessage, *, now) -> None:
    row.state, row.handled_at = InboundState.DISCARDED, now
    db.session.flush()
