"""Writing tables for spreadsheets, the one way every export does it."""

import csv
import io

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
