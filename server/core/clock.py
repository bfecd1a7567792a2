"""The server's own hybrid logical clock, advanced by every accepted op."""
from __future__ import annotations

import threading
import time

from sync import hlc

SERVER_NODE = "server"


class ServerClock:
    def __init__(self, max_drift_ms: int, now_ms=lambda: int(time.time() * 1000)):
        self._now_ms = now_ms
        self.max_drift_ms = max_drift_ms
        self._last = hlc.HLC(0, 0, SERVER_NODE)
        self._lock = threading.Lock()

    def now_ms(self) -> int:
        return self._now_ms()

    def tick(self, node: str = SERVER_NODE) -> hlc.HLC:
        """A new server event; `node` names the device an op made here is from (a web
        form's ops carry the web device's id, as every op's clock names its device)."""
        with self._lock:
            self._last = hlc.send(self._last, self._now_ms())
            return hlc.HLC(self._last.wall, self._last.counter, node)

    def observe(self, remote: hlc.HLC) -> None:
        """Advance past an accepted op's clock (already checked against the drift bound)."""
        with self._lock:
            self._last = hlc.receive(self._last, remote, self._now_ms(), self.max_drift_ms)

    def resume_after(self, latest: str | None) -> None:
        """Start past the newest accepted op (an op may be up to the drift bound ahead of
        the wall clock), so a restart never hands out an older `server_hlc`."""
        if latest:
            remote = hlc.parse(latest)
            with self._lock:
                self._last = max(self._last, hlc.HLC(remote.wall, remote.counter, SERVER_NODE))

    def current(self) -> str:
        with self._lock:
            return max(self._last, hlc.HLC(self._now_ms(), 0, SERVER_NODE)).encode()
