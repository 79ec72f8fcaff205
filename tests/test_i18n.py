from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from crm.base.extensions import db
from tests.conftest import csrf_token, post_form, sign_in
from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parent.parent


def test_interface_is_french_by_default(client):
    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="fr">' in html
    assert "<h1>Connexion</h1>" in html


def test_english_can_be_chosen_and_is_remembered(client):
    token = csrf_token(client)
    response = client.post("/language", data={"locale": "en", "next": "/login", "csrf_token": token})
    assert response.headers["Location"] == "/login"
    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "<h1>Sign in</h1>" in html


def test_signed_in_choice_is_saved_on_the_account(app, world, client):
    sign_in(client, world.a.coordinator)
    client.post("/language", data={"locale": "en", "csrf_token": csrf_token(client, "/account/password")})
    db.session.expire_all()
    assert world.a.coordinator.locale == "en"
    assert "What is waiting for you" in client.get("/").get_data(as_text=True)


def test_language_chosen_before_signing_in_is_kept_and_saved(app, world, client):
    client.post("/language", data={"locale": "en", "next": "/login", "csrf_token": csrf_token(client)})
    post_form(client, "/login", {"email": "coord-a@example.org", "password": PASSWORD})
    assert "What is waiting for you" in client.get("/").get_data(as_text=True)
    db.session.expire_all()
    assert world.a.coordinator.locale == "en"


def test_unknown_language_is_ignored(client):
    client.post("/language", data={"locale": "xx", "csrf_token": csrf_token(client)})
    assert "<h1>Connexion</h1>" in client.get("/login").get_data(as_text=True)


def test_dates_and_numbers_are_written_the_french_way(app, world, client):
    sign_in(client, world.a.coordinator)
    html = client.get(f"/editions/{world.a.edition.id}").get_data(as_text=True)
    assert "jeudi 4 mars 2027 – vendredi 5 mars 2027" in html


def test_every_interface_message_has_an_english_translation():
    method_map = [("crm/**.py", "python"), ("templates/**.html", "jinja2")]
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map=method_map, keywords=keywords
    ):
        found.add(message if isinstance(message, str) else tuple(message))
    with open(ROOT / "translations/en/LC_MESSAGES/messages.po", "rb") as handle:
        catalogue = {m.id: m.string for m in read_po(handle) if m.id}
    untranslated = sorted(str(m) for m in found if not catalogue.get(m))
    assert untranslated == [], "run `make extract-messages` and translate the new messages"


NNBSP = "\u202f"


def _french_messages():
    method_map = [("crm/**.py", "python"), ("templates/**.html", "jinja2")]
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map=method_map, keywords=keywords
    ):
        yield from ([message] if isinstance(message, str) else message)


def _misspaced(message) -> bool:
    import re

    text = message
    for mark in ";!?:":
        text = text.replace(NNBSP + mark, "")
    # a ; ! ? or : that closes a clause (a space or the end follows) comes after a narrow no-break space
    return bool(re.search(r"[;!?:](\s|$)", text) or re.search(r"«(?!\u202f)|(?<!\u202f)»", message))


def test_french_messages_put_a_narrow_no_break_space_before_high_punctuation_and_inside_guillemets():
    assert _misspaced("même heure; cette") and _misspaced("Conflit : a") and _misspaced("« a »")
    assert not _misspaced(f"Conflit{NNBSP}: a, 19:00, «{NNBSP}a{NNBSP}»{NNBSP}!")
    assert [m for m in _french_messages() if _misspaced(m)] == []
