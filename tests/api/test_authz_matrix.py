"""The authorization matrix, generated from the table in server/authz.py.

1. Every `/api/` route of the app is in `ROUTES` and uses `Depends(require(<its key>))`;
   every entry of `ROUTES` is a real route (no stale rows).
2. For every route × every role (and anonymous): a role the rule allows gets the route's
   success status; anonymous gets 401, any other role 403.
3. For routes whose scope reaches beyond the caller (records, municipality): the other
   team, the other organisation and the other municipality, per actor → expected status.
"""
from __future__ import annotations

import pytest
from fastapi.routing import APIRoute

from server.auth.authz import ANONYMOUS, BUILTIN, MUNICIPALITY, RECORDS, ROLES, ROUTES

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
        if not path.startswith("/api/"):
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

# key → (request builder, success status). Builders get the world ids and a context
# with the caller's registered device.
CALLS = {
    "POST /api/session": (lambda ids, ctx: ("POST", "/api/session", {"json": {"username": "frivillig", "password": "demo"}}), 200),
    "GET /api/session": (lambda ids, ctx: ("GET", "/api/session", {}), 200),
    "DELETE /api/session": (lambda ids, ctx: ("DELETE", "/api/session", {}), 204),
    "POST /api/devices": (lambda ids, ctx: ("POST", "/api/devices", {"json": {"name": "Ny telefon"}}), 201),
    "GET /api/devices": (lambda ids, ctx: ("GET", "/api/devices", {}), 200),
    "POST /api/devices/{device_id}/revoke": (lambda ids, ctx: ("POST", f"/api/devices/{ids['device_own_municipality']}/revoke", {}), 200),
    "GET /api/users": (lambda ids, ctx: ("GET", "/api/users", {}), 200),
    "POST /api/users/{user_id}/deactivate": (lambda ids, ctx: ("POST", f"/api/users/{ids['user_own_municipality']}/deactivate", {}), 200),
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
    "GET /api/docs": (lambda ids, ctx: ("GET", "/api/docs", {}), 200),
    "GET /api/openapi.json": (lambda ids, ctx: ("GET", "/api/openapi.json", {}), 200),
}


def test_every_rule_has_a_call():
    assert set(CALLS) == set(ROUTES)


@pytest.mark.parametrize("key", sorted(ROUTES))
async def test_route_rule_for_every_role(key, world, register_device):
    rule = ROUTES[key]
    build, success = CALLS[key]
    # Admin last: its calls (deactivate, revoke) change the world for the roles after it.
    for role in (ANONYMOUS, "behandler", "frivillig", "projektleder", "admin"):
        client = world.client(role)  # demo usernames are the role names
        ctx = {"device_id": None}
        if role != ANONYMOUS:
            if key.startswith(("POST /api/sync", "GET /api/sync")):
                ctx["device_id"] = await register_device(client)
        method, path, kwargs = build(world.ids, ctx)
        response = await client.request(method, path, **kwargs)
        if rule.allows(role):
            expected, code = success, None
        elif role == ANONYMOUS:
            expected, code = 401, "not_logged_in"
        else:
            expected, code = 403, "forbidden"
        assert response.status_code == expected, f"{role} {key}: {response.status_code} {response.text[:300]}"
        if code:
            assert response.json()["error"]["code"] == code


def test_roles_in_the_table_are_the_known_roles():
    for key, rule in ROUTES.items():
        assert rule.roles <= {ANONYMOUS, *ROLES}, key


# --- 3. own and other scope ---------------------------------------------------------------

CITIZEN = "GET /api/citizens/{citizen_id}"
LEAD_ONE = "GET /api/leads/{lead_id}"
REVOKE = "POST /api/devices/{device_id}/revoke"
DEACTIVATE = "POST /api/users/{user_id}/deactivate"
PATHS = {CITIZEN: "/api/citizens/{}", LEAD_ONE: "/api/leads/{}", REVOKE: "/api/devices/{}/revoke", DEACTIVATE: "/api/users/{}/deactivate"}

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
        (REVOKE, "device_own_municipality", 200), (DEACTIVATE, "user_own_municipality", 200),
    ],
    "admin_m2": [
        (REVOKE, "device_own_municipality", 404), (DEACTIVATE, "user_own_municipality", 404),
        (REVOKE, "device_other_municipality", 200), (DEACTIVATE, "user_other_municipality", 200),
    ],
}


def test_every_scoped_route_is_checked_across_a_boundary():
    checked = {(route, status) for rows in SCOPED.values() for route, _, status in rows}
    for key, rule in ROUTES.items():
        if rule.scope in (RECORDS, MUNICIPALITY) and "{" in key:
            assert (key, 404) in checked, f"{key}: add an other-scope row to SCOPED"


@pytest.mark.parametrize("actor", sorted(SCOPED))
async def test_scope_boundaries(actor, world):
    client = world.client(actor)
    for route, target, expected in SCOPED[actor]:
        method = route.split()[0]
        response = await client.request(method, PATHS[route].format(world.ids[target]))
        assert response.status_code == expected, f"{actor} {route} {target}: {response.status_code} {response.text[:200]}"
        if expected == 404:
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
