"""The administration pages over HTTP (in-process, the authorization world of support.world):
users from creation to first login and password change, resets, team changes that make the
phone evict, deactivation, devices revoked and re-admitted, quarantine triage as the phone
sees it, the audit viewer and the access report — and CSRF refused without its token."""
from __future__ import annotations

import csv
import io
import re
import uuid

from office_http import link_in, submit, token_of
from support import hlc_now, login, pull_all, register_device
from support.world import OTHER_TEAM, PARTNER, TEAM

from server import demo

BEHANDLER = demo.user_id("behandler")
NEW_PASSWORD = "grøn kaffe på havnen"


def count(world, query: str, *args) -> int:
    return world.rows(query, *args)[0][0]


async def choose(client, link: str, password: str, repeat: str | None = None):
    path = "/" + link.split("/", 3)[3]
    return await submit(client, path, path, {"password": password, "repeat": password if repeat is None else repeat})


# --- CSRF ----------------------------------------------------------------------------------

async def test_a_form_without_its_csrf_token_is_refused(world):
    admin = world.client("admin")
    fields = {"username": "csrf.test", "display_name": "CSRF Test", "role": "behandler", "organisation_id": TEAM}
    before = count(world, "SELECT count(*) FROM user")
    missing = await admin.post("/kontor/admin/brugere", data=fields)
    assert missing.status_code == 403 and "text/html" in missing.headers["content-type"]
    wrong = await admin.post("/kontor/admin/brugere", data={**fields, "csrf_token": "0" * 64})
    assert wrong.status_code == 403
    # Another session's token (another administrator's page) is not this session's.
    other = await token_of(world.client("admin_m2"), "/kontor/admin/brugere/ny")
    assert (await admin.post("/kontor/admin/brugere", data={**fields, "csrf_token": other})).status_code == 403
    assert count(world, "SELECT count(*) FROM user") == before
    made = await submit(admin, "/kontor/admin/brugere/ny", "/kontor/admin/brugere", fields)
    assert made.status_code == 201
    assert count(world, "SELECT count(*) FROM user") == before + 1


async def test_every_post_of_the_administration_checks_the_token(world):
    """Each POST route of the administration, with the allowed role and no token: 403, nothing done."""
    from server.auth.authz import ROUTES

    callers = {"admin": world.client("admin"), "projektleder": world.client("projektleder"),
               "anonymous": world.client()}
    paths = {"{user_id}": BEHANDLER, "{org_id}": TEAM, "{device_id}": world.ids["device_own_municipality"],
             "{quarantine_id}": "1", "{token}": "x" * 43}
    posts = [key for key in ROUTES if key.startswith("POST /kontor/") and key.split()[1].startswith(
        ("/kontor/admin", "/kontor/adgangskode", "/kontor/konto"))]
    assert len(posts) >= 12
    audit_before = count(world, "SELECT count(*) FROM auditentry")
    for key in posts:
        path = key.split()[1]
        for name, value in paths.items():
            path = path.replace(name, value)
        rule = ROUTES[key]
        caller = next(callers[role] for role in ("admin", "projektleder", "anonymous") if rule.allows(role))
        response = await caller.post(path, data={"name": "x", "reason": "x", "value": "1", "active": "0", "password": "x" * 12})
        assert response.status_code == 403, f"{key}: {response.status_code}"
    assert count(world, "SELECT count(*) FROM auditentry WHERE action NOT IN ('read', 'audit_read')") == count(
        world, "SELECT count(*) FROM auditentry WHERE action NOT IN ('read', 'audit_read') AND id <= ?", audit_before)


# --- users -----------------------------------------------------------------------------------

async def test_create_user_invite_first_login_and_password_change(world, client_for):
    admin = world.client("admin")
    fields = {"username": "nina", "display_name": "Nina Nielsen", "role": "frivillig", "organisation_id": TEAM}
    wrong_org = await submit(admin, "/kontor/admin/brugere/ny", "/kontor/admin/brugere", fields)
    assert wrong_org.status_code == 422 and "Rollen passer ikke til organisationen" in wrong_org.text
    made = await submit(admin, "/kontor/admin/brugere/ny", "/kontor/admin/brugere", {**fields, "organisation_id": PARTNER})
    assert made.status_code == 201
    link = link_in(made.text)
    assert (await submit(admin, "/kontor/admin/brugere/ny", "/kontor/admin/brugere", {**fields, "organisation_id": PARTNER})
            ).status_code == 422  # the username is taken

    person = client_for(world.app)
    short = await choose(person, link, "kort")
    assert short.status_code == 422 and "mindst 10 tegn" in short.text
    assert (await choose(person, link, NEW_PASSWORD, "noget andet")).status_code == 422
    assert (await choose(person, link, NEW_PASSWORD)).status_code == 200
    assert (await person.get("/" + link.split("/", 3)[3])).status_code == 410  # used up

    user = await login(person, "nina", NEW_PASSWORD)  # first login
    assert (user["role"], user["organisation_id"]) == ("frivillig", PARTNER)
    # Changing one's own password: the current one first; then only the new one works.
    wrong = await submit(person, "/kontor/konto", "/kontor/konto/adgangskode",
                         {"current": "forkert-kode", "password": "en helt ny kode", "repeat": "en helt ny kode"})
    assert wrong.status_code == 422
    changed = await submit(person, "/kontor/konto", "/kontor/konto/adgangskode",
                           {"current": NEW_PASSWORD, "password": "en helt ny kode", "repeat": "en helt ny kode"})
    assert changed.status_code == 303
    assert (await person.get("/kontor/konto")).status_code == 200  # still logged in, in a new session
    assert (await client_for(world.app).post("/api/session", json={"username": "nina", "password": NEW_PASSWORD})).status_code == 401
    await login(client_for(world.app), "nina", "en helt ny kode")


async def test_a_reset_voids_the_password_and_ends_the_sessions(world, client_for):
    phone = await world.login("behandler")
    admin = world.client("admin")
    page = await submit(admin, f"/kontor/admin/brugere/{BEHANDLER}", f"/kontor/admin/brugere/{BEHANDLER}/link", {})
    assert page.status_code == 200 and "Nulstil" not in page.text and "Den gamle adgangskode virker ikke" in page.text
    assert (await phone.get("/api/session")).status_code == 401
    assert (await client_for(world.app).post("/api/session", json={"username": "behandler", "password": "demo"})).status_code == 401
    fresh = client_for(world.app)
    assert (await choose(fresh, link_in(page.text), NEW_PASSWORD)).status_code == 200
    await login(fresh, "behandler", NEW_PASSWORD)


async def test_changing_the_team_makes_the_phone_drop_what_it_may_no_longer_see(world):
    phone = world.client("behandler")
    device = await register_device(phone)
    first = (await phone.get("/api/sync/pull", params={"device_id": device, "limit": 5000})).json()
    assert world.ids["citizen_shared"] in {r["id"] for r in first["records"]}
    admin = world.client("admin")
    moved = await submit(admin, f"/kontor/admin/brugere/{BEHANDLER}", f"/kontor/admin/brugere/{BEHANDLER}",
                         {"display_name": "Bo Behandler", "role": "behandler", "organisation_id": OTHER_TEAM, "external_id": ""})
    assert moved.status_code == 303 and moved.headers["location"].endswith("gemt=flyttet")
    again = (await phone.get("/api/sync/pull", params={"device_id": device, "cursor": first["next_cursor"],
                                                        "epoch": first["epoch"], "limit": 5000})).json()
    assert again["reset"] is True and again["epoch"] == first["epoch"] + 1
    ids = {r["id"] for r in again["records"]}
    assert world.ids["citizen_other_team"] in ids and world.ids["citizen_shared"] not in ids
    # An administrator cannot change her own role or team.
    me = demo.user_id("admin")
    own = await submit(admin, f"/kontor/admin/brugere/{me}", f"/kontor/admin/brugere/{me}",
                       {"display_name": "Adam", "role": "behandler", "organisation_id": TEAM, "external_id": ""})
    assert own.status_code == 403 and "din egen rolle" in own.text


async def test_deactivate_and_reactivate(world, client_for):
    phone = await world.login("behandler2")
    admin = world.client("admin")
    target = demo.user_id("behandler2")
    off = await submit(admin, f"/kontor/admin/brugere/{target}", f"/kontor/admin/brugere/{target}/aktiv", {"active": "0"})
    assert off.status_code == 303
    assert (await phone.get("/api/session")).status_code == 401
    assert (await client_for(world.app).post("/api/session", json={"username": "behandler2", "password": "demo"})).status_code == 401
    on = await submit(admin, f"/kontor/admin/brugere/{target}", f"/kontor/admin/brugere/{target}/aktiv", {"active": "1"})
    assert on.status_code == 303
    await login(client_for(world.app), "behandler2")
    actions = [a for (a,) in world.rows("SELECT action FROM auditentry WHERE record_id = ? ORDER BY id", target)]
    assert actions[-2:] == ["user_deactivate", "user_activate"]


async def test_the_other_municipalitys_users_and_teams_answer_not_found(world):
    admin = world.client("admin")
    other = world.ids["user_other_municipality"]
    assert (await admin.get(f"/kontor/admin/brugere/{other}")).status_code == 404
    token = await token_of(admin, "/kontor/admin/brugere")
    assert (await admin.post(f"/kontor/admin/brugere/{other}/aktiv", data={"csrf_token": token, "active": "0"})).status_code == 404
    from support.world import M2_TEAM

    assert (await admin.post(f"/kontor/admin/organisationer/{M2_TEAM}", data={"csrf_token": token, "name": "X"})).status_code == 404
    listing = (await admin.get("/kontor/admin/brugere")).text
    assert "behandler_m2" not in listing and "behandler2" in listing


async def test_organisations_are_created_and_renamed(world):
    admin = world.client("admin")
    made = await submit(admin, "/kontor/admin/organisationer", "/kontor/admin/organisationer",
                        {"name": "Team Syd", "kind": "rusmiddelcenter"})
    assert made.status_code == 303
    taken = await submit(admin, "/kontor/admin/organisationer", "/kontor/admin/organisationer",
                         {"name": "Team Syd", "kind": "rusmiddelcenter"})
    assert taken.status_code == 422 and "allerede i brug" in taken.text
    org_id = world.rows("SELECT id FROM organisation WHERE name = 'Team Syd'")[0][0]
    renamed = await submit(admin, "/kontor/admin/organisationer", f"/kontor/admin/organisationer/{org_id}", {"name": "Team Sydhavn"})
    assert renamed.status_code == 303
    assert world.rows("SELECT name, kind FROM organisation WHERE id = ?", org_id) == [("Team Sydhavn", "rusmiddelcenter")]


# --- devices ---------------------------------------------------------------------------------

async def test_revoke_then_readmit_a_device(world, client_for):
    phone = await world.login("behandler")
    device = await register_device(phone, "Bos arbejdstelefon")
    admin = world.client("admin")
    listing = await admin.get("/kontor/admin/enheder")
    assert "Bos arbejdstelefon" in listing.text
    assert (await submit(admin, "/kontor/admin/enheder", f"/kontor/admin/enheder/{device}/spaer", {})).status_code == 303
    assert (await phone.get("/api/sync/pull", params={"device_id": device})).json()["error"]["code"] == "device_revoked"
    # What it hands in while revoked waits in quarantine, counted on the devices page.
    op = {"op_id": str(uuid.uuid4()), "device_id": device, "hlc": hlc_now(device), "entity": "citizen",
          "record_id": world.ids["citizen_shared"], "kind": "set", "field": "initials", "value": "QQ", "seen": []}
    pushed = (await phone.post("/api/sync/push", json={"device_id": device, "ops": [op]})).json()
    assert pushed["device_revoked"] is True
    row = re.search(r"Bos arbejdstelefon.*?</tr>", (await admin.get("/kontor/admin/enheder")).text, re.S).group(0)
    assert '<td class="office-number">1</td>' in row and "Spærret" in row

    assert (await submit(admin, "/kontor/admin/enheder", f"/kontor/admin/enheder/{device}/genaabn", {})).status_code == 303
    # The session that phone had is gone: only a new login by its owner brings it back.
    assert (await phone.get("/api/session")).status_code == 401
    again = client_for(world.app)
    await login(again, "behandler")
    assert await register_device(again, "Bos arbejdstelefon", device_id=device) == device
    assert (await again.get("/api/sync/pull", params={"device_id": device})).status_code == 200
    # A device of another user cannot be taken over by registering its id.
    assert (await world.client("behandler2").post("/api/devices", json={"name": "x", "device_id": device})).status_code == 409
    assert [a for (a,) in world.rows("SELECT action FROM auditentry WHERE device_id = ? AND action LIKE 'device_%' ORDER BY id",
                                    device)] == ["device_register", "device_revoke", "device_readmit"]


# --- quarantine triage -----------------------------------------------------------------------

async def _quarantined(world, phone, device, *ops) -> list[str]:
    full = [{"op_id": str(uuid.uuid4()), "device_id": device, "hlc": hlc_now(device, i), "field": None, "value": None, "seen": [], **op}
            for i, op in enumerate(ops)]
    results = (await phone.post("/api/sync/push", json={"device_id": device, "ops": full})).json()["results"]
    assert [r["status"] for r in results] == ["rejected"] * len(ops), results
    return [op["op_id"] for op in full]


def _qid(world, op_id: str) -> int:
    return world.rows("SELECT id FROM quarantine WHERE op_id = ?", op_id)[0][0]


async def test_triage_reapplies_or_dismisses_and_the_phone_learns_it(world):
    phone = world.client("behandler")
    device = await register_device(phone, "Bos telefon")
    citizen = world.ids["citizen_shared"]
    bad_value, nonsense = await _quarantined(
        world, phone, device,
        {"entity": "citizen", "record_id": citizen, "kind": "set", "field": "initials", "value": 12345},
        {"entity": "nonsense", "record_id": str(uuid.uuid4()), "kind": "create", "value": {}},
    )
    pulled = (await phone.get("/api/sync/pull", params={"device_id": device})).json()
    assert pulled["resolved"] == [] and pulled["resolved_cursor"] == 0

    lead = world.client("projektleder")
    listing = (await lead.get("/kontor/admin/karantaene")).text
    assert "Bo Behandler" in listing and "Bos telefon" in listing and "&#39;Initialer&#39; skal være tekst." in listing
    item = await lead.get(f"/kontor/admin/karantaene/{_qid(world, bad_value)}")
    assert "Værdien passede ikke til feltet. Ret værdien" in item.text  # what to do

    # Not JSON: said so, nothing decided.
    page = f"/kontor/admin/karantaene/{_qid(world, bad_value)}"
    broken = await submit(lead, page, f"{page}/genanvend", {"value": "XY"})
    assert broken.status_code == 422 and "gyldig JSON" in broken.text
    still_invalid = await submit(lead, page, f"{page}/genanvend", {"value": "12345"})
    assert still_invalid.status_code == 422 and "skal være tekst" in still_invalid.text
    assert world.rows("SELECT decision FROM quarantine WHERE op_id = ?", bad_value) == [(None,)]
    done = await submit(lead, page, f"{page}/genanvend", {"value": '"XY"'})
    assert done.status_code == 303
    [(decision, new_op, resolver)] = world.rows("SELECT decision, new_op_id, resolved_by FROM quarantine WHERE op_id = ?", bad_value)
    assert decision == "reapplied" and resolver == demo.user_id("projektleder")
    assert world.rows("SELECT user_id, record_id FROM ops WHERE op_id = ?", new_op) == [(demo.user_id("projektleder"), citizen)]
    assert (await submit(lead, page, f"{page}/genanvend", {"value": '"XY"'})).status_code == 409  # decided once

    # Unreadable as a change: only a dismissal, with a reason.
    page = f"/kontor/admin/karantaene/{_qid(world, nonsense)}"
    assert "kan kun afvises" in (await lead.get(page)).text
    assert (await submit(lead, page, f"{page}/afvis", {"reason": " "})).status_code == 422
    assert (await submit(lead, page, f"{page}/afvis", {"reason": "En gammel app; registreret igen."})).status_code == 303
    assert world.rows("SELECT decision, decision_reason FROM quarantine WHERE op_id = ?", nonsense) == [
        ("dismissed", "En gammel app; registreret igen.")]
    assert count(world, "SELECT count(*) FROM quarantine") >= 4  # never deleted

    # The phone learns both decisions, once, and sees the re-applied value as a record.
    pulled = (await phone.get("/api/sync/pull", params={"device_id": device})).json()
    assert {(r["op_id"], r["decision"]) for r in pulled["resolved"]} == {(bad_value, "reapplied"), (nonsense, "dismissed")}
    after = (await phone.get("/api/sync/pull", params={"device_id": device, "resolved_after": pulled["resolved_cursor"]})).json()
    assert after["resolved"] == []
    assert (await pull_all(phone, device))[citizen]["fields"]["initials"] == "XY"
    # Another user's phone hears nothing of it.
    other = world.client("behandler2")
    other_device = await register_device(other)
    assert (await other.get("/api/sync/pull", params={"device_id": other_device})).json()["resolved"] == []
    actions = {a for (a,) in world.rows("SELECT action FROM auditentry WHERE user_id = ?", demo.user_id("projektleder"))}
    assert {"quarantine_reapply", "quarantine_dismiss"} <= actions


async def test_another_municipalitys_quarantine_is_not_found(world):
    other = world.client("projektleder_m2")
    own = _qid(world, world.ids["quarantined_own_municipality"])
    assert (await other.get(f"/kontor/admin/karantaene/{own}")).status_code == 404
    token = await token_of(other, "/kontor/admin/karantaene")
    assert (await other.post(f"/kontor/admin/karantaene/{own}/afvis", data={"csrf_token": token, "reason": "x"})).status_code == 404
    assert world.rows("SELECT decision FROM quarantine WHERE id = ?", own) == [(None,)]
    assert world.ids["quarantined_own_municipality"] not in (await other.get("/kontor/admin/karantaene")).text


# --- audit viewer ----------------------------------------------------------------------------

def _body(html: str) -> str:
    """The table rows of a page (not its filter form, which lists every user)."""
    return re.search(r"<tbody>(.*?)</tbody>", html, re.S).group(1)


def _code(world, citizen_id: str) -> str:
    return world.rows("SELECT code FROM citizen WHERE id = ?", citizen_id)[0][0]


async def test_the_audit_log_shows_names_filters_and_the_access_report(world):
    citizen = world.ids["citizen_shared"]
    code = _code(world, citizen)
    assert (await world.client("frivillig").get(f"/api/citizens/{citizen}")).status_code == 200
    lead = world.client("projektleder")
    page = await lead.get("/kontor/admin/log", params={"borger": code})
    assert page.status_code == 200
    assert "Frida Frivillig" in _body(page.text) and "Værestedet Havnen" in _body(page.text) and "Læst" in _body(page.text)
    assert "Hent adgangsrapport" in page.text
    by_user = await lead.get("/kontor/admin/log", params={"borger": code, "bruger": demo.user_id("frivillig"), "handling": "read"})
    assert "Frida Frivillig" in _body(by_user.text) and "Bo Behandler" not in _body(by_user.text)
    assert {"Læst"} == set(re.findall(r"<td>(Læst|Ændret|Logget ind)</td>", _body(by_user.text)))
    future = await lead.get("/kontor/admin/log", params={"borger": code, "fra": "2999-01-01"})
    assert ">0 hændelser<" in future.text.replace("\n", "")
    assert (await lead.get("/kontor/admin/log", params={"fra": "ikke-en-dato"})).status_code == 422
    blank = await lead.get("/kontor/admin/log", params={"borger": code, "bruger": "", "fra": "", "til": "", "handling": ""})
    assert blank.status_code == 200 and "Frida Frivillig" in _body(blank.text)  # the form's blank fields are no filter

    before = count(world, "SELECT count(*) FROM auditentry WHERE action = 'audit_read' AND citizen_id = ?", citizen)
    report = await lead.get("/kontor/admin/log/adgangsrapport", params={"borger": code})
    assert report.status_code == 200 and report.headers["content-type"].startswith("text/csv")
    assert "attachment" in report.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(report.text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == ["Tidspunkt", "Medarbejder", "Rolle", "Organisation", "Handling", "Oplysning", "Enhed"]
    assert ["Frida Frivillig (Værestedet Havnen)", "Frivillig / civilsamfund", "Værestedet Havnen", "Læst", "Borger"] in [
        r[1:6] for r in rows[1:]]
    after = count(world, "SELECT count(*) FROM auditentry WHERE action = 'audit_read' AND citizen_id = ?", citizen)
    assert after == before + 1  # the report is itself logged
    # Another municipality's lead finds no such citizen.
    other = world.client("projektleder_m2")
    assert (await other.get("/kontor/admin/log/adgangsrapport", params={"borger": code})).status_code == 404
    assert "Ingen borger i kommunen har den kode" in (await other.get("/kontor/admin/log", params={"borger": code})).text
    assert "Frida" not in _body((await other.get("/kontor/admin/log")).text)
