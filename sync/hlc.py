"""Hybrid logical clock (Kulkarni et al.): physical milliseconds, a counter, a node id.

Encoded as "wall:counter:node" with fixed-width numbers so that string order is time
order for the same node; `key()` gives the total order used by every merge rule.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

WALL_DIGITS, COUNTER_DIGITS = 13, 5
MAX_COUNTER = 10**COUNTER_DIGITS - 1
_WALL = re.compile(rf"[0-9]{{{WALL_DIGITS}}}")
_COUNTER = re.compile(rf"[0-9]{{{COUNTER_DIGITS}}}")


class HLCError(ValueError):
    pass


@dataclass(frozen=True, order=True)
class HLC:
    wall: int  # milliseconds since the Unix epoch
    counter: int
    node: str

    def encode(self) -> str:
        return f"{self.wall:0{WALL_DIGITS}d}:{self.counter:0{COUNTER_DIGITS}d}:{self.node}"

    def __str__(self) -> str:
        return self.encode()


def parse(text: str) -> HLC:
    if not isinstance(text, str):
        raise HLCError("hlc must be a string")
    parts = text.split(":", 2)
    if len(parts) != 3:
        raise HLCError("hlc must look like 'wall:counter:node'")
    wall, counter, node = parts
    if not _WALL.fullmatch(wall) or not _COUNTER.fullmatch(counter):
        raise HLCError(f"hlc wall must have {WALL_DIGITS} digits and counter {COUNTER_DIGITS}")
    if not node or len(node) > 64:
        raise HLCError("hlc node must be 1–64 characters")
    return HLC(int(wall), int(counter), node)


def send(last: HLC, now_ms: int) -> HLC:
    """The clock for a new local event."""
    if now_ms > last.wall:
        return HLC(now_ms, 0, last.node)
    return _bump(HLC(last.wall, last.counter, last.node))


def receive(last: HLC, remote: HLC, now_ms: int, max_drift_ms: int) -> HLC:
    """Merge a remote clock into ours. A remote more than `max_drift_ms` ahead is refused."""
    if remote.wall - now_ms > max_drift_ms:
        raise HLCError("remote clock is too far ahead")
    wall = max(last.wall, remote.wall, now_ms)
    if wall == last.wall == remote.wall:
        counter = max(last.counter, remote.counter) + 1
    elif wall == last.wall:
        counter = last.counter + 1
    elif wall == remote.wall:
        counter = remote.counter + 1
    else:
        counter = 0
    return _bump(HLC(wall, counter - 1, last.node)) if counter else HLC(wall, 0, last.node)


def ahead_by(clock: HLC, now_ms: int) -> int:
    """How many milliseconds `clock` is ahead of `now_ms` (≤ 0 when not ahead)."""
    return clock.wall - now_ms


def _bump(clock: HLC) -> HLC:
    if clock.counter >= MAX_COUNTER:
        return HLC(clock.wall + 1, 0, clock.node)
    return HLC(clock.wall, clock.counter + 1, clock.node)
