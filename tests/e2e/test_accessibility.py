"""axe finds no violations on any screen; Chromium finds the app installable."""
from __future__ import annotations

import uuid

import pytest
from axe_playwright_python.sync_playwright import Axe
from e2e_helpers import (
    CHROMIUM,
    CHROMIUM_ARGS,
    api_citizens,
    login,
    login_and_setup,
    open_citizen,
    setup_passphrase,
    sync_now,
    unlock,
    wait_for_sw,
    wait_synced,
)
from playwright.sync_api import expect
from support.hlc import hlc_now

axe = Axe()


def assert_accessible(page, screen: str) -> None:
    page.wait_for_timeout(100)  # let focus management settle
    results = axe.run(page)
    assert results.violations_count == 0, f"{screen}: {results.generate_report()}"


def _make_conflict(server, citizen_id: str) -> None:
    """Write a phase on the server that has not seen the current one: a conflict."""
    api = server.api("behandler2")
    device = api.post("/api/devices", json={"name": "e2e-axe"}).json()["device_id"]
    records = {}
    cursor = 0
    while True:
        page = api.get("/api/sync/pull", params={"cursor": cursor, "limit": 1000}).json()
        records.update({r["id"]: r for r in page["records"]})
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    course = next(r for r in records.values() if r["entity"] == "course" and r["fields"]["citizen_id"] == citizen_id)
    op = {
        "op_id": str(uuid.uuid4()),
        "device_id": device,
        "hlc": hlc_now(device),
        "entity": "course",
        "record_id": course["id"],
        "kind": "set",
        "field": "phase",
        "value": {"phase": "unknown", "date": "2026-11-01"},
        "seen": [],
    }
    result = api.post("/api/sync/push", json={"device_id": device, "ops": [op]}).json()
    assert result["results"][0]["status"] == "accepted", result


def test_every_screen_has_no_axe_violations(server, new_context):
    context = new_context()
    page = context.new_page()
    page.goto(server.url + "/")
    expect(page.get_by_role("heading", name="Log ind")).to_be_visible()
    assert_accessible(page, "login")
    page.get_by_role("button", name="Log ind").click()  # empty: errors next to the fields
    expect(page.locator("#login-form .error:not([hidden])").first).to_be_visible()
    assert_accessible(page, "login with errors")
    login(page, server.url, "behandler")
    assert_accessible(page, "setup")
    setup_passphrase(page)
    wait_for_sw(page)
    wait_synced(page)
    assert_accessible(page, "list")

    citizen = page.evaluate("() => [...window.__brobygger.store.state.summary.values()].find(r => r.course_id)")
    _make_conflict(server, citizen["id"])
    sync_now(page)
    wait_synced(page)
    open_citizen(page, citizen["code"])
    expect(page.get_by_role("alert").filter(has_text="Konflikt")).to_be_visible()
    page.locator("details summary").first.click()
    assert_accessible(page, "citizen page with conflict")
    page.get_by_role("link", name="Løs konflikten").click()
    expect(page.get_by_role("heading", name="Løs konflikt")).to_be_visible()
    assert_accessible(page, "conflict resolution")
    page.get_by_role("button", name="Gem valgt værdi").click()
    expect(page.locator("#conflict-form .error:not([hidden])").first).to_be_visible()
    assert_accessible(page, "conflict resolution with error")

    open_citizen(page, citizen["code"])
    page.get_by_role("link", name="Log kontakt").click()
    assert_accessible(page, "log contact")
    page.locator("#contact-form [name=occurred_at]").fill("")
    page.get_by_role("button", name="Gem kontakt").click()
    expect(page.locator("#contact-form .error:not([hidden])").first).to_be_visible()
    assert_accessible(page, "log contact with errors")

    open_citizen(page, citizen["code"])
    page.get_by_role("link", name="Skift fase").click()
    assert_accessible(page, "phase")
    open_citizen(page, citizen["code"])
    page.get_by_role("link", name="Registrér samtykke").click()
    assert_accessible(page, "consent")
    page.goto(server.url + "/#/ny-borger")
    expect(page.get_by_role("heading", name="Ny borger")).to_be_visible()
    assert_accessible(page, "new citizen")
    page.locator("#citizen-form [name=code]").fill("x")
    page.get_by_role("button", name="Opret borger").click()
    expect(page.locator("#citizen-form .error:not([hidden])").first).to_be_visible()
    assert_accessible(page, "new citizen with errors")
    page.goto(server.url + "/#/henvisninger")
    expect(page.get_by_role("heading", name="Henvisninger")).to_be_visible()
    assert_accessible(page, "leads (behandler)")
    page.goto(server.url + "/#/synk")
    expect(page.get_by_role("heading", name="Synkronisering")).to_be_visible()
    assert_accessible(page, "sync and settings")
    page.evaluate("() => window.__brobygger.lock()")
    expect(page.get_by_role("heading", name="Lås op")).to_be_visible()
    page.locator("#unlock-submit").click()
    assert_accessible(page, "unlock with error")
    unlock(page)

    volunteer = new_context().new_page()
    login_and_setup(volunteer, server.url, "frivillig")
    expect(volunteer.get_by_role("heading", name="Mine henvisninger")).to_be_visible()
    assert_accessible(volunteer, "leads (frivillig)")
    volunteer.get_by_role("link", name="Ny henvisning").click()
    assert_accessible(volunteer, "new lead")
    volunteer.get_by_role("button", name="Gem henvisning").click()
    expect(volunteer.get_by_text("Henvisningen er gemt. Tak!")).to_be_visible()
    assert_accessible(volunteer, "leads after save")


def test_new_states_have_no_axe_violations(server, new_context):
    """Duplicate code (list tag, banner, "Ret koden"), the behandlingsplan asked for and missing."""
    page = new_context(viewport={"width": 390, "height": 844}).new_page()
    login_and_setup(page, server.url, "behandler")
    team = page.evaluate("() => window.__brobygger.store.state.user.organisation_id")
    twin, _ = api_citizens(server.api("behandler"), team, ("AXE-0001", "AX"), ("AXE-0001", "AY"))
    sync_now(page)
    wait_synced(page)
    page.get_by_label("Søg på initialer eller kode").fill("AXE-0001")
    expect(page.locator("#results .tag", has_text="Samme kode to gange")).to_have_count(2)
    assert_accessible(page, "list with duplicate tags")
    page.goto(f"{server.url}/#/borger/{twin}")
    expect(page.locator("#duplicate")).to_be_visible()
    assert_accessible(page, "citizen page with a duplicate code")
    page.get_by_role("link", name="Ret koden").click()
    expect(page.get_by_role("heading", name="Ret koden")).to_be_visible()
    assert_accessible(page, "fix code")
    page.locator("#code-form [name=code]").fill("x")
    page.get_by_role("button", name="Gem ny kode").click()
    expect(page.locator("#code-form .error:not([hidden])")).to_be_visible()
    assert_accessible(page, "fix code with errors")

    page.goto(f"{server.url}/#/borger/{twin}/fase")
    page.get_by_label("Fase 2 – Fremskudt behandling").check()
    expect(page.locator("#plan-block")).to_be_visible()
    assert_accessible(page, "phase with the behandlingsplan asked for")
    page.get_by_role("button", name="Gem fase").click()
    expect(page.locator("#phase-form [data-field=plan_date] .error")).to_be_visible()
    assert_accessible(page, "phase with the behandlingsplan missing")
    page.get_by_label("Behandlingsplanen er ikke lavet endnu").check()
    page.get_by_role("button", name="Gem fase").click()
    expect(page.locator("#plan-missing")).to_be_visible()
    assert_accessible(page, "citizen page with behandlingsplan mangler")
    page.goto(server.url + "/#/ny-borger")
    page.get_by_label("Fase 3 – Brobygning").check()
    expect(page.locator("#plan-block")).to_be_visible()
    assert_accessible(page, "new citizen in phase 3")
    page.goto(server.url + "/#/synk")
    expect(page.locator("#device-name")).to_be_visible()
    assert_accessible(page, "sync and settings at 390 px")


def test_chromium_finds_the_app_installable(server, playwright, tmp_path):
    context = playwright.chromium.launch_persistent_context(str(tmp_path / "profile"), executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        page = context.pages[0] if context.pages else context.new_page()
        page.goto(server.url + "/")
        wait_for_sw(page)
        cdp = context.new_cdp_session(page)
        errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
        assert errors == [], errors
        manifest = cdp.send("Page.getAppManifest")
        assert not manifest.get("errors"), manifest["errors"]
    finally:
        context.close()


@pytest.mark.parametrize("path", ["/", "/sw.js", "/manifest.webmanifest"])
def test_every_response_has_the_strict_csp(server, path):
    import httpx

    response = httpx.get(server.url.replace("localhost", "127.0.0.1") + path)
    assert response.status_code == 200
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    if path == "/sw.js":
        assert response.headers["cache-control"] == "no-cache"
