import pytest

from crm.base.database import utcnow
from crm.base.extensions import db
from crm.webhooks import services
from tests.webhooks.receiver import receiver  # noqa: F401  (a fixture)


@pytest.fixture
def loopback(app):
    """The tests' receiver listens on http://127.0.0.1: allowed here, refused by default."""
    app.config.update(WEBHOOKS_ALLOW_HTTP=True, WEBHOOKS_ALLOW_PRIVATE=True, WEBHOOKS_TIMEOUT_SECONDS=2)
    return app


def register(network, url, events=(), now=None):
    """An endpoint of the network, committed; returns (endpoint, secret)."""
    endpoint, secret = services.create_endpoint(
        network, {"url": url, "events": list(events)}, now=now or utcnow()
    )
    db.session.commit()
    return endpoint, secret
