"""The audit log: every read of citizen data is logged (who, which record, which citizen,
never the data), in the request's transaction; the API never changes or deletes a row."""
from __future__ import annotations

import sqlite3

from support import db_path

from server.demo import user_id


def rows(app, where: str = "1=1", *args) -> list[dict]:
    with sqlite3.connect(db_path(app)) as connection:
        connection.row_factory = sqlite3.Row
        return [dict(r) for r in connection.execute(f"select * from auditentry where {where} order by id", args)]


async def test_reading_a_citizen_is_audited_without_values(world):
    client = world.client("behandler")
    citizen_id = world.ids["citizen_shared"]
    before = rows(world.app, "action = 'read'")
    body = (await client.get(f"/api/citizens/{citizen_id}")).json()
    read = rows(world.app, "action = 'read'")[len(before):]
    shown = 1 + sum(len(body[k]) for k in ("courses", "contacts", "consents", "form_responses"))
    assert len(read) == shown > 1
    assert {r["user_id"] for r in read} == {user_id("behandler")}
    assert {r["citizen_id"] for r in read} == {citizen_id}
    assert {"entity": "citizen", "record_id": citizen_id} in [{"entity": r["entity"], "record_id": r["record_id"]} for r in read]
    # Only who/what/when: no field values anywhere in the row.
    assert set(read[0]) == {"id", "at", "user_id", "device_id", "action", "entity", "record_id", "citizen_id"}
    code, initials = body["citizen"]["fields"]["code"], body["citizen"]["fields"]["initials"]
    for row in read:
        assert code not in str(row.values()) and initials not in [str(v) for v in row.values()]


async def test_lists_are_audited_per_citizen(world):
    client = world.client("frivillig")
    listed = (await client.get("/api/citizens")).json()["citizens"]
    read = rows(world.app, "action = 'read' and user_id = ?", user_id("frivillig"))
    assert listed and {r["citizen_id"] for r in read} == {c["id"] for c in listed}


async def test_a_refused_read_reveals_nothing_and_logs_no_read(world):
    client = world.client("frivillig")
    hidden = world.ids["citizen_not_shared"]
    missing = "00000000-0000-4000-8000-000000000000"
    refused, absent = await client.get(f"/api/citizens/{hidden}"), await client.get(f"/api/citizens/{missing}")
    assert refused.status_code == absent.status_code == 404
    assert refused.json() == absent.json()
    assert rows(world.app, "action = 'read' and citizen_id = ?", hidden) == []


async def test_projektleder_can_see_who_read_a_citizen(world):
    reader = world.client("behandler")
    citizen_id = world.ids["citizen_not_shared"]
    await reader.get(f"/api/citizens/{citizen_id}")
    lead = world.client("projektleder")
    entries = (await lead.get("/api/audit", params={"citizen_id": citizen_id})).json()["audit"]
    assert {e["user_id"] for e in entries if e["action"] == "read"} == {user_id("behandler")}
    assert rows(world.app, "action = 'audit_read' and citizen_id = ?", citizen_id)


async def test_the_api_never_updates_or_deletes_audit_rows(world, client_for, login, register_device):
    before = rows(world.app)
    worker = client_for(world.app)
    await login(worker, "behandler")
    device = await register_device(worker)
    await worker.get(f"/api/citizens/{world.ids['citizen_shared']}")
    await worker.get("/api/citizens")
    await worker.post("/api/sync/push", json={"device_id": device, "ops": []})
    await worker.get("/api/sync/pull", params={"device_id": device})
    await worker.delete("/api/session")
    admin = world.client("admin")
    await admin.post(f"/api/devices/{device}/revoke")
    await admin.post(f"/api/users/{world.ids['user_own_municipality']}/deactivate")
    lead = world.client("projektleder")
    await lead.get("/api/audit")
    await client_for(world.app).post("/api/session", json={"username": "behandler", "password": "forkert"})
    after = rows(world.app)
    assert after[: len(before)] == before  # unchanged, in order
    actions = {r["action"] for r in after[len(before):]}
    assert {"login", "device_register", "read", "device_revoke", "user_deactivate", "logout", "login_failed"} <= actions
    # And there is no route that could change them.
    for route in world.app.openapi()["paths"]:
        if "audit" in route:
            assert set(world.app.openapi()["paths"][route]) == {"get"}


def test_the_database_refuses_to_change_the_audit_and_op_logs(world):
    with sqlite3.connect(world.db_path) as db:
        for statement in (
            "UPDATE auditentry SET action = 'x'",
            "DELETE FROM auditentry",
            "UPDATE ops SET hlc = 'x'",
            "DELETE FROM ops",
        ):
            try:
                db.execute(statement)
            except sqlite3.DatabaseError as error:
                assert "append-only" in str(error)
            else:
                raise AssertionError(f"{statement} was allowed")
