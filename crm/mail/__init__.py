"""The one mail layer every feature sends through. Without MAIL_SERVER, messages stay in the
development outbox (a table shown to coordinators); the SMTP sender plugs in here."""

from flask import Blueprint

bp = Blueprint("mail", __name__)
