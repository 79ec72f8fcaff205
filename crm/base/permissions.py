"""One permission rule per route: `@allow(...)` on the view, enforced for every request.

A view without a rule is refused (fail closed), and the route-walk test fails on it.
"""

import logging

from flask import abort, current_app, request
from flask_login import current_user

from crm.base.extensions import login_manager

log = logging.getLogger(__name__)

PUBLIC = "public"
SIGNED_IN = "signed_in"
# API routes: a bearer token of the network, read or write (a session cookie opens none of them).
TOKEN_READ = "token:read"  # noqa: S105 - an audience, not a secret
TOKEN_WRITE = "token:write"  # noqa: S105
TOKEN_RULES = frozenset({TOKEN_READ, TOKEN_WRITE})
_token_check = None


def check_tokens_with(check) -> None:
    """The API says how a token is checked: `check(write: bool)` returns None when the request may go on,
    else aborts (401 without a valid token, 403 for a read token on a write)."""
    global _token_check
    _token_check = check


def allow(*who):
    """Declare who may reach a view: PUBLIC, SIGNED_IN, or some Role members."""
    if not who:
        raise ValueError("a permission rule names at least one audience")

    def decorate(view):
        view.vitrine_rule = frozenset(who)
        return view

    return decorate


def rule_for(endpoint: str):
    """The rule declared on an endpoint's view, or None when it has none."""
    if endpoint == "static":
        return frozenset({PUBLIC})
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "vitrine_rule", None)


def enforce():
    """before_request hook: apply the route's rule, refusing routes that declare none."""
    if request.endpoint is None:
        return None
    rule = rule_for(request.endpoint)
    if rule is None:
        log.error("route %s has no permission rule; refused", request.endpoint)
        abort(403)
    if PUBLIC in rule:
        return None
    if rule & TOKEN_RULES:
        if _token_check is None:
            abort(403)
        return _token_check(write=TOKEN_READ not in rule)
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if SIGNED_IN in rule or current_user.role in rule:
        return None
    abort(403)
