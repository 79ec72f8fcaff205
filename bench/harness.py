"""Benchmark plumbing: a database at a given scale, the real app under gunicorn, timed requests."""

import http.client
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
PASSWORD = "vitrine-demo"  # noqa: S105 - the generated accounts' documented password
COORDINATOR = "coordination@reseau-01.example"
FEDERATION = "federation@vitrine.example"  # reads the barometer of the networks that share their figures
PG = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432")


@dataclass
class HttpCase:
    """One page to time: its path, who asks for it, and the goal it must meet (ms at p95)."""

    name: str
    path: str
    role: str = "anonymous"
    p95_goal_ms: float | None = None
    throughput: bool = False


@dataclass
class CallCase:
    """Something timed in-process (no HTTP, no database): `run(quick)` returns notes for the table."""

    name: str
    run: object
    repeats: int = 5
    median_goal_ms: float | None = None


class Timed(list):
    """The notes of a call that times its own work (`ms`), for a case whose call also prepares what it
    times: `run_call` counts `ms` rather than the whole call."""

    def __init__(self, notes, ms: float):
        super().__init__(notes)
        self.ms = ms


@dataclass
class Result:
    name: str
    database: str
    median_ms: float
    p95_ms: float
    queries: int | None
    peak_mib: float | None
    notes: list[str] = field(default_factory=list)


def flask(database_url, *args, check=True):
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "bench-secret"}
    return subprocess.run(
        [str(VENV_BIN / "flask"), "--app", "wsgi", *args],
        cwd=ROOT, env=env, check=check, capture_output=True, text=True,
    )  # fmt: skip


def prepare(database_url: str, scale: str) -> str:
    """Migrate the (empty) database and fill it; returns the generator's own report."""
    flask(database_url, "db", "upgrade")
    return flask(database_url, "demo", "generate", "--scale", scale).stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    process: subprocess.Popen
    port: int

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []

    def peak_worker_mib(self) -> float | None:
        peaks = []
        for pid in self.worker_pids():
            status = Path(f"/proc/{pid}/status").read_text()
            match = re.search(r"VmHWM:\s+(\d+) kB", status)
            if match:
                peaks.append(int(match.group(1)) / 1024)
        return max(peaks) if peaks else None


# The synthetic federation's accounts sign in with a password only (as the demo does), and nothing
# limits the benchmark's own rate of requests.
BENCH_ENV = {"MFA_REQUIRED_ROLES": ""}


@contextmanager
def gunicorn(database_url: str, workers: int, port: int | None = None):
    """The real WSGI app under gunicorn on a loopback port (a free one unless given), stopped on exit."""
    port = port or free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "bench-secret", **BENCH_ENV}
    command = [str(VENV_BIN / "gunicorn"), "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
               "--log-level", "warning", "wsgi:app"]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    server = Server(process, port)
    try:
        _wait_until_up(port)
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def _wait_until_up(port, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if request(port, "/healthz")[0] == 200:
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not answer in time")


def request(port, path, cookie=None, method="GET", body=None, connection=None, headers=None):
    """One HTTP request on loopback; returns (status, headers, body)."""
    conn = connection or http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {**({"Cookie": cookie} if cookie else {}), **(headers or {})}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    data = response.read()
    if connection is None:
        conn.close()
    return response.status, response.headers, data


def sign_in(port, email=COORDINATOR, password=PASSWORD) -> str:
    """A session cookie for the account, obtained through the login form."""
    status, headers, body = request(port, "/login")
    cookie = headers["Set-Cookie"].split(";")[0]
    token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', body).group(1).decode()
    form = urlencode({"email": email, "password": password, "csrf_token": token})
    status, headers, _ = request(port, "/login", cookie=cookie, method="POST", body=form)
    if status != 302:
        raise RuntimeError(f"sign-in as {email} failed ({status})")
    return headers["Set-Cookie"].split(";")[0]


def timed(port, path, cookie, count, warmup, headers=None) -> list[float]:
    """Milliseconds for `count` sequential requests on one kept-alive connection, after a warm-up."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for _ in range(warmup):
        request(port, path, cookie, connection=connection, headers=headers)
    times = []
    for _ in range(count):
        started = time.perf_counter()
        status, _, _ = request(port, path, cookie, connection=connection, headers=headers)
        times.append((time.perf_counter() - started) * 1000)
        if status != 200:
            raise RuntimeError(f"{path} answered {status}")
    connection.close()
    return times


def p95(values) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) > 1 else values[0]


def throughput(port, path, seconds=10, connections=32) -> float | None:
    """Requests per second from wrk on loopback (bounded in time), or None when wrk is missing."""
    wrk = shutil.which("wrk")
    if wrk is None:
        return None
    output = subprocess.run(
        [wrk, "-t2", f"-c{connections}", f"-d{seconds}s", f"http://127.0.0.1:{port}{path}"],
        capture_output=True, text=True, check=True, timeout=seconds + 30,
    ).stdout  # fmt: skip
    if "Non-2xx" in output:
        raise RuntimeError(f"wrk saw error answers on {path}:\n{output}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def placeholders(database_url) -> dict:
    """Values the cases' paths refer to, read from the generated database."""
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import select

    from crm import create_app
    from crm.base.extensions import db
    from crm.showcase.models import Edition, EditionStatus

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        held = db.session.scalars(
            select(Edition)
            .where(Edition.network_id == 1, Edition.status == EditionStatus.HELD)
            .order_by(Edition.starts_on.desc())
            .limit(1)
        ).one()
        values = {"held_id": held.id, "held_slug": held.slug}
        db.engine.dispose()
    return values


def api_token(database_url, network="reseau-01") -> str:
    """A fresh read token of the network (one per case: each token has its own rate limit)."""
    return flask(
        database_url, "api", "token", "create", "--network", network, "--name", "bench"
    ).stdout.split()[-1]


def queries_per_request(database_url, path, role) -> int:
    """Statements one request sends, counted in-process with the app's own counter."""
    sys.path.insert(0, str(ROOT))
    from crm import create_app
    from crm.base.extensions import db
    from crm.base.querycount import count_queries

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "WTF_CSRF_ENABLED": False,
            "MFA_REQUIRED_ROLES": frozenset(),
        }
    )
    with app.app_context():
        engine = db.engine
    # No app context is held across requests: each request gets its own, as under gunicorn.
    client = app.test_client()
    headers = {}
    if role in ("coordinator", "federation"):
        email = COORDINATOR if role == "coordinator" else FEDERATION
        client.post("/login", data={"email": email, "password": PASSWORD})
    if role == "api":
        headers = {"Authorization": f"Bearer {api_token(database_url)}"}
    client.get(path, headers=headers)
    with count_queries(engine) as statements:
        client.get(path, headers=headers)
    engine.dispose()
    return len(statements)


def run_database_name(prefix: str) -> str:
    """A database name no other run on the same server uses (process id and time), as `.ci/run` does:
    two runs at once never drop each other's database."""
    return f"{prefix}_{os.getpid()}_{time.time_ns() // 1000}"


def create_database(prefix: str) -> str:
    """Create a database of this run's own and return its name."""
    name = run_database_name(prefix)
    subprocess.run([*PSQL_ADMIN, f'CREATE DATABASE "{name}"'], check=True)
    return name


def drop_database(name: str) -> None:
    """Drop a database this run created (and only such a one)."""
    subprocess.run([*PSQL_ADMIN, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'], check=True)


PSQL_ADMIN = ["psql", "-q", "-d", f"{PG}/postgres", "-c"]


def on_fresh_postgresql(prefix: str, measure, quick):
    """Run `measure(url, quick)` on a PostgreSQL database made for it and dropped after."""
    if subprocess.run(["pg_isready", "-q", "-d", PG], check=False).returncode != 0:
        return ["PostgreSQL not reachable: skipped"]
    name = create_database(prefix)
    try:
        return measure(f"{PG}/{name}", quick)
    finally:
        drop_database(name)


def on_fresh_sqlite(name: str, measure, quick):
    """Run `measure(url, quick)` on a SQLite file made for it in a temporary folder, removed after."""
    with tempfile.TemporaryDirectory() as folder:
        return measure(f"sqlite:///{Path(folder) / f'{name}.sqlite3'}", quick)


def on_both(name: str, measure):
    """(on SQLite, on PostgreSQL): the two runs of `measure` a benchmark lists as its cases."""
    return (
        lambda quick: on_fresh_sqlite(name, measure, quick),
        lambda quick: on_fresh_postgresql(f"vitrine_bench_{name}", measure, quick),
    )
