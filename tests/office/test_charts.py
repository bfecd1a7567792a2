"""The SVG charts: drawn from what survived the discretion rule, no script, long labels
shortened (pygal can loop forever wrapping a very long one), every catalogue chart kind."""
from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

from server.office import charts
from server.office.catalogue import REPORTS
from server.office.model import Row, Series, Table
from server.office.runner import Filters, Result

LONG = "Borgeren er stabiliseret i en grad, hvor borger kan fremmøde til aftaler i det ordinære behandlingstilbud"


def _result(report_id: str, table: Table) -> Result:
    return Result(REPORTS[report_id], Filters(), 3, table, None)


def test_every_chart_kind_renders_without_script_and_with_long_labels():
    items = Table([Series(f"item{k}", LONG + str(k), 30, [Row("4_5", "En hel del / Rigtig meget", 10, 33.3),
                                                           Row("3", "I nogen grad", None, None, True), Row("1", LONG, 20, 66.7)])
                   for k in range(5)])
    index = Table([Series("recovery_hope", LONG, 9, [Row(str(k), f"Besvarelse {k}", 9, 100.0 + k, value=100.0 + k) for k in range(1, 5)])],
                  kind="index")
    cases = [("fig-4-7", items), ("fig-4-11", Table([Series("all", "I alt", 30, [Row("a", LONG, 30, 100.0)])])), ("fig-4-18", index)]
    with ThreadPoolExecutor(max_workers=1) as pool:
        for report_id, table in cases:
            svg = pool.submit(charts.svg, _result(report_id, table)).result(timeout=20)
            assert svg.startswith("<svg") and "<script" not in svg, report_id
            assert LONG not in svg and "…" in svg, report_id  # shortened; the table below has the full text
    assert charts.data_url("<svg/>").startswith("data:image/svg+xml;base64,")


def test_hidden_cells_are_gaps_not_zeros():
    table = Table([Series("all", "I alt", 9, [Row("a", "A", None, None, True), Row("b", "B", 9, 100.0)])])
    svg = charts.svg(_result("fig-4-11", table))
    assert re.findall(r'<desc class="value">([^<]*)</desc>', svg) == ["100 %"]  # no bar for the hidden one


def test_every_report_has_a_known_chart_kind():
    assert {r.chart for r in REPORTS.values()} <= {*charts.KINDS, "none"}


def test_every_legend_row_lies_inside_the_chart():
    """pygal makes room for len // columns legend rows: a last, partial row was cut off, and
    three columns of long labels overlapped (seen on the 14-day report)."""
    import pygal

    for labels in (["Startet inden for 14 dage", "Startet mere end 14 dage efter anmodningen", "Venter stadig, højst 14 dage",
                    "Venter stadig, mere end 14 dage", "Afsluttet uden opstart"], list("abcde"), ["x" * 48] * 3):
        legend = charts._legend(labels)
        chart = pygal.HorizontalStackedBar(**charts._config(height=400, range=(0, 100), x_title="Procent af N", **legend))
        chart.x_labels = ["I alt"]
        for label in labels:
            chart.add(label, [20])
        svg = chart.render(is_unicode=True)
        top = float(re.search(r'translate\([0-9.]+, ([0-9.]+)\)" class="legends"', svg).group(1))
        rows = [float(y) for y in re.findall(r'<text x="[0-9.]+" y="([0-9.]+)"', svg[svg.index('class="legends"'):])]
        assert len(rows) == len(labels) and top + max(rows) + 4 <= 400, labels  # the baseline plus descenders
    assert charts._legend(["x" * 47])["legend_at_bottom_columns"] == 1  # too long for two columns
