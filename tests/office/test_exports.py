"""CSV and XLSX cells that a spreadsheet would run as a formula (a team name is typed by an
admin) stay text; the marks of hidden cells are the page's."""
from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from server.office import discretion, exports
from server.office.catalogue import REPORTS
from server.office.model import Row, Series, Table
from server.office.runner import Filters, Result

TEAM_NAMES = ("=HYPERLINK(\"http://x\")", "+1+2", "-3", "@SUM(A1)")


def _result() -> Result:
    series = [Series("all", "I alt", 40, [Row("a", "A", 40)])]
    series += [Series(f"t{i}", name, 10, [Row("a", "A", 10)]) for i, name in enumerate(TEAM_NAMES)]
    return Result(REPORTS["fig-4-1"], Filters(), 3, discretion.apply(Table(series, additive=True), 3), None)


def test_formula_like_labels_stay_text_in_csv_and_xlsx():
    result = _result()
    rows = list(csv.reader(io.StringIO(exports.report_csv(result).decode("utf-8-sig")), delimiter=";"))
    assert [r[1] for r in rows[2:]] == ["'" + name for name in TEAM_NAMES]
    assert rows[1][1] == "I alt" and rows[1][5] == "40"  # plain text and numbers untouched

    book = load_workbook(io.BytesIO(exports.report_xlsx(result)))
    cells = [row[1] for row in book["Tabel"].iter_rows(min_row=3)]
    assert [c.value for c in cells] == list(TEAM_NAMES)
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)


def test_small_and_complementary_cells_are_marked_apart():
    table = discretion.apply(Table([Series("all", "I alt", 9, [Row("a", "A", 2), Row("b", "B", 3), Row("c", "C", 4)])]), 3)
    result = Result(REPORTS["fig-4-11"], Filters(), 3, table, None)
    assert [r[5] for r in exports.report_rows(result, for_csv=False)] == ["<3", "×", 4]
