import os
import stat

from crm.base.config import _secret_key, normalise_database_url


def test_security_headers_on_every_page(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_pages_carry_no_inline_script_and_no_third_party_asset(client):
    html = client.get("/login").get_data(as_text=True)
    assert "<script" not in html
    assert "style=" not in html
    assert "http://" not in html and "https://" not in html


def test_signed_in_pages_load_scripts_only_from_our_static_files(app, world, client):
    import re

    from tests.conftest import sign_in

    sign_in(client, world.a.coordinator)
    for url in (
        "/",
        f"/editions/{world.a.planned.id}/planning",
        f"/editions/{world.a.planned.id}/invitations",
    ):
        html = client.get(url).get_data(as_text=True)
        scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
        assert scripts, url
        assert all(
            re.fullmatch(r' src="/static/js/[a-z-]+\.js" defer', attrs) and body == ""
            for attrs, body in scripts
        )
        assert "style=" not in html and "onclick" not in html


def test_generated_secret_key_is_persisted_privately(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = _secret_key(tmp_path)
    assert len(first) == 64
    assert _secret_key(tmp_path) == first
    assert stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode) == 0o600


def test_secret_key_from_the_environment_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "from-env")
    assert _secret_key(tmp_path) == "from-env"
    assert not (tmp_path / "secret_key").exists()


def test_postgres_urls_use_psycopg_3():
    assert normalise_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_unknown_page_gets_a_french_404(client):
    response = client.get("/nowhere")
    assert response.status_code == 404
    assert "<h1>Cette page n'existe pas, ou plus.</h1>" in response.get_data(as_text=True)
