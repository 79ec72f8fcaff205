"""The two halves together: a booking recorded through the API is delivered as a signed webhook whose
link, read with the same token, gives the booking."""

import json
from urllib.parse import urlsplit

from standardwebhooks import Webhook

from crm.base.database import utcnow
from crm.base.extensions import db
from crm.webhooks import delivery
from tests.api.conftest import bearer
from tests.webhooks.conftest import register


def test_a_booking_written_through_the_api_comes_back_as_a_signed_event_to_read(
    app,
    client,
    world,
    tokens,
    loopback,
    receiver,  # noqa: F811
):
    a = world.a
    _endpoint, secret = register(a.network, receiver.url, events=["booking.recorded"])
    made = client.post(
        "/api/v1/bookings",
        headers=bearer(tokens["write"]),
        json={"company_id": a.companies[0].id, "show_id": a.shows[0].id, "kind": "performances",
              "status": "option", "decided_on": "2027-04-02"},
    )  # fmt: skip
    assert made.status_code == 201
    refused = client.post("/api/v1/bookings", headers=bearer(tokens["write"]), json={**made.get_json()})
    assert refused.status_code == 422  # nothing recorded, nothing queued
    assert delivery.deliver_due(worker="test", now=utcnow())["delivered"] == 1
    db.session.expire_all()
    event = Webhook(secret).verify(receiver.got[0].body, receiver.got[0].headers)
    assert (event["type"], event["data"]["id"], event["data"]["network"]) == (
        "booking.recorded",
        made.get_json()["id"],
        a.network.slug,
    )
    path = urlsplit(event["data"]["url"]).path
    assert client.get(path, headers=bearer(tokens["read"])).get_json() == json.loads(made.get_data())
    assert client.get(path, headers=bearer(tokens["other"])).status_code == 404
