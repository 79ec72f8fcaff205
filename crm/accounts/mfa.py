"""Two-factor sign-in: TOTP (RFC 6238, any authenticator app) with single-use recovery codes.

Enrolment stores a secret, shows it as a QR code drawn here (no outside service), and is active once a
first code is typed. A code is accepted once (the time step is remembered); a recovery code once too.
"""

import hashlib
import secrets

import pyotp
import segno
from flask_babel import gettext as _
from sqlalchemy import delete, func, select

from crm.accounts.models import RecoveryCode, User
from crm.base.audit import security_event
from crm.base.errors import DomainError
from crm.base.extensions import db

RECOVERY_CODES = 10
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read back from paper without doubt


def required_for(user: User, settings) -> bool:
    """Whether the account must use a second factor (by role, from MFA_REQUIRED_ROLES)."""
    return user.role.value in settings["MFA_REQUIRED_ROLES"]


def start_enrolment(user: User) -> str:
    """A new secret for the account, not yet active; returns it (base32, to type by hand if need be)."""
    if user.has_mfa:
        raise DomainError(_("La double authentification est déjà active sur ce compte."))
    user.totp_secret = pyotp.random_base32()
    db.session.flush()
    return user.totp_secret


def provisioning_uri(user: User, issuer: str) -> str:
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name=issuer)


def qr_svg(uri: str) -> str:
    """The QR code as inline SVG markup (no image request, nothing sent anywhere)."""
    return segno.make(uri, error="m").svg_inline(scale=5, border=2, dark="#000", light="#fff")


def _totp_step(user: User, code: str, now) -> int | None:
    """The time step the code belongs to (now, or one step either side for clock drift), or None."""
    if not user.totp_secret or not code.isdigit() or len(code) != 6:
        return None
    totp = pyotp.TOTP(user.totp_secret)
    current = totp.timecode(now)
    for step in (current, current - 1, current + 1):
        if secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _recovery_digest(user_id: int, code: str) -> str:
    return hashlib.sha256(f"{user_id}:{code}".encode()).hexdigest()


def _clean(code: str) -> str:
    return "".join((code or "").split()).replace("-", "").lower()


def verify(user: User, code: str, *, now) -> bool:
    """A valid, unused TOTP code or recovery code of the account (then used up)."""
    code = _clean(code)
    step = _totp_step(user, code, now)
    if step is not None:
        if user.totp_last_step is not None and step <= user.totp_last_step:
            return False  # already used: a code seen over a shoulder cannot be replayed
        user.totp_last_step = step
        db.session.flush()
        return True
    found = db.session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _recovery_digest(user.id, code),
            RecoveryCode.used_at.is_(None),
        )
    )
    if found is None:
        return False
    found.used_at = now
    db.session.flush()
    security_event("mfa.recovery_code_used", user=user.id)
    return True


def confirm_enrolment(user: User, code: str, *, now) -> list[str]:
    """Activate the second factor with a first code from the app; returns the recovery codes (shown once)."""
    step = _totp_step(user, _clean(code), now)
    if step is None:
        raise DomainError(
            _("Ce code ne correspond pas : vérifiez l'heure du téléphone et recommencez."), field="code"
        )
    user.totp_confirmed_at = now
    user.totp_last_step = step
    codes = new_recovery_codes(user)
    security_event("mfa.enabled", user=user.id)
    return codes


def new_recovery_codes(user: User) -> list[str]:
    """Replace the account's recovery codes; returns them in clear, the only time they are seen."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = ["".join(secrets.choice(_ALPHABET) for _ in range(12)) for _ in range(RECOVERY_CODES)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_recovery_digest(user.id, c)) for c in codes)
    db.session.flush()
    return [f"{c[:4]}-{c[4:8]}-{c[8:]}" for c in codes]


def remaining_codes(user: User) -> int:

    return db.session.scalar(
        select(func.count()).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )


def reset(user: User, *, actor: User) -> None:
    """Remove the second factor (the owner, where it is optional, or an administrator for a lost phone)."""
    user.totp_secret = None
    user.totp_confirmed_at = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.flush()
    security_event("mfa.reset", user=user.id, by=actor.id)
