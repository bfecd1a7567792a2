"""The authorization matrix, generated from the table in server/authz.py.

1. Every `/api/` route of the app is in `ROUTES` and uses `Depends(require(<its key>))`;
   every entry of `ROUTES` is a real route (no stale rows).
2. For every route × every role (and anonymous): a role the rule allows gets the route's
   success status; anonymous gets 401, any other role 403.
3. For routes whose scope reaches beyond the caller (records, municipality): the other
   team, the other organisation and the other municipality, per actor → expected status.
"""
from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from fastapi.routing import APIRoute
from sqlmodel import Session, select

from schemas.accounts import ApiToken, User
from server.auth.authz import ANONYMOUS, BUILTIN, MUNICIPALITY, RECORDS, ROLES, ROUTES
from server.auth.sessions import COOKIE
from server.office import csrf

# --- 1. every route is in the table and uses its rule ---------------------------------


def _rule_keys(dependant) -> set[str]:
    keys = set()
    for dependency in dependant.dependencies:
        key = getattr(dependency.call, "route_key", None)
        if key:
            keys.add(key)
        keys |= _rule_keys(dependency)
    return keys


def _flatten(routes, path_of=lambda route: getattr(route, "path", "")):
    """(path, route) of every route, looking inside included routers (FastAPI ≥ 0.16x keeps
    them as branches in `app.routes` instead of copying their routes)."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from _flatten(inner.routes, route.include_context.path_for)
        else:
            yield path_of(route), route


def test_every_api_route_is_in_the_table_and_uses_its_rule(app):
    found = set()
    for path, route in _flatten(app.routes):
        if not path.startswith(("/api/", "/kontor/")):
            continue
        for method in sorted(set(getattr(route, "methods", None) or ()) - {"HEAD", "OPTIONS"}):
            key = f"{method} {path}"
            assert key in ROUTES, f"{key} is not in server/authz.py ROUTES"
            found.add(key)
            if isinstance(route, APIRoute):
                assert key in _rule_keys(route.dependant), f"{key} must use Depends(require({key!r}))"
            else:
                assert key in BUILTIN, f"{key} is not an APIRoute; list it in authz.BUILTIN"
    assert found == set(ROUTES), f"stale rows in ROUTES: {sorted(set(ROUTES) - found)}"


# --- 2. route × role --------------------------------------------------------------------

LEAD = {"seen_on": "2026-02-01", "place_type": "vaerested", "area": "Havnen", "concerns": ["housing"]}
SCHEDULE = {"starts_on": "2026-01-01", "start_within_days": 14, "loebende_months": 3, "progression_months": 2, "progression_max": 8}

# key → (request builder, success status). Builders get the world ids and a context
# with the caller's registered device.
CALLS = {
    "POST /api/session": (lambda ids, ctx: ("POST", "/api/session", {"json": {"username": "frivillig", "password": "demo"}}), 200),
    "GET /api/session": (lambda ids, ctx: ("GET", "/api/session", {}), 200),
    "DELETE /api/session": (lambda ids, ctx: ("DELETE", "/api/session", {}), 204),
    "GET /api/session/providers": (lambda ids, ctx: ("GET", "/api/session/providers", {}), 200),
    # No identity provider is configured in the world: open to everyone, and 404 for all
    # (tests/installation/test_oidc.py runs them against a real provider).
    "GET /api/session/oidc": (lambda ids, ctx: ("GET", "/api/session/oidc", {}), 404),
    "GET /api/session/oidc/callback": (lambda ids, ctx: ("GET", "/api/session/oidc/callback", {}), 404),
    "POST /api/devices": (lambda ids, ctx: ("POST", "/api/devices", {"json": {"name": "Ny telefon"}}), 201),
    "GET /api/devices": (lambda ids, ctx: ("GET", "/api/devices", {}), 200),
    "POST /api/devices/{device_id}/revoke": (lambda ids, ctx: ("POST", f"/api/devices/{ids['device_own_municipality']}/revoke", {}), 200),
    "POST /api/devices/{device_id}/readmit": (lambda ids, ctx: ("POST", f"/api/devices/{ids['device_own_municipality']}/readmit", {}), 200),
    "GET /api/users": (lambda ids, ctx: ("GET", "/api/users", {}), 200),
    "POST /api/users/{user_id}/deactivate": (lambda ids, ctx: ("POST", f"/api/users/{ids['user_own_municipality']}/deactivate", {}), 200),
    "POST /api/users/{user_id}/reactivate": (lambda ids, ctx: ("POST", f"/api/users/{ids['user_own_municipality']}/reactivate", {}), 200),
    "GET /api/quarantine": (lambda ids, ctx: ("GET", "/api/quarantine", {}), 200),
    "GET /api/audit": (lambda ids, ctx: ("GET", "/api/audit", {"params": {"citizen_id": ids["citizen_shared"]}}), 200),
    "GET /api/organisations": (lambda ids, ctx: ("GET", "/api/organisations", {}), 200),
    "GET /api/citizens": (lambda ids, ctx: ("GET", "/api/citizens", {}), 200),
    "GET /api/citizens/{citizen_id}": (lambda ids, ctx: ("GET", f"/api/citizens/{ids['citizen_shared']}", {}), 200),
    "GET /api/leads": (lambda ids, ctx: ("GET", "/api/leads", {}), 200),
    "GET /api/leads/{lead_id}": (lambda ids, ctx: ("GET", f"/api/leads/{ids['lead_havnen']}", {}), 200),
    "POST /api/leads": (lambda ids, ctx: ("POST", "/api/leads", {"json": LEAD}), 201),
    "POST /api/sync/push": (lambda ids, ctx: ("POST", "/api/sync/push", {"json": {"device_id": ctx["device_id"], "ops": []}}), 200),
    "GET /api/sync/pull": (lambda ids, ctx: ("GET", "/api/sync/pull", {"params": {"device_id": ctx["device_id"]}}), 200),
    "GET /api/forms": (lambda ids, ctx: ("GET", "/api/forms", {}), 200),
    "GET /api/schedule": (lambda ids, ctx: ("GET", "/api/schedule", {}), 200),
    "PUT /api/schedule": (lambda ids, ctx: ("PUT", "/api/schedule", {"json": SCHEDULE}), 200),
    "GET /api/docs": (lambda ids, ctx: ("GET", "/api/docs", {}), 200),
    "GET /api/openapi.json": (lambda ids, ctx: ("GET", "/api/openapi.json", {}), 200),
}


# The office (server/office): pages under /kontor/. A GET page sends a caller without a
# session to the login form (303); forms carry the CSRF token of the caller's session
# (`ctx["csrf"]`, before login the nonce's); "token" is an API token of the own municipality.
OFFICE_CALLS = {
    "GET /api/reports": (lambda ids, ctx: ("GET", "/api/reports", {}), 200),
    "GET /api/reports/{report_id}": (lambda ids, ctx: ("GET", "/api/reports/fig-4-11", {"params": {"format": "csv"}}), 200),
    "GET /api/register": (lambda ids, ctx: ("GET", "/api/register", {}), 200),
    "GET /api/research-export": (lambda ids, ctx: ("GET", "/api/research-export", {}), 200),
    "GET /kontor/static/{path:path}": (lambda ids, ctx: ("GET", "/kontor/static/office.css", {}), 200),
    "GET /kontor/login": (lambda ids, ctx: ("GET", "/kontor/login", {}), (200, 303)),  # logged in: on to the office
    "POST /kontor/login": (lambda ids, ctx: ("POST", "/kontor/login", {"data": {
        "csrf_token": ctx["csrf"], "username": "frivillig", "password": "demo"}}), 303),
    "POST /kontor/logout": (lambda ids, ctx: ("POST", "/kontor/logout", {"data": {"csrf_token": ctx["csrf"]}}), 303),
    "GET /kontor/": (lambda ids, ctx: ("GET", "/kontor/", {}), 200),
    "GET /kontor/deltagere": (lambda ids, ctx: ("GET", "/kontor/deltagere", {}), 200),
    "GET /kontor/deltagere/{citizen_id}": (lambda ids, ctx: ("GET", f"/kontor/deltagere/{ids['citizen_shared']}", {}), 200),
    "GET /kontor/svar": (lambda ids, ctx: ("GET", "/kontor/svar", {}), 200),
    "GET /kontor/svar/udestaaende": (lambda ids, ctx: ("GET", "/kontor/svar/udestaaende", {}), 200),
    "GET /kontor/skemaplan": (lambda ids, ctx: ("GET", "/kontor/skemaplan", {}), 200),
    "POST /kontor/skemaplan": (lambda ids, ctx: ("POST", "/kontor/skemaplan", {"data": {"csrf_token": ctx["csrf"], **SCHEDULE}}), 303),
    "GET /kontor/rapporter": (lambda ids, ctx: ("GET", "/kontor/rapporter", {}), 200),
    "GET /kontor/rapporter/{report_id}": (lambda ids, ctx: ("GET", "/kontor/rapporter/fig-4-13", {}), 200),
    "GET /kontor/eksport": (lambda ids, ctx: ("GET", "/kontor/eksport", {}), 200),
    "POST /kontor/eksport/noegler": (lambda ids, ctx: ("POST", "/kontor/eksport/noegler", {"data": {
        "csrf_token": ctx["csrf"], "name": "Matrix"}}), 200),
    "POST /kontor/eksport/noegler/{token_id}/tilbagekald": (lambda ids, ctx: (
        "POST", f"/kontor/eksport/noegler/{ids['token_own_municipality']}/tilbagekald", {"data": {"csrf_token": ctx["csrf"]}}), 303),
}
CALLS.update(OFFICE_CALLS)

# The administration (server/office/admin): accounts, teams and devices (admin), triage and
# the audit log (projektleder), one-time links and one's own password (anyone). Targets that
# are rows of the world (quarantine rows, a link, a citizen's code): `add_admin_targets`.
ADMIN_CALLS = {
    "GET /kontor/admin": (lambda ids, ctx: ("GET", "/kontor/admin", {}), 200),
    "GET /kontor/admin/brugere": (lambda ids, ctx: ("GET", "/kontor/admin/brugere", {}), 200),
    "GET /kontor/admin/brugere/ny": (lambda ids, ctx: ("GET", "/kontor/admin/brugere/ny", {}), 200),
    "POST /kontor/admin/brugere": (lambda ids, ctx: ("POST", "/kontor/admin/brugere", {"data": {
        "csrf_token": ctx["csrf"], "username": "matrix.ny", "display_name": "Ny", "role": "behandler",
        "organisation_id": ids["org_own"]}}), 201),
    "GET /kontor/admin/brugere/{user_id}": (lambda ids, ctx: ("GET", f"/kontor/admin/brugere/{ids['user_own_municipality']}", {}), 200),
    "POST /kontor/admin/brugere/{user_id}": (lambda ids, ctx: ("POST", f"/kontor/admin/brugere/{ids['user_own_municipality']}", {"data": {
        "csrf_token": ctx["csrf"], "display_name": "Bea B.", "role": "behandler", "organisation_id": ids["org_own"]}}), 303),
    "POST /kontor/admin/brugere/{user_id}/link": (lambda ids, ctx: (
        "POST", f"/kontor/admin/brugere/{ids['user_own_municipality']}/link", {"data": {"csrf_token": ctx["csrf"]}}), 200),
    "POST /kontor/admin/brugere/{user_id}/aktiv": (lambda ids, ctx: (
        "POST", f"/kontor/admin/brugere/{ids['user_own_municipality']}/aktiv", {"data": {"csrf_token": ctx["csrf"], "active": "1"}}), 303),
    "GET /kontor/admin/organisationer": (lambda ids, ctx: ("GET", "/kontor/admin/organisationer", {}), 200),
    "POST /kontor/admin/organisationer": (lambda ids, ctx: ("POST", "/kontor/admin/organisationer", {"data": {
        "csrf_token": ctx["csrf"], "name": "Matrix-team", "kind": "rusmiddelcenter"}}), 303),
    "POST /kontor/admin/organisationer/{org_id}": (lambda ids, ctx: ("POST", f"/kontor/admin/organisationer/{ids['org_own']}", {"data": {
        "csrf_token": ctx["csrf"], "name": "Fremskudt team (omdøbt)"}}), 303),
    "GET /kontor/admin/enheder": (lambda ids, ctx: ("GET", "/kontor/admin/enheder", {}), 200),
    "POST /kontor/admin/enheder/{device_id}/spaer": (lambda ids, ctx: (
        "POST", f"/kontor/admin/enheder/{ids['device_own_municipality']}/spaer", {"data": {"csrf_token": ctx["csrf"]}}), 303),
    "POST /kontor/admin/enheder/{device_id}/genaabn": (lambda ids, ctx: (
        "POST", f"/kontor/admin/enheder/{ids['device_own_municipality']}/genaabn", {"data": {"csrf_token": ctx["csrf"]}}), 303),
    "GET /kontor/admin/karantaene": (lambda ids, ctx: ("GET", "/kontor/admin/karantaene", {}), 200),
    "GET /kontor/admin/karantaene/{quarantine_id}": (lambda ids, ctx: (
        "GET", f"/kontor/admin/karantaene/{ids['quarantine_row_own']}", {}), 200),
    "POST /kontor/admin/karantaene/{quarantine_id}/genanvend": (lambda ids, ctx: (
        "POST", f"/kontor/admin/karantaene/{ids['quarantine_row_fixable']}/genanvend", {"data": {"csrf_token": ctx["csrf"], "value": '"AB"'}}), 303),
    "POST /kontor/admin/karantaene/{quarantine_id}/afvis": (lambda ids, ctx: (
        "POST", f"/kontor/admin/karantaene/{ids['quarantine_row_own']}/afvis", {"data": {"csrf_token": ctx["csrf"], "reason": "Matrix"}}), 303),
    "GET /kontor/admin/log": (lambda ids, ctx: ("GET", "/kontor/admin/log", {}), 200),
    "GET /kontor/admin/log/adgangsrapport": (lambda ids, ctx: (
        "GET", "/kontor/admin/log/adgangsrapport", {"params": {"borger": ids["citizen_shared_code"]}}), 200),
    "GET /kontor/adgangskode/{token}": (lambda ids, ctx: ("GET", f"/kontor/adgangskode/{ids['link']}", {}), 200),
    # A password too short: the form answers (422) for every caller, and the link stays unused.
    "POST /kontor/adgangskode/{token}": (lambda ids, ctx: ("POST", f"/kontor/adgangskode/{ids['link']}", {"data": {
        "csrf_token": ctx["csrf"], "password": "kort", "repeat": "kort"}}), 422),
    "GET /kontor/konto": (lambda ids, ctx: ("GET", "/kontor/konto", {}), 200),
    "POST /kontor/konto/adgangskode": (lambda ids, ctx: ("POST", "/kontor/konto/adgangskode", {"data": {
        "csrf_token": ctx["csrf"], "current": "demo", "password": "en ny lang kode", "repeat": "en ny lang kode"}}), 303),
}
CALLS.update(ADMIN_CALLS)


def add_admin_targets(world) -> None:
    """The administration's targets: quarantine row ids (one per municipality, and one a
    project lead can re-apply), a one-time link, a citizen's code, the teams."""
    from support.world import M2_TEAM, TEAM

    from server.auth import accounts
    from server.sync.push import apply_ops

    def row_of(op_id: str) -> str:
        return str(world.rows("SELECT id FROM quarantine WHERE op_id = ?", op_id)[0][0])

    with Session(world.app.state.engine) as db:
        behandler = db.exec(select(User).where(User.username == "behandler")).one()
        raw = {"op_id": str(uuid.uuid4()), "device_id": "matrix", "hlc": world.app.state.clock.tick("matrix").encode(),
               "entity": "citizen", "record_id": world.ids["citizen_shared"], "kind": "set", "field": "initials", "value": 1,
               "seen": []}
        [result] = apply_ops(db, user=behandler, device_id=None, raw_ops=[raw], clock=world.app.state.clock)
        assert result["status"] == "rejected", result
        link = accounts.issue_link(db, world.app.state.settings, db.exec(select(User).where(User.username == "behandler2")).one(),
                                   "invite", by=None)
        db.commit()
    world.ids.update(
        quarantine_row_own=row_of(world.ids["quarantined_own_municipality"]),
        quarantine_row_other_municipality=row_of(world.ids["quarantined_other_municipality"]),
        quarantine_row_fixable=row_of(raw["op_id"]), link=link, org_own=TEAM, org_other_municipality=M2_TEAM,
        citizen_shared_code=world.rows("SELECT code FROM citizen WHERE id = ?", world.ids["citizen_shared"])[0][0],
    )


def _office_csrf(world, client, role: str) -> str:
    """The CSRF token an office form of this caller carries (server.office.csrf)."""
    settings = world.app.state.settings
    if role == ANONYMOUS:
        client.cookies.set(csrf.NONCE_COOKIE, "matrix-nonce")
        return csrf.token_for(settings, nonce="matrix-nonce")
    return csrf.token_for(settings, session_cookie=client.cookies.get(COOKIE))


def add_api_tokens(world) -> None:
    """An API token of each municipality (world.ids "token_own_municipality" / "…_other_…")."""
    with Session(world.app.state.engine) as db:
        for name, username in (("token_own_municipality", "projektleder"), ("token_other_municipality", "projektleder_m2")):
            user = db.exec(select(User).where(User.username == username)).one()
            world.ids[name] = str(uuid.uuid4())
            db.add(ApiToken(id=world.ids[name], token_hash=f"matrix-{name}", municipality_id=user.municipality_id, name=name,
                            created_at=datetime.now(UTC), created_by=user.id))
        db.commit()
    world.ids.update(report_known="fig-4-11", report_unknown="fig-9-99")
    add_admin_targets(world)


def test_every_rule_has_a_call():
    assert set(CALLS) == set(ROUTES)


@pytest.mark.parametrize("key", sorted(ROUTES))
async def test_route_rule_for_every_role(key, world, register_device):
    rule = ROUTES[key]
    build, success = CALLS[key]
    add_api_tokens(world)
    office_page = key.startswith("GET /kontor/")
    # Admin last: its calls (deactivate, revoke) change the world for the roles after it.
    for role in (ANONYMOUS, "behandler", "frivillig", "projektleder", "admin"):
        client = world.client(role)  # demo usernames are the role names
        ctx = {"device_id": None}
        if role != ANONYMOUS:
            if key.startswith(("POST /api/sync", "GET /api/sync")):
                ctx["device_id"] = await register_device(client)
        ctx["csrf"] = _office_csrf(world, client, role)
        method, path, kwargs = build(world.ids, ctx)
        response = await client.request(method, path, **kwargs)
        if rule.allows(role):
            expected, code = success, None
        elif role == ANONYMOUS:
            expected, code = (303, None) if office_page else (401, "not_logged_in")
        else:
            expected, code = 403, "forbidden"
        expected = expected if isinstance(expected, tuple) else (expected,)
        assert response.status_code in expected, f"{role} {key}: {response.status_code} {response.text[:300]}"
        if code and path.startswith("/kontor/"):
            assert "text/html" in response.headers["content-type"]  # office errors are pages
        elif code:
            assert response.json()["error"]["code"] == code
        if office_page and response.status_code == 303 and not rule.allows(role):
            assert response.headers["location"].startswith("/kontor/login?next=")


def test_roles_in_the_table_are_the_known_roles():
    for key, rule in ROUTES.items():
        assert rule.roles <= {ANONYMOUS, *ROLES}, key


# --- 3. own and other scope ---------------------------------------------------------------

CITIZEN = "GET /api/citizens/{citizen_id}"
LEAD_ONE = "GET /api/leads/{lead_id}"
REVOKE = "POST /api/devices/{device_id}/revoke"
DEACTIVATE = "POST /api/users/{user_id}/deactivate"
READMIT = "POST /api/devices/{device_id}/readmit"
REACTIVATE = "POST /api/users/{user_id}/reactivate"
PATHS = {CITIZEN: "/api/citizens/{}", LEAD_ONE: "/api/leads/{}", REVOKE: "/api/devices/{}/revoke", DEACTIVATE: "/api/users/{}/deactivate",
         READMIT: "/api/devices/{}/readmit", REACTIVATE: "/api/users/{}/reactivate"}

# actor → [(route, target, expected status)]. Actors are usernames (tests/support/world.py):
# the demo users, a behandler of another team, a frivillig of another partner
# organisation, and users of another municipality.
SCOPED = {
    "behandler": [
        (CITIZEN, "citizen_shared", 200), (CITIZEN, "citizen_not_shared", 200),
        (CITIZEN, "citizen_other_team", 404), (CITIZEN, "citizen_other_municipality", 404),
        (LEAD_ONE, "lead_havnen", 200), (LEAD_ONE, "lead_nordlys", 200), (LEAD_ONE, "lead_other_municipality", 404),
        (REVOKE, "device_own_municipality", 403), (DEACTIVATE, "user_own_municipality", 403),
    ],
    "behandler_other_team": [
        (CITIZEN, "citizen_other_team", 200), (CITIZEN, "citizen_shared", 404), (CITIZEN, "citizen_not_shared", 404),
        (CITIZEN, "citizen_other_municipality", 404), (LEAD_ONE, "lead_havnen", 200),
    ],
    "frivillig": [
        (CITIZEN, "citizen_shared", 200), (CITIZEN, "citizen_not_shared", 404),
        (CITIZEN, "citizen_other_team", 404), (CITIZEN, "citizen_other_municipality", 404),
        (LEAD_ONE, "lead_havnen", 200), (LEAD_ONE, "lead_nordlys", 404), (LEAD_ONE, "lead_other_municipality", 404),
    ],
    "frivillig_other_org": [
        (CITIZEN, "citizen_shared", 404), (CITIZEN, "citizen_not_shared", 404),
        (LEAD_ONE, "lead_havnen", 404), (LEAD_ONE, "lead_nordlys", 200),
    ],
    "projektleder": [
        (CITIZEN, "citizen_shared", 200), (CITIZEN, "citizen_not_shared", 200),
        (CITIZEN, "citizen_other_team", 200), (CITIZEN, "citizen_other_municipality", 404),
        (LEAD_ONE, "lead_havnen", 200), (LEAD_ONE, "lead_nordlys", 200), (LEAD_ONE, "lead_other_municipality", 404),
    ],
    "projektleder_m2": [
        (CITIZEN, "citizen_shared", 404), (CITIZEN, "citizen_other_team", 404), (CITIZEN, "citizen_other_municipality", 200),
        (LEAD_ONE, "lead_havnen", 404), (LEAD_ONE, "lead_other_municipality", 200),
    ],
    "behandler_m2": [(CITIZEN, "citizen_shared", 404), (CITIZEN, "citizen_other_municipality", 200), (LEAD_ONE, "lead_havnen", 404)],
    "frivillig_m2": [(LEAD_ONE, "lead_other_municipality", 200), (LEAD_ONE, "lead_havnen", 404), (CITIZEN, "citizen_other_municipality", 404)],
    "admin": [
        (CITIZEN, "citizen_shared", 403), (LEAD_ONE, "lead_havnen", 403),
        (REVOKE, "device_other_municipality", 404), (DEACTIVATE, "user_other_municipality", 404),
        (READMIT, "device_other_municipality", 404), (REACTIVATE, "user_other_municipality", 404),
        (REVOKE, "device_own_municipality", 200), (DEACTIVATE, "user_own_municipality", 200),
        (READMIT, "device_own_municipality", 200), (REACTIVATE, "user_own_municipality", 200),
    ],
    "admin_m2": [
        (REVOKE, "device_own_municipality", 404), (DEACTIVATE, "user_own_municipality", 404),
        (READMIT, "device_own_municipality", 404), (REACTIVATE, "user_own_municipality", 404),
        (REVOKE, "device_other_municipality", 200), (DEACTIVATE, "user_other_municipality", 200),
        (READMIT, "device_other_municipality", 200), (REACTIVATE, "user_other_municipality", 200),
    ],
}


# The office and the report routes (server/office, server/api/reports.py).
OFFICE_ROW = "GET /kontor/deltagere/{citizen_id}"
REPORT_API = "GET /api/reports/{report_id}"
REPORT_PAGE = "GET /kontor/rapporter/{report_id}"
REVOKE_TOKEN = "POST /kontor/eksport/noegler/{token_id}/tilbagekald"
PATHS.update({OFFICE_ROW: "/kontor/deltagere/{}", REPORT_API: "/api/reports/{}", REPORT_PAGE: "/kontor/rapporter/{}",
              REVOKE_TOKEN: "/kontor/eksport/noegler/{}/tilbagekald"})
OFFICE_SCOPED = {
    "behandler": [(OFFICE_ROW, "citizen_shared", 200), (OFFICE_ROW, "citizen_other_team", 404)],
    "behandler_other_team": [(OFFICE_ROW, "citizen_other_team", 200), (OFFICE_ROW, "citizen_shared", 404)],
    "frivillig": [(OFFICE_ROW, "citizen_shared", 403), (REPORT_API, "report_known", 403)],
    "projektleder": [
        (OFFICE_ROW, "citizen_other_team", 200), (OFFICE_ROW, "citizen_other_municipality", 404),
        (REPORT_API, "report_known", 200), (REPORT_API, "report_unknown", 404), (REPORT_PAGE, "report_unknown", 404),
        (REVOKE_TOKEN, "token_other_municipality", 404), (REVOKE_TOKEN, "token_own_municipality", 303),
    ],
    "projektleder_m2": [
        (OFFICE_ROW, "citizen_shared", 404), (OFFICE_ROW, "citizen_other_municipality", 200),
        (REVOKE_TOKEN, "token_own_municipality", 404), (REVOKE_TOKEN, "token_other_municipality", 303),
    ],
}
for _actor, _rows in OFFICE_SCOPED.items():
    SCOPED.setdefault(_actor, []).extend(_rows)

# The administration (server/office/admin): another municipality's users, teams, devices
# and quarantine answer 404, like ones that do not exist.
ADMIN_SCOPED_PATHS = {
    "GET /kontor/admin/brugere/{user_id}": "/kontor/admin/brugere/{}",
    "POST /kontor/admin/brugere/{user_id}": "/kontor/admin/brugere/{}",
    "POST /kontor/admin/brugere/{user_id}/link": "/kontor/admin/brugere/{}/link",
    "POST /kontor/admin/brugere/{user_id}/aktiv": "/kontor/admin/brugere/{}/aktiv",
    "POST /kontor/admin/organisationer/{org_id}": "/kontor/admin/organisationer/{}",
    "POST /kontor/admin/enheder/{device_id}/spaer": "/kontor/admin/enheder/{}/spaer",
    "POST /kontor/admin/enheder/{device_id}/genaabn": "/kontor/admin/enheder/{}/genaabn",
    "GET /kontor/admin/karantaene/{quarantine_id}": "/kontor/admin/karantaene/{}",
    "POST /kontor/admin/karantaene/{quarantine_id}/afvis": "/kontor/admin/karantaene/{}/afvis",
}
PATHS.update(ADMIN_SCOPED_PATHS)
_USERS, _Q = [k for k in ADMIN_SCOPED_PATHS if "{user_id}" in k], [k for k in ADMIN_SCOPED_PATHS if "{quarantine_id}" in k]
_DEVICES = [k for k in ADMIN_SCOPED_PATHS if "{device_id}" in k]
ADMIN_SCOPED = {
    "admin": [(k, "user_other_municipality", 404) for k in _USERS] + [(k, "device_other_municipality", 404) for k in _DEVICES]
    + [("POST /kontor/admin/organisationer/{org_id}", "org_other_municipality", 404),
       ("GET /kontor/admin/brugere/{user_id}", "user_own_municipality", 200)],
    "admin_m2": [(k, "user_own_municipality", 404) for k in _USERS] + [(k, "device_own_municipality", 404) for k in _DEVICES]
    + [("POST /kontor/admin/organisationer/{org_id}", "org_own", 404),
       ("GET /kontor/admin/brugere/{user_id}", "user_other_municipality", 200)],
    "projektleder": [(k, "quarantine_row_other_municipality", 404) for k in _Q]
    + [("GET /kontor/admin/karantaene/{quarantine_id}", "quarantine_row_own", 200)],
    "projektleder_m2": [(k, "quarantine_row_own", 404) for k in _Q]
    + [("GET /kontor/admin/karantaene/{quarantine_id}", "quarantine_row_other_municipality", 200)],
}
for _actor, _rows in ADMIN_SCOPED.items():
    SCOPED.setdefault(_actor, []).extend(_rows)


def test_every_scoped_route_is_checked_across_a_boundary():
    checked = {(route, status) for rows in SCOPED.values() for route, _, status in rows}
    for key, rule in ROUTES.items():
        if rule.scope in (RECORDS, MUNICIPALITY) and "{" in key:
            assert (key, 404) in checked, f"{key}: add an other-scope row to SCOPED"


@pytest.mark.parametrize("actor", sorted(SCOPED))
async def test_scope_boundaries(actor, world):
    add_api_tokens(world)
    client = world.client(actor)
    for route, target, expected in SCOPED[actor]:
        method = route.split()[0]
        path = PATHS[route].format(world.ids[target])
        form = {"data": {"csrf_token": _office_csrf(world, client, actor)}} if method == "POST" and path.startswith("/kontor/") else {}
        response = await client.request(method, path, **form)
        assert response.status_code == expected, f"{actor} {route} {target}: {response.status_code} {response.text[:200]}"
        if expected == 404 and not path.startswith("/kontor/"):
            assert response.json()["error"]["code"] == "not_found"


# Lists: who sees which records in GET /api/citizens and GET /api/leads.
LISTED = {
    "behandler": ({"citizen_shared", "citizen_not_shared"}, {"lead_havnen", "lead_nordlys"}),
    "behandler_other_team": ({"citizen_other_team"}, {"lead_havnen", "lead_nordlys"}),
    "frivillig": ({"citizen_shared"}, {"lead_havnen"}),
    "frivillig_other_org": (set(), {"lead_nordlys"}),
    "projektleder": ({"citizen_shared", "citizen_not_shared", "citizen_other_team"}, {"lead_havnen", "lead_nordlys"}),
    "projektleder_m2": ({"citizen_other_municipality"}, {"lead_other_municipality"}),
}
CITIZEN_TARGETS = {"citizen_shared", "citizen_not_shared", "citizen_other_team", "citizen_other_municipality"}
LEAD_TARGETS = {"lead_havnen", "lead_nordlys", "lead_other_municipality"}


@pytest.mark.parametrize("actor", sorted(LISTED))
async def test_lists_are_scoped(actor, world):
    client = world.client(actor)
    citizens = {c["id"] for c in (await client.get("/api/citizens", params={"limit": 1000})).json()["citizens"]}
    leads = {lead["id"] for lead in (await client.get("/api/leads")).json()["leads"]}
    want_citizens, want_leads = LISTED[actor]
    for name in CITIZEN_TARGETS:
        assert (world.ids[name] in citizens) == (name in want_citizens), f"{actor} sees {name}?"
    for name in LEAD_TARGETS:
        assert (world.ids[name] in leads) == (name in want_leads), f"{actor} sees {name}?"
    if actor == "behandler_other_team":
        assert citizens == {world.ids["citizen_other_team"]}


async def test_a_partner_sees_only_the_shared_fields(world):
    client = world.client("frivillig")
    body = (await client.get(f"/api/citizens/{world.ids['citizen_shared']}")).json()
    assert body["citizen"]["partial"] is True
    assert set(body["citizen"]["fields"]) <= {"code", "initials", "name", "phone"}
    assert body["courses"] == body["contacts"] == body["consents"] == body["form_responses"] == []
    for lead in (await client.get("/api/leads")).json()["leads"]:
        assert "citizen_id" not in lead["fields"]


def _quarantined_in(world, municipality_id: str) -> set[str]:
    """Op ids quarantined from the municipality's users, read from the database."""
    return {op_id for (op_id,) in world.rows(
        'SELECT q.op_id FROM quarantine q JOIN "user" u ON u.id = q.user_id WHERE u.municipality_id = ?', municipality_id)}


async def test_quarantine_and_audit_stay_in_the_municipality(world):
    client = world.client("projektleder")
    me = (await client.get("/api/session")).json()["user"]
    rows = (await client.get("/api/quarantine")).json()["quarantine"]
    own, other_op = world.ids["quarantined_own_municipality"], world.ids["quarantined_other_municipality"]
    assert {row["op_id"] for row in rows} == _quarantined_in(world, me["municipality_id"]) >= {own}
    assert [row["code"] for row in rows if row["op_id"] == own] == ["unknown_entity"]
    assert other_op not in {row["op_id"] for row in rows}
    audit = (await client.get("/api/audit", params={"limit": 5000})).json()["audit"]
    m2_users = {world.ids["user_other_municipality"]}
    assert audit and not any(row["user_id"] in m2_users for row in audit)
    other = world.client("projektleder_m2")
    other_me = (await other.get("/api/session")).json()["user"]
    rows = (await other.get("/api/quarantine")).json()["quarantine"]
    assert {row["op_id"] for row in rows} == _quarantined_in(world, other_me["municipality_id"]) >= {other_op}
    assert own not in {row["op_id"] for row in rows}
    assert [row["user_id"] for row in rows if row["op_id"] == other_op] == [world.ids["user_other_municipality"]]
    assert me["municipality_id"] != other_me["municipality_id"]
