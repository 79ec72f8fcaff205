"""Sign-in and sessions, hardened: local redirects only, a second factor, idle sessions, passwords
people cannot guess, and pages no cache keeps."""

from datetime import UTC, datetime, timedelta

import pyotp
import pytest

from crm.accounts import mfa, passwords
from crm.accounts.models import RecoveryCode
from crm.base.errors import DomainError
from crm.base.extensions import db
from tests.conftest import csrf_token, post_form, sign_in
from tests.factories import PASSWORD
from tests.scene import travel

NOW = datetime(2027, 1, 11, 9, tzinfo=UTC)

TRICKS = [
    "//evil.example",
    "/%09/evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\\evil.example",
    "/%5Cevil.example",
    "/%5cevil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "https://evil.example",
    "https:evil.example",
    "javascript:alert(1)",
    "//%2Fevil.example",
    " //evil.example",
    "/%2F/evil.example",
    "%2F%2Fevil.example",
]


def _login(client, email, password=PASSWORD, next_=None, address="198.51.100.7"):
    url = (
        "/login" if next_ is None else "/login?" + __import__("urllib.parse").parse.urlencode({"next": next_})
    )
    return post_form(
        client, url, {"email": email, "password": password}, environ_base={"REMOTE_ADDR": address}
    )


@pytest.mark.parametrize("target", TRICKS)
def test_sign_in_never_redirects_off_the_site(app, world, client, target):
    response = _login(client, "coord-a@example.org", next_=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("target", TRICKS)
def test_the_language_switch_never_redirects_off_the_site(app, client, target):
    response = client.post(
        "/language", data={"locale": "en", "next": target, "csrf_token": csrf_token(client)}
    )
    assert response.headers["Location"] == "/"


def test_a_local_next_address_is_followed(app, world, client):
    assert _login(client, "coord-a@example.org", next_="/programmers?q=ab").headers["Location"] == (
        "/programmers?q=ab"
    )


# --- Second factor -----------------------------------------------------------------------------------


def _enrol(user, now):
    secret = mfa.start_enrolment(user)
    codes = mfa.confirm_enrolment(user, pyotp.TOTP(secret).at(now), now=now)
    db.session.commit()
    return secret, codes


def test_an_enrolled_account_needs_its_code_and_a_code_works_once(app, world, client):
    coordinator = world.a.coordinator
    with travel(NOW):
        secret, _codes = _enrol(coordinator, NOW)
    later = NOW + timedelta(minutes=2)
    with travel(later):
        response = _login(client, "coord-a@example.org")
        assert response.headers["Location"] == "/login/code"
        assert client.get("/").status_code == 302  # not signed in yet
        code = pyotp.TOTP(secret).at(later)
        wrong = post_form(client, "/login/code", {"code": "000000"}, token_from="/login/code")
        assert wrong.status_code == 401 and "Ce code n&#39;est pas le bon" in wrong.get_data(as_text=True)
        assert post_form(client, "/login/code", {"code": code}, token_from="/login/code").status_code == 302
        assert client.get("/").status_code == 200
        other = app.test_client()
        _login(other, "coord-a@example.org")
        replay = post_form(other, "/login/code", {"code": code}, token_from="/login/code")
        assert replay.status_code == 401  # the same code, seen over a shoulder, does not open a second door


def test_a_recovery_code_stands_in_once_for_the_phone(app, world, client):
    with travel(NOW):
        _secret, codes = _enrol(world.a.coordinator, NOW)
        assert len(codes) == 10 and len(set(codes)) == 10
        stored = db.session.scalars(db.select(RecoveryCode.code_hash)).all()
        assert all(code.replace("-", "") not in " ".join(stored) for code in codes)
        _login(client, "coord-a@example.org")
        assert (
            post_form(client, "/login/code", {"code": codes[3].upper()}, token_from="/login/code").status_code
            == 302
        )
        again = app.test_client()
        _login(again, "coord-a@example.org")
        assert (
            post_form(again, "/login/code", {"code": codes[3]}, token_from="/login/code").status_code == 401
        )


def test_the_pending_code_step_expires(app, world, client):
    with travel(NOW):
        secret, _codes = _enrol(world.a.coordinator, NOW)
        _login(client, "coord-a@example.org")
    late = NOW + timedelta(minutes=6)
    with travel(late):
        code = pyotp.TOTP(secret).at(late)
        response = post_form(client, "/login/code", {"code": code}, token_from="/login")
        assert response.headers["Location"] == "/login"


def test_a_role_that_requires_the_second_factor_uses_nothing_else_until_enrolled(app, world, client):
    app.config["MFA_REQUIRED_ROLES"] = frozenset({"admin", "coordinator"})
    assert _login(client, "coord-a@example.org").headers["Location"] == "/account/security"
    assert client.get("/programmers").headers["Location"] == "/account/security"
    member = app.test_client()
    assert _login(member, "member-a1@example.org").headers["Location"] == "/"  # optional for members


def test_an_administrator_removes_the_second_factor_of_a_lost_phone(app, world, client):
    with travel(NOW):
        _enrol(world.a.coordinator, NOW)
        person = app.test_client()
        sign_in(person, world.a.coordinator)
        sign_in(client, world.admin)
        response = post_form(
            client, f"/admin/users/{world.a.coordinator.id}/mfa-reset", token_from="/admin/users"
        )
        assert response.status_code == 302
        db.session.refresh(world.a.coordinator)
        assert not world.a.coordinator.has_mfa and world.a.coordinator.totp_secret is None
        assert db.session.scalar(db.select(db.func.count()).select_from(RecoveryCode)) == 0
        assert person.get("/").status_code == 302  # their sessions ended


def test_confirming_enrolment_with_a_wrong_code_says_so_and_keeps_it_off(app, world):
    user = world.a.members[0]
    mfa.start_enrolment(user)
    with pytest.raises(DomainError) as error:
        mfa.confirm_enrolment(user, "123456", now=NOW)
    assert error.value.field == "code" and not user.has_mfa


# --- Sessions -----------------------------------------------------------------------------------------


def test_a_session_left_unused_for_the_idle_limit_must_sign_in_again(app, world, client):
    app.config["SESSION_IDLE_MINUTES"] = 120
    with travel(NOW):
        sign_in(client, world.a.coordinator)
    with travel(NOW + timedelta(minutes=119)):
        assert client.get("/").status_code == 200  # used: the idle clock starts again
    with travel(NOW + timedelta(minutes=119 + 119)):
        assert client.get("/").status_code == 200
    with travel(NOW + timedelta(minutes=119 + 119 + 121)):
        assert client.get("/").headers["Location"].startswith("/login")


def test_the_absolute_session_limit_stays(app, world, client):
    app.config["SESSION_IDLE_MINUTES"] = 60 * 24 * 60
    with travel(NOW):
        sign_in(client, world.a.coordinator)
    with travel(NOW + timedelta(days=31)):
        assert client.get("/").status_code == 302


# --- Passwords ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password", ["1234567890", "qwertyuiop", "Password123!", "azertyuiop", "aaaaaaaaaaaa", "football2024"]
)
def test_common_passwords_are_refused(password):
    with pytest.raises(DomainError) as error:
        passwords.check(password)
    assert "plus courants" in str(error.value.message)


@pytest.mark.parametrize("password", ["claire.dupont-2027", "ClaireDupont!!", "xx-dupont-xx-99"])
def test_the_account_own_address_or_name_is_refused(password):
    with pytest.raises(DomainError) as error:
        passwords.check(password, email="claire.dupont@example.org", name="Claire Dupont")
    assert "votre nom" in str(error.value.message)


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery staple",
        "Ünïcødé-pässwörd-ça-marche",
        "x" * 3 + "🎭 les planches du théâtre",
        "a" * 3 + "b" * 3 + "c" * 60,
    ],
)
def test_long_and_unicode_passwords_are_accepted(app, world, client, password):
    """Refused by nothing, and the account then signs in with it (hashed and compared as typed)."""
    from crm.accounts import services

    assert passwords.check(password, email="claire.dupont@example.org", name="Claire Dupont") is None
    world.a.coordinator.password_hash = services.hash_password(password)
    db.session.commit()
    assert _login(client, "coord-a@example.org", password).status_code == 302


def test_a_64_character_unicode_password_signs_in_whatever_its_normal_form(app, world, client):
    import unicodedata

    from crm.accounts import services

    chosen = "Répétition générale à l'Élysée-Montmartre, vendredi : 20 h 30 !!"
    assert len(chosen) == 64
    world.a.coordinator.password_hash = services.hash_password(unicodedata.normalize("NFD", chosen))
    db.session.commit()
    assert _login(client, "coord-a@example.org", unicodedata.normalize("NFC", chosen)).status_code == 302


# --- Headers ------------------------------------------------------------------------------------------


def test_authenticated_pages_and_exports_are_never_stored(app, world, client):
    sign_in(client, world.a.coordinator)
    for url in ("/", "/programmers", f"/programmers/{world.a.programmers[0].id}/export.csv"):
        assert client.get(url).headers["Cache-Control"] == "no-store", url
    public = app.test_client().get(f"/programme/{world.a.planned.slug}")
    assert public.headers.get("Cache-Control") != "no-store"


def test_https_sends_hsts_and_names_the_cookie_with_the_host_prefix(world):
    from tests.conftest import make_app

    https = make_app(VITRINE_HTTPS=True, SESSION_COOKIE_SECURE=True, SESSION_COOKIE_NAME="__Host-session")
    with https.app_context():
        client = https.test_client()
        response = client.get("/login", base_url="https://localhost")
        assert response.headers["Strict-Transport-Security"].startswith("max-age=")
        signed = _login(client, "coord-a@example.org")
        cookie = signed.headers["Set-Cookie"]
        assert cookie.startswith("__Host-session=") and "Secure" in cookie and "Path=/" in cookie
        assert "Domain" not in cookie
        db.engine.dispose()


def test_https_settings_come_from_the_environment(monkeypatch, tmp_path):
    from crm.base.config import load_settings

    monkeypatch.setenv("VITRINE_HTTPS", "1")
    settings = load_settings(str(tmp_path))
    assert settings["SESSION_COOKIE_NAME"] == "__Host-session" and settings["SESSION_COOKIE_SECURE"]


def test_csp_forbids_any_base_element(client):
    assert "base-uri 'none'" in client.get("/login").headers["Content-Security-Policy"]


def test_the_right_password_does_not_reset_the_count_of_wrong_codes(app, world, client):
    with travel(NOW):
        _enrol(world.a.coordinator, NOW)
        for _ in range(3):
            assert _login(client, "coord-a@example.org").headers["Location"] == "/login/code"
            for _ in range(2):
                post_form(
                    client, "/login/code", {"code": "000000"}, token_from="/login/code",
                    environ_base={"REMOTE_ADDR": "198.51.100.7"},
                )  # fmt: skip
        assert _login(client, "coord-a@example.org").status_code == 429  # 6 wrong codes from here
