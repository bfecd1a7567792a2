"""Read routes over the snapshots: filters, and the one web form (POST /api/leads)."""
from __future__ import annotations

import uuid

from support import pull_all, register_device

from sync.derive import citizen_status

CHILDREN = {"course": "courses", "contact": "contacts", "consent": "consents", "form_response": "form_responses"}


async def _all_citizens(client, limit: int = 1000, **params) -> list[dict]:
    """Every citizen the list shows (all pages, following `next`)."""
    first = (await client.get("/api/citizens", params={**params, "limit": limit})).json()
    citizens, token, total = first["citizens"], first["next"], first["total"]
    while token is not None:
        body = (await client.get("/api/citizens", params={**params, "limit": limit, "after": token})).json()
        assert body["total"] is None  # counted on the first page only
        citizens += body["citizens"]
        token = body["next"]
    assert len(citizens) == total
    return citizens


async def test_the_citizen_list_pages_by_code_without_gaps_or_repeats(app, client, login):
    await login(client, "projektleder")
    whole = await _all_citizens(client)
    paged = await _all_citizens(client, limit=7)
    assert [c["id"] for c in paged] == [c["id"] for c in whole]
    assert [(c["code"], c["id"]) for c in whole] == sorted((c["code"], c["id"]) for c in whole)
    bad = await client.get("/api/citizens", params={"after": "bm90LWEtY3Vyc29y"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "after"


async def test_the_lead_list_pages_newest_first(app, client, login):
    await login(client, "projektleder")
    whole = (await client.get("/api/leads", params={"limit": 2000})).json()["leads"]
    paged, token = [], None
    while True:
        body = (await client.get("/api/leads", params={"limit": 3, **({"after": token} if token else {})})).json()
        paged += body["leads"]
        token = body["next"]
        if token is None:
            break
    assert [lead["id"] for lead in paged] == [lead["id"] for lead in whole] and len(whole) > 3
    keys = [(lead["fields"]["seen_on"], lead["id"]) for lead in whole]
    assert keys == sorted(keys, reverse=True)


async def _seen_by(client) -> dict[str, dict]:
    """Every record the client's user may see, pulled through a new device."""
    return await pull_all(client, await register_device(client))


async def test_phase_and_search_filters(app, client, login):
    await login(client, "behandler")
    records = await _seen_by(client)
    courses: dict[str, list[dict]] = {}
    for record in records.values():
        if record["entity"] == "course":
            courses.setdefault(record["fields"]["citizen_id"], []).append(record)
    listed = [r for r in records.values() if r["entity"] == "citizen" and not r["archived"]]
    phase_of = {c["id"]: citizen_status(courses.get(c["id"], []))["phase"] for c in listed}
    counts = {}
    for phase in ("phase_1", "phase_2", "phase_3"):
        body = (await client.get("/api/citizens", params={"phase": phase, "limit": 1000})).json()
        assert all(c["phase"] == phase for c in body["citizens"])
        assert {c["id"] for c in body["citizens"]} == {cid for cid, p in phase_of.items() if p == phase}
        counts[phase] = body["total"]
    assert counts == {phase: list(phase_of.values()).count(phase) for phase in counts}  # the phases of their courses
    assert all(counts.values()), counts  # every phase has citizens: each filter is exercised

    # Search: case-insensitive, in code and initials, sorted by code. The term is a prefix of
    # a real code, lower-cased, so that it matches several citizens whatever the demo holds.
    everyone = await _all_citizens(client)
    assert {c["id"] for c in everyone} == set(phase_of)
    codes = sorted(c["code"] for c in everyone)
    needle = codes[0][:-1].lower()
    matches = [c for c in everyone if any(needle in (c[name] or "").lower() for name in ("code", "initials"))]
    wanted = sorted(matches, key=lambda c: (c["code"] or "", c["id"]))
    found = (await client.get("/api/citizens", params={"q": needle, "limit": 1000})).json()["citizens"]
    assert [c["code"] for c in found] == [c["code"] for c in wanted] and len(found) > 1
    bad = await client.get("/api/citizens", params={"phase": "fase_9"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "phase"


async def test_citizen_detail_has_its_records(app, client, login):
    await login(client, "behandler")
    records = await _seen_by(client)
    children: dict[str, dict[str, set[str]]] = {}
    for record in records.values():
        if record["entity"] in CHILDREN:
            of_citizen = children.setdefault(record["fields"]["citizen_id"], {})
            of_citizen.setdefault(CHILDREN[record["entity"]], set()).add(record["id"])
    # A citizen with a course and contacts (the first such in the list).
    first = next(c for c in await _all_citizens(client) if {"courses", "contacts"} <= set(children.get(c["id"], {})))
    body = (await client.get(f"/api/citizens/{first['id']}")).json()
    assert body["citizen"]["fields"]["code"] == first["code"]
    for key in CHILDREN.values():
        assert {r["id"] for r in body[key]} == children[first["id"]].get(key, set()), key
        assert all(r["fields"]["citizen_id"] == first["id"] for r in body[key])
    assert body["courses"] and body["contacts"]


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
