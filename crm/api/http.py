"""What every API request goes through: the token, its rate limit, and errors as RFC 9457 problems."""

from flask import Response, current_app, g, request
from werkzeug.exceptions import Forbidden, HTTPException, Unauthorized
from werkzeug.http import HTTP_STATUS_CODES

from crm.api import tokens
from crm.api.models import TokenScope
from crm.base import ratelimit
from crm.base.audit import security_event
from crm.base.database import utcnow
from crm.base.extensions import db

PREFIX = "/api/"
PROBLEM = "application/problem+json"


def is_api_request() -> bool:
    return request.path.startswith(PREFIX)


def problem(status: int, detail=None, *, title=None, errors=None, headers=None, extra=None) -> Response:
    """An RFC 9457 problem: `errors` lists the fields that caused it, as {"field", "detail"}; `extra`
    adds members of its own (the existing record of a conflict)."""
    body = {"type": "about:blank", "title": title or _title(status), "status": status}
    if detail:
        body["detail"] = str(detail)
    if errors:
        body["errors"] = errors
    body.update(extra or {})
    response = current_app.response_class(
        current_app.json.dumps(body), status=status, mimetype=PROBLEM, headers=headers or {}
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _title(status: int) -> str:
    return HTTP_STATUS_CODES.get(status, "Error")


def from_http_exception(error: HTTPException) -> Response:
    """A werkzeug error (abort, a refused token, webargs' 422 with its messages) as a problem."""
    status = error.code or 500
    errors = None
    data = getattr(error, "data", None) or {}
    messages = data.get("messages")
    if isinstance(messages, dict):
        errors = []
        for location, fields in messages.items():
            if isinstance(fields, dict):
                errors += [{"field": f, "detail": " ".join(map(str, _flat(d)))} for f, d in fields.items()]
            else:  # the body as a whole: not JSON, not an object
                errors.append({"field": location, "detail": " ".join(map(str, _flat(fields)))})
    detail = data.get("message")
    if detail is None and errors:
        detail = "Voyez dans `errors` ce qui est refusé, champ par champ."
    elif detail is None and status not in (404, 405):
        detail = error.description
    headers = {"WWW-Authenticate": 'Bearer realm="vitrine"'} if status == 401 else {}
    return problem(status, detail, errors=errors, headers=headers, extra=data.get("extra"))


def _flat(detail):
    if isinstance(detail, dict):
        return [f"{key}: {' '.join(map(str, _flat(value)))}" for key, value in detail.items()]
    if isinstance(detail, list | tuple):
        return [item for part in detail for item in _flat(part)]
    return [detail]


def check_token(*, write: bool) -> None:
    """The permission rule of a token route (see `crm.base.permissions`): a live token of a network, not
    over its rate, and a write token for a write."""
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    now = utcnow()
    token = tokens.authenticate(secret.strip(), now=now) if scheme.lower() == "bearer" else None
    if token is None:
        security_event("api.token_refused", given=bool(secret))
        db.session.commit()
        raise Unauthorized("Un jeton d'API valide est demandé (en-tête Authorization: Bearer …).")
    g.api_token = token
    account, address = ratelimit.rules("api")
    pairs = [(account, f"token:{token.id}"), (address, ratelimit.client_address())]
    try:
        ratelimit.check(pairs, now=now)
    finally:
        db.session.commit()  # the last use is kept even when the rate is reached
    for rule, key in pairs:
        ratelimit.record(rule.bucket, key, now=now)
    db.session.commit()
    if write and token.scope != TokenScope.WRITE:
        security_event("api.read_token_wrote", token=token.id)
        raise Forbidden("Ce jeton est en lecture seule.")
    return None


def network_id() -> int:
    return g.api_token.network_id


def actor():
    return tokens.actor_for(g.api_token)


def current_token_name() -> str:
    return g.api_token.name
