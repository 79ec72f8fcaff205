"""Reading spreadsheets as French offices export them: CSV with `,` `;` or tabs, UTF-8 or
Windows-1252 (Excel's "CSV (séparateur : point-virgule)"), and XLSX."""

import csv
import io
import json
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import format_decimal
from flask_babel import gettext as _

from crm.base.errors import DomainError

XLSX_MAGIC = b"PK\x03\x04"
DELIMITERS = ";,\t"
MAX_COLUMNS = 100  # a directory export has about 10; columns past this are not read
MAX_CELL_CHARS = 10_000
MAX_UNPACKED_RATIO = 40  # an XLSX unpacks to at most this many times its size (a zip bomb does not)
DEFAULT_MAX_ROWS = 20_000


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]


def read_table(data: bytes, *, max_rows: int = DEFAULT_MAX_ROWS) -> Table:
    """Headers and rows of the first sheet; DomainError with a clear message for anything else.

    Reading streams and stops at the first row over `max_rows`, the first cell over MAX_CELL_CHARS,
    or an XLSX that would unpack to far more than its size: a huge file costs a second, not a minute."""
    if not data.strip():
        raise DomainError(_("Le fichier est vide."), field="file")
    reader = _xlsx_rows(data) if data.startswith(XLSX_MAGIC) else _csv_rows(_decode(data))
    table = _collect(reader, max_rows)
    if not table.rows:
        raise DomainError(
            _("Le fichier ne contient que des en-têtes, aucune ligne à importer."), field="file"
        )
    return table


def _not_a_spreadsheet():
    return DomainError(
        _("Ce fichier n'est pas un tableur lisible : enregistrez-le en CSV ou en XLSX."), field="file"
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


def _collect(reader, max_rows: int) -> Table:
    headers, rows = None, []
    for line, row in enumerate(reader, start=1):
        if line > 10 * max_rows:  # mostly blank lines (a sheet formatted down to its last row)
            raise _too_many(max_rows)
        row = row[:MAX_COLUMNS]
        for column, cell in enumerate(row, start=1):
            if len(cell) > MAX_CELL_CHARS:
                raise DomainError(
                    _(
                        "Ligne %(line)d, colonne %(column)d : la cellule dépasse %(max)s caractères. "
                        "Vérifiez que c'est bien le bon fichier.",
                        line=line,
                        column=column,
                        max=f"{MAX_CELL_CHARS:,}".replace(",", "\u202f"),
                    ),
                    field="file",
                )
        if headers is None:
            headers = [h.strip() for h in row]
            continue
        if not any(cell.strip() for cell in row):
            continue
        if len(rows) >= max_rows:
            raise _too_many(max_rows)
        rows.append([c.strip() for c in row])
    if headers is None:
        raise DomainError(_("Le fichier est vide."), field="file")
    return Table(headers, rows)


def _too_many(max_rows: int) -> DomainError:
    return DomainError(
        _(
            "Le fichier compte plus de %(max)s lignes : coupez-le en plusieurs fichiers "
            "et importez-les l'un après l'autre.",
            max=f"{max_rows:,}".replace(",", "\u202f"),
        ),
        field="file",
    )


def to_json(table: Table) -> str:
    """The table as read once at upload, kept with the import so that previews do not read it again."""
    return json.dumps([table.headers, table.rows], ensure_ascii=False, separators=(",", ":"))


def from_json(text: str) -> Table:
    headers, rows = json.loads(text)
    return Table(headers, rows)


def _csv_rows(text: str):
    first_line = text.split("\n", 1)[0]
    delimiter = max(DELIMITERS, key=first_line.count)
    if first_line.count(delimiter) == 0 and len(text.splitlines()) < 2:
        raise _not_a_spreadsheet()
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error:  # a field over the csv module's own limit, or a stray NUL
            raise DomainError(
                _(
                    "Ligne %(line)d : une cellule est trop longue ou illisible. "
                    "Vérifiez que c'est bien le bon fichier.",
                    line=reader.line_num,
                ),
                field="file",
            ) from None
        yield row


_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]{1,3}\d+(?::[A-Z]{1,3}\d+)?)"')


def _head_dimensions(sheet) -> None:
    """Where openpyxl looks for a sheet's <dimension>, it parses until the end of <sheetData> when there
    is none (files written by some exporters): the whole sheet before the first row. The element comes
    first when present, so the head of the part is enough; without it, rows are simply read as they come."""
    from openpyxl.utils.cell import range_boundaries  # noqa: PLC0415  (openpyxl: only when an XLSX comes)

    with sheet._get_source() as source:
        found = _DIMENSION.search(source.read(64 * 1024))
    if found:
        ref = found.group(1).decode()
        sheet._min_column, sheet._min_row, sheet._max_column, sheet._max_row = range_boundaries(
            ref if ":" in ref else f"{ref}:{ref}"
        )


def _xlsx_rows(data: bytes):
    # openpyxl is loaded only when a spreadsheet in XLSX arrives
    from openpyxl import load_workbook  # noqa: PLC0415
    from openpyxl.utils.exceptions import InvalidFileException  # noqa: PLC0415
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet  # noqa: PLC0415

    ReadOnlyWorksheet._get_size = _head_dimensions  # see _head_dimensions: the same answer, read early

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > MAX_UNPACKED_RATIO * len(data) + 2**20:
            raise _not_a_spreadsheet()
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise _not_a_spreadsheet() from None
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS):
            cells = list(row)
            while cells and cells[-1] is None:  # iter_rows pads each row up to max_col
                cells.pop()
            yield [_cell(value) for value in cells]
    finally:
        workbook.close()


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

    if size < 2**20:
        return f"{format_decimal(size / 1024, '#,##0.#')} Ko"
    return f"{format_decimal(size / 2**20, '#,##0.#')} Mo"
