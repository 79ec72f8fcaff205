"""Rendered bytes (a feed, an event, a programme page) shared by every worker process.

The key names everything the bytes are made of (change stamps, options, language, code version), so an
entry is never stale: a change makes a new key and the old entry ages out. They live in Redis when
`REDIS_URL` is set, else in a database table; each worker keeps the ones it used last in memory. The
store is bounded (`RENDER_CACHE_MIB`, oldest dropped first by the worker's tick); `flask cache clear`
empties it.
"""

import functools
import hashlib
import logging
import threading
from collections import OrderedDict
from pathlib import Path

import click
from flask import Response, current_app, request
from flask.cli import AppGroup
from sqlalchemy import Integer, LargeBinary, String, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.http import is_resource_modified

from crm.base.database import UTCDateTime, utcnow
from crm.base.extensions import db

log = logging.getLogger(__name__)
REDIS_PREFIX = "vitrine:rendered:"
CHUNK = 10_000  # keys read in one statement: a feed of up to 10,000 events reads its events at once


class Rendered(db.Model):
    __tablename__ = "rendered"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(Integer)
    created_at = mapped_column(UTCDateTime, nullable=False, index=True)


def key(*parts) -> str:
    return hashlib.sha256(repr((code_version(), *parts)).encode()).hexdigest()


@functools.cache
def code_version() -> str:
    """A digest of the code, templates and translations this process runs: a new release renders
    anew instead of serving what the previous one wrote."""
    root = Path(__file__).resolve().parents[2]
    digest = hashlib.sha256()
    for folder, pattern in (("crm", "*.py"), ("templates", "*.html"), ("translations", "*.mo")):
        for path in sorted((root / folder).rglob(pattern)):
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def conditional(cache_key, modified, build, *, content_type, cache_control, filename=None):
    """The response for `cache_key`: a 304 when the client has it (nothing else read), else the stored
    bytes, else `build()`'s, stored for every worker. The ETag is the key: same key, same bytes."""
    etag = cache_key[:40]
    response = Response(content_type=content_type)
    response.set_etag(etag)
    response.last_modified = modified
    response.headers["Cache-Control"] = cache_control
    if filename:
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    if not is_resource_modified(request.environ, etag=etag, last_modified=modified):
        response.status_code = 304
        return response
    body = get(cache_key)
    if body is None:
        body = build()
        put(cache_key, body)
    response.set_data(body)
    return response


class _Memory:
    """The worker's own copy, least recently used dropped first, bounded in bytes."""

    def __init__(self):
        self.entries: OrderedDict[str, bytes] = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()

    def get(self, found_key):
        with self.lock:
            body = self.entries.get(found_key)
            if body is not None:
                self.entries.move_to_end(found_key)
            return body

    def put(self, new_key, body, limit):
        with self.lock:
            if new_key in self.entries:
                return
            self.entries[new_key] = body
            self.size += len(body)
            while self.size > limit and self.entries:
                _old, dropped = self.entries.popitem(last=False)
                self.size -= len(dropped)

    def clear(self):
        with self.lock:
            self.entries.clear()
            self.size = 0


memory = _Memory()
_redis_clients: dict = {}


def _redis():
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    if url not in _redis_clients:
        import redis  # noqa: PLC0415  (only where Redis is configured)

        _redis_clients[url] = redis.Redis.from_url(url, socket_timeout=2)
    return _redis_clients[url]


def get_many(keys: list[str]) -> dict[str, bytes]:
    """The stored bytes of each key found: memory first, then the shared store (one round trip)."""
    found = {k: b for k in keys if (b := memory.get(k)) is not None}
    missing = [k for k in keys if k not in found]
    if not missing:
        return found
    client = _redis()
    if client is not None:
        try:
            shared = dict(zip(missing, client.mget([REDIS_PREFIX + k for k in missing]), strict=True))
        except OSError as error:  # redis' errors derive from it: serve without the cache
            log.warning("render cache unreachable: %s", error)
            shared = {}
    else:
        shared = {}
        for chunk in range(0, len(missing), CHUNK):
            rows = db.session.execute(
                select(Rendered.key, Rendered.body).where(Rendered.key.in_(missing[chunk : chunk + CHUNK]))
            )
            shared.update({found_key: body for found_key, body in rows})
    limit = _memory_limit()
    for found_key, body in shared.items():
        if body is not None:
            memory.put(found_key, body, limit)
            found[found_key] = body
    return found


def get(found_key: str) -> bytes | None:
    return get_many([found_key]).get(found_key)


def put_many(entries: dict[str, bytes]) -> None:
    """Keep the bytes for every worker. Written on a connection of its own, so that what the request
    does with its transaction (a GET commits nothing) does not matter; a failure only costs a render."""
    if not entries:
        return
    limit = _memory_limit()
    for new_key, body in entries.items():
        memory.put(new_key, body, limit)
    client = _redis()
    if client is not None:
        try:
            client.mset({REDIS_PREFIX + k: v for k, v in entries.items()})
        except OSError as error:
            log.warning("render cache unreachable: %s", error)
        return
    now = utcnow()
    rows = [{"key": k, "body": v, "size": len(v), "created_at": now} for k, v in entries.items()]
    try:
        with db.engine.begin() as connection:
            dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
            connection.execute(dialect.insert(Rendered).on_conflict_do_nothing(), rows)
    except SQLAlchemyError as error:  # a busy database file: the next request renders again
        log.info("render cache not written: %s", type(error).__name__)


def put(new_key: str, body: bytes) -> None:
    put_many({new_key: body})


def _memory_limit() -> int:
    return current_app.config.get("RENDER_CACHE_MEMORY_MIB", 32) * 2**20


def trim(limit_bytes: int | None = None) -> int:
    """Drop the oldest stored entries beyond the bound; returns how many went. (Redis bounds itself
    with its own `maxmemory` policy.)"""
    if _redis() is not None:
        return 0
    limit = current_app.config["RENDER_CACHE_MIB"] * 2**20 if limit_bytes is None else limit_bytes
    total = db.session.scalar(select(func.coalesce(func.sum(Rendered.size), 0)))
    dropped = 0
    while total > limit:
        oldest = db.session.execute(
            select(Rendered.key, Rendered.size).order_by(Rendered.created_at, Rendered.key).limit(200)
        ).all()
        if not oldest:
            break
        keys = []
        for old_key, size in oldest:
            if total <= limit:
                break
            keys.append(old_key)
            total -= size
        db.session.execute(delete(Rendered).where(Rendered.key.in_(keys)))
        dropped += len(keys)
    db.session.commit()
    return dropped


def trim_job(*, now, worker) -> dict:
    """The tick's share: keep the shared store within its bound."""
    return {"rendered_dropped": trim()}


def clear() -> None:
    memory.clear()
    client = _redis()
    if client is not None:
        names = list(client.scan_iter(REDIS_PREFIX + "*"))
        if names:
            client.delete(*names)
        return
    db.session.execute(delete(Rendered))
    db.session.commit()


cache_cli = AppGroup("cache", help="The shared cache of rendered feeds and pages.")


@cache_cli.command("clear")
def clear_command():
    """Empty it (every worker renders again on the next request; nothing else is lost)."""
    clear()
    click.echo("Cache des pages et calendriers vidé.")
