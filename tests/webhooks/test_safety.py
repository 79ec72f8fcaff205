"""Server-side request forgery: where a webhook may not go, at registration and again at delivery."""

import pytest
from sqlalchemy import select

from crm.base.database import utcnow
from crm.base.extensions import db
from crm.webhooks import delivery, safety, services
from crm.webhooks.models import WebhookMessage
from tests.webhooks.conftest import register


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://93.184.216.34/hooks", "https://"),
        ("ftp://93.184.216.34/hooks", "https://"),
        ("https://127.0.0.1/hooks", "réseau privé"),
        ("https://localhost/hooks", "réseau privé"),
        ("https://[::1]/hooks", "réseau privé"),
        ("https://[::ffff:127.0.0.1]/hooks", "réseau privé"),
        ("https://10.1.2.3/hooks", "réseau privé"),
        ("https://192.168.1.10/hooks", "réseau privé"),
        ("https://172.16.0.1/hooks", "réseau privé"),
        ("https://100.64.0.1/hooks", "réseau privé"),
        ("https://169.254.169.254/latest/meta-data", "réseau privé"),
        ("https://0.0.0.0/hooks", "réseau privé"),
        ("https://224.0.0.1/hooks", "réseau privé"),
        ("https://user:secret@93.184.216.34/hooks", "identifiant"),
        ("https://93.184.216.34:99999/hooks", "port"),
        ("https:///hooks", "adresse complète"),
        ("not a url", "adresse complète"),
    ],
)
def test_url_refused_without_the_development_flags(app, url, reason):
    with pytest.raises(safety.UnsafeURLError, match=reason) as refused:
        safety.check(url)
    assert refused.value.field == "url"


def test_a_public_address_is_accepted_and_pinned(app):
    target = safety.check("https://93.184.216.34:8443/hooks?site=1")
    assert (target.host, target.port, target.path, target.ip) == (
        "93.184.216.34",
        8443,
        "/hooks?site=1",
        "93.184.216.34",
    )


def test_loopback_accepted_only_with_both_flags(app):
    with pytest.raises(safety.UnsafeURLError):
        safety.check("http://127.0.0.1:8000/hooks")
    app.config["WEBHOOKS_ALLOW_HTTP"] = True
    with pytest.raises(safety.UnsafeURLError, match="réseau privé"):
        safety.check("http://127.0.0.1:8000/hooks")
    app.config["WEBHOOKS_ALLOW_PRIVATE"] = True
    assert safety.check("http://127.0.0.1:8000/hooks").ip == "127.0.0.1"


def test_an_endpoint_to_loopback_is_refused_at_registration(app, world):
    with pytest.raises(safety.UnsafeURLError):
        services.create_endpoint(world.a.network, {"url": "https://127.0.0.1/hooks"}, now=utcnow())


def test_delivery_checks_the_address_again_and_sends_nothing_to_loopback(app, world, loopback, receiver):
    register(world.a.network, receiver.url)
    services.queue_ping(world.a.network, now=utcnow())
    db.session.commit()
    app.config.update(WEBHOOKS_ALLOW_HTTP=True, WEBHOOKS_ALLOW_PRIVATE=False)  # the instance's rule changed
    assert delivery.deliver_due(worker="w", now=utcnow())["retried"] == 1
    assert receiver.got == []
    message = db.session.scalar(select(WebhookMessage))
    assert "réseau privé" in message.last_error
