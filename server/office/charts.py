"""Server-side SVG charts with pygal (docs/office.md says why pygal).

A chart is drawn only from what survived the discretion rule (suppressed cells are gaps),
with Danish labels and decimal commas, in sizes that read on a projector and on paper.
The SVG is served inside the page as an `<img>` with a `data:` URL: an SVG image is
rendered in its own document where scripts never run, so pygal's own `<style>` works
under the page's strict CSP (`img-src 'self' data:`), and the page needs no script. The
table under the chart carries the same numbers for screen readers and for copying.
"""
from __future__ import annotations

import base64
from xml.etree import ElementTree

import pygal
from pygal.style import Style

from server.office.runner import Result

# DKFDS's palette (primary blue first), distinguishable in print and for most colour vision.
COLORS = ("#0059b3", "#e28c00", "#358000", "#a3002f", "#6b2fa3", "#00798c", "#545454", "#b35900", "#2f4f8f", "#7a7a00")
STYLE = Style(
    background="#ffffff", plot_background="#ffffff", foreground="#1a1a1a", foreground_strong="#1a1a1a",
    foreground_subtle="#747474", opacity="1", opacity_hover="0.85", colors=COLORS,
    font_family="'IBM Plex Sans', Arial, sans-serif", label_font_size=16, major_label_font_size=16,
    legend_font_size=16, title_font_size=20, value_font_size=15, tooltip_font_size=14, value_label_font_size=15,
)


def _number(value: float | None) -> str:
    if value is None:
        return ""
    text = f"{value:.1f}" if isinstance(value, float) and not value.is_integer() else f"{value:.0f}"
    return text.replace(".", ",")


LABEL_CHARS = 48  # pygal can loop forever wrapping a very long label: the table has the full text


def _short(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[:LABEL_CHARS - 1].rstrip() + "…"


def _percent(value: float | None) -> str:
    return "" if value is None else f"{_number(value)} %"


LEGEND_CHARS_PER_COLUMN = {3: 30, 2: 46}  # what fits a third / half of the 1000 px width at 16 px
MARGIN, LEGEND_ROW_PX = 20, 24  # pygal's default margin; a legend row at 16 px


def _legend(labels: list[str]) -> dict:
    """As many legend columns as the longest label fits (long labels overlapped in three).
    pygal makes room for len // columns legend rows, not the ceiling: the last, partial row
    was cut off, so the bottom margin takes that row."""
    longest = max((len(label) for label in labels), default=0)
    columns = next((c for c, chars in LEGEND_CHARS_PER_COLUMN.items() if longest <= chars), 1)
    return {"legend_at_bottom_columns": columns,
            "margin_bottom": MARGIN + (LEGEND_ROW_PX if len(labels) % columns else 0)}


def _config(**more) -> dict:
    return {**dict(style=STYLE, width=1000, js=[], disable_xml_declaration=True, print_values=True,
                   legend_at_bottom=True, legend_at_bottom_columns=3, truncate_legend=LABEL_CHARS, truncate_label=LABEL_CHARS,
                   no_data_text="Ingen tal at vise", print_zeroes=False), **more}


def _bar(result: Result):
    series = [s for s in result.series if (s.kind or result.table.kind) == "counts"]
    if not series:
        return None
    # One chart, one set of categories: a block with other rows (the lead report's
    # visibility work) is in its own table only.
    series = [s for s in series if [r.code for r in s.rows] == [r.code for r in series[0].rows]]
    categories = [_short(r.label) for r in series[0].rows]
    names = [_short(f"{s.label} (N = {s.n if s.n is not None else '<' + str(result.threshold)})") for s in series]
    legend = _legend(names)
    chart = pygal.HorizontalBar(**_config(height=max(360, 60 + 44 * len(categories) * max(1, len(series))),
                                          value_formatter=_percent, range=(0, 100),
                                          x_title="Procent af N", **legend))
    chart.x_labels = categories[::-1]  # pygal draws a horizontal chart's first label at the bottom
    for name, s in zip(names, series):
        chart.add(name, [r.percent for r in s.rows][::-1])
    return chart


def _stacked(result: Result):
    series = [s for s in result.series if (s.kind or result.table.kind) == "counts"]
    if not series:
        return None
    legend = _legend([_short(row.label) for row in series[0].rows])
    chart = pygal.HorizontalStackedBar(**_config(height=max(360, 120 + 70 * len(series)), range=(0, 100),
                                                 value_formatter=_percent, x_title="Procent af N", **legend))
    chart.x_labels = [_short(s.label) + f" (N = {s.n if s.n is not None else '<' + str(result.threshold)})" for s in series][::-1]
    for index, row in enumerate(series[0].rows):
        values = [s.rows[index].percent if index < len(s.rows) else None for s in series][::-1]
        # pygal stacks a missing value as 0 and would print "0 %": a hidden cell prints nothing.
        chart.add(_short(row.label), [v if v is not None else {"value": None, "formatter": lambda _: ""} for v in values])
    return chart


def _line(result: Result):
    occasions = max((len(s.rows) for s in result.series), default=0)
    if not occasions:
        return None
    chart = pygal.Line(**_config(height=520, value_formatter=_number, y_title="Indeks (besvarelse 1 = 100)",
                                 print_values=False, dots_size=5, stroke_style={"width": 3}))
    chart.x_labels = [f"Besvarelse {k}" for k in range(1, occasions + 1)]
    for s in result.series:
        chart.add(_short(s.label), [s.rows[k].percent if k < len(s.rows) else None for k in range(occasions)])
    return chart


KINDS = {"bar": _bar, "stacked": _stacked, "line": _line}


def svg(result: Result) -> str | None:
    """The chart of a report as SVG text (no script element), or None (no chart)."""
    make = KINDS.get(result.report.chart)
    chart = make(result) if make else None
    if chart is None:
        return None
    tree = chart.render_tree()
    for parent in list(tree.iter()):
        for child in list(parent):
            if isinstance(child.tag, str) and child.tag.endswith("script"):
                parent.remove(child)
    return ElementTree.tostring(tree, encoding="unicode")


def data_url(svg_text: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg_text.encode("utf-8")).decode("ascii")
