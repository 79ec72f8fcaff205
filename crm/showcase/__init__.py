"""Showcase: shows, editions and (later) registrations, slots and the published programme."""

from flask import Blueprint

bp = Blueprint("showcase", __name__)

from crm.showcase import views, views_company, views_planning  # noqa: E402,F401
