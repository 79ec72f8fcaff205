"""Spreadsheet import of programmers: French Excel CSV, XLSX, bad rows, re-import, the pages."""

import csv
import io

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from crm.base.errors import DomainError
from crm.base.extensions import db
from crm.base.spreadsheets import to_csv
from crm.contacts import importing
from crm.contacts.models import Organisation, Programmer
from crm.imports.reading import read_table
from tests import factories
from tests.conftest import post_form, sign_in

HEADERS = ["Prénom", "Nom", "Adresse e-mail", "Téléphone", "Structure", "Département", "Disciplines"]
ROWS = [
    [
        "Hélène",
        "Lefèvre",
        "Helene.Lefevre@Example.org",
        "02 61 91 12 34",
        "Médiathèque d'Orléans",
        "45",
        "Théâtre, danse",
    ],
    ["Aurélien", "Garçon", "aurelien@example.org", "", "Médiathèque d'Orléans", "Loiret", "Conte"],
    ["Zoé", "", "zoe@example.org", "", "", "", ""],
    ["Marc", "Petit", "pas-une-adresse", "", "", "", ""],
    ["Inès", "Roux", "ines@example.org", "", "", "99", ""],
    ["Hélène", "Lefèvre", "helene.lefevre@example.org", "", "", "", ""],
    ["Paul", "Martin", "paul@example.org", "12", "", "", "Opéra"],
]


def french_excel_csv():
    """What Excel in French writes: `;`, Windows-1252, CRLF."""
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows([HEADERS, *ROWS])
    return out.getvalue().encode("cp1252")


def xlsx():
    book = Workbook()
    sheet = book.active
    for row in [HEADERS, *ROWS]:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _import(net, coordinator, data, filename="contacts.csv"):
    table = read_table(data)
    mapping = importing.guess_mapping(table.headers)
    planned = importing.apply(
        net.id, table, mapping, actor=coordinator, source="Carnet 2026", lawful_basis="legitimate_interest"
    )
    db.session.commit()
    return table, planned


@pytest.mark.parametrize("data", [french_excel_csv(), xlsx()], ids=["csv-cp1252-semicolon", "xlsx"])
def test_import_creates_valid_rows_and_refuses_the_others_with_reasons(app, net, coordinator, data):
    table, planned = _import(net, coordinator, data)
    assert table.headers == HEADERS
    assert [p.action.value for p in planned] == [
        "create",
        "create",
        "refused",
        "refused",
        "refused",
        "refused",
        "refused",
    ]
    assert [p.reasons for p in planned[2:]] == [
        ["nom manquant"],
        ["e-mail invalide : pas-une-adresse"],
        ["département inconnu : 99"],
        ["adresse déjà présente plus haut dans le fichier (ligne 2)"],
        ["Numéro de téléphone invalide : 12", "discipline inconnue : Opéra"],
    ]
    helene = db.session.scalar(select(Programmer).where(Programmer.email == "helene.lefevre@example.org"))
    assert (helene.first_name, helene.last_name, helene.phone, helene.departement_code) == (
        "Hélène",
        "Lefèvre",
        "+33261911234",
        "45",
    )
    assert [d.value for d in helene.disciplines] == ["dance", "theatre"]
    assert (helene.source, helene.created_by_id, helene.organisation.name) == (
        "Carnet 2026",
        coordinator.id,
        "Médiathèque d'Orléans",
    )
    structures = db.session.scalar(
        select(func.count()).select_from(Organisation).where(Organisation.network_id == net.id)
    )
    assert structures == 1


def test_reimporting_the_same_file_changes_nothing(app, net, coordinator):
    _import(net, coordinator, french_excel_csv())
    before = db.session.scalar(select(func.count()).select_from(Programmer))
    _table, again = _import(net, coordinator, french_excel_csv())
    assert [p.action.value for p in again[:2]] == ["unchanged", "unchanged"]
    assert db.session.scalar(select(func.count()).select_from(Programmer)) == before


def test_a_known_email_updates_that_record(app, net, coordinator):
    existing = factories.programmer(net, coordinator, email="aurelien@example.org", job_title=None)
    data = "Nom;E-mail;Fonction\nGarçon;AURELIEN@example.org;Programmateur\n".encode()
    _table, planned = _import(net, coordinator, data)
    assert planned[0].action.value == "update"
    db.session.expire_all()
    assert (existing.last_name, existing.job_title) == ("Garçon", "Programmateur")


def test_refused_rows_come_back_as_a_file_to_fix_with_formulas_neutralised(app, net, coordinator):
    data = b'Nom,E-mail,Fonction\nPirate,pas-une-adresse,"=HYPERLINK(""http://evil.example"")"\n'
    table, planned = _import(net, coordinator, data)
    headers, rows = importing.refused_rows(table, planned)
    content = to_csv(headers, rows)
    assert content.startswith(b"\xef\xbb\xbf")
    parsed = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert parsed == [
        ["Nom", "E-mail", "Fonction", "Motif du refus"],
        [
            "Pirate",
            "pas-une-adresse",
            '\'=HYPERLINK("http://evil.example")',
            "e-mail invalide : pas-une-adresse",
        ],
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "Le fichier est vide."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "pas un tableur lisible"),
        (b"Nom;E-mail\n", "aucune ligne à importer"),
        (b"PK\x03\x04not really a zip", "pas un tableur lisible"),
    ],
)
def test_files_that_cannot_be_imported_get_a_clear_error(data, message):
    with pytest.raises(DomainError) as error:
        read_table(data)
    assert message in str(error.value.message)


def test_headers_are_guessed_in_french_and_english():
    assert importing.guess_mapping(["Prénom", "NOM", "Courriel", "Tél.", "Ville", "CP"]) == {
        0: "first_name",
        1: "last_name",
        2: "email",
        3: "phone",
        4: "city",
        5: "postcode",
    }
    assert importing.guess_mapping(["First name", "Last name", "Email", "Organization", "Job title"]) == {
        0: "first_name",
        1: "last_name",
        2: "email",
        3: "organisation",
        4: "job_title",
    }


def test_upload_preview_and_import_through_the_pages(app, world, client):
    sign_in(client, world.a.members[0])
    before = db.session.scalar(select(func.count()).select_from(Programmer))
    upload = {
        "file": (io.BytesIO(french_excel_csv()), "contacts.csv"),
        "source": "Carnet de la compagnie",
        "lawful_basis": "legitimate_interest",
    }
    response = post_form(
        client,
        "/imports/programmers/new",
        upload,
        token_from="/account/password",
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    preview = client.get(response.headers["Location"])
    html = preview.get_data(as_text=True)
    assert "2 à créer · 0 à mettre à jour · 0 inchangé · 5 refusé" in html
    assert (
        db.session.scalar(select(func.count()).select_from(Programmer)) == before
    )  # the preview writes nothing
    mapping = {f"col_{i}": f for i, f in importing.guess_mapping(HEADERS).items()}
    done = post_form(client, response.headers["Location"] + "/apply", mapping, token_from="/account/password")
    assert done.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Programmer)) == before + 2
    refused = client.get(response.headers["Location"] + "/refused.csv")
    assert refused.headers["Content-Type"].startswith("text/csv")
    assert refused.get_data().decode("utf-8-sig").count("\r\n") == 6
    sign_in(other := app.test_client(), world.a.members[1])
    assert other.get(response.headers["Location"]).status_code == 404


def test_upload_refuses_a_file_over_the_limit_and_keeps_the_form(app, world, client):
    app.config["MAX_IMPORT_BYTES"] = 100
    sign_in(client, world.a.coordinator)
    upload = {
        "file": (io.BytesIO(b"Nom;E-mail\n" + b"x;y@example.org\n" * 20), "gros.csv"),
        "source": "Salon",
        "lawful_basis": "consent",
    }
    response = post_form(
        client,
        "/imports/programmers/new",
        upload,
        token_from="/account/password",
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="file-error">Le fichier est trop gros (0,3 Ko) : la limite est de 0,1 Ko.' in html
    assert 'value="Salon"' in html
