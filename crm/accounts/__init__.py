"""Accounts: sign-in, sign-out, password change, the users CLI."""

from flask import Blueprint

bp = Blueprint("accounts", __name__)
