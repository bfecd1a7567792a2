"""Steps shared by the end-to-end tests: log in, protect with a passphrase, unlock,
wait for sync, read the server's op log."""
from __future__ import annotations

import json
import sqlite3
import subprocess
from pathlib import Path

from playwright.sync_api import Page, expect
from support.hlc import hlc_now
from support.pull import pull_all_sync

PASSPHRASE = "grøn kaffe på havnen"
PHONE = {"width": 390, "height": 844}  # the viewport of the phone tests
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]
# The app exposes window.__brobygger (test hooks) only when this is set before it starts.
TEST_HOOKS = "window.__BROBYGGER_TEST__ = true;"


def build_pwa(out: Path, *extra: str) -> None:
    """Build the app into `out` (the upgrade test builds a second version)."""
    import shutil

    import pytest

    if shutil.which("node") is None:
        pytest.skip("needs node to build a second version of the app")
    subprocess.run(["node", "build.mjs", "--out", str(out), *extra], cwd=ROOT / "pwa", check=True, capture_output=True)


def info(page: Page) -> dict:
    return page.evaluate("window.__brobygger.info()")


def wait_mode(page: Page, mode: str, timeout: float = 30000) -> None:
    # Functions, not expression strings: the app's CSP forbids eval (Playwright would eval a string).
    page.wait_for_function("(mode) => window.__brobygger && window.__brobygger.info().mode === mode", arg=mode, timeout=timeout)


def wait_for_sw(page: Page) -> None:
    """The service worker controls the page (the shell is precached): offline works from here."""
    page.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.controller !== null", timeout=30000)


def login(page: Page, url: str, username: str, password: str = "demo") -> None:
    page.goto(url + "/")
    expect(page.get_by_role("heading", name="Log ind")).to_be_visible()
    page.locator("#login-form [name=username]").fill(username)
    page.locator("#login-form [name=password]").fill(password)
    page.get_by_role("button", name="Log ind").click()
    expect(page.get_by_role("heading", name="Beskyt data på telefonen")).to_be_visible()


def setup_passphrase(page: Page, passphrase: str = PASSPHRASE) -> None:
    page.locator("#setup-form [name=passphrase]").fill(passphrase)
    page.locator("#setup-form [name=repeat]").fill(passphrase)
    page.get_by_role("button", name="Brug adgangssætning").click()
    wait_mode(page, "app")


def login_and_setup(page: Page, url: str, username: str, passphrase: str = PASSPHRASE) -> None:
    login(page, url, username)
    setup_passphrase(page, passphrase)
    wait_for_sw(page)
    wait_synced(page)


def phone_session(server, new_context, username: str = "behandler"):
    """A logged-in, set-up phone at 390 px: (context, page, errors), where `errors` collects
    the page's uncaught errors (a test ends with `assert not errors`)."""
    context = new_context(viewport=PHONE)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    login_and_setup(page, server.url, username)
    return context, page, errors


def unlock(page: Page, passphrase: str = PASSPHRASE) -> None:
    expect(page.get_by_role("heading", name="Lås op")).to_be_visible()
    page.locator("#unlock-form [name=passphrase]").fill(passphrase)
    page.locator("#unlock-submit").click()
    wait_mode(page, "app")


def wait_synced(page: Page, timeout: float = 30000) -> None:
    """Outbox empty (pushed and covered by a pull), no sync running, no error."""
    page.wait_for_function(
        """() => { const i = window.__brobygger.info();
            return i.unlocked && !i.syncing && i.outbox === 0 && i.lastSuccess !== null && i.lastError === null; }""",
        timeout=timeout,
    )


def sync_now(page: Page) -> None:
    page.evaluate("window.__brobygger.sync.syncNow('test')")


def server_ops(db_path: Path) -> list[dict]:
    """Every op in the server's log, as stored."""
    con = sqlite3.connect(db_path)
    try:
        columns = [row[1] for row in con.execute("PRAGMA table_info(ops)")]
        rows = con.execute("SELECT * FROM ops").fetchall()
    finally:
        con.close()
    out = []
    for row in rows:
        record = dict(zip(columns, row))
        for key, value in list(record.items()):
            if isinstance(value, str) and value[:1] in "[{":
                try:
                    record[key] = json.loads(value)
                except ValueError:
                    pass
        out.append(record)
    return out


def open_citizen(page: Page, query: str) -> None:
    page.goto(page.url.split("#")[0] + "#/")
    page.get_by_label("Søg på initialer eller kode").fill(query)
    page.locator("#results a.row").first.click()
    page.wait_for_selector("nav.actions >> text=Log kontakt")


def server_records(api) -> dict[str, dict]:
    """Every record the API client's user may see, by id, pulled from the server."""
    return pull_all_sync(api)


def add_fingerprint_authenticator(context, page) -> None:
    """Chromium's virtual platform authenticator with PRF: the phone's fingerprint/face."""
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable", {"enableUI": False})
    options = {
        "protocol": "ctap2",
        "transport": "internal",
        "hasResidentKey": True,
        "hasUserVerification": True,
        "isUserVerified": True,
        "hasPrf": True,
        "automaticPresenceSimulation": True,
    }
    cdp.send("WebAuthn.addVirtualAuthenticator", {"options": options})


def log_contact(page: Page, note: str) -> None:
    """On a citizen's page: "Log kontakt", type a note, save; the app confirms."""
    page.get_by_role("link", name="Log kontakt").click()
    page.get_by_label("Kort note").fill(note)
    page.get_by_role("button", name="Gem kontakt").click()
    expect(page.get_by_text("Kontakten er gemt.")).to_be_visible()


def api_device(api, name: str = "e2e-api") -> str:
    """Register a device for the API client's user; returns its id."""
    response = api.post("/api/devices", json={"name": name})
    assert response.status_code in (200, 201), response.text
    return response.json()["device_id"]


def api_push(api, device_id: str, *ops: dict) -> None:
    """Push ops (entity, record_id, kind, field?, value?, seen?) as the API client; all must be accepted."""
    import uuid

    full = [
        {
            "op_id": str(uuid.uuid4()),
            "device_id": device_id,
            "hlc": hlc_now(device_id, i),
            "field": None,
            "value": None,
            "seen": [],
            **op,
        }
        for i, op in enumerate(ops)
    ]
    result = api.post("/api/sync/push", json={"device_id": device_id, "ops": full}).json()
    assert all(r["status"] == "accepted" for r in result["results"]), result


def api_citizens(api, team_id: str, *codes_and_initials: tuple[str, str]) -> list[str]:
    """Create citizens (code, initials) in a team through the API; returns their ids."""
    import uuid

    device = api_device(api)
    ids = [str(uuid.uuid4()) for _ in codes_and_initials]
    api_push(
        api,
        device,
        *(
            {"entity": "citizen", "record_id": cid, "kind": "create", "value": {"code": code, "team_id": team_id, "initials": initials}}
            for cid, (code, initials) in zip(ids, codes_and_initials)
        ),
    )
    return ids


def local_date(page: Page, days: int = 0) -> str:
    """The phone's local date `days` from today, as YYYY-MM-DD."""
    return page.evaluate(
        """(days) => { const d = new Date(); d.setDate(d.getDate() + days);
            const p = (n) => String(n).padStart(2, '0'); return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`; }""",
        days,
    )
