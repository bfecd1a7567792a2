"""No one caller can crowd out the others: at most `limit` requests of one session (or,
without a session, of one client address) run at once; the rest wait their turn on the
event loop, holding no worker thread and no database connection.

Sync routes run on anyio's 40 worker threads. Without this, one volunteer's phone (or a
script) firing 100 requests at once took every thread, and another user's request
waited behind all of them (docs/architecture.md).
"""
from __future__ import annotations

import asyncio
from http.cookies import SimpleCookie

from starlette.types import ASGIApp, Receive, Scope, Send

from server.auth.sessions import COOKIE


class PerCallerLimit:
    def __init__(self, app: ASGIApp, limit: int = 8):
        self.app, self.limit = app, limit
        self._gates: dict[str, tuple[asyncio.Semaphore, int]] = {}

    @staticmethod
    def caller(scope: Scope) -> str:
        for name, value in scope.get("headers") or []:
            if name == b"cookie":
                cookie = SimpleCookie()
                try:
                    cookie.load(value.decode("latin-1"))
                except Exception:  # a malformed cookie header: the address decides
                    break
                if COOKIE in cookie:
                    return "session:" + cookie[COOKIE].value[:200]
        client = scope.get("client")
        return f"address:{client[0] if client else 'unknown'}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        key = self.caller(scope)
        gate, users = self._gates.get(key) or (asyncio.Semaphore(self.limit), 0)
        self._gates[key] = (gate, users + 1)
        try:
            async with gate:
                await self.app(scope, receive, send)
        finally:
            gate, users = self._gates[key]
            if users <= 1:
                del self._gates[key]  # nobody waits or runs: forget the caller
            else:
                self._gates[key] = (gate, users - 1)
