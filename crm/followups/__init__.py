"""The shared follow-up of programmers after an edition: sequences, tasks, answers, dashboard."""

from flask import Blueprint

bp = Blueprint("followups", __name__)
