"""The discretion rule, applied in one place to every report before any format sees it.

1. **Primary**: a count above 0 and below the threshold (`BROBYGGER_REPORT_THRESHOLD`, 3
   as in the evaluation) is suppressed ("<3"); zero stays 0. A series whose N is below
   the threshold is suppressed whole.
2. **Complementary**: in every line of the table — a series (its rows add up to its N
   unless the question is multi-select), and in a by-team table every column (the "all"
   series is the sum of the teams) — a suppressed cell must not be derivable. While a
   line has exactly one suppressed cell, or only cells suppressed by rule 1 (two cells of
   1 with a known sum of 2 would be 1 and 1), the smallest non-zero visible cell of that
   line is suppressed too. Where no cell is left to add, the series' N is suppressed (and
   with it the whole series). Lines and columns are revisited until nothing changes.
3. **Percentages** are computed only for visible cells of series with a visible N
   (rounded to one decimal); a suppressed cell has count and percent null.

Every hidden cell records why (`Row.hidden`, `Series.n_hidden`): "small" (shown "<3": it
is below the threshold, or its series' N is) or "complementary" (shown "×": hidden so the
small ones cannot be worked out; such a cell is 0 or at least the threshold). Because a
reader knows which is which, rule 2 also goes on while the line's hidden sum would pin a
small cell given those ranges (a "<3" and a "×" that add up to 4 can only be 1 and 3).
In a by-team table (rows, columns and totals bound each other) every hidden number is
marked "×": there the marks say nothing about size, as a table without any "<3" never does.
Standalone counts a report states outside its table (how many citizens, how many units
are left out) go through `shown`: below the threshold they are "<3" too.

Index rows (kind "index") carry their N in `count` and the index in `percent`; a median
series (kind "summary") has its N as the series' n and the median in `count`. A value
based on fewer units than the threshold is suppressed with its N.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from server.office.model import Row, Series, Table


def percent(count: float, n: float) -> float | None:
    """count of n in percent, rounded half up to one decimal (28.0, 23.2, …)."""
    if not n:
        return None
    return float((Decimal(count) * 100 / Decimal(n)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


SMALL, COMPLEMENTARY = "small", "complementary"
COMPLEMENTARY_MARK = "×"
COMPLEMENTARY_NOTE = "× = skjult, så de små tal ikke kan regnes ud."


def mark(reason: str | None, threshold: int) -> str:
    """How a hidden number is shown on the page and in CSV/XLSX: "<3" or "×"."""
    return COMPLEMENTARY_MARK if reason == COMPLEMENTARY else f"<{threshold}"


def shown(count: int, threshold: int) -> int | str:
    """A standalone count (outside the table) under rule 1: the count, or "<3"."""
    return mark(SMALL, threshold) if _primary(count, threshold) else count


def _primary(count, threshold: int) -> bool:
    return count is not None and 0 < count < threshold


class _Cell:
    """A suppressible number: a row of a series, or the series' N."""

    def __init__(self, series: Series, row: Row | None):
        self.series, self.row = series, row

    @property
    def count(self):
        return self.series.n if self.row is None else self.row.count

    @property
    def suppressed(self) -> bool:
        return self.series.n_suppressed if self.row is None else self.row.suppressed

    @property
    def small(self) -> bool:
        return (self.series.n_hidden if self.row is None else self.row.hidden) == SMALL

    def suppress(self) -> None:
        if self.row is None:
            _suppress_series(self.series, COMPLEMENTARY)
        else:
            _hide(self.row, COMPLEMENTARY)


def _hide(row: Row, reason: str) -> None:
    row.suppressed = True
    row.hidden = row.hidden or reason


def _suppress_series(series: Series, reason: str) -> None:
    series.n_suppressed = True
    series.n_hidden = series.n_hidden or reason
    for row in series.rows:
        _hide(row, reason)


def _pinned(hidden: list[_Cell], threshold: int) -> bool:
    """Whether a reader who knows the line's hidden sum and the marks (a "<3" is 1 …
    threshold-1, a "×" at least the threshold) has only one value for some "<3" cell."""
    small = [c for c in hidden if c.small]
    if not small:
        return False
    total, k, m = sum(c.count for c in hidden), len(small), len(hidden) - len(small)
    if m:  # the ×s can absorb any excess: a small cell's largest value is what the others leave at their least
        return total - (k - 1) - m * threshold < 2
    return min(threshold - 1, total - (k - 1)) <= max(1, total - (k - 1) * (threshold - 1))


def _protect(cells: list[_Cell], threshold: int, on_exhausted=None, sized: bool = False) -> bool:
    """Rule 2 on one line (`sized`: the marks will tell small from complementary). Returns
    whether anything changed."""
    changed = False
    while True:
        hidden = [c for c in cells if c.suppressed and c.count]
        if not hidden:
            return changed
        only_primary = all(c.small for c in hidden)
        if len(hidden) >= 2 and not only_primary and not (sized and _pinned(hidden, threshold)):
            return changed
        candidates = [c for c in cells if not c.suppressed and c.count]
        if not candidates:
            if on_exhausted is not None and on_exhausted():
                changed = True
            return changed
        min(candidates, key=lambda c: c.count).suppress()
        changed = True


def apply(table: Table, threshold: int) -> Table:
    """Suppress small counts (in place) and compute the percentages; returns the table.
    (Series of kind index/summary are handled alone; the rest form the counting table.)"""
    counting = [s for s in table.series if (s.kind or table.kind) == "counts"]
    for series in table.series:
        if series in counting:
            continue
        small_series = series.n is None or series.n < threshold
        if (series.kind or table.kind) == "summary" and series.n == 0:
            continue  # no median of nothing: shown as "–", there is nothing to hide
        for row in series.rows:
            # index rows: `count` is the row's N; summary rows (medians): the series' n is the N
            base = series.n if (series.kind or table.kind) == "summary" else row.count
            if base is None or base < threshold or small_series and (series.kind or table.kind) == "summary":
                _hide(row, SMALL)
                row.count, row.value, row.percent = None, None, None
        if _primary(series.n, threshold):
            series.n_suppressed, series.n, series.n_hidden = True, None, SMALL
    if not counting:
        return table
    _counts(Table(counting, additive=table.additive, exclusive=table.exclusive), threshold)
    return table


def _counts(table: Table, threshold: int) -> None:
    # In a by-team table a reader combines rows, columns and totals; marks telling small
    # from complementary would bound the hidden numbers enough to pin some, so there every
    # hidden number is "×" and says nothing about its size.
    sized = not (table.additive and len(table.series) > 2)
    for series in table.series:
        if _primary(series.n, threshold):
            _suppress_series(series, SMALL)
        for row in series.rows:
            if _primary(row.count, threshold):
                _hide(row, SMALL)

    changed = True
    while changed:
        changed = False
        for series in table.series:
            cells = [_Cell(series, row) for row in series.rows]
            exhausted = None
            if table.exclusive:
                def exhausted(series=series):
                    if series.n_suppressed or not series.n:
                        return False
                    _suppress_series(series, COMPLEMENTARY)
                    return True
            changed |= _protect(cells, threshold, exhausted, sized)
        if table.additive and len(table.series) > 2:
            total, parts = table.series[0], table.series[1:]
            changed |= _protect([_Cell(s, None) for s in parts], threshold)
            for index in range(len(total.rows)):
                column = [_Cell(s, s.rows[index]) for s in parts if index < len(s.rows)]
                changed |= _protect(column, threshold)

    for series in table.series:
        if not sized and series.n_suppressed:
            series.n_hidden = COMPLEMENTARY
        for row in series.rows:
            if not sized and (row.suppressed or series.n_suppressed):
                row.hidden = COMPLEMENTARY
            if row.suppressed or series.n_suppressed:
                _hide(row, series.n_hidden or COMPLEMENTARY)
                row.count, row.percent = None, None
            else:
                row.percent = percent(row.count, series.n)
        if series.n_suppressed:
            series.n = None
