"""Route authorization as one table: which roles may call which route, and how far the
route's answer reaches (its scope kind).

Every `/api/` and `/kontor/` route is in `ROUTES`, and every router protects its routes with
`Depends(require("METHOD /path"))` (office pages: `server.office.layout.office_page`, which
wraps it); tests/api/test_authz_matrix.py enumerates the app's
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
    # The municipality's read-only API token may call it too (server/office/tokens.py:
    # reports and the pseudonymous register only, never identifying fields).
    token: bool = False

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
    "GET /api/session/providers": Rule(EVERYONE, PUBLIC, "which logins this server offers"),
    "GET /api/session/oidc": Rule(EVERYONE, PUBLIC, "to the municipality's identity provider (404 when none)"),
    "GET /api/session/oidc/callback": Rule(EVERYONE, PUBLIC, "back from the identity provider: a session for a known user"),
    # Devices
    "POST /api/devices": Rule(LOGGED_IN, SELF, "register this phone/browser"),
    "GET /api/devices": Rule(LOGGED_IN, SELF, "own devices"),
    "POST /api/devices/{device_id}/revoke": Rule(_roles("admin"), MUNICIPALITY, "devices of users in own municipality"),
    "POST /api/devices/{device_id}/readmit": Rule(_roles("admin"), MUNICIPALITY, "a revoked device may register again"),
    # Administration
    "GET /api/users": Rule(_roles("admin"), MUNICIPALITY, "users of own municipality, no password hashes"),
    "POST /api/users/{user_id}/deactivate": Rule(_roles("admin"), MUNICIPALITY, "users of own municipality"),
    "POST /api/users/{user_id}/reactivate": Rule(_roles("admin"), MUNICIPALITY, "users of own municipality"),
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
    # Forms and when they are due (server/api/forms.py, server/api/schedule.py)
    "GET /api/forms": Rule(LOGGED_IN, PUBLIC, "the published form definitions, every version (no data)"),
    "GET /api/schedule": Rule(LOGGED_IN, MUNICIPALITY, "own municipality's form schedule (the phones fetch it after a sync)"),
    "PUT /api/schedule": Rule(_roles("projektleder"), MUNICIPALITY, "set own municipality's form schedule"),
    # Reports, the pseudonymous register and exports (server/office, server/api/reports.py)
    "GET /api/reports": Rule(_roles("projektleder"), MUNICIPALITY, "the report catalogue", token=True),
    "GET /api/reports/{report_id}": Rule(_roles("projektleder"), MUNICIPALITY, "one report: counts after the discretion rule", token=True),
    "GET /api/register": Rule(_roles("behandler", "projektleder"), RECORDS, "the pseudonymous register (behandler: own team)", token=True),
    "GET /api/research-export": Rule(_roles("projektleder"), MUNICIPALITY, "register and responses without birth year, places, free text"),
    # The office (server/office): pages under /kontor/
    "GET /kontor/static/{path:path}": Rule(EVERYONE, PUBLIC, "DKFDS and the office's stylesheet"),
    "GET /kontor/login": Rule(EVERYONE, PUBLIC, "the office's login form"),
    "POST /kontor/login": Rule(EVERYONE, PUBLIC, "log in from the office"),
    "POST /kontor/logout": Rule(EVERYONE, SELF, "log out from the office"),
    "GET /kontor/": Rule(_roles("behandler", "projektleder", "admin"), SELF, "the office's start page"),
    "GET /kontor/deltagere": Rule(_roles("behandler", "projektleder"), RECORDS, "the register (behandler: own team)"),
    "GET /kontor/deltagere/{citizen_id}": Rule(_roles("behandler", "projektleder"), RECORDS, "one register row"),
    "GET /kontor/svar": Rule(_roles("projektleder"), MUNICIPALITY, "response monitoring"),
    "GET /kontor/svar/udestaaende": Rule(_roles("projektleder"), RECORDS, "the citizens behind an overdue number"),
    "GET /kontor/skemaplan": Rule(_roles("projektleder"), MUNICIPALITY, "own municipality's form schedule, as a form"),
    "POST /kontor/skemaplan": Rule(_roles("projektleder"), MUNICIPALITY, "set own municipality's form schedule (as PUT /api/schedule)"),
    "GET /kontor/rapporter": Rule(_roles("projektleder"), MUNICIPALITY, "the report catalogue"),
    "GET /kontor/rapporter/{report_id}": Rule(_roles("projektleder"), MUNICIPALITY, "one report: chart and table"),
    "GET /kontor/eksport": Rule(_roles("projektleder"), MUNICIPALITY, "exports and the API token"),
    "POST /kontor/eksport/noegler": Rule(_roles("projektleder"), MUNICIPALITY, "create the municipality's API token"),
    "POST /kontor/eksport/noegler/{token_id}/tilbagekald": Rule(_roles("projektleder"), MUNICIPALITY, "revoke an API token"),
    # Administration (server/office/admin): accounts and devices (admin), triage and audit (projektleder)
    "GET /kontor/admin": Rule(_roles("admin", "projektleder"), SELF, "the administration's start page"),
    "GET /kontor/admin/brugere": Rule(_roles("admin"), MUNICIPALITY, "users of own municipality"),
    "GET /kontor/admin/brugere/ny": Rule(_roles("admin"), MUNICIPALITY, "the form for a new user"),
    "POST /kontor/admin/brugere": Rule(_roles("admin"), MUNICIPALITY, "create a user (and an invitation link)"),
    "GET /kontor/admin/brugere/{user_id}": Rule(_roles("admin"), MUNICIPALITY, "one user: details, devices"),
    "POST /kontor/admin/brugere/{user_id}": Rule(_roles("admin"), MUNICIPALITY, "change name, role, team, login id"),
    "POST /kontor/admin/brugere/{user_id}/link": Rule(_roles("admin"), MUNICIPALITY, "a new invitation or reset link"),
    "POST /kontor/admin/brugere/{user_id}/aktiv": Rule(_roles("admin"), MUNICIPALITY, "deactivate or reactivate"),
    "GET /kontor/admin/organisationer": Rule(_roles("admin"), MUNICIPALITY, "teams and partner organisations"),
    "POST /kontor/admin/organisationer": Rule(_roles("admin"), MUNICIPALITY, "create a team or partner"),
    "POST /kontor/admin/organisationer/{org_id}": Rule(_roles("admin"), MUNICIPALITY, "rename a team or partner"),
    "GET /kontor/admin/enheder": Rule(_roles("admin"), MUNICIPALITY, "devices: owner, last sync, pending quarantine"),
    "POST /kontor/admin/enheder/{device_id}/spaer": Rule(_roles("admin"), MUNICIPALITY, "revoke a device (wiped at next contact)"),
    "POST /kontor/admin/enheder/{device_id}/genaabn": Rule(_roles("admin"), MUNICIPALITY, "re-admit a revoked device"),
    "GET /kontor/admin/karantaene": Rule(_roles("projektleder"), MUNICIPALITY, "rejected ops of own municipality"),
    "GET /kontor/admin/karantaene/{quarantine_id}": Rule(_roles("projektleder"), MUNICIPALITY, "one rejected op"),
    "POST /kontor/admin/karantaene/{quarantine_id}/genanvend": Rule(_roles("projektleder"), SYNC, "write it again, corrected, as a new op"),
    "POST /kontor/admin/karantaene/{quarantine_id}/afvis": Rule(_roles("projektleder"), MUNICIPALITY, "dismiss it with a reason"),
    "GET /kontor/admin/log": Rule(_roles("projektleder"), MUNICIPALITY, "the audit log with names and filters"),
    "GET /kontor/admin/log/adgangsrapport": Rule(_roles("projektleder"), MUNICIPALITY, "who looked up one citizen (CSV, GDPR art. 15)"),
    "GET /kontor/adgangskode/{token}": Rule(EVERYONE, PUBLIC, "choose a password with a one-time link"),
    "POST /kontor/adgangskode/{token}": Rule(EVERYONE, PUBLIC, "choose a password with a one-time link"),
    "GET /kontor/konto": Rule(LOGGED_IN, SELF, "own account: change password"),
    "POST /kontor/konto/adgangskode": Rule(LOGGED_IN, SELF, "change own password"),
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
