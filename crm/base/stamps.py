"""Change stamps: a version per thing a page or a feed is made of (an edition's programme, a company's
passages, a person's agenda), raised in the same transaction as the write that changes it.

A page's ETag is built from the stamps it reads, so a revalidation reads one indexed row instead of
the rows themselves, and a stored rendering is found again by every worker under the same key.

Each feature says which stamps a change of its rows raises (`watch(Model, scopes)`), where its models
are; the flush collects them, deletions included, and raises each once. A bulk UPDATE or DELETE on a
watched table does not go through the flush: it names what it changes with `touch(kind, ids)`.
"""

import logging
import secrets
from collections.abc import Callable, Iterable

from sqlalchemy import Integer, String, event, func, inspect, literal_column, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from crm.base.database import UTCDateTime, utcnow
from crm.base.extensions import db

log = logging.getLogger(__name__)

EDITION, COMPANY, INVITATION = "edition", "company", "invitation"


class ChangeStamp(db.Model):
    """The version of one thing that pages show; `changed_at` never goes back (it is their
    Last-Modified)."""

    __tablename__ = "change_stamps"

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    object_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(Integer, default=1)
    changed_at = mapped_column(UTCDateTime, nullable=False)


Scopes = Callable[[list, object], Iterable[tuple[str, int]]]
_watched: dict[type, list[tuple[Scopes, frozenset | None]]] = {}
_PENDING = "crm.stamps.pending"


def watch(model: type, scopes: Scopes, columns: Iterable[str] | None = None) -> None:
    """After a flush that adds, changes or deletes `model` rows: raise the stamps that
    `scopes(rows, connection)` names, as (kind, id) pairs. With `columns`, a changed row counts only
    when one of them changed (a company's phone number is on no programme)."""
    _watched.setdefault(model, []).append((scopes, frozenset(columns) if columns else None))


def values(row, name: str) -> set:
    """The attribute's value now and, when this flush changes it, the value before: a slot moved from
    one venue to another changes both venues' pages."""
    attribute = inspect(row).attrs[name]
    history = attribute.history
    found = {*history.added, *history.deleted, *history.unchanged} or {attribute.value}
    return {value for value in found if value is not None}


def touch(session: Session, kind: str, ids: Iterable[int]) -> None:
    """Raise stamps with the next flush (or now, when nothing is left to flush): for bulk writes."""
    session.info.setdefault(_PENDING, set()).update((kind, i) for i in ids if i is not None)
    raise_pending(session, session.connection())


def _changed(row, columns) -> bool:
    state = inspect(row)
    return any(state.attrs[name].history.has_changes() for name in columns)


@event.listens_for(Session, "after_flush")
def _collect(session, _context):
    pending = session.info.setdefault(_PENDING, set())
    touched: dict[tuple, list] = {}
    for row, is_change in [
        *((r, False) for r in session.new),
        *((r, False) for r in session.deleted),
        *((r, True) for r in session.dirty),
    ]:
        for scopes, columns in _watched.get(type(row), ()):
            if is_change and not (_changed(row, columns) if columns else session.is_modified(row)):
                continue
            touched.setdefault(scopes, []).append(row)
    if not touched:
        return
    connection = session.connection()
    for scopes, rows in touched.items():
        pending.update(scopes(rows, connection))
    raise_pending(session, connection)


def raise_pending(session, connection) -> None:
    """One statement for every stamp of the flush. A version is drawn at random rather than counted:
    a database restored from a backup, or a test's fresh one, never meets a version it had before
    under other contents."""
    pending = session.info.pop(_PENDING, set())
    if not pending:
        return
    now = utcnow().replace(microsecond=0)
    rows = [
        {"kind": k, "object_id": i, "version": secrets.randbits(31), "changed_at": now}
        for k, i in sorted(pending)
    ]
    table = ChangeStamp.__table__
    if connection.dialect.name == "postgresql":
        insert = postgresql.insert(ChangeStamp)
        next_second = table.c.changed_at + literal_column("interval '1 second'")
        later = func.greatest(insert.excluded.changed_at, next_second)
    else:  # naive UTC text, written the way the column type writes it
        insert = sqlite.insert(ChangeStamp)
        next_second = func.strftime("%Y-%m-%d %H:%M:%S.000000", table.c.changed_at, "+1 second")
        later = func.max(insert.excluded.changed_at, next_second)
    # Never back, never the same second twice: a client's If-Modified-Since stays right.
    statement = insert.on_conflict_do_update(
        index_elements=["kind", "object_id"], set_={"version": insert.excluded.version, "changed_at": later}
    )
    connection.execute(statement, rows)


def read(*scopes: tuple[str, int]):
    """(versions, last change) of the scopes, in one query; (0, None) for a scope never raised."""
    query = select(ChangeStamp.kind, ChangeStamp.object_id, ChangeStamp.version, ChangeStamp.changed_at)
    query = query.where(tuple_(ChangeStamp.kind, ChangeStamp.object_id).in_(scopes))
    rows = {(r.kind, r.object_id): (r.version, r.changed_at) for r in db.session.execute(query)}
    found = [rows.get(scope, (0, None)) for scope in scopes]
    changed = [c for _v, c in found if c is not None]
    return tuple(v for v, _c in found), max(changed, default=None)
