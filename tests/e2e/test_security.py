"""The phone's data protection: wrong unlocks wipe, idle lock (drafts survive), remote
wipe of a revoked device, logout refused while changes are unsynced, WebAuthn PRF."""
from __future__ import annotations

from e2e_helpers import (
    PASSPHRASE,
    add_fingerprint_authenticator,
    info,
    login,
    login_and_setup,
    open_citizen,
    sync_now,
    unlock,
    wait_for_sw,
    wait_mode,
    wait_synced,
)
from playwright.sync_api import expect

COUNT_RECORDS = """async () => {
  const names = (await indexedDB.databases()).map(d => d.name);
  if (!names.includes('brobygger')) return {exists: false, records: 0, outbox: 0};
  const db = await new Promise((res, rej) => { const r = indexedDB.open('brobygger'); r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); });
  const count = (s) => db.objectStoreNames.contains(s)
    ? new Promise((res) => { const q = db.transaction(s).objectStore(s).count(); q.onsuccess = () => res(q.result); }) : Promise.resolve(0);
  const out = {exists: true, records: await count('records'), outbox: await count('outbox'), keyslot: false};
  if (db.objectStoreNames.contains('meta')) out.keyslot = await new Promise((res) => { const q = db.transaction('meta').objectStore('meta').get('keyslot'); q.onsuccess = () => res(!!q.result); });
  db.close();
  return out;
}"""


def test_wrong_unlocks_wipe_the_phone(server, new_context):
    page = new_context().new_page()
    login_and_setup(page, server.url, "behandler")
    assert page.evaluate(COUNT_RECORDS)["records"] > 0
    page.evaluate("() => window.__brobygger.lock()")
    for remaining in (4, 3, 2, 1):
        page.locator("#unlock-form [name=passphrase]").fill("forkert gæt nummer x")
        page.locator("#unlock-submit").click()
        expect(page.locator(".form-error")).to_contain_text(f"{remaining} forsøg tilbage")
    page.locator("#unlock-form [name=passphrase]").fill("forkert gæt nummer x")
    page.locator("#unlock-submit").click()
    expect(page.get_by_role("heading", name="Log ind")).to_be_visible()
    expect(page.get_by_text("For mange forkerte forsøg")).to_be_visible()
    state = page.evaluate(COUNT_RECORDS)
    assert state["records"] == 0 and state["outbox"] == 0 and not state["keyslot"]


def test_idle_lock_drops_the_key_and_keeps_the_draft(server, new_context):
    page = new_context().new_page()
    login_and_setup(page, server.url, "behandler")
    code = page.evaluate("() => [...window.__brobygger.store.state.summary.values()][0].code")
    open_citizen(page, code)
    page.get_by_role("link", name="Log kontakt").click()
    page.evaluate("() => window.__brobygger.setIdleSeconds(2)")
    page.get_by_label("Kort note").fill("Halvt skrevet note før låsning")
    wait_mode(page, "unlock", timeout=10000)
    assert page.evaluate("() => window.__brobygger.info().unlocked") is False
    assert page.evaluate("() => window.__brobygger.store.state.summary.size") == 0
    unlock(page)
    page.evaluate("() => window.__brobygger.setIdleSeconds(300)")
    expect(page.get_by_text("Din kladde er gendannet")).to_be_visible()
    expect(page.get_by_label("Kort note")).to_have_value("Halvt skrevet note før låsning")
    # The draft survives a reload too (stored encrypted, not only in memory).
    page.reload()
    unlock(page)
    expect(page.get_by_label("Kort note")).to_have_value("Halvt skrevet note før låsning")


def test_revoked_device_is_wiped_on_next_sync(server, new_context):
    page = new_context().new_page()
    login_and_setup(page, server.url, "behandler2")
    device_id = page.evaluate("() => window.__brobygger.store.state.deviceId")
    admin = server.api("admin")
    response = admin.post(f"/api/devices/{device_id}/revoke")
    assert response.status_code == 200, response.text
    sync_now(page)
    # Revoking also ends the device's server session, but a pull naming a revoked device
    # still answers `device_revoked`: the phone wipes itself without anyone logging in.
    expect(page.get_by_role("heading", name="Log ind")).to_be_visible(timeout=15000)
    expect(page.get_by_text("spærret af en administrator")).to_be_visible()
    state = page.evaluate(COUNT_RECORDS)
    assert state["records"] == 0 and not state["keyslot"]


def test_logout_is_refused_while_changes_are_unsynced(server, new_context):
    context = new_context()
    page = context.new_page()
    login_and_setup(page, server.url, "projektleder")
    context.set_offline(True)
    page.goto(server.url + "/#/ny-borger")
    page.locator("#citizen-form [name=initials]").fill("LO")
    page.get_by_role("button", name="Opret borger").click()
    expect(page.locator("#sync-badge")).to_contain_text("2 ændringer venter")
    page.goto(server.url + "/#/synk")
    page.get_by_role("button", name="Log ud og slet data på telefonen").click()
    expect(page.locator("#settings-msg")).to_contain_text("Du kan ikke logge ud endnu: 2 ændringer er ikke sendt")
    assert page.evaluate(COUNT_RECORDS)["outbox"] == 2
    context.set_offline(False)
    wait_synced(page)
    page.get_by_role("button", name="Log ud og slet data på telefonen").click()
    expect(page.get_by_text("Du er logget ud. Alle data er slettet fra telefonen.")).to_be_visible()
    state = page.evaluate(COUNT_RECORDS)
    assert state["records"] == 0 and state["outbox"] == 0 and not state["keyslot"]
    assert page.evaluate("async () => (await caches.keys()).length") == 0


def test_webauthn_prf_protects_and_unlocks(server, new_context):
    context = new_context()
    page = context.new_page()
    add_fingerprint_authenticator(context, page)
    login(page, server.url, "behandler")
    page.get_by_role("button", name="Brug fingeraftryk eller ansigt").click()
    wait_mode(page, "app")
    wait_for_sw(page)
    wait_synced(page)
    slot = page.evaluate("async () => (await window.__brobygger.store.keyslot()).method")
    assert slot == "prf"
    citizens = info(page)["citizens"]
    page.reload()
    expect(page.get_by_role("heading", name="Lås op")).to_be_visible()
    page.get_by_role("button", name="Lås op med fingeraftryk eller ansigt").click()
    wait_mode(page, "app")
    assert info(page)["citizens"] == citizens
    assert PASSPHRASE  # the passphrase path is covered by every other test


def test_titles_notices_and_the_lock_screen_never_name_the_citizen(server, new_context):
    page = new_context().new_page()
    login_and_setup(page, server.url, "behandler")
    citizen = page.evaluate("() => [...window.__brobygger.store.state.summary.values()].find(r => r.course_id)")
    open_citizen(page, citizen["code"])
    # Titles end up in the browser's history and session files: fixed text per screen.
    base = f"{server.url}/#/borger/{citizen['id']}"
    for path, title in [("", "Borger"), ("/kontakt", "Log kontakt"), ("/fase", "Skift fase"), ("/samtykke", "Registrér samtykke")]:
        page.goto(base + path)
        expect(page).to_have_title(f"{title} – Brobygger")
        assert citizen["initials"] not in page.title() and citizen["code"] not in page.title()

    page.goto(server.url + "/#/ny-borger")
    code = page.locator("#citizen-form [name=code]").input_value()
    page.locator("#citizen-form [name=initials]").fill("QX")
    page.get_by_role("button", name="Opret borger").click()
    notice = page.get_by_role("status").filter(has_text="Borgeren er oprettet.")
    expect(notice).to_be_visible()
    assert "QX" not in notice.inner_text() and code not in notice.inner_text()
    expect(page).to_have_title("Borger – Brobygger")

    page.evaluate("() => window.__brobygger.lock()")
    wait_mode(page, "unlock")
    expect(page).to_have_title("Lås op – Brobygger")
    shown = page.locator("body").inner_text()
    assert "QX" not in shown and code not in shown and "oprettet" not in shown
    unlock(page)
    expect(page.get_by_text("Borgeren er oprettet.")).to_have_count(0)

    # The search text is dropped at the lock too.
    page.goto(server.url + "/#/")
    page.get_by_label("Søg på initialer eller kode").fill("QX")
    page.evaluate("() => window.__brobygger.lock()")
    unlock(page)
    expect(page.get_by_label("Søg på initialer eller kode")).to_have_value("")


def test_one_window_at_a_time_and_logout_warns_about_drafts(server, new_context):
    context = new_context()
    first = context.new_page()
    login_and_setup(first, server.url, "behandler")
    code = first.evaluate("() => [...window.__brobygger.store.state.summary.values()][0].code")
    open_citizen(first, code)
    first.get_by_role("link", name="Log kontakt").click()
    first.get_by_label("Kort note").fill("Kladde, der ikke er gemt")
    first.wait_for_timeout(600)  # autosaved (encrypted) after 250 ms

    second = context.new_page()
    second.goto(server.url + "/")
    expect(second.get_by_role("heading", name="Brobygger er åben i et andet vindue")).to_be_visible()
    assert info(second)["mode"] == "elsewhere"
    first.close()
    unlock(second)  # the second window starts by itself once the first one is closed

    second.goto(server.url + "/#/synk")
    second.get_by_role("button", name="Log ud og slet data på telefonen").click()
    expect(second.locator("#settings-msg")).to_contain_text("Du har en kladde, som ikke er gemt")
    assert second.evaluate(COUNT_RECORDS)["keyslot"]
    second.get_by_role("button", name="Log ud og slet data på telefonen").click()
    expect(second.get_by_text("Du er logget ud. Alle data er slettet fra telefonen.")).to_be_visible()
    assert not second.evaluate(COUNT_RECORDS)["keyslot"]
