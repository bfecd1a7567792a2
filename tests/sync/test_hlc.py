"""Hybrid logical clock: encoding, order, monotonicity, drift bound, overflow."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sync import hlc
from sync.hlc import HLC, MAX_COUNTER, HLCError

WALLS = st.integers(0, 10**hlc.WALL_DIGITS - 1)
COUNTERS = st.integers(0, MAX_COUNTER)
NODES = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=64)
CLOCKS = st.builds(HLC, WALLS, COUNTERS, NODES)
NOW = 1_795_000_000_000
DRIFT = 5 * 60 * 1000


def time_of(clock: HLC) -> tuple[int, int]:
    return (clock.wall, clock.counter)


# ----------------------------------------------------------------------------- encoding
@given(CLOCKS)
def test_encode_parse_round_trip(clock):
    text = clock.encode()
    assert hlc.parse(text) == clock
    assert str(clock) == text
    assert hlc.parse(text).encode() == text


def test_encoding_is_fixed_width():
    assert HLC(1, 2, "n").encode() == "0000000000001:00002:n"
    assert hlc.parse("1795000000000:00007:dev:with:colons") == HLC(1795000000000, 7, "dev:with:colons")


@given(WALLS, COUNTERS, WALLS, COUNTERS, NODES)
def test_string_order_is_time_order_for_the_same_node(w1, c1, w2, c2, node):
    a, b = HLC(w1, c1, node), HLC(w2, c2, node)
    assert (a.encode() < b.encode()) == ((w1, c1) < (w2, c2))
    assert (a.encode() == b.encode()) == ((w1, c1) == (w2, c2))
    assert (a < b) == ((w1, c1) < (w2, c2))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "1795000000000",
        "1795000000000:00000",
        "1795000000000:00000:",  # empty node
        "179500000000:00000:n",  # 12-digit wall
        "01795000000000:00000:n",  # 14-digit wall
        "1795000000000:0000:n",  # 4-digit counter
        "1795000000000:000000:n",  # 6-digit counter
        "-795000000000:00000:n",
        "1795000000000:-0001:n",
        "17950000000x0:00000:n",
        " 795000000000:00000:n",
        "1795000000000:0000 :n",
        "1795000000000:00000:" + "n" * 65,  # node too long
        "1795000000000;00000;n",
    ],
)
def test_malformed_strings_are_rejected(text):
    with pytest.raises(HLCError):
        hlc.parse(text)


@pytest.mark.parametrize("value", [None, 1795000000000, b"1795000000000:00000:n", ["1795000000000", "00000", "n"]])
def test_non_strings_are_rejected(value):
    with pytest.raises(HLCError):
        hlc.parse(value)


@pytest.mark.parametrize(
    "text",
    [
        "000000000000\u00b2:00000:n",  # superscript two: isdigit() but not int()-able
        "\uff11" * 13 + ":00000:n",  # full-width digits: parse, but encode() gives ASCII
        "1795000000000:\u0661\u0662\u0663\u0664\u0665:n",  # Arabic-Indic digits in the counter
    ],
)
def test_non_ascii_digits_are_rejected_with_hlc_error(text):
    with pytest.raises(HLCError):
        hlc.parse(text)


# ----------------------------------------------------------------------------- send
@given(CLOCKS.filter(lambda c: c.wall < 10**12), st.lists(st.integers(0, 10**12), min_size=1, max_size=30))
def test_send_is_monotonic_even_when_the_wall_clock_goes_backwards(start, readings):
    last = start
    for now in readings:
        nxt = hlc.send(last, now)
        assert time_of(nxt) > time_of(last)
        assert nxt.wall >= now  # never behind physical time
        assert nxt.node == start.node
        assert nxt.encode() > last.encode()  # and the wire order agrees
        last = nxt


def test_send_uses_the_wall_clock_when_it_moved_forward():
    assert hlc.send(HLC(100, 7, "a"), 200) == HLC(200, 0, "a")


def test_send_bumps_the_counter_when_the_wall_clock_stands_still_or_goes_back():
    assert hlc.send(HLC(100, 7, "a"), 100) == HLC(100, 8, "a")
    assert hlc.send(HLC(100, 7, "a"), 50) == HLC(100, 8, "a")


def test_send_counter_overflow_bumps_the_wall():
    nxt = hlc.send(HLC(100, MAX_COUNTER, "a"), 90)
    assert nxt == HLC(101, 0, "a")
    assert hlc.parse(nxt.encode()) == nxt  # still encodable: the counter never exceeds its digits


# ----------------------------------------------------------------------------- receive
@given(
    CLOCKS.filter(lambda c: c.wall < 10**12),
    st.integers(0, 10**12),
    st.integers(-(10**9), DRIFT),
    COUNTERS,
    NODES,
)
def test_receive_advances_past_both_clocks(last, now, remote_offset, remote_counter, remote_node):
    remote = HLC(max(0, now + remote_offset), remote_counter, remote_node)
    merged = hlc.receive(last, remote, now, DRIFT)
    assert time_of(merged) > time_of(last)
    assert time_of(merged) > time_of(remote)
    assert merged.wall >= now
    assert merged.node == last.node
    assert merged.counter <= MAX_COUNTER
    # and the next local event is later still
    assert time_of(hlc.send(merged, now)) > time_of(remote)


@given(CLOCKS.filter(lambda c: c.wall < 10**12), st.integers(0, 10**12), st.integers(1, 10**9), COUNTERS)
def test_receive_refuses_a_remote_clock_beyond_the_drift_bound(last, now, beyond, counter):
    remote = HLC(now + DRIFT + beyond, counter, "fast-phone")
    with pytest.raises(HLCError):
        hlc.receive(last, remote, now, DRIFT)


def test_receive_accepts_a_remote_clock_exactly_at_the_drift_bound():
    merged = hlc.receive(HLC(NOW, 0, "server"), HLC(NOW + DRIFT, 3, "phone"), NOW, DRIFT)
    assert merged == HLC(NOW + DRIFT, 4, "server")


def test_receive_cases():
    # physical time is ahead of both
    assert hlc.receive(HLC(10, 5, "a"), HLC(20, 9, "b"), 30, DRIFT) == HLC(30, 0, "a")
    # remote is ahead
    assert hlc.receive(HLC(10, 5, "a"), HLC(20, 9, "b"), 15, DRIFT) == HLC(20, 10, "a")
    # local is ahead
    assert hlc.receive(HLC(20, 5, "a"), HLC(10, 9, "b"), 15, DRIFT) == HLC(20, 6, "a")
    # all equal walls: max counter + 1
    assert hlc.receive(HLC(20, 5, "a"), HLC(20, 9, "b"), 20, DRIFT) == HLC(20, 10, "a")


@pytest.mark.parametrize(
    "last, remote, now",
    [
        (HLC(20, MAX_COUNTER, "a"), HLC(20, 3, "b"), 10),
        (HLC(20, 3, "a"), HLC(20, MAX_COUNTER, "b"), 10),
        (HLC(20, MAX_COUNTER, "a"), HLC(10, 0, "b"), 15),
        (HLC(10, 0, "a"), HLC(20, MAX_COUNTER, "b"), 15),
    ],
)
def test_receive_counter_overflow_bumps_the_wall(last, remote, now):
    assert hlc.receive(last, remote, now, DRIFT) == HLC(21, 0, "a")


def test_ahead_by():
    assert hlc.ahead_by(HLC(NOW + 1234, 0, "a"), NOW) == 1234
    assert hlc.ahead_by(HLC(NOW - 5, 0, "a"), NOW) <= 0
