"""Contacts: companies, structures (venues, theatres, libraries…) and the programmer directory."""

from flask import Blueprint

bp = Blueprint("contacts", __name__)
