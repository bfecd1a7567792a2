"""Read routes over the snapshots: filters, and the one web form (POST /api/leads)."""
from __future__ import annotations

import uuid


async def test_phase_and_search_filters(app, client, login):
    await login(client, "behandler")
    counts = {}
    for phase in ("phase_1", "phase_2", "phase_3"):
        body = (await client.get("/api/citizens", params={"phase": phase})).json()
        assert all(c["phase"] == phase for c in body["citizens"])
        counts[phase] = body["total"]
    assert counts == {"phase_1": 13, "phase_2": 21, "phase_3": 6}  # the demo's fixed spread
    found = (await client.get("/api/citizens", params={"q": "bro-00"})).json()["citizens"]
    assert [c["code"] for c in found] == [f"BRO-00{n}" for n in range(1, 10)]
    bad = await client.get("/api/citizens", params={"phase": "fase_9"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "phase"


async def test_citizen_detail_has_its_records(app, client, login):
    await login(client, "behandler")
    first = (await client.get("/api/citizens", params={"q": "BRO-001"})).json()["citizens"][0]
    body = (await client.get(f"/api/citizens/{first['id']}")).json()
    assert body["citizen"]["fields"]["code"] == "BRO-001"
    assert len(body["courses"]) == 1 and body["contacts"]
    assert all(c["fields"]["citizen_id"] == first["id"] for c in body["contacts"])


async def test_a_volunteer_notes_a_lead_on_the_web(app, client_for, login):
    volunteer = client_for(app)
    me = await login(volunteer, "frivillig")
    lead_id = str(uuid.uuid4())
    body = {"id": lead_id, "seen_on": "2026-03-01", "place_type": "vaerested", "area": "Havnen", "age_band": "33_49", "concerns": ["housing", "drug_use"]}
    created = await volunteer.post("/api/leads", json=body)
    assert created.status_code == 201, created.text
    lead = created.json()["lead"]
    assert lead["id"] == lead_id and lead["fields"]["org_id"] == me["organisation_id"]
    assert lead["fields"]["concerns"] == ["drug_use", "housing"]
    again = await volunteer.post("/api/leads", json=body)
    assert again.status_code == 200 and again.json()["lead"]["id"] == lead_id

    worker = client_for(app)
    await login(worker, "behandler")
    assert (await worker.get(f"/api/leads/{lead_id}")).status_code == 200

    wrong = await volunteer.post("/api/leads", json={**body, "id": None, "place_type": "slottet"})
    assert wrong.status_code == 422
    assert wrong.json()["error"]["field"] == "place_type"
    missing = await volunteer.post("/api/leads", json={"place_type": "street"})
    assert missing.status_code == 422 and missing.json()["error"]["field"] == "seen_on"
