"""Backups of the embedded SQLite database, taken while the app writes, restore consistently."""

import sqlite3
import threading
import time

import pytest
from sqlalchemy import create_engine, text

from crm import backup
from tests.conftest import IS_POSTGRES

pytestmark = pytest.mark.skipif(IS_POSTGRES, reason="the SQLite backup commands")


def _company_and_show_pairs(path):
    with sqlite3.connect(path) as connection:
        companies = connection.execute(
            "SELECT count(*) FROM organisations WHERE kind = 'company'"
        ).fetchone()[0]
        orphans = connection.execute(
            "SELECT count(*) FROM organisations o WHERE kind = 'company' "
            "AND NOT EXISTS (SELECT 1 FROM shows s WHERE s.company_id = o.id)"
        ).fetchone()[0]
    connection.close()
    return companies, orphans


def _write_pairs(database, stop, written):
    """Insert a company and its show in one transaction, over and over, like the app would."""
    engine = create_engine(f"sqlite:///{database}")
    n = 0
    while not stop.is_set():
        n += 1
        with engine.begin() as connection:
            company = connection.execute(
                text("INSERT INTO organisations (network_id, kind, name, is_venue, has_blackout, search_key, "
                     "created_at, updated_at) VALUES (1, 'company', :name, 0, 0, '', '2026-01-01', "
                     "'2026-01-01') "
                     "RETURNING id"),
                {"name": f"Compagnie écrite {n}"},
            ).scalar()  # fmt: skip
            connection.execute(
                text("INSERT INTO shows (network_id, company_id, title, discipline, audience, "
                     "duration_minutes, cast_size, setup_minutes, strike_minutes, created_at) "
                     "VALUES (1, :company, 'Titre', 'theatre', 'all', 50, 2, 0, 0, '2026-01-01')"),
                {"company": company},
            )  # fmt: skip
        written.append(n)
    engine.dispose()


def test_backup_taken_during_writes_restores_to_a_consistent_database(app, world, tmp_path):
    database = backup.sqlite_path()
    stop, written = threading.Event(), []
    writer = threading.Thread(target=_write_pairs, args=(database, stop, written))
    writer.start()
    deadline = time.monotonic() + 30
    while len(written) < 20 and writer.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(written) >= 20, "the writer stopped before the backup could start"
    target = tmp_path / "backup.sqlite3"
    backup.backup(database, target)
    stop.set()
    writer.join()
    companies, orphans = _company_and_show_pairs(target)
    assert orphans == 0
    assert 4 + 20 <= companies <= 4 + len(written)
    restored = tmp_path / "restored.sqlite3"
    backup.restore(target, restored)
    assert _company_and_show_pairs(restored) == (companies, 0)


def test_restore_refuses_a_file_that_is_not_a_database(tmp_path):
    junk = tmp_path / "notes.sqlite3"
    junk.write_text("pas une base de données")
    with pytest.raises(backup.BackupError, match="is not a Vitrine database"):
        backup.restore(junk, tmp_path / "target.sqlite3")
    assert not (tmp_path / "target.sqlite3").exists()


def test_backup_command_writes_a_checked_copy(app, world, runner, tmp_path):
    target = tmp_path / "copie.sqlite3"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert _company_and_show_pairs(target) == (4, 0)
    again = runner.invoke(args=["backup", str(target)])
    assert again.exit_code == 1
    assert "already exists" in again.output


def test_restore_command_asks_for_confirmation(app, world, runner, tmp_path):
    target = tmp_path / "copie.sqlite3"
    runner.invoke(args=["backup", str(target)])
    refused = runner.invoke(args=["restore", str(target)], input="n\n")
    assert refused.exit_code == 1
    assert runner.invoke(args=["restore", str(target), "--yes"]).exit_code == 0
