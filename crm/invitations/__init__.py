"""Invitations to an edition: a personal signed link to answer (no account), the board of answers."""

from flask import Blueprint

bp = Blueprint("invitations", __name__)

from crm.invitations import views  # noqa: E402,F401
