import enum

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.base.database import UTCDateTime, utcnow
from crm.base.enums import Role, enum_column
from crm.base.extensions import db


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(
            "role IN ('admin', 'federation') OR network_id IS NOT NULL", name="network_unless_admin"
        ),
        CheckConstraint(
            "role <> 'federation' OR (network_id IS NULL AND company_id IS NULL)",
            name="federation_in_no_network",
        ),
        CheckConstraint("role <> 'member' OR company_id IS NOT NULL", name="member_has_company"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(enum_column(Role, 20))
    network_id: Mapped[int | None] = mapped_column(ForeignKey("networks.id"), index=True)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    locale: Mapped[str] = mapped_column(String(5), default="fr")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    password_changed_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    # Two-factor sign-in (TOTP, RFC 6238): the secret is set at enrolment and active once confirmed.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_confirmed_at = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None] = mapped_column(Integer)  # a code is accepted once only

    network = relationship("Network")
    company = relationship("Organisation", foreign_keys=[company_id])

    # Set by the login service so Flask-Login stores the session token, never the user id.
    session_token = None

    @property
    def is_active(self):
        return self.active

    def get_id(self):
        return self.session_token

    @property
    def has_mfa(self):
        return self.totp_confirmed_at is not None

    @property
    def is_admin(self):
        return self.role == Role.ADMIN

    @property
    def is_coordinator(self):
        return self.role == Role.COORDINATOR

    @property
    def is_member(self):
        return self.role == Role.MEMBER

    @property
    def is_federation(self):
        return self.role == Role.FEDERATION


class UserSession(db.Model):
    """One signed-in browser; revoking the row ends that session even if its cookie is replayed."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    last_seen_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    revoked_at = mapped_column(UTCDateTime)

    user = relationship("User")


class RecoveryCode(db.Model):
    """A single-use code that stands in for the authenticator app; only its digest is kept."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at = mapped_column(UTCDateTime)


class ThrottleScope(enum.StrEnum):
    ACCOUNT = "account"
    ADDRESS = "address"
