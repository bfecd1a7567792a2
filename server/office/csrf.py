"""CSRF tokens for the office's forms (filters are GET and need none; every POST form has one).

The token is an HMAC of the session, so nothing is stored: `HMAC(key, "session:" +
sessiontoken.token_hash)` for a logged-in page, and before login (the login form)
`HMAC(key, "anon:" + nonce)` with a random nonce in the cookie `brobygger_csrf`
(double submit). The key is derived from `BROBYGGER_SECRET_KEY`. A token is valid for
as long as its session; logging in changes it. This backs up the session cookie's
SameSite=Strict and the same-origin check on writes (server/core/origin.py).

In templates: `{{ csrf_field() }}` inside every `<form method="post">`. In a route: take
the checked form from `server.office.layout.office_form(key)`.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import parse_qs

from fastapi import Request, Response

from server.auth.sessions import COOKIE, token_hash

FIELD = "csrf_token"
NONCE_COOKIE = "brobygger_csrf"
MAX_FORM_BYTES = 64 * 1024


def token_for(settings, *, session_cookie: str | None = None, nonce: str | None = None) -> str:
    """The token of a session (its cookie value) or, before login, of a nonce."""
    key = hashlib.sha256(("brobygger-office-csrf|" + settings.secret_key).encode()).digest()
    # The session row's token_hash, recomputed from the cookie: an error page renders
    # after the request's transaction ended, when the row can no longer load.
    basis = "session:" + token_hash(settings, session_cookie) if session_cookie is not None else "anon:" + (nonce or "")
    return hmac.new(key, basis.encode(), hashlib.sha256).hexdigest()


def token(request: Request) -> str:
    """The token the current page's forms carry."""
    settings = request.app.state.settings
    if getattr(request.state, "session", None) is not None:
        return token_for(settings, session_cookie=request.cookies.get(COOKIE, ""))
    nonce = request.cookies.get(NONCE_COOKIE)
    if not nonce or len(nonce) > 100:
        nonce = getattr(request.state, "csrf_new_nonce", None) or secrets.token_urlsafe(24)
        request.state.csrf_new_nonce = nonce  # render() sets the cookie on the response
    return token_for(settings, nonce=nonce)


def valid(request: Request, submitted: str | None) -> bool:
    if not submitted or len(submitted) > 200:
        return False
    if getattr(request.state, "session", None) is None and not request.cookies.get(NONCE_COOKIE):
        return False  # no nonce was ever handed out: nothing to compare with
    return hmac.compare_digest(token(request), submitted)


def set_nonce_cookie(request: Request, response: Response) -> None:
    """Hand out the pre-login nonce a page's token was made from (login form)."""
    nonce = getattr(request.state, "csrf_new_nonce", None)
    if nonce:
        response.set_cookie(NONCE_COOKIE, nonce, path="/kontor/", httponly=True, samesite="strict",
                            secure=request.app.state.settings.cookie_secure)


async def read_form(request: Request) -> dict[str, list[str]]:
    """An application/x-www-form-urlencoded body (the office's forms have no uploads)."""
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        return {}
    return parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True, max_num_fields=200)
