"""Accounts: sign-in, sign-out, password change, the users CLI."""

from flask import Blueprint

bp = Blueprint("accounts", __name__)

from crm.accounts import views  # noqa: E402,F401
