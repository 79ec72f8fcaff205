"""What the showcases produced: outcomes (dates obtained) tied back to an edition, the impact report,
and the pooled box-office statement."""

from flask import Blueprint

bp = Blueprint("impact", __name__)
