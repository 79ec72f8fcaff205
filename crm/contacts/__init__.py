"""Contacts: companies, structures (venues, theatres, libraries…) and the programmer directory."""

from flask import Blueprint

bp = Blueprint("contacts", __name__)

from crm.contacts import views  # noqa: E402,F401
