"""Authentication: password hashing, server-side sessions, the login rate limit, and the
request dependencies that say who is asking (`current_user`, `viewer_of`, `current_device`).

A session is a random token in an HttpOnly cookie; the database keeps only
sha256(secret_key + token), so a leaked database does not leak live sessions.
"""
from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections import deque
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Depends, Request, Response
from sqlmodel import Session, delete

from schemas.accounts import Device, SessionToken, User
from server.deps import get_db
from server.errors import ApiError
from server.settings import Settings
from sync.scope import Viewer

COOKIE = "brobygger_session"
# Write `last_seen_at` at most this often, so that reads do not each cost a write.
TOUCH_EVERY = timedelta(seconds=60)

_hasher = PasswordHasher()
_dummy_hash: str | None = None


# --- passwords -------------------------------------------------------------------------

def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True if the password matches. An unknown user is checked against a dummy hash,
    so that the response time does not tell which usernames exist."""
    global _dummy_hash
    if password_hash is None:
        _dummy_hash = _dummy_hash or _hasher.hash(secrets.token_hex(16))
        password_hash, password = _dummy_hash, password + "x"
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# --- sessions --------------------------------------------------------------------------

def utcnow() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime) -> datetime:
    """UTC-aware (SQLModel's UTCDateTime returns aware values; be safe with naive ones)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def token_hash(settings: Settings, token: str) -> str:
    return hashlib.sha256((settings.secret_key + token).encode()).hexdigest()


def start_session(db: Session, settings: Settings, user: User) -> str:
    """Create a session row (caller commits) and return the cookie value."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.add(SessionToken(token_hash=token_hash(settings, token), user_id=user.id, created_at=now, last_seen_at=now))
    return token


def set_session_cookie(response: Response, settings: Settings, token: str) -> None:
    response.set_cookie(
        COOKIE,
        token,
        max_age=settings.session_absolute_hours * 3600,
        path="/",
        httponly=True,
        samesite="strict",
        secure=settings.cookie_secure,
    )


def clear_session_cookie(response: Response, settings: Settings) -> None:
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict", secure=settings.cookie_secure)


def end_sessions_of(db: Session, user_id: str) -> None:
    """Delete every session of a user (deactivation). Caller commits."""
    db.exec(delete(SessionToken).where(SessionToken.user_id == user_id))


def bind_session_to_device(request: Request, db: Session, device_id: str) -> None:
    """Remember which device this session belongs to. Caller commits."""
    found = session_of(request, db)
    if found is not None:
        found[1].device_id = device_id
        db.add(found[1])


def may_log_in(user: User, settings: Settings) -> bool:
    """Inactive users never; demo users only while the server runs in demo mode (a demo
    database later started for real must not keep a door with the password `demo`)."""
    return user.active and (settings.demo_mode or not user.is_demo)


def session_of(request: Request, db: Session) -> tuple[User, SessionToken] | None:
    """The live session of this request and its user, or None. Expired sessions and
    sessions of inactive users are deleted on sight."""
    cached = getattr(request.state, "session", None)
    if cached is not None:
        return cached
    token = request.cookies.get(COOKIE)
    if not token or len(token) > 200:
        return None
    settings: Settings = request.app.state.settings
    row = db.get(SessionToken, token_hash(settings, token))
    if row is None:
        return None
    now = utcnow()
    expired = (
        now - _aware(row.created_at) > timedelta(hours=settings.session_absolute_hours)
        or now - _aware(row.last_seen_at) > timedelta(minutes=settings.session_idle_minutes)
    )
    user = None if expired else db.get(User, row.user_id)
    if user is None or not may_log_in(user, settings):
        db.delete(row)
        db.commit()
        return None
    if now - _aware(row.last_seen_at) > TOUCH_EVERY:
        row.last_seen_at = now
        db.add(row)
        db.commit()
        db.refresh(user)
    request.state.session = (user, row)
    return user, row


def current_user(request: Request, db: Session = Depends(get_db)) -> User:
    """FastAPI dependency: the logged-in user, else 401 `not_logged_in`."""
    found = session_of(request, db)
    if found is None:
        raise ApiError("not_logged_in")
    return found[0]


def optional_user(request: Request, db: Session = Depends(get_db)) -> User | None:
    found = session_of(request, db)
    return found[0] if found else None


def viewer_of(user: User) -> Viewer:
    """The scope rules' view of a user (sync.scope)."""
    return Viewer(user_id=user.id, role=user.role, org_id=user.organisation_id, municipality_id=user.municipality_id)


def public_user(user: User, organisation_name: str | None = None) -> dict:
    """What the API tells about a user: never the password hash."""
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "organisation_id": user.organisation_id,
        "organisation_name": organisation_name,
        "municipality_id": user.municipality_id,
    }


# --- devices ---------------------------------------------------------------------------

def current_device(db: Session, user: User, device_id: str | None) -> Device:
    """Resolve a device id sent by a client for the current user.

    403 `device_unknown` if it is not one of the user's devices (or missing),
    403 `device_revoked` if an administrator revoked it. Touches `last_seen_at`
    (caller commits)."""
    device = db.get(Device, device_id) if isinstance(device_id, str) and device_id else None
    if device is None or device.user_id != user.id:
        raise ApiError("device_unknown", field="device_id")
    if device.revoked_at is not None:
        raise ApiError("device_revoked", field="device_id")
    device.last_seen_at = utcnow()
    db.add(device)
    return device


# --- login rate limit ------------------------------------------------------------------

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
