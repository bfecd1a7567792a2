"""A volunteer's phone shows where its leads are, in plain Danish, after the next sync —
from the whole set of its leads the server sends (no sequence numbers, no citizen)."""
from __future__ import annotations

from e2e_helpers import api_device, api_push, login_and_setup, sync_now, wait_synced
from playwright.sync_api import expect

from server import demo


def test_the_volunteer_sees_the_stage_of_its_lead_change(server, new_context):
    worker = server.api("behandler")
    leads = worker.get("/api/leads").json()["leads"]
    lead = next(l for l in leads if l["fields"]["org_id"] == demo.HAVNEN_ID and l["stage"] == "received")
    page = new_context().new_page()
    login_and_setup(page, server.url, "frivillig")
    stored = page.evaluate("(id) => window.__brobygger.store.state.leads.get(id)?.stage", lead["id"])
    assert stored == "received"
    api_push(worker, api_device(worker), {"entity": "lead", "record_id": lead["id"], "kind": "set", "field": "outcome",
                                          "value": "searching"})
    sync_now(page)
    wait_synced(page)
    page.goto(server.url + "/#/")
    expect(page.get_by_text("Status: En behandler har taget den").first).to_be_visible()
    snapshot = page.evaluate("(id) => window.__brobygger.store.state.leads.get(id)", lead["id"])
    assert snapshot["stage"] == "claimed" and "seq" not in snapshot and "citizen_id" not in snapshot["fields"]
