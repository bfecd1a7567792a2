"""Refuse state-changing requests that a browser says come from another site.

SameSite=Strict on the session cookie already keeps cross-site requests logged out;
this is the second defence the standards recommend: `Sec-Fetch-Site` (sent by every
current browser) must be `same-origin` or `none` (typed, bookmarked), and where a browser
sends only `Origin`, it must be this server's origin (`BROBYGGER_PUBLIC_ORIGIN`, or the
request's own scheme and Host). Requests with neither header — curl, scripts, the tests'
HTTP clients — are not from a browser page and pass; their session cookie is their
authority.
"""
from __future__ import annotations

import json
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

from schemas.problems import problem

SAFE = frozenset({"GET", "HEAD", "OPTIONS"})
SAME = frozenset({"same-origin", "none"})


class SameOriginWrites:
    def __init__(self, app: ASGIApp, public_origin: str = ""):
        self.app = app
        self.public = public_origin.rstrip("/").lower()

    def _own_origin(self, scope: Scope, headers: dict) -> str:
        if self.public:
            return self.public
        host = headers.get(b"host", b"").decode("latin-1").lower()
        return f"{scope.get('scheme', 'http')}://{host}"

    def allowed(self, scope: Scope) -> bool:
        headers = dict(scope.get("headers") or [])
        site = headers.get(b"sec-fetch-site")
        if site is not None:
            return site.decode("latin-1").lower() in SAME
        origin = headers.get(b"origin")
        if origin is None:
            return True
        text = origin.decode("latin-1").lower()
        parts = urlsplit(text)
        return text != "null" and f"{parts.scheme}://{parts.netloc}" == self._own_origin(scope, headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE or self.allowed(scope):
            await self.app(scope, receive, send)
            return
        known = problem("forbidden")
        body = json.dumps({"error": {"code": known.code, "message": known.render("cross_site"), "field": None}}).encode()
        await send({"type": "http.response.start", "status": 403,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
