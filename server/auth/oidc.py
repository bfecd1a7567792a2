"""Log in with the municipality's identity provider: OpenID Connect, authorization code flow
with PKCE, state and nonce. Authlib builds the authorization request
(`prepare_grant_uri`, `create_s256_code_challenge`) and validates the ID token's claims
(`authlib.oidc.core.CodeIDToken`; signatures by joserfc, Authlib's JOSE library); the two
HTTP calls (token, userinfo) are plain httpx (Authlib's httpx integration is being moved
to another HTTP package).

- On: `BROBYGGER_OIDC_ISSUER` (with `_CLIENT_ID`, `_CLIENT_SECRET`); the provider's
  discovery document and keys are fetched from the issuer and cached for an hour (a key
  the cache does not know is fetched again at once: the provider rotated its keys).
- `begin`: a random state, nonce and PKCE verifier, kept in a short-lived cookie signed with
  the secret key (HttpOnly, `SameSite=Lax` so that it comes back on the provider's redirect,
  path limited to the callback). Nothing is stored on the server, so any server process
  can finish the login.
- `finish`: the state must match the cookie (login CSRF), the `iss` of the response the
  issuer (RFC 9207, mix-up), the code is exchanged with the verifier, the ID token's
  signature, issuer, audience, expiry and nonce are checked. The user is the one whose
  `external_id` equals the claim `BROBYGGER_OIDC_USER_CLAIM` (default `email`; an
  `email_verified: false` is refused). Nobody is created here, and the role stays what
  an administrator gave in Brobygger: the provider says who someone is, never what they may do.
- Afterwards the session is the usual cookie (server/auth/sessions.py).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

import httpx
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from authlib.oidc.core import CodeIDToken
from fastapi import Request, Response
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry
from sqlalchemy import func
from sqlmodel import Session, select

from schemas.accounts import User
from server.auth.sessions import may_log_in
from server.core.errors import ApiError
from server.settings import Settings

FLOW_COOKIE = "brobygger_oidc"
CALLBACK_PATH = "/api/session/oidc/callback"
FLOW_SECONDS = 600  # the person has ten minutes at the provider's login page
CACHE_SECONDS = 3600
HTTP_TIMEOUT = 10


def enabled(settings: Settings) -> bool:
    return bool(settings.oidc_issuer and settings.oidc_client_id)


# --- the provider's metadata and keys ------------------------------------------------------

@dataclass
class _Cached:
    metadata: dict
    jwks: dict
    at: float


_cache: dict[str, _Cached] = {}
_cache_lock = threading.Lock()


def _get_json(url: str) -> dict:
    response = httpx.get(url, timeout=HTTP_TIMEOUT, follow_redirects=False)
    response.raise_for_status()
    return response.json()


def provider(settings: Settings, *, refresh: bool = False) -> _Cached:
    issuer = settings.oidc_issuer.rstrip("/")
    with _cache_lock:
        cached = _cache.get(issuer)
        if cached is not None and not refresh and time.monotonic() - cached.at < CACHE_SECONDS:
            return cached
    try:
        metadata = _get_json(f"{issuer}/.well-known/openid-configuration")
        if metadata.get("issuer", "").rstrip("/") != issuer:
            raise ValueError("issuer")
        jwks = _get_json(metadata["jwks_uri"])
    except (httpx.HTTPError, ValueError, KeyError) as error:
        raise ApiError("login_failed", "provider") from error
    fresh = _Cached(metadata, jwks, time.monotonic())
    with _cache_lock:
        _cache[issuer] = fresh
    return fresh


# --- the flow cookie -------------------------------------------------------------------------

def _key(settings: Settings) -> bytes:
    return hashlib.sha256(f"oidc-flow:{settings.secret_key}".encode()).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _seal(settings: Settings, flow: dict) -> str:
    body = _b64(json.dumps(flow, separators=(",", ":")).encode())
    return f"{body}.{_b64(hmac.new(_key(settings), body.encode(), hashlib.sha256).digest())}"


def _open(settings: Settings, value: str | None) -> dict:
    try:
        body, signature = (value or "").split(".")
        expected = _b64(hmac.new(_key(settings), body.encode(), hashlib.sha256).digest())
        if not hmac.compare_digest(signature, expected):
            raise ValueError("signature")
        flow = json.loads(_unb64(body))
        if not isinstance(flow, dict) or flow.get("exp", 0) < time.time():
            raise ValueError("expired")
        return flow
    except (ValueError, TypeError):
        raise ApiError("login_failed", "state") from None


def safe_next(path: str | None, default: str = "/kontor/") -> str:
    """Only a path on this server (never `//host` or a scheme): no open redirect."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return default
    parts = urlsplit(path)
    return path if not parts.scheme and not parts.netloc else default


def redirect_uri(request: Request, settings: Settings) -> str:
    origin = settings.public_origin.rstrip("/") or str(request.base_url).rstrip("/")
    return f"{origin}{CALLBACK_PATH}"


# --- the two steps ---------------------------------------------------------------------------

def begin(request: Request, settings: Settings, next_path: str | None) -> tuple[str, str]:
    """(the provider's authorization URL, the flow cookie's value)."""
    meta = provider(settings).metadata
    state, nonce, verifier = (secrets.token_urlsafe(32) for _ in range(3))
    url = prepare_grant_uri(meta["authorization_endpoint"], client_id=settings.oidc_client_id, response_type="code",
                            redirect_uri=redirect_uri(request, settings), scope=settings.oidc_scopes, state=state, nonce=nonce,
                            code_challenge=create_s256_code_challenge(verifier), code_challenge_method="S256",
                            **({"prompt": settings.oidc_prompt} if settings.oidc_prompt else {}))
    flow = {"state": state, "nonce": nonce, "verifier": verifier, "next": safe_next(next_path), "exp": int(time.time()) + FLOW_SECONDS}
    return url, _seal(settings, flow)


def set_flow_cookie(response: Response, settings: Settings, value: str) -> None:
    response.set_cookie(FLOW_COOKIE, value, max_age=FLOW_SECONDS, path=CALLBACK_PATH, httponly=True, samesite="lax",
                        secure=settings.cookie_secure)


def clear_flow_cookie(response: Response, settings: Settings) -> None:
    response.delete_cookie(FLOW_COOKIE, path=CALLBACK_PATH, httponly=True, samesite="lax", secure=settings.cookie_secure)


def finish(request: Request, settings: Settings, db: Session) -> tuple[User, str]:
    """Check the provider's answer and find the user. Returns (user, the path to go to)."""
    flow = _open(settings, request.cookies.get(FLOW_COOKIE))
    params = request.query_params
    if not hmac.compare_digest(str(params.get("state") or ""), str(flow.get("state"))):
        raise ApiError("login_failed", "state")
    cached = provider(settings)
    if params.get("error") or not params.get("code"):
        raise ApiError("login_failed")  # the person cancelled, or the provider refused
    issuer = cached.metadata["issuer"]
    if "iss" in params and params["iss"] != issuer:
        raise ApiError("login_failed", "provider")
    try:
        data = {"grant_type": "authorization_code", "code": params["code"], "code_verifier": flow["verifier"],
                "redirect_uri": redirect_uri(request, settings)}
        if settings.oidc_client_secret:  # client_secret_basic: both parts form-encoded first (RFC 6749 2.3.1)
            auth = (quote(settings.oidc_client_id, safe=""), quote(settings.oidc_client_secret, safe=""))
        else:  # a public client: PKCE alone
            auth, data["client_id"] = None, settings.oidc_client_id
        response = httpx.post(cached.metadata["token_endpoint"], data=data, auth=auth, timeout=HTTP_TIMEOUT)
        response.raise_for_status()
        token = response.json()
        if not isinstance(token, dict):
            raise ValueError("token")
    except (httpx.HTTPError, ValueError) as error:  # network, provider error: the person may try again
        raise ApiError("login_failed", "provider") from error
    claims = _id_token_claims(settings, token, flow["nonce"])
    if settings.oidc_user_claim not in claims:
        claims = {**_userinfo(cached, token, claims["sub"]), **claims}
    return _user_for(settings, db, claims), flow["next"]


def _userinfo(cached: _Cached, token: dict, sub: str) -> dict:
    """The claims of the UserInfo endpoint (providers put e-mail there rather than in the
    ID token); its `sub` must be the ID token's (OpenID Connect Core 5.3.2)."""
    endpoint = cached.metadata.get("userinfo_endpoint")
    if not endpoint or not token.get("access_token"):
        return {}
    try:
        response = httpx.get(endpoint, headers={"Authorization": f"Bearer {token['access_token']}"}, timeout=HTTP_TIMEOUT)
        response.raise_for_status()
        info = response.json()
    except (httpx.HTTPError, ValueError) as error:
        raise ApiError("login_failed", "provider") from error
    if not isinstance(info, dict) or info.get("sub") != sub:
        raise ApiError("login_failed", "provider")
    return info


def _id_token_claims(settings: Settings, token: dict, nonce: str) -> dict:
    id_token = token.get("id_token")
    if not id_token:
        raise ApiError("login_failed", "provider")
    cached = provider(settings)
    algorithms = cached.metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
    algorithms = [alg for alg in algorithms if alg != "none"]

    def decode(jwks: dict):
        return jwt.decode(id_token, KeySet.import_key_set(jwks), registry=JWSRegistry(algorithms=algorithms))

    try:
        try:
            decoded = decode(cached.jwks)
        except InvalidKeyIdError:
            decoded = decode(provider(settings, refresh=True).jwks)  # the provider rotated its keys
        claims = CodeIDToken(
            decoded.claims, decoded.header,
            {"iss": {"essential": True, "value": cached.metadata["issuer"]},
             "aud": {"essential": True, "value": settings.oidc_client_id}},
            {"nonce": nonce, "client_id": settings.oidc_client_id, "access_token": token.get("access_token")},
        )
        claims.validate(leeway=120)
    except (JoseError, ValueError, KeyError) as error:
        raise ApiError("login_failed", "provider") from error
    return dict(claims)


def _user_for(settings: Settings, db: Session, claims: dict) -> User:
    claim = settings.oidc_user_claim
    value = claims.get(claim)
    if claim == "email" and claims.get("email_verified") is False:
        raise ApiError("login_failed", "unverified")
    if not isinstance(value, str) or not value.strip():
        raise ApiError("login_failed", "unknown_user")
    # E-mail addresses are compared without case (the provider may spell them otherwise).
    user = db.exec(select(User).where(func.lower(User.external_id) == value.strip().lower())).first()
    if user is None or not may_log_in(user, settings):
        raise ApiError("login_failed", "unknown_user")
    return user
