"""Accounts: sign-in with throttling, server-side sessions, passwords, user creation."""

import logging
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from crm.accounts.models import LoginAttempt, Role, ThrottleScope, User, UserSession
from crm.errors import DomainError
from crm.extensions import db
from crm.tokens import hash_token, new_token

log = logging.getLogger(__name__)

MIN_PASSWORD_LENGTH = 10
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
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(_("Le mot de passe doit faire au moins %(n)d caractères.", n=MIN_PASSWORD_LENGTH))


def _recent_failures(column, value, since) -> int:
    query = select(func.count()).select_from(LoginAttempt)
    return db.session.scalar(query.where(column == value, LoginAttempt.created_at >= since))


def check_throttle(email: str, address: str, *, now, settings) -> None:
    """Raise LoginThrottledError when the account or the client address failed too often lately."""
    minutes = settings["LOGIN_THROTTLE_MINUTES"]
    since = now - timedelta(minutes=minutes)
    limits = (
        (ThrottleScope.ACCOUNT, LoginAttempt.email, email, settings["LOGIN_MAX_FAILURES_PER_ACCOUNT"]),
        (ThrottleScope.ADDRESS, LoginAttempt.address, address, settings["LOGIN_MAX_FAILURES_PER_ADDRESS"]),
    )
    for scope, column, value, limit in limits:
        if _recent_failures(column, value, since) >= limit:
            log.warning("sign-in throttled (%s scope) from address %s", scope, address)
            raise LoginThrottledError(scope, minutes)


def authenticate(email: str, password: str, address: str, *, now, settings) -> User:
    """Return the active user with these credentials, recording failures for throttling."""
    email = normalise_email(email)
    check_throttle(email, address, now=now, settings=settings)
    user = db.session.scalar(select(User).where(User.email == email))
    valid = check_password_hash(user.password_hash if user else _DUMMY_HASH, password)
    if user is None or not valid or not user.active:
        db.session.add(LoginAttempt(email=email, address=address, created_at=now))
        db.session.execute(delete(LoginAttempt).where(LoginAttempt.created_at < now - timedelta(days=1)))
        db.session.flush()
        log.info("sign-in failed for %s", f"user {user.id}" if user else "an unknown account")
        raise InvalidCredentialsError()
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.email == email))
    return user


def start_session(user: User, *, now) -> str:
    """Open a server-side session for the user and return its token (kept in the signed cookie)."""
    token = new_token()
    db.session.add(UserSession(user_id=user.id, token_hash=hash_token(token), created_at=now))
    db.session.flush()
    user.session_token = token
    return token


def load_session_user(token: str | None, *, now, max_days: int) -> User | None:
    """The user of a live session token, or None once it was revoked, expired or is unknown."""
    if not token:
        return None
    query = (
        select(User)
        .options(joinedload(User.network))
        .join(UserSession, UserSession.user_id == User.id)
        .where(
            UserSession.token_hash == hash_token(token),
            UserSession.revoked_at.is_(None),
            UserSession.created_at >= now - timedelta(days=max_days),
            User.active.is_(True),
        )
    )
    user = db.session.scalar(query)
    if user is not None:
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
    if not check_password_hash(user.password_hash, current):
        raise DomainError(_("Le mot de passe actuel est incorrect."), field="current_password")
    try:
        check_password_strength(new)
    except DomainError as error:
        raise DomainError(error.message, field="new_password") from None
    user.password_hash = hash_password(new)
    user.password_changed_at = now
    end_all_sessions(user, now=now)
    return start_session(user, now=now)


def create_user(*, email, full_name, role: Role, password, network=None, company=None) -> User:
    """Create an account after checking the role's attachments and the password."""
    email = normalise_email(email)
    if db.session.scalar(select(User.id).where(User.email == email)):
        raise DomainError(_("Un compte existe déjà avec cette adresse."), field="email")
    if role == Role.MEMBER and company is None:
        raise DomainError(_("Un membre de compagnie doit être rattaché à une compagnie."), field="company")
    if role == Role.COORDINATOR and network is None:
        raise DomainError(_("Une coordination doit être rattachée à un réseau."), field="network")
    if company is not None:
        network = company.network
    check_password_strength(password)
    user = User(
        email=email,
        full_name=full_name.strip(),
        role=role,
        password_hash=hash_password(password),
        network=None if role == Role.ADMIN else network,
        company=company if role == Role.MEMBER else None,
    )
    db.session.add(user)
    db.session.flush()
    return user
