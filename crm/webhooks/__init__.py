"""Outgoing webhooks: a network's endpoints hear of what happens (the domain events), signed per
Standard Webhooks, from an outbox written in the same transaction as the change, sent by the tick."""

from flask import Blueprint

bp = Blueprint("webhooks", __name__)
