"""What a report run produces, before and after the discretion rule: series of rows.

A `Series` is one line of a table (all citizens, one team, one occasion, one item): its
denominator `n` and a row per category. `Table` holds the series and says whether the
series add up to a total line (`additive`: the "all" series is the sum of the others,
as in a by-team table), which is what makes a column derivable.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Row:
    code: str
    label: str
    count: float | int | None  # a count; for index/median rows the value itself
    percent: float | None = None
    suppressed: bool = False
    value: float | None = None  # index (occasion 1 = 100) or a median; `count` is then its N
    hidden: str | None = None  # why it is suppressed: "small" (below the threshold) | "complementary"


@dataclass
class Series:
    key: str
    label: str
    n: int | None
    rows: list[Row] = field(default_factory=list)
    n_suppressed: bool = False
    n_hidden: str | None = None  # why the N is suppressed, as Row.hidden
    citizens: int | None = None  # distinct citizens behind a series of responses (page only)
    kind: str | None = None  # overrides Table.kind for this series ("summary": medians)

    def row(self, code: str) -> Row | None:
        return next((r for r in self.rows if r.code == code), None)


@dataclass
class Table:
    series: list[Series]
    additive: bool = False  # series[0] is the total of the others (by-team tables)
    exclusive: bool = True  # the rows of a series add up to its n (not multi-select)
    kind: str = "counts"  # counts | index | summary
