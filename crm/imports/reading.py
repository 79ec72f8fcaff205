"""Reading spreadsheets as French offices export them: CSV with `,` `;` or tabs, UTF-8 or
Windows-1252 (Excel's "CSV (séparateur : point-virgule)"), and XLSX."""

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _

from crm.errors import DomainError

XLSX_MAGIC = b"PK\x03\x04"
DELIMITERS = ";,\t"


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]


def read_table(filename: str, data: bytes) -> Table:
    """Headers and rows of the first sheet; DomainError with a clear message for anything else."""
    if not data.strip():
        raise DomainError(_("Le fichier est vide."), field="file")
    table = _read_xlsx(data) if data.startswith(XLSX_MAGIC) else _read_csv(_decode(data))
    table.rows = [row for row in table.rows if any(cell.strip() for cell in row)]
    if not table.rows:
        raise DomainError(
            _("Le fichier ne contient que des en-têtes, aucune ligne à importer."), field="file"
        )
    return table


def _not_a_spreadsheet():
    return DomainError(
        _("Ce fichier n'est pas un tableur lisible : enregistrez-le en CSV ou en XLSX."), field="file"
    )


def _decode(data: bytes) -> str:
    if b"\x00" in data[:4096]:
        raise _not_a_spreadsheet()
    if data.startswith(b"\xef\xbb\xbf"):
        return data.decode("utf-8-sig")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _read_csv(text: str) -> Table:
    first_line = text.split("\n", 1)[0]
    delimiter = max(DELIMITERS, key=first_line.count)
    if first_line.count(delimiter) == 0 and len(text.splitlines()) < 2:
        raise _not_a_spreadsheet()
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    if not rows:
        raise _not_a_spreadsheet()
    return Table([h.strip() for h in rows[0]], [[c.strip() for c in r] for r in rows[1:]])


def _read_xlsx(data: bytes) -> Table:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise _not_a_spreadsheet() from None
    sheet = workbook.worksheets[0]
    rows = [[_cell(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    workbook.close()
    if not rows:
        raise DomainError(_("Le fichier est vide."), field="file")
    return Table(rows[0], rows[1:])


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def human_size(size: int) -> str:
    """'850 Ko', '4,8 Mo': sizes as people read them."""
    from flask_babel import format_decimal

    if size < 2**20:
        return f"{format_decimal(size / 1024, '#,##0.#')} Ko"
    return f"{format_decimal(size / 2**20, '#,##0.#')} Mo"


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """A cell a spreadsheet would run as a formula gets a leading apostrophe (shown as text)."""
    return "'" + cell if cell and cell.startswith(FORMULA_STARTS) else cell


def to_csv(headers, rows) -> bytes:
    """CSV as Excel in French opens it: `;`, UTF-8 with BOM, formulas neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([neutralise(str(h)) for h in headers])
    writer.writerows([[neutralise(str(c)) for c in row] for row in rows])
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")
