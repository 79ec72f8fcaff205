"""API tokens: made by a network's coordination (page or CLI), shown once, kept as a digest, revocable.

A token acts with a coordinator's rights in its network and nowhere else. What it writes is recorded as
done by whoever created it (nobody, for a token made on the command line).
"""

from dataclasses import dataclass
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select, update

from crm.api.models import ApiToken, TokenScope
from crm.base.enums import Role
from crm.base.errors import DomainError
from crm.base.extensions import db
from crm.base.tokens import hash_token, new_token

PREFIX = "vit_"
SHOWN = len(PREFIX) + 6  # what the list shows of a token, to tell them apart
USE_PRECISION = timedelta(minutes=1)  # "last used" is written at most once a minute per token


@dataclass(frozen=True)
class TokenActor:
    """Who a token's request acts as: a coordinator of its network (what the services ask of an actor)."""

    id: int | None
    network_id: int
    role: Role = Role.COORDINATOR
    company_id: None = None


def create(network, *, scope, name: str, actor=None, now) -> tuple[ApiToken, str]:
    """A new token; the secret is returned this once and never again."""
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Donnez un nom au jeton (l'outil ou le site qui l'utilise)."), field="name")
    if len(name) > 80:
        raise DomainError(_("80 caractères au plus."), field="name")
    secret = PREFIX + new_token()
    row = ApiToken(
        network_id=network.id,
        name=name,
        scope=TokenScope(scope),
        prefix=secret[:SHOWN],
        token_hash=hash_token(secret),
        created_by_id=actor.id if actor else None,
        created_at=now,
    )
    db.session.add(row)
    db.session.flush()
    return row, secret


def authenticate(secret: str, *, now) -> ApiToken | None:
    """The live token with this secret, its last use noted; None for anything else."""
    if not secret or not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    row = db.session.scalar(
        select(ApiToken).where(ApiToken.token_hash == hash_token(secret), ApiToken.revoked_at.is_(None))
    )
    if row is None:
        return None
    if row.last_used_at is None or now - row.last_used_at >= USE_PRECISION:
        db.session.execute(update(ApiToken).where(ApiToken.id == row.id).values(last_used_at=now))
        row.last_used_at = now
    return row


def actor_for(token: ApiToken) -> TokenActor:
    return TokenActor(id=token.created_by_id, network_id=token.network_id)


def revoke(token: ApiToken, *, now) -> None:
    if token.revoked_at is None:
        token.revoked_at = now
    db.session.flush()


def of_network(network_id: int):
    """The network's tokens, live first, newest first (a query, to paginate)."""
    return (
        select(ApiToken)
        .where(ApiToken.network_id == network_id)
        .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(), ApiToken.id.desc())
    )
