"""Online backup and restore of the embedded SQLite database (PostgreSQL uses pg_dump)."""

import sqlite3
from datetime import datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import make_url

from crm.base.extensions import db


class BackupError(Exception):
    pass


def sqlite_path() -> Path:
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise BackupError(
            "this command backs up the embedded SQLite database; for PostgreSQL use pg_dump (see the README)"
        )
    return Path(url.database)


def backup(source: Path, target: Path) -> None:
    """Copy a live database page by page; safe while the app writes (SQLite's online backup API)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(source) as live, sqlite3.connect(target) as copy:
        live.backup(copy)
    copy.close()
    live.close()
    check(target)


def check(path: Path) -> None:
    """Refuse a file that is not a sound Vitrine database."""
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
            status = connection.execute("PRAGMA integrity_check").fetchone()[0]
            revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        connection.close()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a Vitrine database ({error})") from None
    if status != "ok" or revision is None:
        raise BackupError(f"{path} failed its integrity check ({status})")


def restore(source: Path, target: Path) -> None:
    """Replace the target database's content with a checked backup."""
    check(source)
    with sqlite3.connect(source) as saved, sqlite3.connect(target) as live:
        saved.backup(live)
    saved.close()
    live.close()


@click.command("backup")
@click.argument("target", required=False, type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(target):
    """Back up the SQLite database (default: instance/backups/vitrine-DATE.sqlite3)."""
    try:
        source = sqlite_path()
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        target = target or Path(current_app.instance_path) / "backups" / f"vitrine-{stamp}.sqlite3"
        if target.exists():
            raise BackupError(f"{target} already exists")
        backup(source, target)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"backup written to {target}")


@click.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.confirmation_option(prompt="Replace the current database with this backup? Stop the app first.")
@with_appcontext
def restore_command(source):
    """Restore the SQLite database from a backup file (stop the app first)."""
    try:
        target = sqlite_path()
        db.engine.dispose()
        restore(source, target)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"database restored from {source}")
