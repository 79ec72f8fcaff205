"""`flask webhooks add|list|ping|deliver`."""

import re

from sqlalchemy import select
from standardwebhooks import Webhook

from crm.base.extensions import db
from crm.webhooks.models import WebhookEndpoint


def test_add_prints_the_secret_once_and_deliver_sends_the_ping(app, world, runner, loopback, receiver):
    added = runner.invoke(
        args=["webhooks", "add", "--network", "reseau-a", "--url", receiver.url, "--event", "slot.changed",
              "--description", "Site"]
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    secret = re.search(r"whsec_\S+", added.output).group(0)
    endpoint = db.session.scalar(select(WebhookEndpoint))
    assert (endpoint.events, endpoint.description, endpoint.secret) == (["slot.changed"], "Site", secret)
    listed = runner.invoke(args=["webhooks", "list", "--network", "reseau-a"])
    assert receiver.url in listed.output and "whsec_" not in listed.output
    assert runner.invoke(args=["webhooks", "ping", "--network", "reseau-a"]).output == (
        "ping queued for 1 endpoint(s)\n"
    )
    sent = runner.invoke(args=["webhooks", "deliver"])
    assert sent.output == "delivered: 1, to retry: 0, failed: 0\n"
    [got] = receiver.got
    assert Webhook(secret).verify(got.body, got.headers)["type"] == "ping"


def test_add_refuses_an_unsafe_url_and_an_unknown_network(app, world, runner):
    refused = runner.invoke(args=["webhooks", "add", "--network", "reseau-a", "--url", "https://127.0.0.1/"])
    assert refused.exit_code == 1
    assert "réseau privé" in refused.output
    unknown = runner.invoke(
        args=["webhooks", "add", "--network", "nulle-part", "--url", "https://x.example/"]
    )
    assert unknown.exit_code == 2
    assert db.session.scalar(select(WebhookEndpoint)) is None
