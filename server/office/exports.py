"""CSV and XLSX files of reports and tables (openpyxl for XLSX).

CSV as Danish Excel opens it on a double click: UTF-8 with BOM, `;` between fields,
decimal comma. Suppressed cells are marked as on the page (server.office.discretion.mark:
"<3" below the threshold, "×" hidden so the small ones cannot be worked out); in XLSX every
other number is a number. A text that a spreadsheet would run as a formula (a team name
or label starting with = + - @) is written as text: in CSV behind an apostrophe, in XLSX
as a string cell with Excel's quote prefix.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from server.office import discretion
from server.office.runner import Result

CSV_MEDIA = "text/csv; charset=utf-8"
XLSX_MEDIA = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REPORT_COLUMNS = ("serie_kode", "serie", "N", "kode", "kategori", "antal", "procent")


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def report_rows(result: Result, *, for_csv: bool) -> list[list]:
    """One row per (series, category), counts and percents after the discretion rule."""
    out = []
    for series in result.series:
        n = series.n if series.n is not None else discretion.mark(series.n_hidden, result.threshold)
        for row in series.rows:
            count = discretion.mark(row.hidden, result.threshold) if row.suppressed else row.count
            percent = "" if row.percent is None else row.percent
            if for_csv and isinstance(percent, float):
                percent = f"{percent:.1f}".replace(".", ",")
            if for_csv and isinstance(count, float):
                count = f"{count:g}".replace(".", ",")
            out.append([series.key, series.label, n, row.code, row.label, count, percent])
    return out


def csv_bytes(columns: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if value is None else "'" + value if formula_like(value) else value for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence]]]) -> bytes:
    """A workbook of (sheet title, column headers, rows) in write-only mode (large tables)."""
    book = Workbook(write_only=True)
    for title, columns, rows in sheets:
        sheet = book.create_sheet(title[:31])
        widths = [max(10, min(60, len(str(c)) + 2)) for c in columns]
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.freeze_panes = "A2"
        header = []
        for name in columns:
            cell = WriteOnlyCell(sheet, value=name)
            cell.font = Font(bold=True)
            header.append(cell)
        sheet.append(header)
        for row in rows:
            sheet.append(["" if value is None else _text_cell(sheet, value) if formula_like(value) else value for value in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _text_cell(sheet, value: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"  # openpyxl takes "=…" for a formula
    cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
    return cell


def about_rows(result: Result) -> list[list]:
    report, filters = result.report, result.filters
    rows = [["Rapport", report.title], ["Id", report.id], ["Figur", report.figure],
            ["Periode", f"{filters.date_from or 'start'} – {filters.date_to or 'i dag'}"],
            ["Diskretion", f"Tal under {result.threshold} vises som {discretion.mark(discretion.SMALL, result.threshold)}; "
                           + discretion.COMPLEMENTARY_NOTE]]
    if result.test:
        rows.append(["Test", f"Chi²({result.test['df']}) = {result.test['statistic']}, p = {result.test['p']}"])
    rows += [["Note", note] for note in result.notes]
    return rows


def report_csv(result: Result) -> bytes:
    return csv_bytes(REPORT_COLUMNS, report_rows(result, for_csv=True))


def report_xlsx(result: Result) -> bytes:
    return xlsx_bytes([("Tabel", REPORT_COLUMNS, report_rows(result, for_csv=False)),
                       ("Om rapporten", ("felt", "værdi"), about_rows(result))])
