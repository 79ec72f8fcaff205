"""The migrations and the models describe the same schema, on SQLite and on PostgreSQL."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from crm.base.extensions import db


def test_migrations_and_models_agree(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_schema_has_every_model_table(app):
    tables = set(inspect(db.engine).get_table_names())
    assert {t.name for t in db.metadata.sorted_tables} | {"alembic_version"} == tables


def test_migrations_go_down_to_nothing_and_up_again(app):
    from flask_migrate import downgrade, upgrade

    downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade()
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []


def test_migrations_upgrade_a_filled_database(app, world):
    """Every revision after the first goes down and up again with rows in every core table."""
    from flask_migrate import downgrade, upgrade

    counts = _core_counts()
    db.session.remove()
    downgrade(revision=FIRST_REVISION)
    upgrade()
    assert _core_counts() == counts


FIRST_REVISION = "0aafe745e8ba"


def _core_counts():
    tables = ("networks", "users", "organisations", "shows", "programmers", "editions")
    with db.engine.connect() as connection:
        return {t: connection.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in tables}  # noqa: S608


def test_every_foreign_key_is_indexed():
    """A foreign key column must lead some index (or the primary key), or joins and deletes scan."""
    missing = []
    for table in db.metadata.sorted_tables:
        leading = {index.columns.values()[0].name for index in table.indexes}
        leading |= {
            c.columns.values()[0].name for c in table.constraints if hasattr(c, "columns") and c.columns
        }
        leading.add(table.primary_key.columns.values()[0].name)
        missing += [
            f"{table.name}.{fk.parent.name}" for fk in table.foreign_keys if fk.parent.name not in leading
        ]
    assert missing == []


def test_migration_files_sort_in_the_order_of_their_chain():
    import re
    from pathlib import Path

    files = sorted((Path(__file__).resolve().parent.parent / "migrations" / "versions").glob("*.py"))
    previous = None
    for path in files:
        text = path.read_text()
        revision = re.search(r"^revision = ['\"](\w+)['\"]", text, re.M).group(1)
        down = re.search(r"^down_revision = (?:['\"](\w+)['\"]|None)", text, re.M).group(1)
        assert down == previous, f"{path.name} follows {down}, not the file before it"
        assert re.match(r"\d{4}-\d\d-\d\d_\d{4}_" + revision, path.name), path.name
        previous = revision
