"""`make bench`: every benchmark under bench/, on SQLite and (when reachable) PostgreSQL, in one table.

python -m bench.run [--scale national|small|tiny] [--database sqlite|postgresql|both]
                    [--requests N] [--workers N] [--quick] [--only TEXT]
"""

import argparse
import importlib
import json
import pkgutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench import harness

RESULTS = harness.ROOT / "bench" / "results"
PG = harness.PG


def cases(kind=None):
    import bench

    found = []
    for module in pkgutil.iter_modules(bench.__path__):
        if module.name.startswith("bench_"):
            found += importlib.import_module(f"bench.{module.name}").CASES
    return [case for case in found if kind is None or isinstance(case, kind)]


def databases(choice, scale):
    if choice in ("sqlite", "both"):
        path = RESULTS / f"bench-{scale}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        yield "sqlite", f"sqlite:///{path}"
    if choice in ("postgresql", "both"):
        if subprocess.run(["pg_isready", "-q", "-d", PG], check=False).returncode != 0:
            print(f"PostgreSQL not reachable at {PG}: skipped", file=sys.stderr)
            return
        name = harness.create_database(f"vitrine_bench_{scale}")
        try:
            yield "postgresql", f"{PG}/{name}"
        finally:
            harness.drop_database(name)


def run_database(label, url, args, selected):
    started = time.perf_counter()
    report = harness.prepare(url, args.scale)
    print(f"[{label}] {report.splitlines()[0]} (with migrations: {time.perf_counter() - started:.1f} s)")
    results = []
    values = harness.placeholders(url)
    with harness.gunicorn(url, args.workers) as server:
        cookies = {"coordinator": harness.sign_in(server.port),
                   "federation": harness.sign_in(server.port, harness.FEDERATION)}  # fmt: skip
        for case in selected:
            path = case.path.format(**values)
            headers = {"Authorization": f"Bearer {harness.api_token(url)}"} if case.role == "api" else None
            times = harness.timed(server.port, path, cookies.get(case.role),
                                  args.requests, args.warmup, headers=headers)  # fmt: skip
            result = harness.Result(
                case.name, label, statistics.median(times), harness.p95(times),
                harness.queries_per_request(url, path, case.role), None,
            )  # fmt: skip
            if case.p95_goal_ms:
                met = "met" if result.p95_ms < case.p95_goal_ms else "MISSED"
                result.notes.append(f"goal p95 < {case.p95_goal_ms:.0f} ms: {met}")
            if case.throughput and not args.quick:
                rate = harness.throughput(server.port, path)
                note = f"{rate:,.0f} req/s ({args.workers} workers, wrk -c32 10 s)" if rate else "wrk missing"
                result.notes.append(note)
            results.append(result)
        peak = server.peak_worker_mib()
    for result in results:
        result.peak_mib = peak
    return results


def run_call(case, args):
    """Time an in-process case: median and p95 over its repeats (one run with --quick); a case that
    returns `harness.Timed` notes gives its own time for each run."""
    times, notes = [], []
    for _ in range(1 if args.quick else case.repeats):
        started = time.perf_counter()
        notes = case.run(args.quick)
        elapsed = (time.perf_counter() - started) * 1000
        times.append(notes.ms if isinstance(notes, harness.Timed) else elapsed)
    result = harness.Result(
        case.name, "-", statistics.median(times), harness.p95(times), None, None, list(notes)
    )
    if case.median_goal_ms:
        met = "met" if result.median_ms < case.median_goal_ms else "MISSED"
        result.notes.append(f"goal median < {case.median_goal_ms:.0f} ms: {met}")
    return result


def print_table(results):
    columns = ("median ms", "p95 ms", "queries", "peak MiB")
    header = f"{'benchmark':34} {'database':10} " + " ".join(f"{c:>9}" for c in columns) + "  notes"
    print(header)
    print("-" * len(header))
    for r in results:
        peak = f"{r.peak_mib:.0f}" if r.peak_mib else "-"
        print(f"{r.name:34} {r.database:10} {r.median_ms:9.1f} {r.p95_ms:9.1f} {r.queries!s:>9} {peak:>9}  "
              f"{'; '.join(r.notes)}")  # fmt: skip


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", default="national", choices=["national", "small", "tiny"])
    parser.add_argument("--database", default="both", choices=["sqlite", "postgresql", "both"])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--quick", action="store_true", help="no throughput run (smoke test)")
    parser.add_argument("--only", help="run only the cases whose name contains this text")
    args = parser.parse_args(argv)
    RESULTS.mkdir(parents=True, exist_ok=True)
    wanted = [case for case in cases() if not args.only or args.only in case.name]
    selected = [case for case in wanted if isinstance(case, harness.HttpCase)]
    results = [run_call(case, args) for case in wanted if isinstance(case, harness.CallCase)]
    for label, url in databases(args.database, args.scale):
        results += run_database(label, url, args, selected)
    print_table(results)
    (RESULTS / f"bench-{args.scale}.json").write_text(json.dumps([r.__dict__ for r in results], indent=1))
    missed = any("MISSED" in " ".join(r.notes) for r in results)
    # tiny data checks that every case runs (the smoke test); the goals are judged at the real scales
    return 1 if missed and args.scale != "tiny" else 0


if __name__ == "__main__":
    sys.exit(main())
