"""Showcase: shows, editions and (later) registrations, slots and the published programme."""

from flask import Blueprint

bp = Blueprint("showcase", __name__)
