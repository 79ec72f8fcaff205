"""How a cooperative network runs beyond its coordination: an edition's shared budget split between the
companies, commissions, and the volunteer time that holds it up."""

from flask import Blueprint

bp = Blueprint("cooperation", __name__)
