"""Importing a 10,000-row spreadsheet of programmers (read, check every row, write), in-process."""

import csv
import io
import tempfile
import time
from pathlib import Path

from bench.harness import CallCase

ROWS = 10_000


def spreadsheet(rows=ROWS) -> bytes:
    """A French Excel export: `;`, Windows-1252, a few refused rows like real files have."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Prénom", "Nom", "E-mail", "Téléphone", "Structure", "Département", "Disciplines"])
    for n in range(rows):
        email = f"personne{n}@exemple.fr" if n % 500 else "pas-une-adresse"
        writer.writerow(
            [
                "Hélène",
                f"Lefèvre {n}",
                email,
                f"02 61 91 {n % 90 + 10} {n % 89 + 10}",
                f"Médiathèque {n % 300}",
                f"{n % 95 + 1:02d}" if n % 95 + 1 != 20 else "2A",
                "Théâtre, danse",
            ]
        )
    return out.getvalue().encode("cp1252")


def _run(quick):
    from flask_migrate import upgrade

    from crm import create_app
    from crm.accounts.models import Role
    from crm.accounts.services import create_user
    from crm.admin.services import save_network
    from crm.base.extensions import db
    from crm.contacts import importing
    from crm.imports.reading import read_table

    rows = 500 if quick else ROWS
    data = spreadsheet(rows)
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'import.sqlite3'}",
                "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
            }
        )
        with app.app_context():
            upgrade()
            network = save_network(None, {"name": "Réseau", "slug": "reseau"})
            actor = create_user(
                email="c@example.org",
                full_name="C",
                role=Role.COORDINATOR,
                password="un mot de passe long",  # noqa: S106 - a throwaway benchmark account
                network=network,
            )
            db.session.commit()
            started = time.perf_counter()
            table = read_table(data)
            planned = importing.apply(
                network.id,
                table,
                importing.guess_mapping(table.headers),
                actor=actor,
                source="Banc d'essai",
                lawful_basis="legitimate_interest",
            )
            db.session.commit()
            seconds = time.perf_counter() - started
            created = sum(1 for p in planned if p.action == importing.Action.CREATE)
            refused = sum(1 for p in planned if p.action == importing.Action.REFUSED)
            db.engine.dispose()
    return [
        f"{rows:,} rows, {len(data) // 1024} KiB: {created:,} created, {refused} refused",
        f"import alone {seconds:.1f} s (the rest: a fresh SQLite database and its migrations)",
    ]


CASES = [CallCase("import 10,000-row CSV", _run, repeats=3, median_goal_ms=10_000)]
