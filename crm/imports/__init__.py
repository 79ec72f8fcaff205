"""The one import pipeline for every spreadsheet: read, map columns, preview, apply, hand back refusals."""

from flask import Blueprint

bp = Blueprint("imports", __name__)
