"""Security events reach the log under gunicorn: one JSON line each, with the account id and the client
address, never a password, a token or an e-mail address (a CR/LF typed in a field cannot forge a line)."""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlencode

import pytest

from bench.harness import free_port, request
from crm.base.extensions import db
from tests.conftest import DATABASE_URL
from tests.factories import PASSWORD

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def _form(port, path, cookie=None, **fields):
    status, headers, body = request(port, path, cookie=cookie)
    cookie = cookie or headers["Set-Cookie"].split(";")[0]
    token = body.split(b'name="csrf_token"', 1)[1].split(b'value="', 1)[1].split(b'"', 1)[0].decode()
    status, headers, _ = request(
        port, path, cookie=cookie, method="POST", body=urlencode({**fields, "csrf_token": token})
    )
    new_cookie = headers.get("Set-Cookie")
    return status, (new_cookie.split(";")[0] if new_cookie else cookie)


@pytest.fixture
def served(world, tmp_path):
    """The app under gunicorn on the test database, its stderr kept in a file."""
    port = free_port()
    log = tmp_path / "gunicorn.log"
    env = {**os.environ, "DATABASE_URL": DATABASE_URL, "SECRET_KEY": "log-test", "MFA_REQUIRED_ROLES": ""}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    with log.open("w") as stderr:
        process = subprocess.Popen(
            [str(gunicorn), "--workers", "1", "--bind", f"127.0.0.1:{port}", "wsgi:app"],
            cwd=ROOT, env=env, stderr=stderr, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            from bench.harness import _wait_until_up

            _wait_until_up(port)
            yield port, log
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
    db.session.remove()


def _events(log: Path):
    events = []
    for line in log.read_text().splitlines():
        if " crm.security " in line:
            events.append(json.loads(line.split(" crm.security ", 1)[1]))
    return events


def test_sign_ins_refusals_and_privacy_actions_are_logged_one_line_each(served, world):
    port, log = served
    a = world.a
    assert _form(port, "/login", email="coord-a@example.org", password="wrong")[0] == 401
    assert _form(port, "/login", email="coord-a@example.org\r\nforged line", password=PASSWORD)[0] in (
        401,
        422,
    )
    status, member = _form(port, "/login", email="member-a1@example.org", password=PASSWORD)
    assert status == 302
    assert request(port, "/editions", cookie=member)[0] == 403
    assert request(port, f"/programmers/{a.member_contact.id}/export.json", cookie=member)[0] == 403
    status, coordinator = _form(port, "/login", email="coord-a@example.org", password=PASSWORD)
    assert request(port, f"/programmers/{a.programmers[0].id}/export.json", cookie=coordinator)[0] == 200
    assert request(port, f"/stop/{a.invitation_token}", method="POST", body="")[0] == 200  # one-click stop
    events = _events(log)
    names = [e["event"] for e in events]
    assert names.count("login.failure") >= 1
    assert names.count("login.success") == 2
    assert names.count("forbidden") == 2
    assert "export.personal_data" in names and "privacy.objection" in names
    failure = next(e for e in events if e["event"] == "login.failure")
    assert failure["user"] == a.coordinator.id and failure["address"] == "127.0.0.1"
    text = log.read_text()
    assert "@example.org" not in text and PASSWORD not in text and "forged line" not in text
    assert a.invitation_token not in text  # the route's pattern is logged, not the signed path
    assert all(line.count(" crm.security ") <= 1 for line in text.splitlines())


def test_security_events_escape_control_characters(app, caplog):
    from crm.base.audit import security_event

    with caplog.at_level("INFO", logger="crm.security"):
        security_event("test.event", detail="a\r\nb\x1b[31m")
    [record] = [r for r in caplog.records if r.name == "crm.security"]
    assert "\n" not in record.getMessage() and "\x1b" not in record.getMessage()
    assert json.loads(record.getMessage())["detail"] == "a\r\nb\x1b[31m"
