import logging

from sqlalchemy import func, select

from crm.accounts.models import UserSession
from crm.base.extensions import db
from crm.base.ratelimit import RateHit
from tests.conftest import csrf_token, make_app, post_form, sign_in
from tests.factories import PASSWORD


def _login(client, email, password=PASSWORD, address="198.51.100.7"):
    return post_form(
        client, "/login", {"email": email, "password": password}, environ_base={"REMOTE_ADDR": address}
    )


def test_login_with_right_password_opens_the_home_page(app, world, client):
    response = _login(client, "COORD-A@example.org ")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "Édition A" in client.get("/").get_data(as_text=True)


def test_login_with_wrong_password_says_so_and_keeps_the_email(app, world, client):
    response = _login(client, "coord-a@example.org", "wrong password")
    html = response.get_data(as_text=True)
    assert response.status_code == 401
    assert "Adresse e-mail ou mot de passe incorrect." in html
    assert 'value="coord-a@example.org"' in html


def test_login_refused_for_a_deactivated_account(app, world, client):
    world.a.coordinator.active = False
    db.session.commit()
    assert _login(client, "coord-a@example.org").status_code == 401


def test_login_follows_only_local_next_addresses(app, world, client):
    token = csrf_token(client)
    data = {"email": "coord-a@example.org", "password": PASSWORD, "csrf_token": token}
    response = client.post("/login?next=//evil.example/steal", data=data)
    assert response.headers["Location"] == "/"
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account/password")})
    data["csrf_token"] = csrf_token(client)
    assert client.post("/login?next=/programmers", data=data).headers["Location"] == "/programmers"


def test_account_throttled_from_one_address_after_five_failures_even_with_the_right_password(
    app, world, client, caplog
):
    for _ in range(5):
        assert _login(client, "coord-a@example.org", "nope").status_code == 401
    with caplog.at_level(logging.INFO, logger="crm.security"):
        response = _login(client, "coord-a@example.org")
    assert response.status_code == 429
    assert "Trop de tentatives de connexion échouées. Réessayez dans 15 minutes." in response.get_data(
        as_text=True
    )
    assert any('"event": "login.throttled"' in r.getMessage() for r in caplog.records)
    assert _login(client, "coord-b@example.org").status_code == 302


def test_five_wrong_passwords_from_one_address_do_not_lock_the_owner_out_elsewhere(app, world, client):
    for _ in range(5):
        assert _login(client, "coord-a@example.org", "nope", address="203.0.113.66").status_code == 401
    assert _login(client, "coord-a@example.org", address="203.0.113.66").status_code == 429
    owner = app.test_client()
    assert _login(owner, "coord-a@example.org", address="198.51.100.20").status_code == 302


def test_the_owner_is_told_once_by_mail_of_repeated_failures(app, world, client):
    from crm.mail.models import OutboxMessage

    for n in range(12):
        _login(client, "coord-a@example.org", "nope", address=f"203.0.113.{n}")
    alerts = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.to_address == "coord-a@example.org")
    ).all()
    assert len(alerts) == 1
    assert alerts[0].subject == "Vitrine : tentatives de connexion à votre compte"
    assert "203.0.113" not in alerts[0].body_text  # no address of the attacker, nothing to click


def test_address_throttled_after_twenty_failures_across_accounts(app, world, client):
    for n in range(20):
        _login(client, f"nobody{n}@example.org", "nope", address="203.0.113.9")
    assert _login(client, "coord-a@example.org", address="203.0.113.9").status_code == 429
    assert _login(client, "coord-a@example.org", address="203.0.113.10").status_code == 302


def test_throttle_counters_are_shared_between_worker_processes(app, world):
    """Two app instances stand for two workers: failures seen by one throttle the other."""
    first = app.test_client()
    for _ in range(5):
        _login(first, "coord-a@example.org", "nope")
    second_app = make_app()
    with second_app.app_context():
        response = _login(second_app.test_client(), "coord-a@example.org")
        db.engine.dispose()
    assert response.status_code == 429


def test_successful_login_clears_the_account_failures(app, world, client):
    for _ in range(4):
        _login(client, "coord-a@example.org", "nope")
    assert _login(client, "coord-a@example.org").status_code == 302
    pair = RateHit.key == "coord-a@example.org|198.51.100.7"
    count = select(func.count()).select_from(RateHit).where(RateHit.bucket == "login:account-address", pair)
    assert db.session.scalar(count) == 0


def test_cookie_replayed_after_logout_is_refused(app, world, client):
    _login(client, "coord-a@example.org")
    stolen = client.get_cookie("session").value
    post_form(client, "/logout", token_from="/account/password")
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    response = thief.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_password_change_ends_other_sessions_but_keeps_this_one(app, world, client):
    other_browser = app.test_client()
    sign_in(other_browser, world.a.coordinator)
    _login(client, "coord-a@example.org")
    response = post_form(
        client,
        "/account/password",
        {
            "current_password": PASSWORD,
            "new_password": "a new long password",
            "confirm": "a new long password",
        },
        token_from="/account/password",
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert other_browser.get("/").status_code == 302
    live = select(func.count()).select_from(UserSession).where(UserSession.revoked_at.is_(None))
    assert db.session.scalar(live) == 1
    assert _login(app.test_client(), "coord-a@example.org", "a new long password").status_code == 302


def test_password_change_with_wrong_current_password_is_refused_beside_the_field(app, world, client):
    sign_in(client, world.a.coordinator)
    response = post_form(
        client,
        "/account/password",
        {
            "current_password": "wrong",
            "new_password": "a new long password",
            "confirm": "a new long password",
        },
        token_from="/account/password",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="current_password-error">Le mot de passe actuel est incorrect.' in html


def test_post_without_csrf_token_gets_400(app, world, client):
    assert (
        client.post("/login", data={"email": "coord-a@example.org", "password": PASSWORD}).status_code == 400
    )
    sign_in(client, world.a.coordinator)
    response = client.post("/programmers/new", data={"first_name": "Sans", "last_name": "Jeton"})
    assert response.status_code == 400
    response = client.post("/programmers/new", data={"csrf_token": "forged"})
    assert response.status_code == 400


def test_session_cookie_is_httponly_and_lax(app, world, client):
    response = _login(client, "coord-a@example.org")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_session_cookie_is_secure_behind_https(world):
    https_app = make_app(SESSION_COOKIE_SECURE=True)
    with https_app.app_context():
        client = https_app.test_client()
        response = _login(client, "coord-a@example.org")
        db.engine.dispose()
    assert "Secure" in response.headers["Set-Cookie"]


def test_session_token_is_stored_hashed(app, world, client):
    token = sign_in(client, world.a.coordinator)
    hashes = list(db.session.scalars(select(UserSession.token_hash)))
    assert token not in hashes
    assert len(hashes) == 1
    assert len(token) >= 43
