"""Speed-dating pro: short one-to-one meetings between programmers and companies at an edition.

Both sides give wishes; the coordination plans rounds and tables with CP-SAT (`planner`), publishes,
re-plans for absentees on the day, and marks each meeting held or missed. Held meetings feed the shared
follow-up as attendance does; a booking can be attributed to the meeting that produced it.
"""

from flask import Blueprint

bp = Blueprint("meetings", __name__)
