"""Home page, language choice and health check."""

from flask import Blueprint

bp = Blueprint("core", __name__)

from crm.core import views  # noqa: E402,F401
