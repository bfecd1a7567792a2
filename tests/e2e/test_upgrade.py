"""Updates never strand data: a new app version (new service worker, IndexedDB version
bumped by one) installs over a store that holds unsynced changes; after the update the
outbox and the records are all there, the upgrade ran, and the changes still sync."""
from __future__ import annotations

from e2e_helpers import build_pwa, login_and_setup, server_ops, sync_now, unlock, wait_synced
from playwright.sync_api import expect


def test_service_worker_and_store_upgrade_keeps_pending_changes(server, new_context):
    context = new_context()
    page = context.new_page()
    login_and_setup(page, server.url, "behandler")
    before_version = page.evaluate("() => new Promise(r => { const q = indexedDB.open('brobygger'); q.onsuccess = () => { r(q.result.version); q.result.close(); }; })")

    # The server is unreachable for the API (static files still load): changes stay pending.
    context.route("**/api/**", lambda route: route.abort())
    page.goto(server.url + "/#/ny-borger")
    page.locator("#citizen-form [name=initials]").fill("UP")
    page.get_by_role("button", name="Opret borger").click()
    expect(page.locator("#sync-badge")).to_contain_text("2 ændringer venter")
    pending_ids = sorted(page.evaluate("() => window.__brobygger.store.state.outbox.map(e => e.op.op_id)"))
    citizens = page.evaluate("() => window.__brobygger.store.state.summary.size")
    assert page.evaluate("() => document.documentElement.dataset.build") == "base"

    # Deploy version 2: a changed sw.js and app, IndexedDB version + 1.
    build_pwa(server.dist, "--db-version", str(before_version + 1), "--tag", "v2")
    page.evaluate("async () => { const reg = await navigator.serviceWorker.getRegistration(); await reg.update(); }")
    expect(page.get_by_text("En ny version af appen er klar")).to_be_visible(timeout=30000)
    page.get_by_role("button", name="Opdater nu").click()
    page.wait_for_function("() => document.documentElement.dataset.build === 'v2'", timeout=30000)
    unlock(page)

    after = page.evaluate(
        """() => new Promise(r => { const q = indexedDB.open('brobygger'); q.onsuccess = () => {
             const db = q.result; const t = db.transaction('meta').objectStore('meta').get('schema_log');
             t.onsuccess = () => { r({version: db.version, log: t.result}); db.close(); }; }; })"""
    )
    assert after["version"] == before_version + 1
    assert {"from": before_version, "to": before_version + 1}.items() <= after["log"][-1].items()
    assert sorted(page.evaluate("() => window.__brobygger.store.state.outbox.map(e => e.op.op_id)")) == pending_ids
    assert page.evaluate("() => window.__brobygger.store.state.summary.size") == citizens
    expect(page.locator("#sync-badge")).to_contain_text("2 ændringer venter")

    # The server is reachable again: the changes made before the update arrive.
    context.unroute("**/api/**")
    sync_now(page)
    wait_synced(page)
    stored = {op["op_id"] for op in server_ops(server.db_path)}
    assert set(pending_ids) <= stored
