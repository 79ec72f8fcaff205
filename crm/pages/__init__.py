"""Pages composed from several features (the home and what next, the directory and a person's page,
the follow-up dashboard), the language choice and the health check. The top of the layers."""

from flask import Blueprint

bp = Blueprint("pages", __name__)
