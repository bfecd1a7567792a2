"""Local writes keep what the worker saw and never come back or go twice: a retried change
keeps its original `seen` (withdrawal still wins), a form saved after a pull changed the
record is shown again instead of overwriting, a saved form leaves no draft and a double
tap saves once; the sync client re-registers a device the server forgot and re-stamps
changes made with a fast phone clock."""
from __future__ import annotations

import sqlite3
import time
import uuid

from e2e_helpers import (
    info,
    log_contact,
    login_and_setup,
    open_citizen,
    server_ops,
    server_records,
    sync_now,
    wait_synced,
)
from playwright.sync_api import expect
from support.hlc import hlc_now

HAVNEN = "33333333-3333-4333-8333-333333333333"

# The next pushes are answered "rejected" (as the server does for a change it cannot take now).
REJECT_PUSHES = """() => {
  window.__realFetch = window.__realFetch || window.fetch;
  window.fetch = async (url, init) => {
    if (!String(url).startsWith('/api/sync/push')) return window.__realFetch(url, init);
    const ops = JSON.parse(init.body).ops;
    const error = {code: 'record_not_found', message: 'Posten findes ikke på serveren endnu.', field: null};
    const body = {results: ops.map((op) => ({op_id: op.op_id, status: 'rejected', error})),
                  server_hlc: String(Date.now()).padStart(13, '0') + ':00000:server', device_revoked: false};
    return new Response(JSON.stringify(body), {status: 200, headers: {'content-type': 'application/json'}});
  };
}"""
RESTORE_FETCH = "() => { window.fetch = window.__realFetch; }"

COUNT_STORES = """async () => {
  const db = await new Promise((res, rej) => { const r = indexedDB.open('brobygger'); r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); });
  const count = (s) => new Promise((res) => { const q = db.transaction(s).objectStore(s).count(); q.onsuccess = () => res(q.result); });
  const out = {outbox: await count('outbox'), rejected: await count('rejected'), drafts: await count('drafts')};
  db.close();
  return out;
}"""


def _citizen(page, index: int) -> dict:
    """A different demo citizen per test (the tests of this module share one server)."""
    return page.evaluate(
        "(i) => [...window.__brobygger.store.state.summary.values()].filter(r => r.course_id && !r.conflicts.length)"
        ".sort((a, b) => a.code.localeCompare(b.code))[i]",
        index,
    )


def _api_device(api) -> str:
    device_id = str(uuid.uuid4())
    response = api.post("/api/devices", json={"name": "Kollegas telefon", "device_id": device_id})
    assert response.status_code in (200, 201), response.text
    return device_id


def _api_set(api, device_id: str, entity: str, record_id: str, field: str, value, seen: list[str]) -> str:
    """A colleague's phone changes one field (having seen `seen`)."""
    op = {
        "op_id": str(uuid.uuid4()),
        "device_id": device_id,
        "hlc": hlc_now(device_id),
        "entity": entity,
        "record_id": record_id,
        "kind": "set",
        "field": field,
        "value": value,
        "seen": seen,
    }
    response = api.post("/api/sync/push", json={"device_id": device_id, "ops": [op]})
    assert response.json()["results"][0]["status"] == "accepted", response.text
    return op["op_id"]


def test_retried_grant_keeps_its_seen_and_withdrawal_still_wins(server, new_context):
    page = new_context().new_page()
    login_and_setup(page, server.url, "behandler")
    citizen = _citizen(page, 0)
    open_citizen(page, citizen["code"])
    page.get_by_role("link", name="Registrér samtykke").click()
    page.locator("#consent-form [name=recipient_org_id]").select_option(HAVNEN)
    page.get_by_role("button", name="Gem samtykke").click()
    expect(page.get_by_text("Samtykket er registreret")).to_be_visible()
    consent_id = page.evaluate("() => window.__brobygger.store.state.outbox.at(-1).op.record_id")
    consent_url = f"{server.url}/#/borger/{citizen['id']}/samtykke/{consent_id}"
    page.goto(consent_url)
    page.get_by_role("button", name="Træk samtykket tilbage").click()
    expect(page.get_by_text("Samtykket er trukket tilbage.")).to_be_visible()
    sync_now(page)
    wait_synced(page)

    # The citizen agrees again; the server turns the change down for now ("Kræver handling").
    page.evaluate(REJECT_PUSHES)
    page.goto(consent_url)
    page.get_by_role("button", name="Gem samtykke").click()
    expect(page.get_by_text("Samtykket er registreret")).to_be_visible()
    sync_now(page)
    page.wait_for_function("() => window.__brobygger.info().rejected === 1 && !window.__brobygger.info().syncing")
    grant = page.evaluate("() => window.__brobygger.store.state.rejected[0].op")
    page.evaluate(RESTORE_FETCH)

    # Meanwhile the citizen withdraws again, on a colleague's phone; this phone pulls it.
    api = server.api("behandler2")
    device = _api_device(api)
    assert grant["record_id"] == consent_id
    heads = server_records(api)[consent_id]["heads"]["state"]
    withdrawal = _api_set(api, device, "consent", consent_id, "state", {"action": "withdraw", "form": "oral", "given_by": "citizen", "date": "2026-11-24"}, heads)
    sync_now(page)
    page.wait_for_function("() => { const i = window.__brobygger.info(); return !i.syncing && i.lastError === null; }")

    # "Prøv igen": a new op id and clock, but the grant's own `seen` (not the new withdrawal).
    page.goto(server.url + "/#/synk")
    page.get_by_role("button", name="Prøv igen").click()
    expect(page.get_by_text("Kræver handling (0)")).to_be_visible()
    wait_synced(page)
    assert info(page)["rejected"] == 0
    stored = page.evaluate(COUNT_STORES)
    assert (stored["outbox"], stored["rejected"]) == (0, 0)
    sent = [op["body"] for op in server_ops(server.db_path) if op["record_id"] == consent_id and (op["body"].get("value") or {}).get("action") == "grant"]
    retried = [op for op in sent if op["kind"] == "set"]
    assert len(retried) == 1 and retried[0]["op_id"] != grant["op_id"]
    assert sorted(retried[0]["seen"]) == sorted(grant["seen"]) and withdrawal not in retried[0]["seen"]
    consent = server_records(api)[consent_id]["fields"]
    assert consent["granted"] is False, "the withdrawal the worker never saw must win"


def test_phase_form_saved_after_a_pull_is_shown_again_not_overwritten(server, new_context):
    page = new_context().new_page()
    login_and_setup(page, server.url, "behandler")
    citizen = _citizen(page, 1)
    open_citizen(page, citizen["code"])
    page.get_by_role("link", name="Skift fase").click()
    page.get_by_label("Fase 2 – Fremskudt behandling").check()

    # While the form is open, a colleague sets phase 3 and this phone pulls it.
    api = server.api("behandler2")
    device = _api_device(api)
    heads = server_records(api)[citizen["course_id"]]["heads"]["phase"]
    colleague = _api_set(api, device, "course", citizen["course_id"], "phase", {"phase": "phase_3", "date": "2026-11-22"}, heads)
    sync_now(page)
    page.wait_for_function("() => { const i = window.__brobygger.info(); return !i.syncing && i.lastSuccess && i.lastError === null; }")

    page.get_by_role("button", name="Gem fase").click()
    expect(page.get_by_role("alert").filter(has_text="ændret på en anden telefon")).to_be_visible()
    expect(page.get_by_text("Nu: Fase 3 – Brobygning")).to_be_visible()
    expect(page.get_by_label("Fase 2 – Fremskudt behandling")).to_be_checked()  # the input stays
    assert info(page)["outbox"] == 0

    # Saving again, having seen phase 3, replaces it: no conflict.
    page.get_by_role("button", name="Gem fase").click()
    expect(page.get_by_text("Fasen er gemt")).to_be_visible()
    wait_synced(page)
    course = server_records(api)[citizen["course_id"]]
    assert course["conflicts"] == [] and course["fields"]["phase"]["phase"] == "phase_2"
    phone = page.evaluate("() => window.__brobygger.store.state.deviceId")
    mine = [op["body"] for op in server_ops(server.db_path) if op["record_id"] == citizen["course_id"] and op["device_id"] == phone]
    assert len(mine) == 1 and colleague in mine[0]["seen"]


def test_saved_form_leaves_no_draft_and_a_double_tap_saves_once(server, new_context):
    context = new_context()
    page = context.new_page()
    login_and_setup(page, server.url, "behandler")
    citizen = _citizen(page, 2)
    context.set_offline(True)
    open_citizen(page, citizen["code"])
    page.get_by_role("link", name="Log kontakt").click()
    # Typed and saved at once: the autosave (250 ms after typing) must not bring it back.
    page.get_by_label("Kort note").fill("Gemt med det samme")
    page.evaluate("() => { const f = document.getElementById('contact-form'); f.requestSubmit(); f.requestSubmit(); }")
    expect(page.get_by_text("Kontakten er gemt.")).to_be_visible()
    page.wait_for_timeout(600)
    assert info(page)["outbox"] == 1, "a double tap saves one contact"
    assert page.evaluate(COUNT_STORES)["drafts"] == 0
    page.get_by_role("link", name="Log kontakt").click()
    expect(page.get_by_label("Kort note")).to_have_value("")
    expect(page.get_by_text("Din kladde er gendannet")).to_have_count(0)
    context.set_offline(False)
    wait_synced(page)


def test_device_the_server_forgot_registers_again_with_the_same_id(server, new_context):
    page = new_context().new_page()
    login_and_setup(page, server.url, "projektleder")
    device_id = page.evaluate("() => window.__brobygger.store.state.deviceId")
    con = sqlite3.connect(server.db_path)
    with con:
        assert con.execute("DELETE FROM device WHERE id = ?", (device_id,)).rowcount == 1
    con.close()
    sync_now(page)
    wait_synced(page, timeout=15000)
    con = sqlite3.connect(server.db_path)
    try:
        assert con.execute("SELECT count(*) FROM device WHERE id = ?", (device_id,)).fetchone()[0] == 1
    finally:
        con.close()


def test_changes_made_with_a_fast_clock_are_stamped_again_not_stuck(server, new_context):
    context = new_context()
    page = context.new_page()
    login_and_setup(page, server.url, "behandler")
    citizen = _citizen(page, 3)
    context.set_offline(True)
    # The phone's clock runs 20 minutes fast (the server allows 5).
    page.evaluate("() => { const real = Date.now; Date.now = () => real() + 20 * 60000; }")
    open_citizen(page, citizen["code"])
    log_contact(page, "Skrevet med et ur, der går for stærkt")
    fast = page.evaluate("() => window.__brobygger.store.state.outbox[0].op")
    assert int(fast["hlc"][:13]) > time.time() * 1000 + 10 * 60000
    context.set_offline(False)
    wait_synced(page)
    assert info(page)["rejected"] == 0, "clock_ahead is re-stamped, not sent to 'Kræver handling'"
    sent = [op for op in server_ops(server.db_path) if op["record_id"] == fast["record_id"]]
    assert len(sent) == 1 and sent[0]["op_id"] != fast["op_id"]
    assert abs(int(sent[0]["hlc"][:13]) - time.time() * 1000) < 5 * 60000
