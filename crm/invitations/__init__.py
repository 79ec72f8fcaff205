"""Invitations to an edition: a personal signed link to answer (no account), the board of answers."""

from flask import Blueprint

bp = Blueprint("invitations", __name__)
