"""Handing queued messages to the SMTP server: never twice, never dropped.

A message's bytes are built once, when it is queued (`serialise`, kept in `OutboxMessage.mime`); an
attempt only signs them (DKIM, when configured) and sends them, so every attempt sends the same message.

A worker claims a batch (CLAIMED, with a lease), then sends it in groups of `SENDING_GROUP` (5): one
statement marks a group SENDING (checking the suppression list, and reading what sending needs), and
that mark is committed before the server hears of any message of the group. Just before each message is
handed over, one read checks again that it is still ours and its address not listed since; the outcomes
of the group (one UPDATE of the messages, one INSERT of the attempts) are committed with the mark of the
next group. So a message costs about 1.6 statements and 0.2 commits.

A worker that dies leaves its CLAIMED rows to be taken again once the lease ends (nothing was said to
the server about them) and the SENDING rows of the group it was sending, at most `SENDING_GROUP` of
them, which become UNKNOWN: the server may or may not have them, so a coordinator decides instead of a
blind resend. (A worker stopped by an exception records what the server said, leaves SENDING the one
message it was handing over, and puts those it did not get to back among the claimed ones.)
"""

import contextlib
import functools
import hashlib
import logging
import re
import smtplib
from datetime import UTC, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, parseaddr
from types import SimpleNamespace

from flask import current_app
from sqlalchemy import bindparam, case, func, insert, literal, select, update

from crm.base.database import claim_rows, utcnow
from crm.base.extensions import db
from crm.mail import suppression
from crm.mail.addresses import bounce_address, reply_address
from crm.mail.events import AddressBounced, address_bounced
from crm.mail.models import DeliveryAttempt, MailState, OutboxMessage, SuppressionReason
from crm.mail.rendering import text_to_html
from crm.networks.models import Network

log = logging.getLogger(__name__)

SENT, TEMPORARY, PERMANENT, REFUSED, UNKNOWN = "sent", "temporary", "permanent", "refused", "unknown"
CANCELLED = "cancelled"  # not an answer of the server: stopped by the suppression list before sending
OUTCOMES = (SENT, TEMPORARY, PERMANENT, REFUSED, UNKNOWN)
_ENHANCED = re.compile(r"^\s*5\.(\d{1,3})\.(\d{1,3})")


def sender(message: OutboxMessage) -> tuple[str, str]:
    """(display name, address) of the message's From: the network's sender (never a company's own
    address, which DMARC would refuse from us), with the company's name when it speaks through us."""
    default_name, default_address = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])
    network = db.session.get(Network, message.network_id) if message.network_id else None
    name = message.from_name or (network.display_sender if network else default_name)
    return name, (network.sender_address if network and network.sender_address else default_address)


def build(message: OutboxMessage) -> EmailMessage:
    """The MIME message: plain text and HTML, Message-ID, where replies go, and the one-click
    unsubscribe (RFC 8058) with its mailto: alternative."""
    mime = EmailMessage()
    name, address = sender(message)
    mime["From"] = Address(name, addr_spec=address)
    mime["To"] = message.to_address
    mime["Subject"] = message.subject
    mime["Date"] = format_datetime(message.created_at.astimezone(UTC))
    mime["Message-ID"] = message.message_id
    reply_to = reply_address(message.reply_token)
    if reply_to:
        mime["Reply-To"] = reply_to
    if message.in_reply_to:
        mime["In-Reply-To"] = message.in_reply_to
        mime["References"] = message.in_reply_to
    if message.automatic:
        mime["Auto-Submitted"] = "auto-generated"  # RFC 3834: auto-responders stay silent
    if message.unsubscribe_url:
        targets = [f"<{message.unsubscribe_url}>"]
        if reply_to:
            targets.append(f"<mailto:{reply_to}?subject=unsubscribe>")
        mime["List-Unsubscribe"] = ", ".join(targets)
        mime["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    mime.set_content(message.body_text)
    html = message.body_html or text_to_html(message.body_text, subject=message.subject, brand=name)
    mime.add_alternative(html, subtype="html")
    if message.attachment_ics:
        mime.add_attachment(
            message.attachment_ics.encode(),
            maintype="text",
            subtype="calendar",
            filename="invitation.ics",
            params={"method": "PUBLISH", "charset": "utf-8"},  # it holds "Ça", "Théâtre"…
        )
    # Boundaries drawn from the Message-ID rather than at random: the same message always gives the same
    # bytes, whenever it is built.
    seed = hashlib.sha256((message.message_id or "").encode()).hexdigest()[:32]
    for number, part in enumerate(p for p in mime.walk() if p.is_multipart()):
        part.set_boundary(f"=_{seed}_{number}")
    return mime


def classify(code: int | None, reply: str = "") -> str:
    """What a server's reply means for the message: 2xx sent, 4xx try again later, 5xx on the address
    (550, 551, 553, or an enhanced code 5.1.x / 5.2.1) a bounce, any other 5xx a refusal of the message
    itself (554 content, 552 size…), which says nothing about the address and is shown for checking."""
    if code is None or not 200 <= code < 600:
        return TEMPORARY
    if code < 300:
        return SENT
    if code < 500:
        return TEMPORARY
    enhanced = _ENHANCED.match(reply or "")
    if enhanced:
        subject, detail = enhanced.groups()
        return PERMANENT if subject == "1" or (subject, detail) == ("2", "1") else REFUSED
    return PERMANENT if code in (550, 551, 553) else REFUSED


class _Connection:
    """One SMTP session reused for a batch, reopened after a failure."""

    def __init__(self, config):
        self.config = config
        self.smtp = None

    def open(self):
        if self.smtp is None:
            cls = smtplib.SMTP_SSL if self.config["MAIL_USE_SSL"] else smtplib.SMTP
            smtp = cls(
                self.config["MAIL_SERVER"],
                self.config["MAIL_PORT"],
                timeout=self.config["MAIL_TIMEOUT_SECONDS"],
            )
            if self.config["MAIL_USE_TLS"]:
                smtp.starttls()
            if self.config["MAIL_USERNAME"]:
                smtp.login(self.config["MAIL_USERNAME"], self.config["MAIL_PASSWORD"])
            self.smtp = smtp
        return self.smtp

    def drop(self):
        if self.smtp is not None:
            try:
                self.smtp.close()
            finally:
                self.smtp = None

    def quit(self):
        if self.smtp is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self.smtp.quit()
            self.smtp = None


def serialise(message) -> bytes:
    """The message's bytes as the server gets them, unsigned: built once, when it is queued."""
    return build(message).as_bytes(policy=SMTP)


def payload(message) -> bytes:
    """The bytes handed to the server, DKIM-signed when a key is configured: those stored when the
    message was queued, or, for a message queued before they were stored, built now."""
    data = message.mime
    if data is None:
        data = serialise(db.session.get(OutboxMessage, message.id))
    return dkim_sign(data) if current_app.config.get("MAIL_DKIM_KEY_FILE") else data


SIGNED_HEADERS = [
    b"from", b"to", b"subject", b"date", b"message-id", b"reply-to", b"in-reply-to", b"references",
    b"list-unsubscribe", b"list-unsubscribe-post", b"auto-submitted", b"mime-version", b"content-type",
]  # fmt: skip


def dkim_sign(data: bytes) -> bytes:
    """A DKIM-Signature (dkimpy) covering the headers that matter, List-Unsubscribe included (RFC 8058
    asks for it), so a one-click link cannot be swapped on the way."""
    import dkim  # noqa: PLC0415  (loaded only where mail is signed)

    config = current_app.config
    with open(config["MAIL_DKIM_KEY_FILE"], "rb") as handle:
        key = handle.read()
    signature = dkim.sign(
        data,
        config["MAIL_DKIM_SELECTOR"].encode(),
        config["MAIL_DKIM_DOMAIN"].encode(),
        key,
        include_headers=[h for h in SIGNED_HEADERS if h + b":" in data.split(b"\r\n\r\n", 1)[0].lower()],
    )
    return signature + data


def attempt(connection: _Connection, message) -> tuple[str, int | None, str]:
    """Talk to the server about one message (a row `_mark_sending` returned): (outcome, SMTP code,
    detail)."""
    sender = bounce_address(message.reply_token) or parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1]
    payload_bytes = payload(message)
    try:
        smtp = connection.open()
        smtp.ehlo_or_helo_if_needed()
        code, reply = smtp.mail(sender)
        if code != 250:  # our side or the server's, not the recipient's: try again later
            smtp.rset()
            return TEMPORARY, code, reply.decode(errors="replace")
        code, reply = smtp.rcpt(message.to_address)
        if code not in (250, 251):
            smtp.rset()
            reply = reply.decode(errors="replace")
            outcome = classify(code, reply)
            return (TEMPORARY if outcome == SENT else outcome), code, reply
    except (smtplib.SMTPException, OSError) as exc:  # nothing handed over yet: safe to try again later
        connection.drop()
        return TEMPORARY, None, f"{type(exc).__name__}: {exc}"
    try:
        # data() *returns* the server's final reply to the body: a 451 or a 554 there is no delivery.
        code, reply = smtp.data(payload_bytes)
    except smtplib.SMTPDataError as exc:  # the DATA command itself was refused
        detail = _text(exc.smtp_error)
        outcome = classify(exc.smtp_code, detail)
        return (TEMPORARY if outcome == SENT else outcome), exc.smtp_code, detail
    except (smtplib.SMTPException, OSError) as exc:  # cut during DATA: the server may have it
        connection.drop()
        return UNKNOWN, None, f"{type(exc).__name__}: {exc}"
    reply = _text(reply)
    return classify(code, reply), code, reply


def _text(reply) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)


def recover_abandoned(now) -> int:
    """Rows a dead worker left: CLAIMED go back to the queue, SENDING become UNKNOWN."""
    expired = OutboxMessage.lease_until < now
    requeued = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.state == MailState.CLAIMED, expired)
        .values(state=MailState.PENDING, claimed_by=None, lease_until=None),
        execution_options={"synchronize_session": False},
    ).rowcount
    unknown = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.state == MailState.SENDING, expired)
        .values(
            state=MailState.UNKNOWN,
            last_error="Le processus d'envoi s'est arrêté pendant l'envoi : vérifier avant de renvoyer.",
        ),
        execution_options={"synchronize_session": False},
    ).rowcount
    db.session.commit()
    if unknown:
        log.warning("%d message(s) of unknown fate flagged for coordinators", unknown)
    return requeued + unknown


# What sending a message and recording its outcome need, read by the statement that marks it SENDING.
_OUTGOING = (
    OutboxMessage.id,
    OutboxMessage.to_address,
    OutboxMessage.reply_token,
    OutboxMessage.network_id,
    OutboxMessage.programmer_id,
    OutboxMessage.attempts,
    OutboxMessage.mime,
)

# Messages marked SENDING by one statement and one commit: at most this many are left of unknown fate
# by a worker that dies (killed, or its machine lost).
SENDING_GROUP = 5
SENDING_NOW = "sending"  # the last check's answer for a message still ours to send


def deliver_due(*, worker: str, limit: int = 100) -> dict:
    """Claim and send one batch of due messages; returns counts per outcome."""
    config = current_app.config
    counts = dict.fromkeys((*OUTCOMES, CANCELLED), 0)
    if not config.get("MAIL_SERVER"):
        return counts
    lease = timedelta(seconds=config["MAIL_LEASE_SECONDS"])
    recover_abandoned(utcnow())
    ids = claim_rows(
        OutboxMessage,
        [OutboxMessage.state == MailState.PENDING, OutboxMessage.next_attempt_at <= utcnow()],
        [OutboxMessage.next_attempt_at, OutboxMessage.id],
        limit,
        {"state": MailState.CLAIMED, "claimed_by": worker, "lease_until": utcnow() + lease},
    )
    counts[CANCELLED] = suppression.cancel_claimed(ids)  # objected, erased or bouncing: never sent
    connection = _Connection(config)
    # the group being sent, (message, outcome, code, detail) not yet recorded, messages handed over
    marked, results, asked = [], [], set()
    try:
        for first in range(0, len(ids), SENDING_GROUP):
            marked = _mark_sending(ids[first : first + SENDING_GROUP], worker, lease, counts)
            db.session.commit()  # SENDING is recorded before the server hears of these messages
            results, asked = [], set()
            for message in marked:
                check = _still_to_send(message.id, worker)
                if check == SENDING_NOW:
                    asked.add(message.id)
                    results.append((message, *attempt(connection, message)))
                elif check == CANCELLED:
                    results.append((message, CANCELLED, None, ""))
            record(results, worker=worker, counts=counts)  # committed with the next group's mark
        db.session.commit()
    except BaseException:
        # Whatever stopped the batch, what the server already said is kept, and the messages of the
        # group it was not asked about go back to the claimed ones (taken again once the lease ends);
        # one stopped while being handed over stays SENDING, to become UNKNOWN.
        db.session.rollback()
        record(results, worker=worker, counts=counts)
        untold = {m.id for m in marked} - asked - {m.id for m, *_ in results}
        if untold:
            db.session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.id.in_(untold),
                    OutboxMessage.state == MailState.SENDING,
                    OutboxMessage.claimed_by == worker,
                )
                .values(state=MailState.CLAIMED),
                execution_options={"synchronize_session": False},
            )
        db.session.commit()
        raise
    finally:
        connection.quit()
    return counts


@functools.cache
def _statements() -> SimpleNamespace:
    """The statements sent for each group and each message, built once (a statement built anew costs
    more than the database's work on it)."""
    outbox = OutboxMessage.__table__
    ours = (
        OutboxMessage.state == MailState.SENDING,
        OutboxMessage.claimed_by == bindparam("worker"),
    )
    return SimpleNamespace(
        mark=update(OutboxMessage)
        .where(
            OutboxMessage.id.in_(bindparam("ids", expanding=True)),
            OutboxMessage.state == MailState.CLAIMED,
            OutboxMessage.claimed_by == bindparam("worker"),
            suppression.not_listed(),
        )
        .values(state=MailState.SENDING, lease_until=bindparam("until", type_=OutboxMessage.lease_until.type))
        .returning(*_OUTGOING)
        .execution_options(synchronize_session=False),
        check=select(case((suppression.listed(), literal(CANCELLED)), else_=literal(SENDING_NOW))).where(
            OutboxMessage.id == bindparam("message"), *ours
        ),
        outcome=update(outbox).where(outbox.c.id == bindparam("message")),
        attempt=insert(DeliveryAttempt.__table__),
    )


def _mark_sending(ids: list[int], worker: str, lease: timedelta, counts: dict) -> list:
    """Mark claimed messages SENDING in one statement, which checks the suppression list and returns
    what sending needs (`_OUTGOING`). A message listed since the claim is cancelled instead (or was, by
    the listing itself)."""
    if not ids:
        return []
    marked = db.session.execute(
        _statements().mark, {"ids": ids, "worker": worker, "until": utcnow() + lease}
    ).all()
    missing = sorted(set(ids) - {m.id for m in marked})
    if missing:  # listed since the claim (or cancelled by the listing itself)
        suppression.cancel_claimed(missing)
        counts[CANCELLED] += db.session.scalar(
            select(func.count()).where(
                OutboxMessage.id.in_(missing), OutboxMessage.state == MailState.CANCELLED
            )
        )
    return sorted(marked, key=lambda m: m.id)


def _still_to_send(message_id: int, worker: str) -> str | None:
    """Checked again at the very last moment, just before talking to the server, in one read: SENDING_NOW
    when the message is still ours to send, CANCELLED when its address was listed meanwhile, None when it
    is no longer ours (flagged by another worker that took this one for dead)."""
    return db.session.execute(_statements().check, {"message": message_id, "worker": worker}).scalar()


def record(results, *, worker: str, counts: dict) -> None:
    """The outcomes of a group of messages we hold SENDING (rows `_mark_sending` returned, each with
    what the server said): one UPDATE of the messages and one INSERT of the attempts whatever their
    number (and, for a bounce, the address listed); cancelled ones are cancelled in one statement."""
    now = utcnow()
    config = current_app.config
    rows, logged, bounced = [], [], []
    cancelled = [message.id for message, outcome, _code, _detail in results if outcome == CANCELLED]
    for message, outcome, code, detail in results:
        if outcome == CANCELLED:
            continue
        counts[outcome] += 1
        attempts = message.attempts + 1
        row = {"message": message.id, "attempts": attempts, "claimed_by": None, "lease_until": None}
        if outcome == SENT:
            row.update(state=MailState.SENT, sent_at=now, last_error=None, mime=None)
        elif outcome == UNKNOWN:
            row.update(state=MailState.UNKNOWN, last_error=detail)
        elif outcome == REFUSED:
            row.update(state=MailState.REFUSED, last_error=detail)
            log.warning(
                "message %s refused by the server (%s): content or policy, not the address", message.id, code
            )
        elif outcome == PERMANENT:
            row.update(state=MailState.BOUNCED, last_error=detail)
            if message.programmer_id and message.network_id:
                bounced.append((message, code))
        elif attempts >= config["MAIL_MAX_ATTEMPTS"]:
            row.update(state=MailState.FAILED, last_error=detail)
        else:
            delay = config["MAIL_RETRY_SECONDS"] * 2 ** (attempts - 1)
            row.update(
                state=MailState.PENDING, last_error=detail, next_attempt_at=now + timedelta(seconds=delay)
            )
        rows.append(row)
        logged.append(
            {
                "message_id": message.id,
                "at": now,
                "worker": worker,
                "outcome": outcome,
                "code": code,
                "detail": detail,
            }
        )
    shapes = {}  # one statement for each set of columns written (a single one when all were sent)
    for row in rows:
        shapes.setdefault(tuple(row), []).append(row)
    for same in shapes.values():
        db.session.execute(_statements().outcome, same)
    if logged:
        db.session.execute(_statements().attempt, logged)
    if cancelled:
        counts[CANCELLED] += suppression.cancel_sending(cancelled, worker)
    for message, code in bounced:
        suppression.suppress(message.network_id, message.to_address, SuppressionReason.BOUNCE, now=now)
        address_bounced.send(
            message.network_id,
            event=AddressBounced(message.network_id, message.programmer_id, now),
        )
        log.info("address of programmer %s refused for good (%s)", message.programmer_id, code)


def resolve(message: OutboxMessage, *, resend: bool) -> None:
    """A coordinator's decision on a flagged message: send it again, or consider it delivered."""
    if message.state not in MailState.flagged():
        return
    if resend:
        message.state, message.next_attempt_at, message.attempts = MailState.PENDING, utcnow(), 0
    else:
        message.state = MailState.SENT
    db.session.flush()


def flagged_count(network_id: int) -> int:

    return db.session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.network_id == network_id, OutboxMessage.state.in_(MailState.flagged()))
    )
