"""The one import pipeline for every spreadsheet: read, map columns, preview, apply, hand back refusals."""

from flask import Blueprint

bp = Blueprint("imports", __name__)

from crm.imports import views  # noqa: E402,F401
