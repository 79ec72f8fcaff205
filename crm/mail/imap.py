"""The IMAP poller the worker runs every tick (MAIL_IMAP_*): it reads what reached the mailbox of our
reply and bounce addresses, without marking anything read, hands each message to the one inbound
pipeline, then moves it to MAIL_IMAP_DONE_FOLDER. A dropped connection is simply retried next tick: a
message stored but not yet moved is recognised (by its digest) and not handled twice."""

import logging

from flask import current_app

from crm.mail import inbound

log = logging.getLogger(__name__)
CHUNK = 50


def configured() -> bool:
    return bool(current_app.config.get("MAIL_IMAP_HOST"))


def poll(*, now, limit: int = 500) -> int:
    """Fetch and store up to `limit` messages; returns how many were handed to the pipeline."""
    # loaded only by the process that polls a mailbox
    from imapclient import IMAPClient  # noqa: PLC0415
    from imapclient.exceptions import IMAPClientError  # noqa: PLC0415

    config = current_app.config
    done = 0
    try:
        with IMAPClient(
            config["MAIL_IMAP_HOST"], port=config["MAIL_IMAP_PORT"], ssl=config["MAIL_IMAP_TLS"], timeout=30
        ) as client:
            client.login(config["MAIL_IMAP_USER"], config["MAIL_IMAP_PASSWORD"])
            target = config["MAIL_IMAP_DONE_FOLDER"]
            if not client.folder_exists(target):
                client.create_folder(target)
            client.select_folder(config["MAIL_IMAP_FOLDER"])
            uids = client.search(["NOT", "DELETED"])[:limit]
            for start in range(0, len(uids), CHUNK):
                chunk = uids[start : start + CHUNK]
                for uid, data in client.fetch(chunk, ["BODY.PEEK[]"]).items():
                    raw = data.get(b"BODY[]") or b""
                    inbound.receive(raw, via="imap", now=now)  # committed before it is moved
                    _move(client, uid, target)
                    done += 1
    except (TimeoutError, IMAPClientError, OSError) as exc:
        log.warning(
            "IMAP poll stopped after %d message(s): %s; the next tick tries again", done, type(exc).__name__
        )
    return done


def _move(client, uid, target) -> None:
    if client.has_capability("MOVE"):
        client.move([uid], target)
    else:
        client.copy([uid], target)
        client.delete_messages([uid])
        client.expunge([uid]) if client.has_capability("UIDPLUS") else client.expunge()
