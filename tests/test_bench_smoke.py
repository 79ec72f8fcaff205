"""Every benchmark runs end to end on tiny data (the real figures come from `make bench`)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import IS_POSTGRES

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(IS_POSTGRES, reason="the harness is exercised once, in the SQLite pass")
def test_every_benchmark_runs_on_tiny_data():
    from bench.run import cases

    command = [sys.executable, "-m", "bench.run", "--scale", "tiny", "--database", "sqlite",
               "--requests", "3", "--warmup", "1", "--workers", "1", "--quick"]  # fmt: skip
    finished = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert finished.returncode == 0, finished.stdout + finished.stderr
    results = json.loads((ROOT / "bench/results/bench-tiny.json").read_text())
    assert sorted(r["name"] for r in results) == sorted(c.name for c in cases())
    for result in results:
        assert 0 < result["median_ms"] <= result["p95_ms"]
        in_process = result["database"] == "-"
        assert in_process or result["peak_mib"] > 0
    assignments = [r for r in results if r["name"].startswith("assignment")]
    assert [n for r in assignments for n in r["notes"] if "all rules hold" in n] != []
    meetings = {r["name"]: " ".join(r["notes"]) for r in results if r["name"].startswith("meetings")}
    assert len(meetings) == 2 and all("all hard rules hold" in n for n in meetings.values()), meetings
    assert "every kept meeting unchanged" in meetings["meetings re-plan, 10 % absent"]
    searches = [r for r in results if r["name"] == "directory search"]
    assert searches[0]["queries"] == 7  # the same budget as tests/test_query_counts.py


def _pg_reachable():
    from bench.harness import PG

    return subprocess.run(["pg_isready", "-q", "-d", PG], check=False).returncode == 0


@pytest.mark.skipif(not _pg_reachable(), reason="needs the PostgreSQL server at 127.0.0.1:5432")
def test_a_benchmark_database_never_disturbs_another_run_on_the_same_server():
    """Another run's database, with the name a fixed-name harness would pick, keeps its connection."""
    import psycopg

    from bench import harness

    other = harness.create_database("vitrine_bench_calendar")
    try:
        with psycopg.connect(f"{harness.PG}/{other}") as connection:
            seen = harness.on_fresh_postgresql(
                "vitrine_bench_calendar", lambda url, quick: url.rsplit("/", 1)[1], quick=True
            )
            assert seen != other and seen.startswith("vitrine_bench_calendar_")
            assert connection.execute("SELECT 1").fetchone() == (1,)
        listed = subprocess.run(
            [*harness.PSQL_ADMIN[:-1], "-tAc", "SELECT datname FROM pg_database"],
            capture_output=True, text=True, check=True,
        ).stdout.split()  # fmt: skip
        assert other in listed and seen not in listed
    finally:
        harness.drop_database(other)
