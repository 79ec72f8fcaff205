"""Home page, language choice and health check."""

from flask import Blueprint

bp = Blueprint("core", __name__)
