"""Server-side sessions: a random token in an HttpOnly cookie; the database keeps only
sha256(secret_key + token), so a leaked database does not leak live sessions.

`session_of` says who is asking; `current_user` is its FastAPI dependency.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from fastapi import Depends, Request, Response
from sqlmodel import Session, delete

from schemas.accounts import SessionToken, User
from server.core import audit
from server.core.deps import get_db
from server.core.errors import ApiError
from server.settings import Settings
from sync.scope import Viewer

COOKIE = "brobygger_session"
# Write `last_seen_at` at most this often, so that reads do not each cost a write.
TOUCH_EVERY = timedelta(seconds=60)


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


def end_session(request: Request, db: Session, user: User | None) -> None:
    """Log out: the request's session row goes (a stale cookie has none), audited, committed."""
    token = request.cookies.get(COOKIE)
    if token:
        row = db.get(SessionToken, token_hash(request.app.state.settings, token))
        if row is not None:
            db.delete(row)
    if user is not None:
        audit.record(db, "logout", user_id=user.id)
    db.commit()


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
