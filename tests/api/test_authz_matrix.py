"""The authorization matrix, generated from the table in server/authz.py.

1. Every `/api/` route of the app is in `ROUTES` and uses `Depends(require(<its key>))`;
   every entry of `ROUTES` is a real route (no stale rows).
2. For every route × every role (and anonymous): a role the rule allows gets the route's
   success status; anonymous gets 401, any other role 403.

The scope boundaries (the other team, organisation and municipality) are in
test_authz_scope.py; the world's extra targets in support/authz_targets.py.
"""
from __future__ import annotations

import pytest
from fastapi.routing import APIRoute
from support.authz_targets import add_api_tokens, office_csrf

from server.auth.authz import ANONYMOUS, BUILTIN, ROLES, ROUTES


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
        ctx["csrf"] = office_csrf(world, client, role)
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
