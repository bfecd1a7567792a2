"""Rate limits kept in memory per server process: failed logins, and how much one user or
device may push per time (with several processes the effective limits multiply by their
number; docs/security.md).
"""
from __future__ import annotations

import threading
import time
from collections import deque

from fastapi import Request

SLOWDOWN_CAP_SECONDS = 60
SPRAY_FACTOR = 10  # failures from one address, over any usernames, before it waits


class SlidingWindow:
    """Amounts per key within the last `window` seconds."""

    def __init__(self, window: float, now=time.monotonic):
        self.window, self._now = window, now
        self._entries: dict[str, deque[tuple[float, int]]] = {}

    def recent(self, key: str, now: float) -> deque[tuple[float, int]]:
        entries = self._entries.get(key)
        if entries is None:
            return deque()
        while entries and entries[0][0] <= now - self.window:
            entries.popleft()
        if not entries:
            del self._entries[key]
        return entries

    def total(self, key: str, now: float) -> int:
        return sum(amount for _, amount in self.recent(key, now))

    def count(self, key: str, now: float) -> int:
        return len(self.recent(key, now))

    def last(self, key: str, now: float) -> float | None:
        entries = self.recent(key, now)
        return entries[-1][0] if entries else None

    def add(self, key: str, now: float, amount: int = 1) -> None:
        self.recent(key, now)
        self._entries.setdefault(key, deque()).append((now, amount))

    def clear(self, key: str) -> None:
        self._entries.pop(key, None)


class LoginLimiter:
    """Failed logins. Only failures count, and a success clears them.

    - Per (username, address): `attempts` failures within the window lock that pair
      until the oldest failure leaves the window.
    - Per username, from any address: past `attempts` failures, each further attempt
      waits 2, 4, 8 … (at most 60) seconds after the previous failure — a slowdown, not a
      lock, so nobody can lock a colleague out from elsewhere.
    - Per address, over any usernames: ten times `attempts` (password spraying)."""

    def __init__(self, attempts: int, window_seconds: int, now=time.monotonic):
        self.attempts, self._now = attempts, now
        self.window = window_seconds
        self._failures = SlidingWindow(window_seconds, now)
        self._lock = threading.Lock()

    @staticmethod
    def _keys(username: str, address: str) -> tuple[str, str, str]:
        return f"pair:{username.lower()}|{address}", f"user:{username.lower()}", f"ip:{address}"

    def retry_after(self, username: str, address: str) -> int:
        """Seconds until an attempt is allowed (0 = allowed now)."""
        now = self._now()
        pair, user, ip = self._keys(username, address)
        wait = 0.0
        with self._lock:
            for key, limit in ((pair, self.attempts), (ip, self.attempts * SPRAY_FACTOR)):
                entries = self._failures.recent(key, now)
                if len(entries) >= limit:
                    wait = max(wait, entries[0][0] + self.window - now)
            failures = self._failures.count(user, now)
            if failures >= self.attempts:
                gap = min(2 ** (failures - self.attempts + 1), SLOWDOWN_CAP_SECONDS)
                wait = max(wait, self._failures.last(user, now) + gap - now)
        return int(wait) + 1 if wait > 0 else 0

    def failed(self, username: str, address: str) -> None:
        now = self._now()
        with self._lock:
            for key in self._keys(username, address):
                self._failures.add(key, now)

    def succeeded(self, username: str, address: str) -> None:
        pair, user, _ = self._keys(username, address)
        with self._lock:
            self._failures.clear(pair)
            self._failures.clear(user)


class PushQuota:
    """Bytes one user and one device may push: `limit` per `window` seconds and
    `daily_limit` per 24 hours. Over either, the push waits (429 with Retry-After); the
    phone keeps its changes and sends them again, so nothing is dropped."""

    def __init__(self, limit: int, window_seconds: int, daily_limit: int, now=time.monotonic):
        self.limit, self.daily_limit, self._now = limit, daily_limit, now
        self._short = SlidingWindow(window_seconds, now)
        self._day = SlidingWindow(24 * 3600, now)
        self._lock = threading.Lock()

    def take(self, keys: list[str], size: int) -> int:
        """Record `size` bytes for every key and return 0, or return the seconds to wait
        (nothing recorded) when any key has no room."""
        now = self._now()
        with self._lock:
            wait = 0.0
            for key in keys:
                for window, limit in ((self._short, self.limit), (self._day, self.daily_limit)):
                    wait = max(wait, _wait(window, key, now, limit, size))
            if wait > 0:
                return int(wait) + 1
            for key in keys:
                self._short.add(key, now, size)
                self._day.add(key, now, size)
        return 0


def _wait(window: SlidingWindow, key: str, now: float, limit: int, size: int) -> float:
    """Seconds until `size` more fits under `limit` in `window` (a push larger than the
    whole limit waits for an empty window, then goes through alone)."""
    entries = window.recent(key, now)
    total = sum(amount for _, amount in entries)
    if total + size <= limit or not entries:
        return 0.0
    for stamp, amount in entries:
        total -= amount
        if total + size <= limit or total == 0:
            return stamp + window.window - now
    return 0.0


def _state_limiter(request: Request, name: str, make):
    state = request.app.state
    limiter = getattr(state, name, None)
    if limiter is None:
        limiter = make(state.settings)
        setattr(state, name, limiter)
    return limiter


def login_limiter(request: Request) -> LoginLimiter:
    return _state_limiter(request, "login_limiter",
                          lambda s: LoginLimiter(s.login_attempts_per_window, s.login_window_seconds))


def push_quota(request: Request) -> PushQuota:
    return _state_limiter(request, "push_quota", lambda s: PushQuota(
        s.push_quota_bytes, s.push_quota_window_seconds, s.push_quota_bytes_per_day))


def client_address(request: Request) -> str:
    """The peer address (behind a configured proxy, uvicorn has set it from X-Forwarded-For)."""
    return request.client.host if request.client else "unknown"
