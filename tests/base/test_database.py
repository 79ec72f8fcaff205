import pytest
from sqlalchemy import text

from crm.base.extensions import db
from tests.conftest import IS_POSTGRES


@pytest.mark.skipif(IS_POSTGRES, reason="SQLite pragmas")
def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(app):
    with db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 10000
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}
