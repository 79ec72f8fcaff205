"""The federation's barometer: the figures of the networks that chose to share them, side by side and
in total, as aggregates only; each network chooses what it shares, and from when."""

from flask import Blueprint

bp = Blueprint("federation", __name__)
