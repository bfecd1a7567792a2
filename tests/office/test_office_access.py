"""Who may see what in the office: the role rules on pages and report routes, a behandler's
register limited to the own team, the municipality's API token (reads reports and the
pseudonymous register only, audited on every use, revocable), CSRF on every form, audit
rows for every citizen shown, and the strict CSP on every office response."""
from __future__ import annotations

import re

from cohort import Cohort
from support.world import OTHER_TEAM, TEAM

from server.auth.authz import ROUTES
from server.office import csrf

REGISTER_KEYS = {"id", "team_id", "team", "identified_on", "requested_on", "started_on", "over_14_days", "phase", "phase_date",
                 "plan_date", "ended_on", "end_reason", "phase_at_end", "destination", "goals", "follow_up", "phase_history"}


async def _two_teams(world) -> dict[str, list[str]]:
    cohort = await Cohort.open(world, "lead")
    codes = {}
    for team, prefix in ((TEAM, "AAA"), (OTHER_TEAM, "BBB")):
        for _ in range(3):
            citizen = cohort.citizen(team, prefix=prefix)
            cohort.course(citizen, identified_on="2024-04-01")
        codes[team] = [f"{prefix}-{n:04d}" for n in range(1, 4)]
    await cohort.push()
    return codes


def _codes(html: str) -> set[str]:
    return set(re.findall(r">((?:AAA|BBB)-\d{4})</a>", html))


async def _csrf(client, page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', (await client.get(page)).text).group(1)


async def test_a_behandler_sees_only_the_own_teams_register(office_world):
    await _two_teams(office_world)
    a, b, lead = [await office_world.login(u) for u in ("behandler_a", "behandler_b", "lead")]
    page_a = (await a.get("/kontor/deltagere")).text
    assert {c[:3] for c in _codes(page_a)} == {"AAA"} and len(_codes(page_a)) == 3
    assert {c[:3] for c in _codes((await b.get("/kontor/deltagere")).text)} == {"BBB"}
    assert {c[:3] for c in _codes((await lead.get("/kontor/deltagere")).text)} == {"AAA", "BBB"}
    # Naming the other team in the filter does not widen the scope; its rows answer 404.
    assert {c[:3] for c in _codes((await a.get("/kontor/deltagere", params={"team_id": OTHER_TEAM})).text)} <= {"AAA"}
    body = (await a.get("/api/register")).json()
    assert body["total"] == 3 and {c["team_id"] for c in body["citizens"]} == {TEAM}
    other_id = (await lead.get("/api/register", params={"team_id": OTHER_TEAM})).json()
    assert other_id["total"] == 3
    row_link = re.search(r'/kontor/deltagere/([0-9a-f-]{36})', (await b.get("/kontor/deltagere")).text).group(1)
    assert (await a.get(f"/kontor/deltagere/{row_link}")).status_code == 404
    assert (await b.get(f"/kontor/deltagere/{row_link}")).status_code == 200
    # A behandler has no reports, monitoring or exports.
    for path in ("/kontor/rapporter", "/kontor/rapporter/fig-4-11", "/kontor/svar", "/kontor/eksport", "/api/reports/fig-4-11"):
        response = await a.get(path)
        assert response.status_code == 403, path


async def test_frivillig_admin_and_anonymous_are_kept_out(office_world):
    await _two_teams(office_world)
    volunteer, admin = await office_world.login("frivillig_a"), await office_world.login("admin_a")
    for path in ("/kontor/deltagere", "/kontor/rapporter/fig-4-11", "/kontor/svar", "/api/register", "/api/reports"):
        for client in (volunteer, admin):
            response = await client.get(path)
            assert response.status_code == 403, path
            if path.startswith("/kontor/"):
                assert "text/html" in response.headers["content-type"] and "Du har ikke adgang" in response.text
    anonymous = office_world.client()
    response = await anonymous.get("/kontor/deltagere?phase=phase_2")
    assert response.status_code == 303 and response.headers["location"] == "/kontor/login?next=%2Fkontor%2Fdeltagere%3Fphase%3Dphase_2"
    assert (await anonymous.get("/api/register")).status_code == 401


async def test_another_municipality_sees_nothing_of_it(office_world):
    await _two_teams(office_world)
    other = await office_world.login("lead_m2")
    assert _codes((await other.get("/kontor/deltagere")).text) == set()
    assert (await other.get("/api/register")).json()["total"] == 0
    body = (await other.get("/api/reports/fig-4-11")).json()
    assert body["series"][0]["n"] == 0
    # A team of the other municipality is an unknown team here (named, never echoed).
    response = await other.get("/api/reports/fig-4-11", params={"team_id": TEAM})
    assert response.status_code == 422 and response.json()["error"]["field"] == "team_id" and TEAM not in response.text


async def test_the_api_token_reads_reports_and_the_register_only(office_world):
    await _two_teams(office_world)
    lead = await office_world.login("lead")
    response = await lead.post("/kontor/eksport/noegler", data={"csrf_token": await _csrf(lead, "/kontor/eksport"), "name": "Power BI"})
    assert response.status_code == 200
    token = re.search(r'class="office-token">(bro_[^<]+)<', response.text).group(1)
    assert token not in (await lead.get("/kontor/eksport")).text  # shown once
    stored = office_world.rows("SELECT token_hash, name, revoked_at FROM api_token")
    assert len(stored) == 1 and token not in stored[0][0] and stored[0][1] == "Power BI"

    api = office_world.client()
    headers = {"Authorization": f"Bearer {token}"}
    assert (await api.get("/api/reports", headers=headers)).status_code == 200
    assert (await api.get("/api/reports/fig-4-11", headers=headers, params={"format": "csv"})).status_code == 200
    register = (await api.get("/api/register", headers=headers)).json()
    assert register["total"] == 6
    assert all(set(row) == REGISTER_KEYS for row in register["citizens"])
    assert "initials" not in str(register) and "XX" not in str(register)
    # Nothing else answers a token: not the citizen routes, not the research export, not a page.
    for path in ("/api/citizens", "/api/sync/pull", "/api/research-export", "/api/audit"):
        assert (await api.get(path, headers=headers)).status_code == 401, path
    assert (await api.get("/kontor/deltagere", headers=headers)).status_code == 303
    uses = office_world.rows("SELECT action, device_id, user_id FROM auditentry WHERE action = 'api_token_use'")
    assert len(uses) == 3 and {u[1] for u in uses} == {f"token:{office_world.rows('SELECT id FROM api_token')[0][0]}"}
    reads = office_world.rows("SELECT count(*) FROM auditentry WHERE action = 'read' AND device_id LIKE 'token:%'")
    assert reads == [(6,)]

    token_id = office_world.rows("SELECT id FROM api_token")[0][0]
    revoke = f"/kontor/eksport/noegler/{token_id}/tilbagekald"
    assert (await lead.post(revoke, data={"csrf_token": "wrong"})).status_code == 403
    assert (await api.get("/api/reports", headers=headers)).status_code == 200
    assert (await lead.post(revoke, data={"csrf_token": await _csrf(lead, "/kontor/eksport")})).status_code == 303
    refused = await api.get("/api/reports", headers=headers)
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "not_logged_in"
    assert (await api.get("/api/reports", headers={"Authorization": "Bearer bro_made-up"})).status_code == 401
    # Another municipality's projektleder cannot revoke it (404, like a token that does not exist).
    other = await office_world.login("lead_m2")
    assert (await other.post(revoke, data={"csrf_token": await _csrf(other, "/kontor/eksport")})).status_code == 404


async def test_forms_need_their_csrf_token(office_world):
    client = office_world.client()
    login_page = await client.get("/kontor/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', login_page.text).group(1)
    assert client.cookies.get(csrf.NONCE_COOKIE)
    bad = await client.post("/kontor/login", data={"csrf_token": "0" * 64, "username": "lead", "password": "demo"})
    assert bad.status_code == 403 and "Formularen er udløbet" in bad.text
    stranger = office_world.client()  # no nonce cookie: no token is valid
    assert (await stranger.post("/kontor/login", data={"csrf_token": token, "username": "lead", "password": "demo"})).status_code == 403
    wrong = await client.post("/kontor/login", data={"csrf_token": token, "username": "lead", "password": "nej"})
    assert wrong.status_code == 401 and "Forkert brugernavn eller adgangskode" in wrong.text
    ok = await client.post("/kontor/login", data={"csrf_token": token, "username": "lead", "password": "demo",
                                                   "next": "//evil.example/kontor/"})
    assert ok.status_code == 303 and ok.headers["location"] == "/kontor/"
    # Logged in, the token is the session's: the pre-login one no longer works.
    assert (await client.post("/kontor/logout", data={"csrf_token": token})).status_code == 403
    session_token = await _csrf(client, "/kontor/")
    assert (await client.post("/kontor/logout", data={"csrf_token": session_token})).status_code == 303
    assert (await client.get("/kontor/")).status_code == 303


async def test_register_reads_are_audited_and_reports_are_not(office_world):
    await _two_teams(office_world)
    lead = await office_world.login("lead")
    before = office_world.rows("SELECT count(*) FROM auditentry WHERE action = 'read'")[0][0]
    await lead.get("/kontor/rapporter/fig-4-11")
    await lead.get("/api/reports/fig-4-11")
    assert office_world.rows("SELECT count(*) FROM auditentry WHERE action = 'read'")[0][0] == before
    await lead.get("/kontor/deltagere")
    rows = office_world.rows("SELECT entity, record_id, citizen_id, user_id FROM auditentry WHERE action = 'read'")[before:]
    assert len(rows) == 6 and all(r[0] == "citizen" and r[1] == r[2] and r[3] == office_world.user_ids["lead"] for r in rows)


# Every office page without a path parameter, read as a user the route table lets in
# (server/auth/authz.py), plus a report and a page that does not exist.
OFFICE_PAGES = sorted(key.split(" ", 1)[1] for key in ROUTES if key.startswith("GET /kontor") and "{" not in key)
READER_OF_ROLE = {"projektleder": "lead", "admin": "admin_a", "behandler": "behandler_a"}


async def test_every_office_response_has_the_strict_csp_and_no_inline_code(office_world):
    assert "/kontor/admin/log" in OFFICE_PAGES and "/kontor/skemaplan" in OFFICE_PAGES
    readers = {}
    for path in [*OFFICE_PAGES, "/kontor/rapporter/fig-4-13", "/kontor/nope"]:
        rule = ROUTES.get(f"GET {path}")
        name = next((READER_OF_ROLE[role] for role in ("projektleder", "admin", "behandler") if rule is None or role in rule.roles), "lead")
        if name not in readers:
            readers[name] = await office_world.login(name)
        response = await readers[name].get(path)
        assert response.status_code < 500, (path, response.status_code)  # a 422 for a missing filter: headers all the same
        if response.is_redirect:  # the login page, logged in: on to the start page
            assert response.headers["location"].startswith("/kontor"), path
            continue
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "style-src 'self'" in csp and "unsafe" not in csp
        assert response.headers.get("cache-control") == "no-store", (path, response.status_code)
        html = response.text
        assert "<script" not in html and " style=" not in html and not re.search(r"\son[a-z]+=", html), path
