"""Security events: one structured line each (JSON), on the `crm.security` logger.

Only ids and the client address go in, never a password, a token, an e-mail address or a path that
carries a signed link (the route's pattern is logged instead of the path).
"""

import json
import logging
import sys

from flask import has_request_context, request

log = logging.getLogger("crm.security")


def security_event(event: str, **fields) -> None:
    """Log one security event with the request's address and route pattern when there is a request."""
    record = {"event": event}
    if has_request_context():
        record["address"] = request.remote_addr or "unknown"
        record["method"] = request.method
        record["route"] = request.url_rule.rule if request.url_rule else None
    record.update({k: v for k, v in fields.items() if v is not None})
    # json.dumps escapes control characters: a CR/LF typed into a form cannot forge a second line.
    log.info("%s", json.dumps(record, ensure_ascii=True, default=str, sort_keys=True))


class _Formatter(logging.Formatter):
    """One line per message, whatever it holds (a traceback that follows keeps its own lines)."""

    def formatMessage(self, record):  # noqa: N802 - the name logging gives it
        return super().formatMessage(record).replace("\r", "\\r").replace("\n", "\\n")


def configure_logging(level: str = "INFO") -> None:
    """Make the application's own log lines (security events included) reach stderr, which gunicorn and
    `flask worker` both keep, once per process."""
    logger = logging.getLogger("crm")
    logger.setLevel(level)
    if any(getattr(h, "vitrine", False) for h in logger.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.vitrine = True
    handler.setFormatter(_Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    logger.addHandler(handler)
