"""HLC strings for hand-built ops, in the one wire format `sync.hlc` defines
("wall:counter:node", fixed-width numbers): never typed by hand in a test."""
from __future__ import annotations

import time

from sync.hlc import HLC


def now_ms() -> int:
    """The wall clock in milliseconds since the Unix epoch (what a phone stamps)."""
    return int(time.time() * 1000)


def hlc_text(wall_ms: int, counter: int = 0, node: str = "dev-a") -> str:
    """The encoded HLC of (`wall_ms`, `counter`, `node`)."""
    return HLC(wall_ms, counter, node).encode()


def hlc_now(node: str, counter: int = 0, offset_ms: int = 0) -> str:
    """An HLC at the wall clock now (+ `offset_ms`). Give one device increasing `counter`s
    when it stamps several ops within one millisecond."""
    return hlc_text(now_ms() + offset_ms, counter, node)
