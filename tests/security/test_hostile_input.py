"""Regression tests for what an attacker and a fuzzer found (one test per defect; each
failed on the code before its fix): hostile op bodies, parser limits, oversized and
chunked bodies, a revoked phone naming another device, quotas, cross-site writes."""
from __future__ import annotations

import json
import logging
import sqlite3
import uuid

import pytest
from support.hlc import hlc_now

from server import demo

MARK = "0101801234"  # a CPR-like value that must never reach a log or a message


def citizen_op(device: str, code: str = "HOS-0001", **extra) -> dict:
    return {
        "op_id": str(uuid.uuid4()), "device_id": device, "hlc": hlc_now(device), "entity": "citizen",
        "record_id": str(uuid.uuid4()), "kind": "create", "field": None,
        "value": {"code": code, "team_id": demo.TEAM_ID, "initials": "HO", **extra}, "seen": [],
    }


@pytest.fixture
async def phone(app, client_for, login, register_device):
    """A behandler's client with a registered device: (client, device_id)."""
    client = client_for(app)
    await login(client, "behandler")
    return client, await register_device(client)


def sql(app, query: str, *args):
    with sqlite3.connect(app.state.settings.database_url.removeprefix("sqlite:///")) as db:
        return db.execute(query, args).fetchall()


async def push_text(client, body: str):
    return await client.post("/api/sync/push", content=body.encode(), headers={"content-type": "application/json"})


# 1. A non-object op is kept in quarantine as an object, the quarantine always renders,
#    and the pushed value reaches no log.
async def test_a_non_object_op_never_breaks_the_quarantine(app, client_for, login, register_device, caplog):
    volunteer = client_for(app)
    await login(volunteer, "frivillig")
    device = await register_device(volunteer)
    caplog.set_level(logging.DEBUG)
    for odd in (42, f"{MARK}", [MARK], None, True, 4.5):
        response = await volunteer.post("/api/sync/push", json={"device_id": device, "ops": [odd]})
        assert response.status_code == 200
        assert response.json()["results"][0]["error"]["code"] == "op_malformed"
    lead = client_for(app)
    await login(lead, "projektleder")
    listing = await lead.get("/api/quarantine")
    assert listing.status_code == 200, listing.text
    assert all(isinstance(row["body"], dict) for row in listing.json()["quarantine"])
    assert MARK not in caplog.text


# 2. A session bound to a revoked device never gets an op applied, whatever device it names.
async def test_a_revoked_phones_session_cannot_write_as_another_device(app, client_for, login):
    lost, spare = client_for(app), client_for(app)
    await login(lost, "behandler")
    await login(spare, "behandler")
    device_a = (await lost.post("/api/devices", json={"name": "A"})).json()["device_id"]
    device_b = (await spare.post("/api/devices", json={"name": "B"})).json()["device_id"]
    admin = client_for(app)
    await login(admin, "admin")
    assert (await admin.post(f"/api/devices/{device_a}/revoke")).status_code == 200
    op = citizen_op(device_b, "HOS-0002")
    response = await lost.post("/api/sync/push", json={"device_id": device_b, "ops": [op]})
    assert response.status_code == 200
    assert [r["error"]["code"] for r in response.json()["results"]] == ["device_revoked"]
    assert response.json()["device_revoked"] is True
    assert sql(app, "select count(*) from ops where op_id = ?", op["op_id"]) == [(0,)]
    assert sql(app, "select code from quarantine where op_id = ?", op["op_id"]) == [("device_revoked",)]


async def test_a_session_pushes_only_as_its_own_device(app, client_for, login):
    first, second = client_for(app), client_for(app)
    await login(first, "behandler")
    await login(second, "behandler")
    device_a = (await first.post("/api/devices", json={"name": "A"})).json()["device_id"]
    device_b = (await second.post("/api/devices", json={"name": "B"})).json()["device_id"]
    response = await first.post("/api/sync/push", json={"device_id": device_b, "ops": [citizen_op(device_b, "HOS-0003")]})
    assert response.status_code == 403 and response.json()["error"]["code"] == "device_mismatch"
    own = await first.post("/api/sync/push", json={"device_id": device_a, "ops": [citizen_op(device_a, "HOS-0003")]})
    assert [r["status"] for r in own.json()["results"]] == ["accepted"]


# 4. NaN and Infinity are refused per op; the rest of the batch is kept.
@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e999"])
async def test_nan_and_infinity_are_refused_per_op(app, phone, literal):
    client, device = phone
    citizen = citizen_op(device, "HOS-0004")
    contact = {**citizen_op(device), "entity": "contact", "record_id": str(uuid.uuid4()), "value": {
        "citizen_id": citizen["record_id"], "occurred_at": "2026-01-05T10:00:00+01:00", "kind": "contact"}}
    void = {**citizen_op(device), "record_id": contact["record_id"], "entity": "contact", "kind": "void",
            "value": {"reason": "NANHERE"}}
    body = json.dumps({"device_id": device, "ops": [citizen, contact, void]}).replace('"NANHERE"', literal)
    response = await push_text(client, body)
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["accepted", "accepted", "rejected"]
    assert results[2]["error"]["code"] == "op_malformed"
    assert sql(app, "select count(*) from ops where op_id = ?", void["op_id"]) == [(0,)]
    assert sql(app, "select json_valid(body) from quarantine where op_id = ?", void["op_id"]) == [(1,)]


# 5. Parser limits fail one op, not the batch; an oversized body answers in the API's shape.
@pytest.mark.parametrize("poison", ["[" * 3000 + "]" * 3000, "9" * 5000, '"\\ud800\\u12"'])
async def test_an_unparseable_op_fails_alone(app, phone, poison):
    client, device = phone
    good = citizen_op(device, "HOS-0005")
    bad_id = str(uuid.uuid4())
    bad = json.dumps({**citizen_op(device, "HOS-0006"), "op_id": bad_id, "value": "POISON"}).replace('"POISON"', poison)
    response = await push_text(client, '{"device_id": %s, "ops": [%s, %s]}' % (json.dumps(device), bad, json.dumps(good)))
    assert response.status_code == 200, response.text
    first, second = response.json()["results"]
    assert first["status"] == "rejected" and first["error"]["code"] == "op_malformed" and first["op_id"] == bad_id
    assert second["status"] == "accepted"
    assert sql(app, "select count(*) from quarantine where op_id = ?", bad_id) == [(1,)]


async def test_a_body_over_the_limit_is_a_json_413(app, phone, caplog):
    client, device = phone
    caplog.set_level(logging.INFO)
    huge = json.dumps({"device_id": device, "ops": ["x" * (17 * 1024 * 1024)]})
    response = await push_text(client, huge)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "batch_too_large" and "MB" in response.json()["error"]["message"]

    async def chunks():
        for _ in range(18):
            yield b"x" * (1024 * 1024)

    chunked = await client.post("/api/sync/push", content=chunks(), headers={"content-type": "application/json"})
    assert chunked.status_code == 413 and "MB" in chunked.json()["error"]["message"]
    assert "unhandled error" not in caplog.text


# 7. A flood of pushes hits a quota: 429 with when to retry; nothing is applied or kept.
async def test_a_flood_of_pushes_gets_429_with_retry_after(app_factory, client_for, login, register_device):
    app = app_factory(demo_mode=True, push_quota_bytes=200_000)
    client = client_for(app)
    await login(client, "frivillig")
    device = await register_device(client)
    junk = [{"op_id": str(uuid.uuid4()), "note": "x" * 60_000}]
    statuses = [(await client.post("/api/sync/push", json={"device_id": device, "ops": junk})).status_code for _ in range(5)]
    assert statuses[:3] == [200, 200, 200] and statuses[3] == 429
    refused = await client.post("/api/sync/push", json={"device_id": device, "ops": junk})
    assert int(refused.headers["retry-after"]) > 0 and refused.json()["error"]["code"] == "quota_exceeded"
    assert sql(app, "select count(*) from quarantine where user_id = ?", demo.user_id("frivillig")) == [(3,)]


# 8. No cross-site writes: Sec-Fetch-Site / Origin checked on state-changing requests.
async def test_a_cross_site_write_is_refused(app, phone):
    client, device = phone
    body = {"device_id": device, "ops": [citizen_op(device, "HOS-0007")]}
    for headers in ({"sec-fetch-site": "cross-site"}, {"sec-fetch-site": "same-site"}, {"origin": "https://evil.example"}):
        response = await client.post("/api/sync/push", json=body, headers=headers)
        assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden", headers
    for headers in ({"sec-fetch-site": "same-origin"}, {"origin": "http://testserver"}, {}):
        response = await client.post("/api/sync/push", json=body, headers=headers)
        assert response.status_code == 200, headers
    read = await client.get("/api/citizens", headers={"sec-fetch-site": "cross-site"})
    assert read.status_code == 200  # reads stay possible (SameSite keeps the cookie off them)
