"""The first sync of a phone shows how far it has come: a progress bar with the records
fetched out of the records in scope (the server's `remaining`), gone when it is done."""
from __future__ import annotations

import uuid

from e2e_helpers import TEST_HOOKS, login, server_records, setup_passphrase, wait_synced
from playwright.sync_api import expect
from support.hlc import hlc_now

EXTRA_CITIZENS = 700  # more than one pull page (500) with the demo data

# The second pull request waits until the test calls window.__releasePull().
HOLD_SECOND_PULL = """
window.__pulls = 0;
const realFetch = window.fetch;
const released = new Promise((resolve) => { window.__releasePull = resolve; });
window.fetch = async (url, init) => {
  if (String(url).startsWith('/api/sync/pull') && ++window.__pulls === 2) await released;
  return realFetch(url, init);
};
"""


def _seed_citizens(api, count: int) -> int:
    """Create `count` citizens through the push endpoint; returns how many records the user sees."""
    device_id = str(uuid.uuid4())
    assert api.post("/api/devices", json={"name": "Kontorets pc", "device_id": device_id}).status_code in (200, 201)
    team_id = next(r["fields"]["team_id"] for r in server_records(api).values() if r["entity"] == "citizen")
    ops = []
    for i in range(count):
        ops.append(
            {
                "op_id": str(uuid.uuid4()),
                "device_id": device_id,
                "hlc": hlc_now(device_id, i),
                "entity": "citizen",
                "record_id": str(uuid.uuid4()),
                "kind": "create",
                "field": None,
                "value": {"code": f"FST-{i:04d}", "team_id": team_id, "initials": "FS", "sex": "female", "birth_year": 1990},
                "seen": [],
            }
        )
    for start in range(0, count, 500):
        results = api.post("/api/sync/push", json={"device_id": device_id, "ops": ops[start : start + 500]}).json()["results"]
        assert {r["status"] for r in results} == {"accepted"}, results[:3]
    return len(server_records(api))


def test_first_sync_shows_determinate_progress(server, new_context):
    total = _seed_citizens(server.api("behandler"), EXTRA_CITIZENS)
    assert total > 500

    context = new_context()
    context.add_init_script(TEST_HOOKS + HOLD_SECOND_PULL)
    page = context.new_page()
    login(page, server.url, "behandler")
    setup_passphrase(page)

    # First page applied, second page held back: the bar shows part of all records.
    bar = page.locator(".syncbadge progress")
    expect(bar).to_have_attribute("max", str(total))
    fetched = page.evaluate("() => document.querySelector('.syncbadge progress').value")
    assert 0 < fetched < total
    assert bar.get_attribute("aria-label") == f"Første synkronisering: {fetched} af {total} poster hentet"
    expect(page.locator("#sync-badge")).to_have_text("Henter data …")

    page.evaluate("() => window.__releasePull()")
    wait_synced(page)
    expect(page.locator(".syncbadge progress")).to_have_count(0)
    assert page.evaluate("() => window.__brobygger.store.state.summary.size") == sum(
        1 for r in server_records(server.api("behandler")).values() if r["entity"] == "citizen"
    )
