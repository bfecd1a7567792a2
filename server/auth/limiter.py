"""The login rate limit: an in-memory sliding window of failed logins per key."""
from __future__ import annotations

import threading
import time
from collections import deque

from fastapi import Request

from server.settings import Settings


class LoginLimiter:
    """In-memory sliding window of failed logins per key ("user:…", "ip:…").

    Only failures count, so an office behind one address is not locked out by its own
    successful logins; a success clears its username's window. Per process: with several
    server processes the effective limit is multiplied by their number."""

    def __init__(self, attempts: int, window_seconds: int, now=time.monotonic):
        self.attempts, self.window, self._now = attempts, window_seconds, now
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        stamps = self._failures.get(key)
        if stamps is None:
            return deque()
        while stamps and stamps[0] <= now - self.window:
            stamps.popleft()
        if not stamps:
            del self._failures[key]
        return stamps

    def retry_after(self, keys: list[str]) -> int:
        """Seconds until a new attempt is allowed for all keys (0 = allowed now)."""
        now = self._now()
        wait = 0.0
        with self._lock:
            for key in keys:
                stamps = self._recent(key, now)
                if len(stamps) >= self.attempts:
                    wait = max(wait, stamps[0] + self.window - now)
        return int(wait) + 1 if wait else 0

    def failed(self, keys: list[str]) -> None:
        now = self._now()
        with self._lock:
            for key in keys:
                self._recent(key, now)
                self._failures.setdefault(key, deque()).append(now)

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)


def login_limiter(request: Request) -> LoginLimiter:
    state = request.app.state
    limiter = getattr(state, "login_limiter", None)
    if limiter is None:
        settings: Settings = state.settings
        limiter = state.login_limiter = LoginLimiter(settings.login_attempts_per_window, settings.login_window_seconds)
    return limiter


def client_address(request: Request) -> str:
    """The peer address. Behind a reverse proxy run uvicorn with --proxy-headers."""
    return request.client.host if request.client else "unknown"
