"""Calendar feeds (RFC 5545 / RFC 7986): the public programme and venues, and private feeds for a
company, a programmer and a user's follow-up tasks, behind a revocable secret link."""

from flask import Blueprint

bp = Blueprint("calendar", __name__)
