"""A password login, the one way: the limiter, the password check, the audit rows, the
new session. Used by `POST /api/session` (the phone) and the office's login form."""
from __future__ import annotations

import logging

from fastapi import Request
from sqlmodel import Session, select

from schemas.accounts import User
from server.auth.limiter import client_address, login_limiter
from server.auth.passwords import verify_password
from server.auth.sessions import may_log_in, start_session
from server.core import audit
from server.core.errors import ApiError

log = logging.getLogger("brobygger.auth")


def password_login(request: Request, db: Session, username: str, password: str) -> tuple[User, str]:
    """Check the password and start a session (committed); returns the user and the cookie
    value. Raises `too_many_attempts` (with Retry-After) or `bad_credentials`."""
    username = username.strip()
    limiter, address = login_limiter(request), client_address(request)
    wait = limiter.retry_after(username, address)
    if wait:
        log.info("login throttled")
        raise ApiError("too_many_attempts", seconds=wait, headers={"Retry-After": str(wait)})
    user = db.exec(select(User).where(User.username == username)).first()
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not may_log_in(user, request.app.state.settings):
        limiter.failed(username, address)
        audit.record(db, "login_failed", user_id=user.id if user else None)
        db.commit()
        raise ApiError("bad_credentials")
    limiter.succeeded(username, address)
    token = start_session(db, request.app.state.settings, user)
    audit.record(db, "login", user_id=user.id)
    db.commit()
    log.info("login ok")
    return user, token
