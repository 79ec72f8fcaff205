"""The coordinators' webhooks page: add, secret shown once, rotate, disable, ping, replay; networks apart."""

import re

from sqlalchemy import select

from crm.base.database import utcnow
from crm.base.extensions import db
from crm.webhooks import delivery, services
from crm.webhooks.models import MessageState, WebhookEndpoint, WebhookMessage
from tests.conftest import post_form, sign_in, statement_counts
from tests.webhooks.conftest import register

PUBLIC = "https://93.184.216.34/hooks"
TOKEN_FROM = "/webhooks/new"


def _secret(html):
    return re.search(r"whsec_[A-Za-z0-9+/=]+", html).group(0)


def test_a_coordinator_adds_an_endpoint_and_sees_its_secret_once(app, world, client):
    sign_in(client, world.a.coordinator)
    response = post_form(
        client,
        "/webhooks/new",
        {"url": PUBLIC, "events": ["slot.changed", "booking.recorded"], "description": "Site du réseau"},
        token_from=TOKEN_FROM,
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    endpoint = db.session.scalar(select(WebhookEndpoint))
    assert _secret(html) == endpoint.secret
    assert response.headers["Cache-Control"] == "no-store"
    assert (endpoint.network_id, endpoint.events) == (
        world.a.network.id,
        ["booking.recorded", "slot.changed"],
    )
    listing = client.get("/webhooks").get_data(as_text=True)
    assert PUBLIC in listing and "Site du réseau" in listing
    assert "whsec_" not in listing


def test_a_loopback_url_is_refused_with_a_message_beside_the_field(app, world, client):
    sign_in(client, world.a.coordinator)
    response = post_form(client, "/webhooks/new", {"url": "https://127.0.0.1/hooks"}, token_from=TOKEN_FROM)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="url-error"' in html
    assert "réseau privé" in html
    assert db.session.scalar(select(WebhookEndpoint)) is None


def test_the_description_is_escaped(app, world, client):
    endpoint, _secret_ = register(world.a.network, PUBLIC)
    endpoint.description = "<script>alert(1)</script>"
    db.session.commit()
    sign_in(client, world.a.coordinator)
    html = client.get("/webhooks").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_rotating_shows_the_new_secret_and_keeps_the_old_one_a_day(app, world, client):
    endpoint, old = register(world.a.network, PUBLIC)
    sign_in(client, world.a.coordinator)
    response = post_form(client, f"/webhooks/{endpoint.id}/rotate", token_from=TOKEN_FROM)
    db.session.expire_all()
    assert _secret(response.get_data(as_text=True)) == endpoint.secret != old
    assert endpoint.previous_secret == old
    assert services.signing_secrets(endpoint, now=utcnow()) == [endpoint.secret, old]


def test_disable_then_enable_from_the_page(app, world, client):
    endpoint, _secret_ = register(world.a.network, PUBLIC)
    sign_in(client, world.a.coordinator)
    post_form(client, f"/webhooks/{endpoint.id}/enabled", {"enabled": "0"}, token_from=TOKEN_FROM)
    db.session.expire_all()
    assert endpoint.enabled is False
    assert "Désactivé" in client.get("/webhooks").get_data(as_text=True)
    post_form(client, f"/webhooks/{endpoint.id}/enabled", {"enabled": "1"}, token_from=TOKEN_FROM)
    db.session.expire_all()
    assert endpoint.enabled is True


def test_ping_and_replay_from_the_page(app, world, client, loopback, receiver):
    endpoint, _secret_ = register(world.a.network, receiver.url)
    sign_in(client, world.a.coordinator)
    response = post_form(client, f"/webhooks/{endpoint.id}/ping", token_from=TOKEN_FROM)
    assert response.status_code == 302
    delivery.deliver_due(worker="w", now=utcnow())
    message = db.session.scalar(select(WebhookMessage))
    assert message.state == MessageState.DELIVERED
    html = client.get(f"/webhooks?endpoint_id={endpoint.id}").get_data(as_text=True)
    assert message.webhook_id in html and "Renvoyer" in html
    post_form(client, f"/webhooks/deliveries/{message.id}/replay", token_from=TOKEN_FROM)
    delivery.deliver_due(worker="w", now=utcnow())
    assert [g.headers["webhook-id"] for g in receiver.got] == [message.webhook_id] * 2


def test_another_networks_coordinator_gets_404_and_never_sees_the_endpoint(app, world, client):
    endpoint, _secret_ = register(world.a.network, PUBLIC)
    services.queue_ping(world.a.network, now=utcnow())
    db.session.commit()
    message = db.session.scalar(select(WebhookMessage))
    sign_in(client, world.b.coordinator)
    assert PUBLIC not in client.get("/webhooks").get_data(as_text=True)
    assert client.get(f"/webhooks/{endpoint.id}/edit").status_code == 404
    assert client.get(f"/webhooks?endpoint_id={endpoint.id}").status_code == 200  # filter ignored
    for path in (f"/webhooks/{endpoint.id}/{action}" for action in ("edit", "rotate", "enabled", "ping")):
        assert (
            post_form(client, path, {"url": "https://93.184.216.35/"}, token_from=TOKEN_FROM).status_code
            == 404
        )
    assert (
        post_form(client, f"/webhooks/deliveries/{message.id}/replay", token_from=TOKEN_FROM).status_code
        == 404
    )
    db.session.expire_all()
    assert (endpoint.url, endpoint.enabled) == (PUBLIC, True)


def test_a_member_cannot_reach_the_page(app, world, client):
    sign_in(client, world.a.members[0])
    assert client.get("/webhooks").status_code == 403


def test_the_page_sends_as_many_queries_with_3_or_60_deliveries(app, world, client):
    register(world.a.network, PUBLIC)
    register(world.a.network, PUBLIC.replace("hooks", "other"))
    sign_in(client, world.a.coordinator)
    for _n in range(3):
        services.queue_ping(world.a.network, now=utcnow())
    db.session.commit()
    few = statement_counts(client, ["/webhooks"])
    for _n in range(27):
        services.queue_ping(world.a.network, now=utcnow())
    db.session.commit()
    assert statement_counts(client, ["/webhooks", "/webhooks?page=2"]) == few * 2


def test_the_coordinators_home_and_the_outbox_link_the_page(app, world, client):
    sign_in(client, world.a.coordinator)
    assert 'href="/webhooks"' in client.get("/").get_data(as_text=True)
    assert 'href="/webhooks"' in client.get("/outbox").get_data(as_text=True)
