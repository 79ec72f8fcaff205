"""Rate limits with counters every worker process sees: rows in the database, one per hit.

A rule allows `limit` hits per `minutes` for one key (an account, a client address, an account from one
address…). Sign-in failures, imports, previews and invitation sends all count here.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps

from flask import current_app, request
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import Index, String, delete, func, select
from sqlalchemy.orm import Mapped, mapped_column

from crm.base.database import UTCDateTime, utcnow
from crm.base.errors import DomainError
from crm.base.extensions import db

log = logging.getLogger(__name__)
KEEP = timedelta(days=1)  # hits older than this are of no use to any rule


class RateHit(db.Model):
    __tablename__ = "rate_hits"
    __table_args__ = (Index("ix_rate_hits_bucket_key_at", "bucket", "key", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bucket: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(320))
    at = mapped_column(UTCDateTime, nullable=False)


@dataclass(frozen=True)
class Rule:
    bucket: str
    limit: int
    minutes: int


class RateLimitedError(DomainError):
    """Too many requests: says when to try again (and the view answers 429 with Retry-After)."""

    def __init__(self, seconds: int, message=None):
        self.retry_after = max(int(seconds), 1)
        minutes = -(-self.retry_after // 60)
        super().__init__(
            message
            or ngettext(
                "Trop de demandes en peu de temps : réessayez dans %(num)d minute.",
                "Trop de demandes en peu de temps : réessayez dans %(num)d minutes.",
                minutes,
            )
        )
        self.minutes = minutes


def wait_seconds(rule: Rule, key: str, *, now) -> int:
    """0 when the key may go on; else the seconds until the oldest hit that counts leaves the window."""
    since = now - timedelta(minutes=rule.minutes)
    oldest_counted = db.session.scalar(
        select(RateHit.at)
        .where(RateHit.bucket == rule.bucket, RateHit.key == key, RateHit.at >= since)
        .order_by(RateHit.at.desc())
        .offset(rule.limit - 1)
        .limit(1)
    )
    if oldest_counted is None:
        return 0
    return int((oldest_counted + timedelta(minutes=rule.minutes) - now).total_seconds()) + 1


def count(bucket: str, key: str, *, since) -> int:
    query = select(func.count()).select_from(RateHit)
    return db.session.scalar(query.where(RateHit.bucket == bucket, RateHit.key == key, RateHit.at >= since))


def record(bucket: str, key: str, *, now) -> None:
    db.session.add(RateHit(bucket=bucket, key=key[:320], at=now))
    db.session.execute(delete(RateHit).where(RateHit.bucket == bucket, RateHit.at < now - KEEP))
    db.session.flush()


def forget(bucket: str, key: str) -> None:
    db.session.execute(delete(RateHit).where(RateHit.bucket == bucket, RateHit.key == key))


def check(pairs, *, now) -> None:
    """Raise RateLimitedError when one of the (rule, key) pairs is over its limit."""
    for rule, key in pairs:
        wait = wait_seconds(rule, key, now=now)
        if wait:
            log.warning("rate limit %s reached", rule.bucket)
            raise RateLimitedError(wait)


def client_address() -> str:
    return request.remote_addr or "unknown"


def rules(name: str) -> tuple[Rule, Rule]:
    """The per-account and per-address rules of a limited action, from the settings."""
    per_account, per_address, minutes = current_app.config["RATE_LIMITS"][name]
    return Rule(f"{name}:account", per_account, minutes), Rule(f"{name}:address", per_address, minutes)


def limited(name: str, methods=("POST",)):
    """Count a view's requests (of the given methods) per account and per client address."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if request.method in methods:
                now = utcnow()
                account, address = rules(name)
                pairs = [(account, f"user:{current_user.id}"), (address, client_address())]
                check(pairs, now=now)
                for rule, key in pairs:
                    record(rule.bucket, key, now=now)
                db.session.commit()  # counted even when the action itself then fails
            return view(*args, **kwargs)

        return wrapper

    return decorate
