"""Accounts: sign-in with throttling, server-side sessions, passwords, user creation."""

import logging
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from crm.accounts import passwords
from crm.accounts.models import Role, ThrottleScope, User, UserSession
from crm.base import ratelimit
from crm.base.audit import security_event
from crm.base.errors import DomainError
from crm.base.extensions import db
from crm.base.ratelimit import Rule
from crm.base.tokens import hash_token, new_token
from crm.mail.services import send

log = logging.getLogger(__name__)

# A hash to check against when the account does not exist, so both paths take the same time.
_DUMMY_HASH = generate_password_hash("not-a-password", method="scrypt")


class LoginThrottledError(DomainError):
    def __init__(self, scope: ThrottleScope, minutes: int):
        self.scope = scope
        self.minutes = minutes
        super().__init__(
            _(
                "Trop de tentatives de connexion échouées. Réessayez dans %(minutes)d minutes.",
                minutes=minutes,
            )
        )


class InvalidCredentialsError(DomainError):
    def __init__(self):
        super().__init__(_("Adresse e-mail ou mot de passe incorrect."))


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def hash_password(password: str) -> str:
    return generate_password_hash(
        passwords.normalise(password), method=current_app.config["PASSWORD_HASH_METHOD"]
    )


def password_matches(password_hash: str, password: str) -> bool:
    """The password as typed, in NFC form (so an accented letter typed on any device matches)."""
    normalised = passwords.normalise(password)
    if check_password_hash(password_hash, normalised):
        return True
    return normalised != password and check_password_hash(password_hash, password)


def _failure_rules(settings) -> tuple[Rule, Rule, Rule]:
    minutes = settings["LOGIN_THROTTLE_MINUTES"]
    return (
        Rule("login:account-address", settings["LOGIN_MAX_FAILURES_PER_ACCOUNT"], minutes),
        Rule("login:address", settings["LOGIN_MAX_FAILURES_PER_ADDRESS"], minutes),
        Rule("login:account", settings["LOGIN_MAX_FAILURES_PER_ACCOUNT"], minutes),
    )


def check_throttle(email: str, address: str, *, now, settings) -> None:
    """Raise LoginThrottledError when this account failed too often from this address, or the address
    failed too often on any account. Failures elsewhere never lock the owner out of their account."""
    pair, per_address, _account = _failure_rules(settings)
    for scope, rule, key in (
        (ThrottleScope.ACCOUNT, pair, f"{email}|{address}"),
        (ThrottleScope.ADDRESS, per_address, address),
    ):
        wait = ratelimit.wait_seconds(rule, key, now=now)
        if wait:
            security_event("login.throttled", scope=str(scope), address=address)
            raise LoginThrottledError(scope, -(-wait // 60))


def authenticate(email: str, password: str, address: str, *, now, settings) -> User:
    """Return the active user with these credentials, recording failures for throttling."""
    email = normalise_email(email)
    check_throttle(email, address, now=now, settings=settings)
    user = db.session.scalar(select(User).where(User.email == email))
    valid = password_matches(user.password_hash if user else _DUMMY_HASH, password)
    if user is None or not valid or not user.active:
        record_failure(user, email, address, now=now, settings=settings)
        raise InvalidCredentialsError()
    return user


def clear_failures(user: User, address: str) -> None:
    """Once fully signed in (second factor included), this address starts afresh on this account; the
    right password alone does not, or the code could be guessed five tries at a time."""
    ratelimit.forget("login:account-address", f"{user.email}|{address}")


def record_failure(user, email, address, *, now, settings, factor="password") -> None:
    """A wrong password (or second-factor code): counted for throttling, logged, and the owner told
    when the account keeps failing."""
    pair, per_address, per_account = _failure_rules(settings)
    ratelimit.record(pair.bucket, f"{email}|{address}", now=now)
    ratelimit.record(per_address.bucket, address, now=now)
    ratelimit.record(per_account.bucket, email, now=now)
    security_event("login.failure", user=user.id if user else None, address=address, factor=factor)
    if user is not None:
        since = now - timedelta(minutes=per_account.minutes)
        if ratelimit.count(per_account.bucket, email, since=since) >= per_account.limit:
            _alert_owner(user, now=now)


ALERT_EVERY = timedelta(days=1)


def _alert_owner(user: User, *, now) -> None:
    """Tell the account's owner, at most once a day, that someone keeps failing to sign in as them."""

    if ratelimit.count("login:alert", str(user.id), since=now - ALERT_EVERY):
        return
    ratelimit.record("login:alert", str(user.id), now=now)
    with force_locale(user.locale or "fr"):
        subject = _("Vitrine : tentatives de connexion à votre compte")
        body = _(
            "Bonjour %(name)s,\n\nPlusieurs tentatives de connexion à votre compte Vitrine (%(email)s) "
            "ont échoué ces dernières minutes. Si c'était vous, rien à faire : vous pouvez vous connecter "
            "normalement depuis votre appareil habituel.\n\nSi ce n'était pas vous, votre mot de passe "
            "tient bon, mais choisissez-en un long que vous n'utilisez nulle part ailleurs, et activez la "
            "double authentification (menu Sécurité).\n",
            name=user.full_name,
            email=user.email,
        )
    send(user.network_id, [user.email], subject, body)
    security_event("login.alert_sent", user=user.id)


def start_session(user: User, *, now) -> str:
    """Open a server-side session for the user and return its token (kept in the signed cookie)."""
    token = new_token()
    db.session.add(
        UserSession(user_id=user.id, token_hash=hash_token(token), created_at=now, last_seen_at=now)
    )
    db.session.flush()
    user.session_token = token
    return token


SEEN_EVERY = timedelta(minutes=1)  # how often a session's last use is written down (not at every request)


def load_session_user(token: str | None, *, now, max_days: int, idle_minutes: int) -> User | None:
    """The user of a live session token, or None once it was revoked, expired, left unused for
    `idle_minutes`, or is unknown."""
    if not token:
        return None
    query = (
        select(User, UserSession.id, UserSession.last_seen_at)
        .options(joinedload(User.network))
        .join(UserSession, UserSession.user_id == User.id)
        .where(
            UserSession.token_hash == hash_token(token),
            UserSession.revoked_at.is_(None),
            UserSession.created_at >= now - timedelta(days=max_days),
            UserSession.last_seen_at >= now - timedelta(minutes=idle_minutes),
            User.active.is_(True),
        )
    )
    row = db.session.execute(query).first()
    if row is None:
        return None
    user, session_id, last_seen = row
    if now - last_seen >= SEEN_EVERY:
        # On a connection of its own: a page that only reads still keeps its session alive, and the
        # objects this request loaded are not expired by a commit.
        with db.engine.begin() as connection:
            connection.execute(
                update(UserSession).where(UserSession.id == session_id).values(last_seen_at=now)
            )
    user.session_token = token
    return user


def end_session(token: str | None, *, now) -> None:
    """Revoke one session: its cookie, even copied elsewhere, no longer signs anyone in."""
    if token:
        db.session.execute(
            update(UserSession)
            .where(UserSession.token_hash == hash_token(token), UserSession.revoked_at.is_(None))
            .values(revoked_at=now)
        )


def end_all_sessions(user: User, *, now) -> None:
    db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def change_password(user: User, current: str, new: str, *, now) -> str:
    """Change the password, end every session of the user, and open a fresh one for this browser."""
    if not password_matches(user.password_hash, current):
        raise DomainError(_("Le mot de passe actuel est incorrect."), field="current_password")
    try:
        passwords.check(new, email=user.email, name=user.full_name)
    except DomainError as error:
        raise DomainError(error.message, field="new_password") from None
    user.password_hash = hash_password(new)
    user.password_changed_at = now
    end_all_sessions(user, now=now)
    security_event("password.changed", user=user.id)
    return start_session(user, now=now)


def create_user(
    *, email, full_name, role: Role, password, network=None, company=None, check_strength=True
) -> User:
    """Create an account after checking the role's attachments and the password (the demo's shared,
    published password is the one exception: `check_strength=False`)."""
    email = normalise_email(email)
    if db.session.scalar(select(User.id).where(User.email == email)):
        raise DomainError(_("Un compte existe déjà avec cette adresse."), field="email")
    if role == Role.MEMBER and company is None:
        raise DomainError(_("Un membre de compagnie doit être rattaché à une compagnie."), field="company")
    if role == Role.COORDINATOR and network is None:
        raise DomainError(_("Une coordination doit être rattachée à un réseau."), field="network")
    if company is not None:
        network = company.network
    try:
        if check_strength:
            passwords.check(password, email=email, name=full_name)
    except DomainError as error:
        raise DomainError(error.message, field="password") from None
    user = User(
        email=email,
        full_name=full_name.strip(),
        role=role,
        password_hash=hash_password(password),
        network=None if role in (Role.ADMIN, Role.FEDERATION) else network,
        company=company if role == Role.MEMBER else None,
    )
    db.session.add(user)
    db.session.flush()
    security_event("account.created", user=user.id, role=str(role), network=user.network_id)
    return user


def company_addresses(company) -> list[str]:
    """Who hears about a company's applications: its contact address and its members' accounts."""
    members = db.session.scalars(
        select(User.email).where(
            User.company_id == company.id, User.role == Role.MEMBER, User.active.is_(True)
        )
    )
    return [a for a in [company.email, *members] if a]
