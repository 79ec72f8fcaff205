"""Costly or broken input: huge spreadsheets stop early with a clear message beside the file field,
a table is read once per import, and the costly actions are limited per account and per address."""

import io
from unittest import mock

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from crm.base.errors import DomainError
from crm.base.extensions import db
from crm.imports import reading
from crm.imports.models import ImportFile
from crm.imports.reading import read_table
from tests.conftest import post_form, sign_in


def _upload(client, content, filename="contacts.csv"):
    upload = {"file": (io.BytesIO(content), filename), "source": "Salon", "lawful_basis": "consent"}
    return post_form(
        client,
        "/imports/programmers/new",
        upload,
        token_from="/account/password",
        content_type="multipart/form-data",
    )


def _big_xlsx(rows: int) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["Nom", "E-mail"])
    for n in range(rows):
        sheet.append([f"P{n}", f"p{n}@example.org"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_spreadsheet_over_the_row_limit_stops_early_with_a_clear_message():
    data = _big_xlsx(30_000)
    with pytest.raises(DomainError) as error:
        read_table(data, max_rows=20_000)
    assert error.value.field == "file"
    assert error.value.message == (
        "Le fichier compte plus de 20\u202f000 lignes : coupez-le en plusieurs fichiers et importez-les "
        "l'un après l'autre."
    )
    # reading stopped at the limit: it did not read the 10,000 rows after it
    with mock.patch.object(reading, "_cell", wraps=reading._cell) as cells, pytest.raises(DomainError):
        read_table(data, max_rows=100)
    assert cells.call_count == 2 * 102  # the header, 100 rows, and the one over the limit


def test_the_row_limit_counts_rows_with_something_in_them():
    data = b"Nom;E-mail\n" + b"x;x@example.org\n" * 3 + b";\n" * 50
    assert len(read_table(data, max_rows=10).rows) == 3


def test_a_csv_cell_of_two_million_characters_is_a_message_not_an_error():
    data = b"Nom;E-mail\n" + b"x" * 2_000_000 + b";y@example.org\n"
    with pytest.raises(DomainError) as error:
        read_table(data)
    assert error.value.field == "file" and "Ligne 2" in str(error.value.message)


def test_a_quoted_csv_field_over_the_csv_module_limit_is_a_message():
    data = b'Nom;E-mail\n"' + b"x" * 200_000 + b'";y@example.org\n'
    with pytest.raises(DomainError) as error:
        read_table(data)
    assert "Ligne" in str(error.value.message)


def test_an_xlsx_that_unpacks_to_far_more_than_its_size_is_refused():
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<a>" + b" " * 60_000_000 + b"</a>")
    with pytest.raises(DomainError) as error:
        read_table(out.getvalue())
    assert "tableur lisible" in str(error.value.message)


def test_a_huge_csv_upload_is_refused_beside_the_file_field_and_nothing_is_kept(app, world, client):
    app.config["MAX_IMPORT_ROWS"] = 50
    sign_in(client, world.a.coordinator)
    before = db.session.scalar(select(func.count()).select_from(ImportFile))
    response = _upload(client, b"Nom;E-mail\n" + b"x;x@example.org\n" * 51)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="file-error">Le fichier compte plus de 50 lignes' in html
    assert 'value="Salon"' in html
    assert db.session.scalar(select(func.count()).select_from(ImportFile)) == before


def test_a_table_is_read_once_per_import(app, world, client):
    sign_in(client, world.a.coordinator)
    location = _upload(client, b"Nom;E-mail\nDurand;durand@example.org\n").headers["Location"]
    with mock.patch.object(reading, "_decode", wraps=reading._decode) as decode:
        for _ in range(3):
            assert client.get(location).status_code == 200
        assert client.get(location + "?col_0=last_name&col_1=email").status_code == 200
    assert decode.call_count == 0


@pytest.mark.parametrize("value", ["abc", "1e3", "99999999999999999999", "-5", "45"])
def test_a_calendar_reminder_outside_the_list_is_refused_beside_the_field(app, world, client, value):
    from crm.calendar.models import Subscription

    sign_in(client, world.a.members[0])
    post_form(client, "/calendars/subscribe/company", {"action": "create"}, token_from="/account/password")
    response = post_form(
        client,
        "/calendars/subscribe/company",
        {"action": "options", "alarm_minutes": value, "hide_cancelled": "1"},
        token_from="/account/password",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="alarm-error">Choisissez un rappel dans la liste.' in html
    [subscription] = db.session.scalars(select(Subscription)).all()
    assert (subscription.alarm_minutes, subscription.hide_cancelled) == (None, False)  # nothing saved
    assert 'name="hide_cancelled" value="1" checked' in html  # what was typed is kept


def test_looking_at_a_subscription_page_writes_nothing(app, world, client):
    from crm.calendar.models import Subscription

    sign_in(client, world.a.members[0])
    for feed in ("company", "tasks"):
        page = client.get(f"/calendars/subscribe/{feed}").get_data(as_text=True)
        assert "Créer mon lien d&#39;abonnement" in page or "Créer mon lien d'abonnement" in page
    assert db.session.scalar(select(func.count()).select_from(Subscription)) == 0
    created = post_form(
        client, "/calendars/subscribe/company", {"action": "create"}, token_from="/account/password"
    )
    assert created.status_code == 302
    assert "/calendars/" in client.get("/calendars/subscribe/company").get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Subscription)) == 1


BAD_NUMBERS = ["abc", "1e3", "99999999999999999999", "²", "-1", "١٢", "NaN", "sNaN", "Infinity", "1e999999"]


@pytest.mark.parametrize("bad", BAD_NUMBERS)
def test_numbers_typed_or_forged_never_make_a_server_error(app, world, client, bad):
    a = world.a
    sign_in(client, a.coordinator)
    probes = [
        ("GET", f"/programmers?page={bad}"),
        ("GET", f"/outcomes?edition={bad}"),
        ("GET", f"/calendars/{bad}-abc.ics"),
        (
            "POST",
            f"/editions/{a.edition.id}/venues",
            {"venue_ids": [str(a.venue.id), bad], f"host_{a.venue.id}": bad},
        ),
        ("POST", f"/registrations/{a.registration.id}/slots", {"max_slots": bad}),
        ("POST", f"/editions/{a.planned.id}/invitations", {"listed": "1", "people": [bad]}),
        (
            "POST",
            f"/editions/{a.planned.id}/box-office",
            {"income": bad, "fee_per_person": "255", "rule": "equal"},
        ),
        ("POST", f"/editions/{a.planned.id}/box-office", {"income": bad, "rule": "equal"}),  # default fee
        (
            "POST",
            f"/structures/{a.venue.id}/edit",
            {"name": "Théâtre", "structure_type": "library", "stage_width_m": bad},
        ),
    ]
    for method, url, *data in probes:
        if method == "GET":
            response = client.get(url)
        else:
            response = post_form(client, url, data[0], token_from="/account/password")
        assert response.status_code < 500, (url, bad, response.status_code)


@pytest.mark.parametrize("bad", ["NaN", "sNaN", "Infinity", "1e999999", "-3", "abc", "1234567890123"])
def test_a_booking_fee_that_is_not_an_amount_gets_a_message(bad):
    from crm.impact.services import _fee

    with pytest.raises(DomainError) as error:
        _fee(bad)
    assert error.value.field == "fee"


def test_a_booking_fee_as_people_type_it():
    from decimal import Decimal

    from crm.impact.services import _fee

    assert _fee("1 200,50") == Decimal("1200.50") and _fee("850") == Decimal("850.00")


# --- Rate limits --------------------------------------------------------------------------------------


def test_imports_are_limited_per_account_with_a_message_that_says_when(app, world, client):
    app.config["RATE_LIMITS"] = {**app.config["RATE_LIMITS"], "import": (3, 100, 60)}
    sign_in(client, world.a.coordinator)
    for _ in range(3):
        assert _upload(client, b"Nom;E-mail\nA;a@example.org\n").status_code == 302
    response = _upload(client, b"Nom;E-mail\nA;a@example.org\n")
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 3500
    assert "réessayez dans 60 minutes" in response.get_data(as_text=True)
    colleague = app.test_client()
    sign_in(colleague, world.a.members[0])
    assert _upload(colleague, b"Nom;E-mail\nA;a@example.org\n").status_code == 302  # per account


def test_the_limit_per_address_holds_across_accounts_and_workers(app, world):
    from tests.conftest import make_app

    app.config["RATE_LIMITS"] = {**app.config["RATE_LIMITS"], "invitations": (100, 2, 60)}
    a = world.a
    for user in (a.coordinator, a.coordinator):
        client = app.test_client()
        sign_in(client, user)
        response = post_form(
            client, f"/editions/{a.planned.id}/invitations", {}, token_from="/account/password"
        )
        assert response.status_code == 302
    other_worker = make_app(RATE_LIMITS={**app.config["RATE_LIMITS"], "invitations": (100, 2, 60)})
    with other_worker.app_context():
        client = other_worker.test_client()
        sign_in(client, db.session.merge(a.coordinator))
        response = post_form(
            client, f"/editions/{a.planned.id}/invitations", {}, token_from="/account/password"
        )
        db.engine.dispose()
    assert response.status_code == 429


def test_import_previews_are_limited_too(app, world, client):
    app.config["RATE_LIMITS"] = {**app.config["RATE_LIMITS"], "import-preview": (2, 100, 10)}
    sign_in(client, world.a.coordinator)
    location = _upload(client, b"Nom;E-mail\nA;a@example.org\n").headers["Location"]
    assert [client.get(location).status_code for _ in range(3)] == [200, 200, 429]
