"""The scope boundaries of the authorization table (server/authz.py): for routes whose scope
reaches beyond the caller (records, municipality), the other team, the other organisation
and the other municipality, per actor → expected status; lists, a partner's fields, the
quarantine and the audit log stay in scope. Route × role is test_authz_matrix.py.
"""
from __future__ import annotations

import pytest
from support.authz_targets import add_api_tokens, office_csrf

from server.auth.authz import MUNICIPALITY, RECORDS, ROUTES


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
        form = {"data": {"csrf_token": office_csrf(world, client, actor)}} if method == "POST" and path.startswith("/kontor/") else {}
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
