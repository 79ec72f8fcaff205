"""Writing tables for spreadsheets, the one way every export does it: CSV for French Excel, XLSX with
numbers kept as numbers, every text cell neutralised against formulas."""

import csv
import io
import re
from decimal import Decimal

from flask import Response, abort
from flask_babel import get_locale
from flask_babel import gettext as _
from openpyxl import Workbook

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


NEGATIVE_NUMBER = re.compile(r"-\d+([.,]\d+)?")  # a balance to pay: a number, not a formula


def neutralise(cell: str) -> str:
    """A cell a spreadsheet would run as a formula gets a leading apostrophe (shown as text); a plain
    negative number stays a number."""
    if cell and cell.startswith(FORMULA_STARTS) and not NEGATIVE_NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def to_csv(headers, rows) -> bytes:
    """CSV as Excel in French opens it: `;`, UTF-8 with BOM, formulas neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([neutralise(str(h)) for h in headers])
    writer.writerows([[neutralise(str(c)) for c in row] for row in rows])
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    if isinstance(value, (int, float, Decimal)):
        return value
    return neutralise(str(getattr(value, "label", value)))


EURO_FORMAT = '#,##0.00 "€"'  # Excel shows it in the reader's own separators


def to_xlsx(headers, rows) -> bytes:
    """Numbers stay numbers (amounts with a euro format), so that the sheet can add them up."""
    book = Workbook()
    sheet = book.active
    sheet.append([neutralise(str(h)) for h in headers])
    for row in rows:
        sheet.append([float(c) if isinstance(c, Decimal) else _cell(c) for c in row])
        for cell, value in zip(sheet[sheet.max_row], row, strict=False):
            if isinstance(value, Decimal):
                cell.number_format = EURO_FORMAT
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _csv_cell(value):
    """Amounts as the reader's Excel opens them: a decimal comma in French (the file uses ";")."""
    if isinstance(value, (Decimal, float)) and not isinstance(value, bool):
        text = f"{value:.2f}" if isinstance(value, Decimal) else str(value)
        return text.replace(".", ",") if get_locale().language == "fr" else text
    return value


def download(fmt, name, headers, rows) -> Response:
    rows = [[_cell(c) for c in row] for row in rows]
    if fmt == "xlsx":
        body = to_xlsx(headers, rows)
        kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    elif fmt == "csv":
        body, kind = to_csv(headers, [[_csv_cell(c) for c in row] for row in rows]), "text/csv; charset=utf-8"
    else:
        abort(404)
    response = Response(body, content_type=kind)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
