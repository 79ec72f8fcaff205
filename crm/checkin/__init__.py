"""Check-in at the door: per slot, tick programmers in from a phone; attendance says which shows they saw."""

from flask import Blueprint

bp = Blueprint("checkin", __name__)
