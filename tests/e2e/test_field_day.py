"""The field day (issue #4): offline contact, phase change with behandlingsplan, oral
consent and a new citizen; close and reopen offline; back online everything syncs by
itself and the server has every op exactly once. Also: no plaintext in IndexedDB."""
from __future__ import annotations

import re
import uuid

from e2e_helpers import (
    info,
    log_contact,
    login_and_setup,
    open_citizen,
    server_ops,
    server_records,
    sync_now,
    unlock,
    wait_synced,
)
from playwright.sync_api import expect
from support.hlc import hlc_now

HAVNEN = "33333333-3333-4333-8333-333333333333"
NOTE = "Mødt i opgangen, vil gerne ses igen på torsdag"


def _phase1_citizen(page) -> dict:
    return page.evaluate(
        "() => [...window.__brobygger.store.state.summary.values()].filter(r => r.phase === 'phase_1' && !r.conflicts.length)"
        ".sort((a, b) => a.code.localeCompare(b.code))[0]"
    )


def test_offline_day_syncs_everything_exactly_once(server, new_context):
    context = new_context()
    page = context.new_page()
    login_and_setup(page, server.url, "behandler")
    citizen = _phase1_citizen(page)
    assert citizen, "demo data has a citizen in phase 1"

    context.set_offline(True)

    # Find the citizen by code and log a contact: tap the row, "Log kontakt", type, "Gem".
    open_citizen(page, citizen["code"])
    log_contact(page, NOTE)
    expect(page.get_by_text(NOTE)).to_be_visible()

    # A contact logged by mistake is voided (append-only: it stays, struck through).
    log_contact(page, "Forkert borger")
    wrong = page.locator("ol.timeline li").filter(has_text="Forkert borger")
    wrong.get_by_role("button", name="Annullér").click()
    wrong.get_by_role("button", name="Bekræft: annullér kontakten").click()
    expect(page.locator("ol.timeline li.voided")).to_contain_text("Annulleret: Registreret ved en fejl")

    # Phase 1 → 2 with the behandlingsplan date.
    page.get_by_role("link", name="Skift fase").click()
    page.get_by_label("Fase 2 – Fremskudt behandling").check()
    page.locator("#phase-form [name=plan_date]").fill("2026-11-20")
    page.get_by_role("button", name="Gem fase").click()
    expect(page.locator("main .big")).to_contain_text("Fase 2 – Fremskudt behandling")
    expect(page.get_by_text("20.11.2026")).to_be_visible()

    # Oral consent to share with Værestedet Havnen.
    page.get_by_role("link", name="Registrér samtykke").click()
    page.locator("#consent-form [name=recipient_org_id]").select_option(HAVNEN)
    page.get_by_role("button", name="Gem samtykke").click()
    expect(page.get_by_text("Samtykket er registreret (Værestedet Havnen).")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Givet mundtligt")

    # A brand-new citizen.
    page.goto(server.url + "/#/ny-borger")
    page.locator("#citizen-form [name=initials]").fill("QZ")
    new_code = page.locator("#citizen-form [name=code]").input_value()
    assert re.fullmatch(r"BRO-[A-Z2-9]{4}", new_code)
    page.get_by_role("button", name="Opret borger").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(new_code)

    pending = info(page)["pending"]
    assert pending >= 5
    expect(page.locator("#sync-badge")).to_contain_text(f"{pending} ændringer venter")
    op_ids = page.evaluate("() => window.__brobygger.store.state.outbox.map(e => e.op.op_id)")
    device_id = page.evaluate("() => window.__brobygger.store.state.deviceId")

    # Close the app; reopen later, still offline: a cold start from the service worker.
    page.close()
    page = context.new_page()
    page.goto(server.url + "/")
    unlock(page)
    assert info(page)["pending"] == pending
    open_citizen(page, citizen["code"])
    expect(page.get_by_text(NOTE)).to_be_visible()
    expect(page.locator("main .big")).to_contain_text("Fase 2 – Fremskudt behandling")
    expect(page.locator("main")).to_contain_text("Værestedet Havnen")
    page.reload()
    unlock(page)
    open_citizen(page, new_code)
    expect(page.get_by_role("heading", level=1)).to_contain_text("QZ")

    # Back in signal: it syncs by itself (the `online` event), the badge clears.
    context.set_offline(False)
    wait_synced(page)
    expect(page.locator("#sync-badge")).to_have_text("Alt er sendt")

    ops = server_ops(server.db_path)
    from_device = [op for op in ops if op["device_id"] == device_id]
    assert sorted(op["op_id"] for op in from_device) == sorted(op_ids)
    assert len({op["op_id"] for op in ops}) == len(ops)

    # The server's state agrees (read through the API as the same user).
    records = server_records(server.api("behandler"))
    mine = [r for r in records.values() if r["fields"].get("citizen_id") == citizen["id"]]
    course = next(r for r in mine if r["entity"] == "course")
    assert course["fields"]["phase"]["phase"] == "phase_2"
    assert course["fields"]["plan_date"] == "2026-11-20"
    assert any(r["entity"] == "contact" and r["fields"].get("note") == NOTE and not r["voided"] for r in mine)
    assert any(r["entity"] == "contact" and r["fields"].get("note") == "Forkert borger" and r["voided"] for r in mine)
    consent = next(r for r in mine if r["entity"] == "consent" and r["fields"]["recipient_org_id"] == HAVNEN)
    assert consent["fields"]["state"]["form"] == "oral" and consent["fields"]["granted"]
    assert any(r["entity"] == "citizen" and r["fields"]["code"] == new_code for r in records.values())

    # Syncing again sends nothing new.
    sync_now(page)
    wait_synced(page)
    assert len(server_ops(server.db_path)) == len(ops)


def _register_device(api) -> str:
    response = api.post("/api/devices", json={"name": "e2e-api"})
    assert response.status_code in (200, 201), response.text
    return response.json()["device_id"]


def _op(device_id, entity, record_id, kind, field=None, value=None, seen=()):
    return {
        "op_id": str(uuid.uuid4()),
        "device_id": device_id,
        "hlc": hlc_now(device_id),
        "entity": entity,
        "record_id": record_id,
        "kind": kind,
        "field": field,
        "value": value,
        "seen": list(seen),
    }


DUMP_IDB = """async () => {
  const open = () => new Promise((res, rej) => { const r = indexedDB.open('brobygger'); r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); });
  const db = await open();
  const strings = [], binaries = [];
  const walk = (v) => {
    if (v === null || v === undefined) return;
    if (typeof v === 'string') { strings.push(v); return; }
    if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) {
      const bytes = new Uint8Array(v.buffer ? v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength) : v);
      let s = ''; for (const b of bytes) s += String.fromCharCode(b);
      binaries.push(s); return;
    }
    if (typeof v === 'object') for (const k of Object.keys(v)) { strings.push(k); walk(v[k]); }
  };
  for (const name of db.objectStoreNames) {
    const all = await new Promise((res) => { const tx = db.transaction(name); const st = tx.objectStore(name);
      const out = []; st.openCursor().onsuccess = (e) => { const c = e.target.result; if (!c) return res(out); out.push([c.key, c.value]); c.continue(); }; });
    for (const [k, v] of all) { walk(k); walk(v); }
  }
  db.close();
  return {strings, binaries, stores: [...db.objectStoreNames]};
}"""


def test_indexeddb_holds_no_plaintext(server, new_context):
    api = server.api("behandler")
    api_device = _register_device(api)
    context = new_context()
    page = context.new_page()
    login_and_setup(page, server.url, "behandler")
    target = page.evaluate("() => [...window.__brobygger.store.state.summary.values()][0]")
    cpr, phone, address = "0101904321", "+45 22 33 44 55", "Kælderen under trappen, Havnegade 7"
    pushed = api.post(
        "/api/sync/push",
        json={
            "device_id": api_device,
            "ops": [
                _op(api_device, "citizen", target["id"], "set", "cpr", cpr),
                _op(api_device, "citizen", target["id"], "set", "phone", phone),
                _op(api_device, "citizen", target["id"], "set", "address_note", address),
            ],
        },
    ).json()
    assert all(r["status"] == "accepted" for r in pushed["results"]), pushed

    # A new citizen with a name, and a contact note, typed on the phone.
    page.goto(server.url + "/#/ny-borger")
    page.locator("#citizen-form [name=initials]").fill("XWQ")
    page.locator("#citizen-form [name=name]").fill("Zebulon Quistgaard")
    page.get_by_role("button", name="Opret borger").click()
    log_contact(page, "Hemmelig note om Zebulon")
    # A draft left half-typed (drafts are encrypted too).
    page.get_by_role("link", name="Log kontakt").click()
    page.get_by_label("Kort note").fill("Kladde med følsomt indhold")
    page.wait_for_timeout(600)
    sync_now(page)
    wait_synced(page)

    # Every identifying value this phone knows, read from the decrypted working set.
    secrets = page.evaluate(
        """async () => {
          const s = window.__brobygger.store; const out = new Set();
          for (const row of s.state.summary.values()) {
            const views = await s.citizenViews(row.id);
            for (const v of views) for (const k of ['initials', 'name', 'cpr', 'phone', 'address_note', 'note'])
              if (typeof v.fields[k] === 'string' && v.fields[k]) out.add(v.fields[k]);
          }
          return [...out];
        }"""
    )
    for value in (cpr, phone, address, "Zebulon Quistgaard", "XWQ", "Hemmelig note om Zebulon"):
        assert value in secrets
    secrets.append("Kladde med følsomt indhold")

    dump = page.evaluate(DUMP_IDB)
    assert {"records", "outbox", "drafts", "meta"} <= set(dump["stores"])
    assert dump["binaries"], "ciphertexts are stored as bytes"
    clear_text = "\n".join(dump["strings"])
    raw = "\n".join(dump["binaries"])
    for secret in secrets:
        assert secret not in clear_text, f"plaintext {secret!r} in IndexedDB"
        if len(secret) >= 6:  # shorter strings occur in random ciphertext by chance
            assert secret not in raw
            assert secret.encode().decode("latin-1") not in raw
