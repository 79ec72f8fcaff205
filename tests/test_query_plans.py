"""At national scale on PostgreSQL, the main pages never scan a large table sequentially."""

import json
from datetime import UTC, date, datetime

import pytest
import time_machine
from sqlalchemy import text

from crm.accounts.models import User
from crm.base.extensions import db
from crm.base.querycount import count_queries
from crm.demo.generate import SCALES, generate
from tests.conftest import IS_POSTGRES, sign_in

pytestmark = pytest.mark.skipif(not IS_POSTGRES, reason="query plans are checked on PostgreSQL")
LARGE_TABLES = {"programmers", "programmer_disciplines", "organisations", "shows", "users"}
PAGES = [
    "/programmers",
    "/programmers?q=orleans",
    "/programmers?q=martin&page=3",
    "/programmers?region=CVL&discipline=dance&structure_type=library",
    "/programmers?attended=9",
    "/",
    "/companies?q=compagnie 2",
    "/structures",
    "/editions",
    "/editions/9",
    "/editions/9/planning",
    "/editions/9/registrations",
    "/programme/reseau-01-edition-9",
    "/programme/reseau-01-edition-9.json",
    "/programme/",
    "/editions/9/suivi",
    "/editions/9/suivi?page=4",
    "/taches?vue=done",
    "/taches?vue=upcoming",
    "/programmers/12",
    "/programmers?contacted=never",
    "/programmers?contacted=30",
    "/programme/reseau-01-edition-9.ics",
    "/outbox",
    # The cross-edition report ("/impact") aggregates a network's whole history: a sequential scan of its
    # outcomes is the planner's right choice there; its figure is the benchmark's (bench/bench_pages.py).
    "/editions/9/impact",
    "/outcomes",
    "/outcomes?logo=missing&edition=9",
    "/editions/9/box-office",
]
# Registrations and slots grow with every edition. Editions (300) and assignments (about 5,000) stay
# small enough at national scale that a hash join over a sequential scan is the planner's right choice.
LARGE_TABLES |= {"registrations", "slots", "attendances"}
# The follow-up's tables: hundreds of thousands of rows at national scale.
LARGE_TABLES |= {
    "followup_enrolments", "followup_step_runs", "followup_tasks", "followup_answers", "interactions",
    "outcomes", "outcome_dates",
}  # fmt: skip


def _scans(plan):
    node_type = plan.get("Node Type")
    if node_type == "Seq Scan":
        yield plan["Relation Name"]
    for child in plan.get("Plans", []):
        yield from _scans(child)


GENERATED_ON = date(2026, 11, 27)
# The pages are asked on the day the data was made: "contacted in the last 30 days" and the like then
# select what they would on a live instance, whatever day the suite runs (a day later, that filter
# matches no row at all and a sequential scan becomes the planner's right choice).
ASKED_AT = datetime(2026, 11, 27, 10, tzinfo=UTC)


@pytest.fixture
def national(app):
    generate(SCALES["national"], GENERATED_ON)
    db.session.commit()
    with db.engine.connect() as connection:
        connection.execute(text("ANALYZE"))
        connection.commit()


def test_page_statements_use_indexes_at_national_scale(app, national):
    coordinator = db.session.get(User, 1)
    client = app.test_client()
    scanned = []
    with time_machine.travel(ASKED_AT, tick=False):
        sign_in(client, coordinator)
        for page in PAGES:
            with count_queries(db.engine) as statements:
                assert client.get(page).status_code == 200
            scanned += [
                (page, table, sql[:80]) for sql, params in statements for table in _seq_scans(sql, params)
            ]
    assert scanned == [], "\n".join(map(str, scanned))


def _seq_scans(statement, parameters):
    if not statement.lstrip().upper().startswith(("SELECT", "WITH", "INSERT", "UPDATE", "DELETE")):
        return []  # SAVEPOINT and the like: nothing to plan
    if isinstance(parameters, list):  # executemany (rendered bytes stored): one row's plan is theirs
        parameters = parameters[0]
    with db.engine.connect() as connection:
        plan = connection.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {statement}", parameters).scalar()
    plan = plan if isinstance(plan, list) else json.loads(plan)
    return [table for table in _scans(plan[0]["Plan"]) if table in LARGE_TABLES]
