"""Database helpers shared by every feature: UTC timestamps, SQLite pragmas, scoped look-ups."""

import unicodedata
from datetime import UTC, datetime, timedelta

from flask import abort
from sqlalchemy import DateTime, Index, event, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.types import TypeDecorator

from crm.base.extensions import db


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Stores naive UTC on every database and always hands back aware UTC datetimes."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=UTC)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """WAL and a busy timeout let the web server and a background job write at the same time."""
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


STATISTICS_EVERY = timedelta(days=1)
_last_statistics: dict[str, datetime] = {}


def refresh_statistics(*, now, worker) -> dict:
    """The tick's share on SQLite: the planner's statistics (ANALYZE, under a second at national
    scale) once a day. Without them SQLite may walk a 400,000-row index for a 20-row answer;
    PostgreSQL keeps its own (autovacuum)."""
    connection = db.session.connection()
    if connection.dialect.name != "sqlite":
        return {}
    database = str(connection.engine.url)
    last = _last_statistics.get(database)
    if last is not None and now - last < STATISTICS_EVERY:
        return {}
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    _last_statistics[database] = now
    return {"statistics": 1}


def trigram_index(name: str, column: str) -> Index:
    """An index serving `LIKE '%word%'` searches: GIN trigram on PostgreSQL, plain elsewhere."""
    return Index(name, column, postgresql_using="gin", postgresql_ops={column: "gin_trgm_ops"})


def get_in_network_or_404(model, object_id, network_id):
    """Load a network-owned row, or 404 when it is missing or belongs to another network."""
    row = db.session.get(model, object_id)
    if row is None or row.network_id != network_id:
        abort(404)
    return row


def search_key(*parts) -> str:
    """Lower-case, accent-free text used for accent-insensitive search ("Orleans" finds "Orléans")."""
    text = " ".join(p for p in parts if p)
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def claim_rows(model, conditions, order_by, limit: int, values: dict) -> list[int]:
    """Take up to `limit` rows for this transaction and mark them with `values`; returns their ids.

    PostgreSQL: `UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED)`, so concurrent workers take
    disjoint rows. SQLite has no row locks: `BEGIN IMMEDIATE` takes the database's write lock first,
    then one `UPDATE … RETURNING`. Either way the rows are ours until the transaction ends.
    """

    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        raw = connection.connection.dbapi_connection
        if not raw.in_transaction:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
    chosen = (
        db.select(model.id)
        .where(*conditions)
        .order_by(*order_by)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    result = db.session.execute(
        update(model).where(model.id.in_(chosen)).values(**values).returning(model.id),
        execution_options={"synchronize_session": False},
    )
    return sorted(result.scalars())
