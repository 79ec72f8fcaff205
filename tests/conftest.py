"""The app from the real factory, a schema built by the migrations, a clean database per test."""

import contextvars
import os
import re
import tempfile
import threading

import pytest
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import text
from werkzeug.serving import make_server

from crm import create_app
from crm.accounts import services as accounts
from crm.base import rendered
from crm.base.config import normalise_database_url
from crm.base.database import utcnow
from crm.base.extensions import db
from tests import factories

# The follow-up scene (a held edition with people present) and the mail that comes back, shared.
pytest_plugins = ["tests.scene", "tests.mail.inbound_scene"]

_SQLITE_DIR = tempfile.mkdtemp(prefix="vitrine-tests-")
DATABASE_URL = normalise_database_url(
    os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{_SQLITE_DIR}/test.sqlite3"
)
IS_POSTGRES = DATABASE_URL.startswith("postgres")


class IsolatedClient(FlaskClient):
    """Runs each request in a fresh context, as a server does.

    Flask reuses an app context already pushed (the test's), which would share `g`, the signed-in
    user and the database session between requests of different clients.
    """

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


def make_app(**overrides):
    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": DATABASE_URL,
        "SECRET_KEY": "test-secret-key",
        "SERVER_NAME": None,
        # Still scrypt, at a cost that keeps fixtures quick; production uses Werkzeug's default.
        "PASSWORD_HASH_METHOD": "scrypt:4096:8:1",
        # The suite signs in as every role; the tests of the second factor turn the requirement on.
        "MFA_REQUIRED_ROLES": frozenset(),
    }
    config.update(overrides)
    app = create_app(config)
    app.test_client_class = IsolatedClient
    return app


def _reset_schema(app):
    """Drop whatever a previous run left, then build the schema from the migrations only."""
    with app.app_context():
        db.drop_all()
        db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
        upgrade()


@pytest.fixture(scope="session")
def _schema():
    app = make_app()
    _reset_schema(app)
    with app.app_context():
        db.engine.dispose()


def _empty_tables():
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    if IS_POSTGRES:
        db.session.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    else:
        for name in tables:
            db.session.execute(text(f"DELETE FROM {name}"))  # noqa: S608 - table names from our metadata
    db.session.commit()


@pytest.fixture
def app(_schema):
    app = make_app()
    with app.app_context():
        yield app
        db.session.remove()
        _empty_tables()
        rendered.memory.clear()  # the worker's copy: a test's fresh database starts with none
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def csrf_token(client, url="/login"):
    """A valid CSRF token for this client's session, read from a page's form."""
    html = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def statement_counts(client, urls) -> list[int]:
    """How many SQL statements each page sends (each must answer 200), in the order given."""
    from crm.base.querycount import count_queries

    found = []
    for url in urls:
        with count_queries(db.engine) as statements:
            assert client.get(url).status_code == 200, url
        found.append(len(statements))
    return found


def sign_in(client, user):
    """Open a real server-side session for the user and hand its cookie to the client."""
    token = accounts.start_session(user, now=utcnow())
    db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = token
        session["_fresh"] = True
    return token


def post_form(client, url, data=None, **kwargs):
    """POST a form the way a browser does, CSRF token included."""
    form = {"csrf_token": csrf_token(client, kwargs.pop("token_from", "/login")), **(data or {})}
    return client.post(url, data=form, **kwargs)


@pytest.fixture
def net(app):
    """One network, for the tests that build their own world (some override it with their own slug)."""
    return factories.network()


@pytest.fixture
def coordinator(net):
    return factories.user(net=net)


@pytest.fixture
def world(app):
    """Two networks, each with a coordinator, two companies with a member each, shows and people."""
    return factories.two_networks()


@pytest.fixture(scope="session")
def chromium_path():
    path = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if not os.path.exists(path):
        if os.environ.get("VITRINE_REQUIRE_BROWSER"):
            pytest.fail(f"Chromium is required here but missing at {path}")
        pytest.skip(f"Chromium not found at {path}: install it with `apt-get install chromium`")
    return path


def _closed_at_once(wsgi_app):
    """Each response read whole and closed before it is sent. Werkzeug's development server does not
    close a response whose client left mid-way (a browser that no longer needs a stylesheet): the open
    static file then warns when collected, as an error in whichever test happens to be running."""

    def serve(environ, start_response):
        body = wsgi_app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()

    return serve


@pytest.fixture
def live_server(app):
    """The app served by a real HTTP server on loopback, for the browser tests."""
    server = make_server("127.0.0.1", 0, _closed_at_once(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


@pytest.fixture
def browser(chromium_path, tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=chromium_path,
            headless=True,
            args=CHROMIUM_ARGS,
            locale="fr-FR",
        )
        yield context
        context.close()
