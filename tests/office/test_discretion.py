"""The discretion rule on its own: small counts are hidden and cannot be worked out again.

The property test plays the reader of a published table: it knows every visible cell,
every visible N (a series' rows add up to its N), the "all" series as the sum of the
teams, what each mark says ("<3": 1 or 2; "×": 0 only in a series hidden whole, else at
least 3; in a table without "<3", anything) — and tries every completion. A count
the rule hid for being small must have at least two possible values."""
from __future__ import annotations

import itertools

import pytest

from hypothesis import given, settings
from hypothesis import strategies as st

from server.office.discretion import apply, mark, percent, shown
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


def test_a_by_team_table_marks_every_hidden_number_alike():
    # Rows, columns and totals bound each other: "<3" next to "×" would give numbers away.
    table = apply(Table([_series("all", 13, [3, 10]), _series("t1", 5, [1, 4]), _series("t2", 8, [2, 6])], additive=True), 3)
    hidden = {r.hidden for s in table.series for r in s.rows if r.suppressed} | {s.n_hidden for s in table.series if s.n_suppressed}
    assert hidden == {"complementary"}


def test_a_standalone_count_follows_rule_1():
    assert [shown(c, 3) for c in (0, 1, 2, 3, 107)] == [0, "<3", "<3", 3, 107]
    assert [mark(reason, 3) for reason in ("small", "complementary")] == ["<3", "×"]


def _sized(table: Table) -> bool:
    """Whether the table has a "<3": only then does "×" say "0 or at least 3"."""
    return any(s.n_hidden == "small" or any(r.hidden == "small" for r in s.rows) for s in table.series)


def _ranges(table: Table, threshold: int, limit: int) -> dict[tuple, range | list]:
    """What the reader knows of each hidden cell from its mark: "<3" is 1 … threshold-1 (or
    0 too, in a series hidden for its small N), "×" is at least the threshold (or 0, in a
    series hidden whole)."""
    out = {}
    sized = _sized(table)
    for i, s in enumerate(table.series):
        for j, r in enumerate(s.rows):
            if not r.suppressed:
                continue
            zero = [0] if s.n_suppressed else []
            if r.hidden == "small":
                out[i, j] = [*zero, *range(1, threshold)] if s.n_hidden == "small" else list(range(1, threshold))
            else:  # without any "<3" in the table, "×" can be any number
                out[i, j] = [*zero, *range(threshold if sized else 1, limit + 1)]
    return out


def _completions(table: Table, originals_n: list[int], threshold: int = 3):
    """Every assignment of the hidden cells (and hidden Ns) consistent with what is shown."""
    ranges = _ranges(table, threshold, max(originals_n) if originals_n else 0)
    sized = _sized(table)
    per_series = []
    for i, s in enumerate(table.series):
        cells = [(i, j) for j in range(len(s.rows)) if (i, j) in ranges]
        known = sum(r.count for r in s.rows if not r.suppressed)
        options = []
        for values in itertools.product(*(ranges[c] for c in cells)):
            n = known + sum(values)
            if s.n is not None and n != s.n or s.n is None and s.n_hidden == "small" and not 0 < n < threshold \
                    or s.n is None and s.n_hidden == "complementary" and sized and n < threshold:
                continue
            options.append(dict(zip(cells, values)))
        per_series.append(options)
    for choice in itertools.product(*per_series):
        assigned = {cell: v for part in choice for cell, v in part.items()}
        cells = [[assigned.get((i, j), r.count) for j, r in enumerate(s.rows)] for i, s in enumerate(table.series)]
        if table.additive and any(sum(cells[i][j] for i in range(1, len(cells))) != cells[0][j] for j in range(len(cells[0]))):
            continue
        yield assigned


def test_a_hidden_cell_says_why():
    rows = apply(Table([_series("all", 9, [2, 3, 4])]), 3).series[0].rows
    assert [r.hidden for r in rows] == ["small", "complementary", None]


def test_a_small_and_a_complementary_cell_that_would_pin_each_other_take_a_third():
    # "<3" + "×" = 4 with "×" at least 3 can only be 1 + 3: the 10 goes too.
    rows = apply(Table([_series("all", 14, [1, 3, 10])]), 3).series[0].rows
    assert [r.hidden for r in rows] == ["small", "complementary", "complementary"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(0, 4), min_size=2, max_size=3), min_size=1, max_size=2), st.booleans())
def test_no_small_count_can_be_worked_out(teams, by_team):
    _reader_cannot_solve(teams, by_team)


@pytest.mark.parametrize("teams", [[[0, 2], [0, 2]], [[0, 2], [2, 2]], [[1, 1], [2, 2]], [[0, 1], [1, 3]], [[1, 3, 10]]])
def test_tables_a_reader_of_the_marks_once_solved(teams):
    _reader_cannot_solve(teams, len(teams) > 1)


def _reader_cannot_solve(teams, by_team):
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
    for i, row in enumerate(counts):  # the marks tell the truth
        for j, value in enumerate(row):
            hidden = table.series[i].rows[j].hidden
            assert hidden != "small" or value < 3, (counts, i, j)
            assert hidden != "complementary" or value == 0 or value >= 3 or not _sized(table), (counts, i, j)
    for completion in _completions(table, [sum(c) for c in counts]):
        for cell, value in completion.items():
            possible.setdefault(cell, set()).add(value)
    for i, row in enumerate(counts):
        for j, value in enumerate(row):
            if 0 < value < 3:
                assert table.series[i].rows[j].suppressed, (counts, i, j)
                assert len(possible.get((i, j), set())) != 1, (counts, i, j, possible.get((i, j)))
