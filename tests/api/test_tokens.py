"""Tokens: made once and shown once, kept hashed, one network each, read or write, revocable at once."""

import time_machine
from sqlalchemy import select

from crm.api.models import ApiToken
from crm.base.extensions import db
from crm.base.tokens import hash_token
from crm.impact.models import Outcome
from tests.api.conftest import bearer, make_token
from tests.conftest import post_form, sign_in


def test_a_token_from_the_command_line_reads_and_records_a_booking(client, world, runner):
    a = world.a
    token = make_token(runner, a.network.slug, "write", name="Billetterie")
    editions = client.get("/api/v1/editions", headers=bearer(token))
    assert editions.status_code == 200
    assert {e["name"] for e in editions.get_json()["items"]} == {a.edition.name, a.planned.name}
    people = client.get("/api/v1/programmers", headers=bearer(token)).get_json()["items"]
    assert {p["email"] for p in people} == {p.email for p in (*a.programmers, a.member_contact)}
    recorded = client.post(
        "/api/v1/bookings",
        headers=bearer(token),
        json={"company_id": a.companies[0].id, "show_id": a.shows[0].id,
              "programmer_email": a.programmers[0].email, "kind": "performances", "status": "option",
              "decided_on": "2027-04-02"},
    )  # fmt: skip
    assert recorded.status_code == 201, recorded.get_json()
    booking = db.session.get(Outcome, recorded.get_json()["id"])
    assert (booking.network_id, booking.programmer_id) == (a.network.id, a.programmers[0].id)
    assert (
        client.get(f"/api/v1/bookings/{booking.id}", headers=bearer(token)).get_json()["status"] == "option"
    )


def test_a_token_never_reaches_another_network(client, world, tokens):
    b = world.b
    for url in (
        f"/api/v1/editions/{b.edition.id}", f"/api/v1/programmers/{b.programmers[0].id}",
        f"/api/v1/slots/{b.slot.id}", f"/api/v1/registrations/{b.registration.id}",
        f"/api/v1/companies/{b.companies[0].id}", f"/api/v1/report?edition={b.planned.id}",
    ):  # fmt: skip
        response = client.get(url, headers=bearer(tokens["write"]))
        assert response.status_code == 404, url
        assert response.content_type == "application/problem+json"
    url = f"/api/v1/programmers/{b.programmers[0].id}"
    assert client.patch(url, json={"job_title": "Pirate"}, headers=bearer(tokens["write"])).status_code == 404
    # ids named in a body are refused on their field, as the booking form refuses what is not in its lists
    body = {"slot_id": b.slot.id, "programmer_id": b.programmers[0].id}
    tick = client.post("/api/v1/attendance", json=body, headers=bearer(tokens["write"]))
    assert tick.status_code == 422 and tick.get_json()["errors"][0]["field"] == "slot_id"
    booking = client.post("/api/v1/bookings", headers=bearer(tokens["write"]),
                          json={"company_id": b.companies[0].id, "show_id": b.shows[0].id,
                                "kind": "performances", "status": "option",
                                "decided_on": "2027-04-02"})  # fmt: skip
    assert booking.status_code == 422 and booking.get_json()["errors"][0]["field"] == "company_id"
    assert db.session.scalar(select(Outcome.id)) is None
    lists = client.get("/api/v1/programmers?limit=200", headers=bearer(tokens["write"])).get_json()["items"]
    assert not {p["id"] for p in lists} & {p.id for p in b.programmers}


def test_without_a_token_401_and_a_session_cookie_opens_nothing(client, world):
    for headers in ({}, {"Authorization": "Bearer vit_not-a-token"}, {"Authorization": "Basic dXNlcjpwYXNz"}):
        response = client.get("/api/v1/programmers", headers=headers)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert response.get_json()["status"] == 401
    sign_in(client, world.a.coordinator)
    assert client.get("/api/v1/programmers").status_code == 401


def test_a_read_token_never_writes(client, world, tokens):
    a = world.a
    refused = client.post("/api/v1/programmers", headers=bearer(tokens["read"]),
                          json={"first_name": "A", "last_name": "B", "email": "ab@example.org"})  # fmt: skip
    assert refused.status_code == 403
    assert refused.content_type == "application/problem+json"
    patch = client.patch(f"/api/v1/programmers/{a.programmers[0].id}", headers=bearer(tokens["read"]),
                         json={"job_title": "X"})  # fmt: skip
    assert patch.status_code == 403
    assert db.session.get(type(a.programmers[0]), a.programmers[0].id).job_title != "X"


def test_a_revoked_token_is_refused_at_once(client, world, runner, tokens):
    assert client.get("/api/v1/network", headers=bearer(tokens["read"])).status_code == 200
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(tokens["read"])))
    result = runner.invoke(args=["api", "token", "revoke", "--network", world.a.network.slug, str(row.id)])
    assert result.exit_code == 0, result.output
    assert client.get("/api/v1/network", headers=bearer(tokens["read"])).status_code == 401
    other = runner.invoke(args=["api", "token", "revoke", "--network", world.b.network.slug, str(row.id)])
    assert other.exit_code != 0  # a network's tokens are revoked within the network


def test_only_a_digest_is_kept_and_the_list_shows_the_last_use(client, world, runner, tokens):
    rows = db.session.scalars(select(ApiToken)).all()
    assert len(rows) == 3
    for secret in tokens.values():
        assert not any(secret in (r.token_hash, r.prefix, r.name) for r in rows)
    with time_machine.travel("2027-03-04 10:00:00+00:00", tick=False):
        client.get("/api/v1/network", headers=bearer(tokens["read"]))
    db.session.commit()  # the command runs in a process of its own: nothing kept from before
    listed = runner.invoke(args=["api", "token", "list", "--network", world.a.network.slug]).output
    assert "2027-03-04 10:00" in listed and "jamais" in listed  # the write token was never used
    assert tokens["read"] not in listed


def test_the_coordination_makes_lists_and_revokes_tokens_on_its_page(client, world):
    a = world.a
    sign_in(client, a.coordinator)
    created = post_form(
        client, "/api-tokens", {"name": "Site du réseau", "scope": "read"}, token_from="/api-tokens"
    )
    assert created.status_code == 201
    page = created.get_data(as_text=True)
    secret = page.split('id="new-token">')[1].split("<")[0]
    assert secret.startswith("vit_")
    assert client.get("/api/v1/network", headers=bearer(secret)).get_json()["slug"] == a.network.slug
    listing = client.get("/api-tokens").get_data(as_text=True)
    assert "Site du réseau" in listing and secret not in listing
    row = db.session.scalar(select(ApiToken))
    assert row.created_by_id == a.coordinator.id
    missing = post_form(client, "/api-tokens", {"name": "", "scope": "read"}, token_from="/api-tokens")
    assert missing.status_code == 422 and 'aria-invalid="true"' in missing.get_data(as_text=True)
    revoked = post_form(client, f"/api-tokens/{row.id}/revoke", token_from="/api-tokens")
    assert revoked.status_code == 302
    assert client.get("/api/v1/network", headers=bearer(secret)).status_code == 401


def test_a_coordinator_cannot_revoke_another_networks_token(client, world, tokens):
    sign_in(client, world.b.coordinator)
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(tokens["read"])))
    assert post_form(client, f"/api-tokens/{row.id}/revoke", token_from="/api-tokens").status_code == 404
    assert client.get("/api/v1/network", headers=bearer(tokens["read"])).status_code == 200
    assert row.prefix not in client.get("/api-tokens").get_data(as_text=True)


def test_a_token_over_its_rate_gets_429_with_retry_after(client, world, app, tokens):
    app.config["RATE_LIMITS"] = {**app.config["RATE_LIMITS"], "api": (3, 100, 1)}
    with time_machine.travel("2027-03-04 10:00:00+00:00", tick=False):
        for _ in range(3):
            assert client.get("/api/v1/network", headers=bearer(tokens["read"])).status_code == 200
        refused = client.get("/api/v1/network", headers=bearer(tokens["read"]))
        assert refused.status_code == 429
        assert int(refused.headers["Retry-After"]) == 61  # the first of the three leaves the minute then
        assert refused.content_type == "application/problem+json"
        assert client.get("/api/v1/network", headers=bearer(tokens["write"])).status_code == 200  # per token
    with time_machine.travel("2027-03-04 10:01:01+00:00", tick=False):
        assert client.get("/api/v1/network", headers=bearer(tokens["read"])).status_code == 200


def test_a_token_works_beside_the_cookie_of_an_account_without_its_second_factor(app, client, world, tokens):
    """A coordinator still to set up a second factor is sent to do so by every page; a script's token in
    their browser still reads (the token opens the route, not the cookie)."""
    app.config["MFA_REQUIRED_ROLES"] = frozenset({"coordinator"})
    sign_in(client, world.a.coordinator)
    assert client.get("/editions").status_code == 302
    assert client.get("/api/v1/network", headers=bearer(tokens["read"])).status_code == 200
