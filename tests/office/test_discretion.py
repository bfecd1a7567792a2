"""The discretion rule on its own: small counts are hidden and cannot be worked out again.

The property test plays the reader of a published table: it knows every visible cell,
every visible N (a series' rows add up to its N), the "all" series as the sum of the
teams, that a hidden cell is not 0 (zeros are shown) — and tries every completion. A count
the rule hid for being small must have at least two possible values."""
from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from server.office.discretion import apply, percent
from server.office.model import Row, Series, Table


def _series(key, n, counts):
    return Series(key, key, n, [Row(str(i), str(i), c) for i, c in enumerate(counts)])


def test_the_evaluations_rule_a_count_of_1_or_2_shows_as_hidden_and_zero_stays():
    table = apply(Table([_series("all", 20, [1, 0, 2, 17])]), 3)
    rows = table.series[0].rows
    assert [(r.count, r.suppressed) for r in rows] == [(None, True), (0, False), (None, True), (None, True)]
    assert table.series[0].n == 20  # the two small ones sum to 3 = 1+2 = 2+1: add the 17, then nothing is derivable


def test_a_2_in_9_takes_the_next_smallest_with_it():
    rows = apply(Table([_series("all", 9, [2, 3, 4])]), 3).series[0].rows
    assert [(r.count, r.percent, r.suppressed) for r in rows] == [(None, None, True), (None, None, True), (4, 44.4, False)]


def test_a_small_n_hides_the_whole_series():
    table = apply(Table([_series("all", 2, [2, 0])]), 3)
    assert table.series[0].n is None and table.series[0].n_suppressed and all(r.count is None for r in table.series[0].rows)


def test_two_small_cells_alone_are_not_enough():
    # 1 + 1 with the rest known would give both away (each is at least 1): add the next smallest.
    rows = apply(Table([_series("all", 12, [1, 1, 4, 6])]), 3).series[0].rows
    assert [r.suppressed for r in rows] == [True, True, True, False]


def test_a_by_team_column_is_protected_against_the_total():
    table = Table([_series("all", 20, [15, 5]), _series("t1", 10, [9, 1]), _series("t2", 10, [6, 4])], additive=True)
    apply(table, 3)
    t1, t2 = table.series[1], table.series[2]
    assert all(r.suppressed for r in t1.rows) and all(r.suppressed for r in t2.rows)
    assert [r.count for r in table.series[0].rows] == [15, 5]


def test_percent_rounds_half_up_to_one_decimal():
    assert [percent(c, 125) for c in (35, 29, 13, 11, 9, 19)] == [28.0, 23.2, 10.4, 8.8, 7.2, 15.2]
    assert percent(1, 8) == 12.5 and percent(1, 16) == 6.3 and percent(0, 0) is None


def _completions(table: Table, original: list[list[int]], originals_n: list[int]):
    """Every assignment of the hidden cells (and hidden Ns) consistent with what is shown."""
    hidden = [(i, j) for i, s in enumerate(table.series) for j, r in enumerate(s.rows) if r.suppressed and original[i][j] != 0]
    hidden_zero = [(i, j) for i, s in enumerate(table.series) for j, r in enumerate(s.rows) if r.suppressed and original[i][j] == 0]
    limit = max(originals_n) if originals_n else 0
    for values in itertools.product(range(1, limit + 1), repeat=len(hidden)):
        cells = [[r.count for r in s.rows] for s in table.series]
        for (i, j), v in zip(hidden, values):
            cells[i][j] = v
        for i, j in hidden_zero:  # a hidden zero (a whole series hidden) could be anything too
            cells[i][j] = None
        if any(c is None for row in cells for c in row):
            continue
        ns = [s.n if s.n is not None else sum(cells[i]) for i, s in enumerate(table.series)]
        if any(sum(cells[i]) != ns[i] for i in range(len(cells))):
            continue
        if table.additive and any(sum(cells[i][j] for i in range(1, len(cells))) != cells[0][j] for j in range(len(cells[0]))):
            continue
        yield {cell: v for cell, v in zip(hidden, values)}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(0, 4), min_size=2, max_size=3), min_size=1, max_size=2), st.booleans())
def test_no_small_count_can_be_worked_out(teams, by_team):
    width = max(len(t) for t in teams)
    teams = [t + [0] * (width - len(t)) for t in teams]
    if by_team and len(teams) > 1:
        counts = [[sum(col) for col in zip(*teams)], *teams]
    else:
        counts, by_team = teams[:1], False
    table = Table([_series(f"s{i}", sum(c), c) for i, c in enumerate(counts)], additive=by_team)
    apply(table, 3)
    if sum(len(c) for c in counts) > 6:
        return  # keep the brute force small
    possible: dict[tuple, set] = {}
    for completion in _completions(table, counts, [sum(c) for c in counts]):
        for cell, value in completion.items():
            possible.setdefault(cell, set()).add(value)
    for i, row in enumerate(counts):
        for j, value in enumerate(row):
            if 0 < value < 3:
                assert table.series[i].rows[j].suppressed, (counts, i, j)
                assert len(possible.get((i, j), set())) != 1, (counts, i, j, possible.get((i, j)))
