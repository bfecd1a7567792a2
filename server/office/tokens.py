"""The municipality's read-only API token: a separate way in for the report and register
routes only (the routes whose rule in server.auth.authz.ROUTES has `token=True`).

A projektleder creates a token in the office (`/kontor/eksport`); it is shown once and only
`sha256(secret_key + token)` is stored, like a session. A request sends it as
`Authorization: Bearer <token>`; an unknown or revoked token answers 401 (never falls
back to a cookie). It reads what the municipality's projektleder reads of those routes —
counts and the pseudonymous register, never an identifying field — and every use writes
an audit row (`api_token_use`, with the token as `device_id = "token:<id>"` and its
creator as user), plus one `read` row per citizen of a register it fetched.
"""
from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from fastapi import Depends, Request
from sqlmodel import Session, select

from schemas.accounts import ApiToken, User
from server.auth.authz import ROUTES, require
from server.auth.sessions import token_hash
from server.core import audit
from server.core.deps import get_db
from server.core.errors import ApiError

PREFIX = "bro_"
TOUCH_EVERY = timedelta(seconds=60)


@dataclass(frozen=True)
class Reader:
    """Who reads a report or the register: a logged-in user, or the municipality's token."""

    municipality_id: str
    user: User | None = None
    token: ApiToken | None = None

    @property
    def audit_user(self) -> str:
        return self.user.id if self.user is not None else self.token.created_by

    @property
    def audit_device(self) -> str | None:
        return None if self.token is None else f"token:{self.token.id}"

    @property
    def team_id(self) -> str | None:
        """A behandler reads only the own team's citizens; a projektleder and a token all."""
        return self.user.organisation_id if self.user is not None and self.user.role == "behandler" else None


def now() -> datetime:
    return datetime.now(UTC)


def create(db: Session, request: Request, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for the user's municipality; returns the row and the token (shown once)."""
    secret = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(id=str(uuid.uuid4()), token_hash=token_hash(request.app.state.settings, secret),
                   municipality_id=user.municipality_id, name=name, created_at=now(), created_by=user.id)
    db.add(row)
    audit.record(db, "api_token_create", user_id=user.id, entity="api_token", record_id=row.id)
    db.commit()
    return row, secret


def revoke(db: Session, user: User, token_id: str) -> ApiToken | None:
    row = db.get(ApiToken, token_id) if len(token_id) <= 64 else None
    if row is None or row.municipality_id != user.municipality_id:
        return None
    if row.revoked_at is None:
        row.revoked_at, row.revoked_by = now(), user.id
        db.add(row)
        audit.record(db, "api_token_revoke", user_id=user.id, entity="api_token", record_id=row.id)
        db.commit()
    return row


def of_municipality(db: Session, municipality_id: str) -> list[ApiToken]:
    return list(db.exec(select(ApiToken).where(ApiToken.municipality_id == municipality_id).order_by(ApiToken.created_at.desc())))


def _aware(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return value.strip()


def reader(key: str):
    """The dependency of a route that a token may call: a Bearer token, else the route's
    rule for the logged-in user (`require`)."""
    assert ROUTES[key].token, f"{key} is not open to the API token in ROUTES"
    check = require(key)

    def dependency(request: Request, db: Session = Depends(get_db)) -> Reader:
        secret = _bearer(request)
        if secret is None:
            user = check(request, db)
            return Reader(municipality_id=user.municipality_id, user=user)
        row = None
        if secret.startswith(PREFIX) and len(secret) < 200:
            row = db.exec(select(ApiToken).where(ApiToken.token_hash == token_hash(request.app.state.settings, secret))).first()
        if row is None or row.revoked_at is not None:
            raise ApiError("not_logged_in", "api_token")
        audit.record(db, "api_token_use", user_id=row.created_by, device_id=f"token:{row.id}", entity="api_token", record_id=row.id)
        if row.last_used_at is None or now() - _aware(row.last_used_at) > TOUCH_EVERY:
            row.last_used_at = now()
            db.add(row)
        db.commit()
        return Reader(municipality_id=row.municipality_id, token=row)

    dependency.route_key = key  # type: ignore[attr-defined]  (read by the route-coverage test)
    dependency.__name__ = f"reader[{key}]"
    return dependency
