"""Regression tests for the push path's security review: revocation, re-created records,
hostile JSON, oversized ops, cross-municipality oracles, and what partners see."""
from __future__ import annotations

import json
import uuid

import httpx
from starlette.responses import PlainTextResponse
from support import hlc_now, register_device, sql
from support.world import M2_TEAM

from server import demo
from server.core.errors import CatchAll
from server.core.headers import SecurityHeaders
from sync import hlc


def _op(device: str, entity: str, record_id: str, kind: str, value=None, field=None, seen=()) -> dict:
    return {
        "op_id": str(uuid.uuid4()), "device_id": device, "hlc": hlc_now(device), "entity": entity,
        "record_id": record_id, "kind": kind, "field": field, "value": value, "seen": list(seen),
    }


async def _phone(world, username: str) -> tuple[httpx.AsyncClient, str]:
    client = world.client(username)
    return client, await register_device(client, "Telefon")


async def _push(client, device: str, ops: list) -> list[dict]:
    response = await client.post("/api/sync/push", json={"device_id": device, "ops": ops})
    assert response.status_code == 200, response.text
    return response.json()["results"]


async def test_a_revoked_phones_session_only_hands_in_its_changes(world):
    phone, device = await _phone(world, "behandler")
    assert (await phone.get("/api/citizens")).status_code == 200
    assert (await world.client("admin").post(f"/api/devices/{device}/revoke")).status_code == 200
    for response in (await phone.get("/api/citizens"), await phone.get("/api/sync/pull", params={"cursor": 0})):
        assert response.status_code == 403 and response.json()["error"]["code"] == "device_revoked"
    pending = _op(device, "citizen", str(uuid.uuid4()), "create", {"code": "SEC-0009", "team_id": demo.TEAM_ID, "initials": "RV"})
    [result] = await _push(phone, device, [pending])
    assert result["status"] == "rejected" and result["error"]["code"] == "device_revoked"
    with sql(world.app) as db:
        assert db.execute("select code from quarantine where op_id = ?", (pending["op_id"],)).fetchall() == [("device_revoked",)]


async def test_a_second_create_cannot_move_a_record_or_change_what_is_immutable(world):
    phone, device = await _phone(world, "behandler")
    citizen, response = str(uuid.uuid4()), str(uuid.uuid4())
    value = {"code": "SEC-0001", "team_id": demo.TEAM_ID, "initials": "AB"}
    form = {"citizen_id": citizen, "form": "progression", "filled_on": "2026-01-05", "answers": {}}
    first = [_op(device, "citizen", citizen, "create", value), _op(device, "form_response", response, "create", form)]
    assert [r["status"] for r in await _push(phone, device, first)] == ["accepted", "accepted"]
    other_municipality = _op(device, "citizen", citizen, "create", {**value, "team_id": M2_TEAM})
    other_form = _op(device, "form_response", response, "create", {**form, "form": "kontakt_start", "answers": {"first_seen_place": "own_home"}})
    same_again = _op(device, "citizen", citizen, "create", value)
    results = await _push(phone, device, [other_municipality, other_form, same_again])
    assert [(r["status"], (r["error"] or {}).get("code"), (r["error"] or {}).get("field")) for r in results] == [
        ("rejected", "invalid_value", "team_id"),  # not a team of this municipality
        ("rejected", "conflicting_create", "form"),  # immutable
        ("accepted", None, None),
    ]
    state = (await phone.get(f"/api/citizens/{citizen}")).json()["citizen"]
    assert state["fields"]["code"] == "SEC-0001" and state["fields"]["team_id"] == demo.TEAM_ID


async def test_a_volunteer_cannot_hand_a_lead_to_another_organisation(world):
    phone, device = await _phone(world, "frivillig")
    lead = world.ids["lead_havnen"]
    moved = _op(device, "lead", lead, "create", {"org_id": demo.NORDLYS_ID, "seen_on": "2026-01-01", "place_type": "street"})
    [result] = await _push(phone, device, [moved])
    assert result["status"] == "rejected" and result["error"]["code"] == "conflicting_create"


async def test_a_lone_surrogate_rejects_one_op_and_keeps_the_rest(world):
    phone, device = await _phone(world, "behandler")
    good = _op(device, "citizen", str(uuid.uuid4()), "create", {"code": "SEC-0002", "team_id": demo.TEAM_ID, "initials": "CD"})
    bad = _op(device, "citizen", str(uuid.uuid4()), "create", {"code": "SEC-0003", "team_id": demo.TEAM_ID, "initials": "SURROGATE"})
    body = json.dumps({"device_id": device, "ops": [good, bad]}).replace("SURROGATE", "\\ud800")
    response = await phone.post("/api/sync/push", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 200, response.text
    assert [r["status"] for r in response.json()["results"]] == ["accepted", "rejected"]
    assert response.json()["results"][1]["error"]["code"] == "op_malformed"


async def test_an_oversized_op_is_rejected_and_quarantined_in_short(world):
    phone, device = await _phone(world, "behandler")
    huge = _op(device, "citizen", str(uuid.uuid4()), "create",
               {"code": "SEC-0004", "team_id": demo.TEAM_ID, "initials": "EF", "address_note": "x" * 100_000})
    small = _op(device, "citizen", str(uuid.uuid4()), "create", {"code": "SEC-0005", "team_id": demo.TEAM_ID, "initials": "GH"})
    results = await _push(phone, device, [huge, small])
    assert [r["status"] for r in results] == ["rejected", "accepted"]
    with sql(world.app) as db:
        [(body,)] = db.execute("select body from quarantine where op_id = ?", (huge["op_id"],)).fetchall()
    assert len(body) <= 70_000


async def test_another_municipalitys_record_answers_like_a_missing_one(world):
    phone, device = await _phone(world, "behandler")
    foreign = _op(device, "citizen", world.ids["citizen_other_municipality"], "set", "ZZ", field="initials")
    missing = _op(device, "citizen", str(uuid.uuid4()), "set", "ZZ", field="initials")
    course = _op(device, "course", str(uuid.uuid4()), "create", {"citizen_id": world.ids["citizen_other_municipality"]})
    results = await _push(phone, device, [foreign, missing, course])
    assert [r["error"]["code"] for r in results] == ["record_not_found"] * 3
    assert results[0]["error"]["message"] == results[1]["error"]["message"]


async def test_a_lead_cannot_be_linked_to_a_citizen_the_worker_cannot_see(world):
    phone, device = await _phone(world, "behandler")
    link = _op(device, "lead", world.ids["lead_havnen"], "set", world.ids["citizen_other_team"], field="citizen_id")
    [result] = await _push(phone, device, [link])
    assert result["status"] == "rejected" and result["error"]["code"] == "forbidden"


async def test_partners_get_no_worker_metadata_on_what_they_see(world):
    phone, device = await _phone(world, "frivillig")
    page = (await phone.get("/api/sync/pull", params={"cursor": 0, "limit": 1000, "device_id": device})).json()
    assert page["records"]
    for record in page["records"]:
        assert record.get("partial") is True
        assert not {"created_by", "created_hlc", "updated_hlc"} & set(record)
        assert all("user_id" not in edit and "device_id" not in edit for edit in record["also_edited"])


async def test_an_unexpected_error_is_a_json_500_with_security_headers():
    async def broken(scope, receive, send):
        raise RuntimeError("cpr 010101-1234 must never reach a log or a response")

    async def fine(scope, receive, send):
        await PlainTextResponse("ok")(scope, receive, send)

    for inner, status in ((broken, 500), (fine, 200)):
        app = SecurityHeaders(CatchAll(inner))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            response = await client.get("/api/x")
        assert response.status_code == status
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert response.headers["cache-control"] == "no-store"
        assert "010101" not in response.text


async def test_a_revoked_phone_without_a_session_still_learns_it_is_revoked(world):
    phone, device = await _phone(world, "behandler")
    await world.client("admin").post(f"/api/devices/{device}/revoke")
    await phone.delete("/api/session")  # e.g. the session expired while the phone was offline
    response = await phone.get("/api/sync/pull", params={"cursor": 0, "device_id": device})
    assert response.status_code == 403 and response.json()["error"]["code"] == "device_revoked"
    other = await phone.get("/api/sync/pull", params={"cursor": 0, "device_id": str(uuid.uuid4())})
    assert other.status_code == 401


async def test_a_restarted_server_hands_out_clocks_past_every_accepted_op(world, app_factory):
    phone, device = await _phone(world, "behandler")
    ahead = _op(device, "citizen", str(uuid.uuid4()), "create", {"code": "SEC-0010", "team_id": demo.TEAM_ID, "initials": "CL"})
    ahead["hlc"] = hlc_now(device, offset_ms=200_000)  # within the drift bound, ahead of the wall clock
    assert [r["status"] for r in await _push(phone, device, [ahead])] == ["accepted"]
    restarted = app_factory(database_url=world.app.state.settings.database_url, demo_mode=True)
    handed_out, accepted = hlc.parse(restarted.state.clock.current()), hlc.parse(ahead["hlc"])
    assert (handed_out.wall, handed_out.counter) >= (accepted.wall, accepted.counter)
