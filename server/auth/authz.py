"""Route authorization as one table: which roles may call which route, and how far the
route's answer reaches (its scope kind).

Every `/api/` route is in `ROUTES`, and every router protects its routes with
`Depends(require("METHOD /path"))`; tests/api/test_authz_matrix.py enumerates the app's
routes and fails if one is missing here or does not use its rule.

The *route* check here is coarse (may this role call this at all?). The *record* check
is finer and lives in sync/scope.py (which fields of which record this user may see or
write); routes of scope kind `records` and `sync` apply it to every record they touch.
"""
from __future__ import annotations

from dataclasses import dataclass

from fastapi import Depends, Request
from sqlmodel import Session

from schemas import enums
from schemas.accounts import Device, User
from server.auth.sessions import session_of
from server.core.deps import get_db
from server.core.errors import ApiError

ANONYMOUS = "anonymous"
ROLES = tuple(role.code for role in enums.ROLES)
EVERYONE = frozenset({ANONYMOUS, *ROLES})
LOGGED_IN = frozenset(ROLES)

# Scope kinds: how a permitted caller's answer is limited.
PUBLIC = "public"  # no personal data; anyone
SELF = "self"  # the caller's own session or devices
MUNICIPALITY = "municipality"  # accounts, quarantine, audit of the caller's own municipality
RECORDS = "records"  # each record filtered by sync.scope.visible_fields (not visible = 404)
SYNC = "sync"  # each op re-checked by sync.scope.writable_fields, each pulled record by visible_fields


@dataclass(frozen=True)
class Rule:
    roles: frozenset[str]
    scope: str
    note: str = ""

    def allows(self, role: str) -> bool:
        return role in self.roles


def _roles(*names: str) -> frozenset[str]:
    unknown = set(names) - EVERYONE
    assert not unknown, unknown
    return frozenset(names)


ROUTES: dict[str, Rule] = {
    # Sessions
    "POST /api/session": Rule(EVERYONE, PUBLIC, "log in"),
    "GET /api/session": Rule(LOGGED_IN, SELF, "who am I"),
    "DELETE /api/session": Rule(EVERYONE, SELF, "log out (harmless without a session)"),
    # Devices
    "POST /api/devices": Rule(LOGGED_IN, SELF, "register this phone/browser"),
    "GET /api/devices": Rule(LOGGED_IN, SELF, "own devices"),
    "POST /api/devices/{device_id}/revoke": Rule(_roles("admin"), MUNICIPALITY, "devices of users in own municipality"),
    # Administration
    "GET /api/users": Rule(_roles("admin"), MUNICIPALITY, "users of own municipality, no password hashes"),
    "POST /api/users/{user_id}/deactivate": Rule(_roles("admin"), MUNICIPALITY, "users of own municipality"),
    "GET /api/quarantine": Rule(_roles("projektleder"), MUNICIPALITY, "rejected ops of own municipality's users"),
    "GET /api/audit": Rule(_roles("projektleder"), MUNICIPALITY, "audit entries of own municipality's users"),
    "GET /api/organisations": Rule(LOGGED_IN, MUNICIPALITY, "names of own municipality's organisations"),
    # Records (read; writes go through sync ops)
    "GET /api/citizens": Rule(_roles("behandler", "frivillig", "projektleder"), RECORDS),
    "GET /api/citizens/{citizen_id}": Rule(_roles("behandler", "frivillig", "projektleder"), RECORDS),
    "GET /api/leads": Rule(_roles("behandler", "frivillig", "projektleder"), RECORDS),
    "GET /api/leads/{lead_id}": Rule(_roles("behandler", "frivillig", "projektleder"), RECORDS),
    "POST /api/leads": Rule(_roles("frivillig"), RECORDS, "a volunteer notes a lead on the web (one create op)"),
    # Sync
    "POST /api/sync/push": Rule(LOGGED_IN, SYNC),
    "GET /api/sync/pull": Rule(LOGGED_IN, SYNC),
    # Documentation (no data)
    "GET /api/docs": Rule(EVERYONE, PUBLIC, "this API, as a page"),
    "GET /api/openapi.json": Rule(EVERYONE, PUBLIC, "served by FastAPI itself"),
}

# Routes FastAPI adds itself (no dependency can be attached); listed in ROUTES anyway.
BUILTIN = frozenset({"GET /api/openapi.json"})


# A session bound to a revoked device may still hand in its pending changes (they are
# quarantined, never applied); everything else answers `device_revoked`, and the phone wipes.
REVOKED_DEVICE_MAY = frozenset({"POST /api/sync/push", "DELETE /api/session"})


def _revoked(db: Session, device_id: str | None) -> bool:
    device = db.get(Device, device_id) if device_id and len(device_id) <= 64 else None
    return device is not None and device.revoked_at is not None


def _refuse_revoked_device(request: Request, db: Session) -> None:
    """Without a session (it expired), a sync naming a revoked device still learns
    `device_revoked` rather than "log in again". Telling the holder of a device id that it
    is revoked discloses nothing else."""
    if _revoked(db, request.query_params.get("device_id")):
        raise ApiError("device_revoked", field="device_id")


def require(key: str):
    """A FastAPI dependency enforcing the rule of route `key` ("METHOD /path").

    Returns the logged-in user (or None on routes open to anonymous callers).
    Anonymous on a login-only route → 401 `not_logged_in`; a role not in the rule → 403
    `forbidden`."""
    rule = ROUTES[key]  # KeyError at import time for a route missing from the table

    def dependency(request: Request, db: Session = Depends(get_db)) -> User | None:
        try:
            return _check(request, db)
        finally:
            db.commit()  # end the transaction: no connection is held while the route waits for a thread

    def _check(request: Request, db: Session) -> User | None:
        found = session_of(request, db)
        if found is None:
            if ANONYMOUS in rule.roles:
                return None
            _refuse_revoked_device(request, db)
            raise ApiError("not_logged_in")
        user, session = found
        if key not in REVOKED_DEVICE_MAY and _revoked(db, session.device_id):
            raise ApiError("device_revoked", field="device_id")
        if not rule.allows(user.role):
            raise ApiError("forbidden")
        return user

    dependency.route_key = key  # type: ignore[attr-defined]  (read by the route-coverage test)
    dependency.__name__ = f"require[{key}]"
    return dependency
