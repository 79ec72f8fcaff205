"""Settings from the environment (and an optional .env), in one place."""

import os
import secrets
from pathlib import Path

from dotenv import load_dotenv


def _flag(name, default="0"):
    return os.environ.get(name, default).strip().lower() in ("1", "true", "yes", "on")


def _list(value: str) -> frozenset[str]:
    return frozenset(v.strip() for v in value.split(",") if v.strip())


def _secret_key(instance_path: Path) -> str:
    """Return SECRET_KEY, or a generated key persisted under instance/ so sessions survive restarts."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    path = instance_path / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_hex(32)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def load_settings(instance_path: str) -> dict:
    """Build the Flask config mapping from environment variables."""
    load_dotenv(os.path.join(os.getcwd(), ".env"), override=False)
    instance = Path(instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    https = _flag("VITRINE_HTTPS")
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance / 'vitrine.sqlite3'}"
    return {
        "SECRET_KEY": _secret_key(instance),
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "VITRINE_TIMEZONE": os.environ.get("VITRINE_TIMEZONE", "Europe/Paris"),
        "VITRINE_LOG_LEVEL": os.environ.get("VITRINE_LOG_LEVEL", "INFO").upper(),
        "VITRINE_HTTPS": https,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": https,
        # Under HTTPS the __Host- prefix binds the cookie to this host and path, Secure only.
        "SESSION_COOKIE_NAME": "__Host-session" if https else "session",
        "PREFERRED_URL_SCHEME": "https" if https else "http",
        "WTF_CSRF_TIME_LIMIT": None,
        "BABEL_DEFAULT_LOCALE": "fr",
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("VITRINE_TIMEZONE", "Europe/Paris"),
        "LOGIN_MAX_FAILURES_PER_ACCOUNT": int(os.environ.get("LOGIN_MAX_FAILURES_PER_ACCOUNT", 5)),
        "LOGIN_MAX_FAILURES_PER_ADDRESS": int(os.environ.get("LOGIN_MAX_FAILURES_PER_ADDRESS", 20)),
        "LOGIN_THROTTLE_MINUTES": int(os.environ.get("LOGIN_THROTTLE_MINUTES", 15)),
        "PASSWORD_HASH_METHOD": "scrypt",
        "MAX_IMPORT_BYTES": int(os.environ.get("MAX_IMPORT_BYTES", 5 * 2**20)),
        "MAX_IMPORT_ROWS": int(os.environ.get("MAX_IMPORT_ROWS", 20_000)),
        # (per account, per client address, over so many minutes) for the costly actions.
        "RATE_LIMITS": {
            "import": (30, 60, 60),
            "import-preview": (300, 600, 60),
            "invitations": (20, 40, 60),
            "api": (600, 1200, 1),  # per token and per address, each minute
        },
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_IMPORT_BYTES", 5 * 2**20)) + 2**20,
        "SESSION_MAX_DAYS": int(os.environ.get("SESSION_MAX_DAYS", 30)),
        "SESSION_IDLE_MINUTES": int(os.environ.get("SESSION_IDLE_MINUTES", 120)),
        # Roles that must sign in with a second factor (TOTP); `make run` clears it for the demo.
        "MFA_REQUIRED_ROLES": _list(os.environ.get("MFA_REQUIRED_ROLES", "admin,coordinator")),
        "VITRINE_TRUSTED_PROXIES": int(os.environ.get("VITRINE_TRUSTED_PROXIES", 0)),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", 25)),
        "MAIL_USE_TLS": _flag("MAIL_USE_TLS"),
        "MAIL_USE_SSL": _flag("MAIL_USE_SSL"),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER", "Vitrine <vitrine@localhost>"),
        # Replies and bounces come back to addresses carrying each message's token (see README).
        "MAIL_REPLY_ADDRESS": os.environ.get("MAIL_REPLY_ADDRESS", ""),
        "MAIL_BOUNCE_ADDRESS": os.environ.get("MAIL_BOUNCE_ADDRESS", ""),
        "MAIL_DKIM_SELECTOR": os.environ.get("MAIL_DKIM_SELECTOR", ""),
        "MAIL_DKIM_DOMAIN": os.environ.get("MAIL_DKIM_DOMAIN", ""),
        "MAIL_DKIM_KEY_FILE": os.environ.get("MAIL_DKIM_KEY_FILE", ""),
        "MAIL_MAX_INBOUND_BYTES": int(os.environ.get("MAIL_MAX_INBOUND_BYTES", 10 * 2**20)),
        "MAIL_IMAP_HOST": os.environ.get("MAIL_IMAP_HOST", ""),
        "MAIL_IMAP_PORT": int(os.environ.get("MAIL_IMAP_PORT", 993)),
        "MAIL_IMAP_TLS": _flag("MAIL_IMAP_TLS", "1"),
        "MAIL_IMAP_USER": os.environ.get("MAIL_IMAP_USER", ""),
        "MAIL_IMAP_PASSWORD": os.environ.get("MAIL_IMAP_PASSWORD", ""),
        "MAIL_IMAP_FOLDER": os.environ.get("MAIL_IMAP_FOLDER", "INBOX"),
        "MAIL_IMAP_DONE_FOLDER": os.environ.get("MAIL_IMAP_DONE_FOLDER", "Vitrine-traites"),
        # Delivery: temporary refusals (4xx) are retried after 5 min, 10, 20… up to MAIL_MAX_ATTEMPTS.
        "MAIL_MAX_ATTEMPTS": int(os.environ.get("MAIL_MAX_ATTEMPTS", 6)),
        "MAIL_RETRY_SECONDS": int(os.environ.get("MAIL_RETRY_SECONDS", 300)),
        "MAIL_LEASE_SECONDS": int(os.environ.get("MAIL_LEASE_SECONDS", 300)),
        "MAIL_TIMEOUT_SECONDS": int(os.environ.get("MAIL_TIMEOUT_SECONDS", 30)),
        # Links in messages written by the scheduler (no request to take the address from).
        "VITRINE_BASE_URL": os.environ.get("VITRINE_BASE_URL", "http://127.0.0.1:5000"),
        # Outgoing webhooks: https only, and never to this machine or a private network, unless allowed
        # (development, tests); the answer of an endpoint is awaited this long (connect, then each read).
        "WEBHOOKS_ALLOW_HTTP": _flag("WEBHOOKS_ALLOW_HTTP"),
        "WEBHOOKS_ALLOW_PRIVATE": _flag("WEBHOOKS_ALLOW_PRIVATE"),
        "WEBHOOKS_TIMEOUT_SECONDS": float(os.environ.get("WEBHOOKS_TIMEOUT_SECONDS", 5)),
        # Rendered feeds and programme pages, shared by every worker: in Redis when REDIS_URL is set,
        # else in the database; bounded (oldest dropped first) and each worker keeps a small copy.
        "REDIS_URL": os.environ.get("REDIS_URL", ""),
        "RENDER_CACHE_MIB": int(os.environ.get("RENDER_CACHE_MIB", 256)),
        "RENDER_CACHE_MEMORY_MIB": int(os.environ.get("RENDER_CACHE_MEMORY_MIB", 32)),
        # Run the follow-up scheduler inside this process (set by `make run`; production uses `flask worker`).
        "VITRINE_SCHEDULER": _flag("VITRINE_SCHEDULER"),
    }


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs written the usual way."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
