"""Instance administration: networks and user accounts."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")
