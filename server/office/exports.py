"""CSV and XLSX files of reports and tables (openpyxl for XLSX).

CSV as Danish Excel opens it on a double click: UTF-8 with BOM, `;` between fields,
decimal comma. Suppressed cells are "<3" (the threshold) in both formats, as on the page;
in XLSX every other number is a number.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from server.office.runner import Result

CSV_MEDIA = "text/csv; charset=utf-8"
XLSX_MEDIA = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REPORT_COLUMNS = ("serie_kode", "serie", "N", "kode", "kategori", "antal", "procent")


def hidden(threshold: int) -> str:
    return f"<{threshold}"


def report_rows(result: Result, *, for_csv: bool) -> list[list]:
    """One row per (series, category), counts and percents after the discretion rule."""
    mark = hidden(result.threshold)
    out = []
    for series in result.series:
        n = series.n if series.n is not None else mark
        for row in series.rows:
            count = mark if row.suppressed else row.count
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
        writer.writerow(["" if value is None else value for value in row])
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
            sheet.append(["" if value is None else value for value in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def about_rows(result: Result) -> list[list]:
    report, filters = result.report, result.filters
    rows = [["Rapport", report.title], ["Id", report.id], ["Figur", report.figure],
            ["Periode", f"{filters.date_from or 'start'} – {filters.date_to or 'i dag'}"],
            ["Diskretion", f"Tal under {result.threshold} vises som {hidden(result.threshold)}"]]
    if result.test:
        rows.append(["Test", f"Chi²({result.test['df']}) = {result.test['statistic']}, p = {result.test['p']}"])
    rows += [["Note", note] for note in result.notes]
    return rows


def report_csv(result: Result) -> bytes:
    return csv_bytes(REPORT_COLUMNS, report_rows(result, for_csv=True))


def report_xlsx(result: Result) -> bytes:
    return xlsx_bytes([("Tabel", REPORT_COLUMNS, report_rows(result, for_csv=False)),
                       ("Om rapporten", ("felt", "værdi"), about_rows(result))])
