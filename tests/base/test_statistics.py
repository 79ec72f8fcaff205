"""SQLite's planner statistics are refreshed by the worker's tick, once a day."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from crm.base import database
from crm.base.extensions import db
from tests.conftest import IS_POSTGRES


@pytest.mark.skipif(IS_POSTGRES, reason="PostgreSQL keeps its own statistics (autovacuum)")
def test_the_tick_analyses_sqlite_once_a_day(app, world):
    database._last_statistics.clear()
    monday = datetime(2027, 3, 1, 9, tzinfo=UTC)
    db.session.execute(text("DROP TABLE IF EXISTS sqlite_stat1"))
    db.session.commit()
    assert database.refresh_statistics(now=monday, worker="w") == {"statistics": 1}
    tables = db.session.execute(text("SELECT DISTINCT tbl FROM sqlite_stat1")).scalars().all()
    assert "organisations" in tables  # the world's rows were counted
    assert database.refresh_statistics(now=monday + timedelta(hours=23), worker="w") == {}
    assert database.refresh_statistics(now=monday + timedelta(hours=25), worker="w") == {"statistics": 1}
