"""A volunteer never learns which citizen their lead became (defect 3 of the attacker's
review): nothing a partner receives ties a lead to a citizen — no field, no shared
sequence number, no ordering in the stream.

The behandler links the volunteer's lead to a citizen, sets its outcome and records the
citizen's consent to share with the volunteer's organisation, all in one push (the
worst case: one transaction). The volunteer then pulls, from scratch and incrementally.
"""
from __future__ import annotations

import uuid

from support import hlc_now, register_device, sql_rows

from server import demo
from sync.ops import consent_record_id


def _op(device, entity, record_id, kind, value=None, field=None, counter=0):
    return {"op_id": str(uuid.uuid4()), "device_id": device, "hlc": hlc_now(device, counter), "entity": entity,
            "record_id": record_id, "kind": kind, "field": field, "value": value, "seen": []}


async def _pull_pages(client, device, cursor=0):
    pages = []
    while True:
        page = (await client.get("/api/sync/pull", params={"cursor": cursor, "limit": 1000, "device_id": device})).json()
        pages.append(page)
        cursor = page["next_cursor"]
        if not page["has_more"]:
            return pages, cursor


async def test_the_partner_never_receives_the_link_between_its_lead_and_the_citizen(app, client_for, login):
    volunteer, worker = client_for(app), client_for(app)
    await login(volunteer, "frivillig")
    await login(worker, "behandler")
    v_device, w_device = await register_device(volunteer), await register_device(worker)
    lead = str(uuid.uuid4())
    created = await volunteer.post("/api/sync/push", json={"device_id": v_device, "ops": [
        _op(v_device, "lead", lead, "create", {"org_id": demo.HAVNEN_ID, "seen_on": "2026-03-02", "place_type": "vaerested"})]})
    assert created.json()["results"][0]["status"] == "accepted"
    _, cursor = await _pull_pages(volunteer, v_device)

    citizen = str(uuid.uuid4())
    consent = consent_record_id(citizen, "share_with_partner", demo.HAVNEN_ID)
    state = {"action": "grant", "form": "written", "given_by": "citizen", "date": "2026-03-05"}
    ops = [
        _op(w_device, "citizen", citizen, "create", {"code": "LNK-0001", "team_id": demo.TEAM_ID, "initials": "LK"}, counter=1),
        _op(w_device, "lead", lead, "set", citizen, "citizen_id", counter=2),
        _op(w_device, "lead", lead, "set", "in_contact", "outcome", counter=3),
        _op(w_device, "consent", consent, "create",
            {"citizen_id": citizen, "purpose": "share_with_partner", "recipient_org_id": demo.HAVNEN_ID, "state": state}, counter=4),
    ]
    pushed = await worker.post("/api/sync/push", json={"device_id": w_device, "ops": ops})
    assert [r["status"] for r in pushed.json()["results"]] == ["accepted"] * 4

    for start in (0, cursor):  # a new phone, and the phone that was up to date
        pages, _ = await _pull_pages(volunteer, v_device, start)
        streamed = [r for page in pages for r in page["records"]]
        assert all(r["entity"] != "lead" for r in streamed), "a lead travelled in the cursor stream"
        assert citizen in {r["id"] for r in streamed}, "the consenting citizen appears like any other"
        [as_set] = [page["leads"] for page in pages if not page["has_more"]]
        mine = next(item for item in as_set if item["id"] == lead)
        assert "seq" not in mine and "citizen_id" not in mine["fields"] and "outcome" not in mine["fields"]
        assert mine["stage"] == "in_contact"
        text = str(pages)
        assert lead not in str(streamed) and citizen not in str(as_set)
        assert text.count(lead) == sum(str(item).count(lead) for item in as_set)
    # The server still knows the link (the behandler's view).
    assert sql_rows(app, "select citizen_id from lead where id = ?", lead) == [(citizen,)]
