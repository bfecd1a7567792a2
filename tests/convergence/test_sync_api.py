"""Push and pull through HTTP: the protocol document's example, batch limits, per-op
rejections (with quarantine), op-id reuse, revoked devices, and scope on pull (partner
visibility by consent, eviction on withdrawal, moving a citizen to another team)."""
from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import httpx
from convergence_sim import new_id
from support.app import asgi_client
from support.hlc import hlc_text, now_ms
from support.login import PASSWORD, sign_in
from support.world import OTHER_PARTNER, OTHER_TEAM, PARTNER, TEAM

from sync import hlc as hlc_mod
from sync.ops import consent_record_id

ROOT = Path(__file__).resolve().parents[2]
IDENTIFYING = {"initials", "name", "cpr", "phone", "address_note", "note"}
NEVER_SHARED = {"cpr", "address_note", "note"}


class Phone:
    """A logged-in user with one registered device and a monotonic HLC."""

    def __init__(self, client: httpx.AsyncClient, device_id: str):
        self.client, self.device_id = client, device_id
        self.clock = hlc_mod.HLC(0, 0, device_id)
        self.cursor = 0
        self.records: dict[str, dict] = {}
        self.evicted: list[str] = []

    @classmethod
    async def of(cls, app, username: str, password: str = PASSWORD, device_id: str | None = None) -> Phone:
        client = asgi_client(app)
        return cls(client, (await sign_in(client, username, password, device_id=device_id)).device_id)

    def op(self, entity: str, record_id: str, kind: str, field: str | None = None, value=None,
           seen: list[str] | None = None, hlc: str | None = None) -> dict:
        self.clock = hlc_mod.send(self.clock, now_ms())
        return {
            "op_id": new_id(), "device_id": self.device_id, "hlc": hlc or self.clock.encode(), "entity": entity,
            "record_id": record_id, "kind": kind, "field": field, "value": value, "seen": seen or [],
        }

    async def push(self, ops: list) -> httpx.Response:
        return await self.client.post("/api/sync/push", json={"device_id": self.device_id, "ops": ops})

    async def push_ok(self, ops: list) -> list[dict]:
        response = await self.push(ops)
        assert response.status_code == 200, response.text
        results = response.json()["results"]
        assert [r["status"] for r in results] == ["accepted"] * len(ops), results
        return results

    async def pull(self, limit: int = 100) -> list[dict]:
        """Pull until has_more is false; apply records and evictions; return the pages."""
        pages = []
        while True:
            response = await self.client.get(
                "/api/sync/pull", params={"cursor": self.cursor, "limit": limit, "device_id": self.device_id}
            )
            assert response.status_code == 200, response.text
            page = response.json()
            pages.append(page)
            for record in page["records"]:
                self.records[record["id"]] = record
            for record_id in page["evict"]:
                self.records.pop(record_id, None)
                self.evicted.append(record_id)
            self.cursor = page["next_cursor"]
            if not page["has_more"]:
                return pages


def citizen_value(*, team_id: str = TEAM, code: str = "BRO-T001") -> dict:
    return {
        "code": code, "team_id": team_id, "initials": "KL", "name": "Karl Larsen",
        "cpr": "010180-1234", "phone": "12345678", "address_note": "Bænken ved kirken", "sex": "male",
        "birth_year": 1980,
    }


def consent_value(citizen_id: str, purpose: str, org_id: str, action: str = "grant") -> dict:
    return {
        "citizen_id": citizen_id, "purpose": purpose, "recipient_org_id": org_id,
        "state": {"action": action, "form": "written", "given_by": "citizen", "date": "2026-11-23"},
    }


def quarantined(world, op_id: str) -> list[tuple]:
    return world.rows("SELECT code, field FROM quarantine WHERE op_id = ?", op_id)


# --------------------------------------------------------------------- the doc's example
def first_json_block() -> dict:
    text = (ROOT / "docs" / "sync-protocol.md").read_text(encoding="utf-8")
    match = re.search(r"```json\n(.*?)```", text, re.DOTALL)
    assert match, "docs/sync-protocol.md has no ```json block"
    return json.loads(match.group(1))


async def test_protocol_doc_example_is_accepted_then_duplicate(app):
    """The first JSON block of docs/sync-protocol.md, posted as the demo behandler (`app`:
    the demo app of tests/conftest.py)."""
    body = first_json_block()
    phone = await Phone.of(app, "behandler", device_id=body["device_id"])
    assert phone.device_id == body["device_id"]
    first = await phone.client.post("/api/sync/push", json=body)
    assert first.status_code == 200, first.text
    assert [r["status"] for r in first.json()["results"]] == ["accepted"] * len(body["ops"]), first.json()
    again = await phone.client.post("/api/sync/push", json=body)
    assert [r["status"] for r in again.json()["results"]] == ["duplicate"] * len(body["ops"]), again.json()
    assert [r["op_id"] for r in again.json()["results"]] == [op["op_id"] for op in body["ops"]]


# ------------------------------------------------------------------------------ push
async def test_more_than_500_ops_is_413_and_nothing_is_applied(world):
    phone = await Phone.of(world.app, "b1")
    ops = [phone.op("citizen", new_id(), "create", value=citizen_value(code=f"T{n:05d}")) for n in range(501)]
    logged_before = world.rows("SELECT count(*) FROM ops")
    response = await phone.push(ops)
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "batch_too_large" and error["field"] == "ops" and "500" in error["message"]
    assert world.rows("SELECT count(*) FROM ops") == logged_before
    assert [r["status"] for r in (await phone.push(ops[:500])).json()["results"]] == ["accepted"] * 500


async def test_each_bad_op_is_rejected_by_name_and_the_rest_lands(world):
    b1 = await Phone.of(world.app, "b1")
    b4 = await Phone.of(world.app, "b4")  # behandler of the other team
    foreign = new_id()
    await b4.push_ok([b4.op("citizen", foreign, "create", value=citizen_value(team_id=OTHER_TEAM))])

    citizen = new_id()
    good_create = b1.op("citizen", citizen, "create", value=citizen_value())
    malformed = {**b1.op("citizen", citizen, "set", "initials", "AB"), "op_id": "not-a-uuid"}
    unknown_entity = b1.op("patient", new_id(), "create", value={})
    unknown_field = b1.op("citizen", citizen, "set", "shoe_size", 44)
    wrong_type = b1.op("citizen", citizen, "set", "birth_year", "nineteen-eighty")
    future = b1.op("citizen", citizen, "set", "initials", "FX", hlc=hlc_text(now_ms() + 10 * 60 * 1000, 0, b1.device_id))
    out_of_scope = b1.op("citizen", foreign, "set", "initials", "ZZ")
    not_an_object = "just a string"
    good_set = b1.op("citizen", citizen, "set", "initials", "AB")
    batch = [good_create, malformed, unknown_entity, unknown_field, wrong_type, future, out_of_scope, not_an_object, good_set]

    quarantined_before = world.rows("SELECT count(*) FROM quarantine")[0][0]
    response = await b1.push(batch)
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert len(results) == len(batch)
    expected = [
        ("accepted", None, None),
        ("rejected", "op_malformed", "op_id"),
        ("rejected", "unknown_entity", "entity"),
        ("rejected", "unknown_field", "field"),
        ("rejected", "invalid_value", "birth_year"),
        ("rejected", "clock_ahead", "hlc"),
        ("rejected", "forbidden", None),
        ("rejected", "op_malformed", None),
        ("accepted", None, None),
    ]
    for result, (status, code, field) in zip(results, expected):
        assert result["status"] == status, result
        if status == "rejected":
            assert result["error"]["code"] == code, result
            assert result["error"]["message"], result
            if code == "forbidden":
                assert result["error"]["field"] == "record_id", result
            else:
                assert result["error"]["field"] == field, result
    logged = {row[0] for row in world.rows("SELECT op_id FROM ops")}
    assert good_create["op_id"] in logged and good_set["op_id"] in logged
    assert not {op["op_id"] for op in (unknown_field, wrong_type, future, out_of_scope)} & logged
    # Nothing is dropped: every rejected op is in quarantine, the out-of-scope one included.
    assert quarantined(world, out_of_scope["op_id"]) == [("forbidden", "record_id")]
    for op in (unknown_field, wrong_type, future):
        assert len(quarantined(world, op["op_id"])) == 1
    rejected = sum(status == "rejected" for status, _, _ in expected)
    assert world.rows("SELECT count(*) FROM quarantine")[0][0] - quarantined_before == rejected == 7
    # The foreign citizen is untouched.
    state = json.loads(world.rows("SELECT state FROM records WHERE id = ?", foreign)[0][0])
    assert state["fields"]["initials"] == "KL"


async def test_reusing_an_op_id_with_other_content_is_rejected_and_quarantined(world):
    phone = await Phone.of(world.app, "b1")
    citizen = new_id()
    create = phone.op("citizen", citizen, "create", value=citizen_value())
    edit = phone.op("citizen", citizen, "set", "initials", "AB")
    await phone.push_ok([create, edit])
    reused = {**edit, "value": "XY"}
    twin = phone.op("citizen", citizen, "set", "phone", "87654321")
    twin_reused = {**twin, "value": "11223344"}
    response = await phone.push([reused, edit, twin, twin_reused])
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["rejected", "duplicate", "accepted", "rejected"]
    assert results[0]["error"]["code"] == "op_id_reused" and results[0]["error"]["field"] == "op_id"
    assert results[3]["error"]["code"] == "op_id_reused"
    assert quarantined(world, edit["op_id"]) == [("op_id_reused", "op_id")]
    assert quarantined(world, twin["op_id"]) == [("op_id_reused", "op_id")]
    state = json.loads(world.rows("SELECT state FROM records WHERE id = ?", citizen)[0][0])
    assert state["fields"]["initials"] == "AB" and state["fields"]["phone"] == "87654321"


async def assert_revoked(world, phone: Phone, citizen: str) -> None:
    """Every op of a push from the revoked device is rejected `device_revoked` and kept in
    quarantine (none applied); its pull is refused with 403 `device_revoked`."""
    ops = [phone.op("citizen", citizen, "set", "initials", "RV"), phone.op("citizen", new_id(), "create", value=citizen_value())]
    response = await phone.push(ops)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["device_revoked"] is True
    assert [(r["status"], r["error"]["code"]) for r in body["results"]] == [("rejected", "device_revoked")] * 2
    for op in ops:
        assert quarantined(world, op["op_id"]) == [("device_revoked", "device_id")]
        assert not world.rows("SELECT 1 FROM ops WHERE op_id = ?", op["op_id"])
    pull = await phone.client.get("/api/sync/pull", params={"cursor": 0, "device_id": phone.device_id})
    assert pull.status_code == 403 and pull.json()["error"]["code"] == "device_revoked"


async def test_revoked_device_ops_are_quarantined_and_pull_is_refused(world):
    """Revoked by an admin (`POST /api/devices/{id}/revoke`): the phone's session may only hand
    in its pending ops, which are quarantined; its pull is refused (docs/security.md). After a
    new login the device id is still refused."""
    phone = await Phone.of(world.app, "b1")
    citizen = new_id()
    await phone.push_ok([phone.op("citizen", citizen, "create", value=citizen_value())])
    admin = await world.login("admin")
    revoke = await admin.post(f"/api/devices/{phone.device_id}/revoke")
    assert revoke.status_code == 200, revoke.text
    await assert_revoked(world, phone, citizen)
    phone.client = await world.login("b1")  # the password still works; the device id never again
    await assert_revoked(world, phone, citizen)


async def test_device_revoked_in_the_database_with_a_live_session(world):
    """`Device.revoked_at` set directly (e.g. by another server process): the still-valid
    session's pushes are quarantined `device_revoked`, its pull is refused."""
    phone = await Phone.of(world.app, "b1")
    citizen = new_id()
    await phone.push_ok([phone.op("citizen", citizen, "create", value=citizen_value())])
    with sqlite3.connect(world.db_path) as connection:
        connection.execute("UPDATE device SET revoked_at = CURRENT_TIMESTAMP WHERE id = ?", (phone.device_id,))
    await assert_revoked(world, phone, citizen)


# ------------------------------------------------------------------------------ scope
def assert_no_identifying(pages: list[dict], allowed: set[str] = frozenset()) -> None:
    for page in pages:
        for record in page["records"]:
            for key in ("fields", "original"):
                leaked = (set(record.get(key) or {}) & IDENTIFYING) - allowed
                assert not leaked, f"{record['entity']} {record['id']} leaks {sorted(leaked)}"
            for entry in record.get("also_edited", []) + [v for c in record["conflicts"] for v in c["values"]]:
                assert entry.get("field") not in IDENTIFYING - allowed
            assert not set(record.get("history") or {}) & (IDENTIFYING - allowed)


async def test_frivillig_sees_identity_only_with_a_live_share_and_evicts_on_withdrawal(world):
    b1 = await Phone.of(world.app, "b1")
    f1 = await Phone.of(world.app, "f1")
    f2 = await Phone.of(world.app, "f2")
    citizen, course, contact = new_id(), new_id(), new_id()
    await b1.push_ok([
        b1.op("citizen", citizen, "create", value=citizen_value()),
        b1.op("course", course, "create", value={"citizen_id": citizen, "phase": {"phase": "phase_1", "date": "2026-11-23"}}),
        b1.op("contact", contact, "create", value={
            "citizen_id": citizen, "occurred_at": "2026-11-23T10:00:00+01:00", "kind": "contact", "note": "Fortroligt."}),
        b1.op("consent", consent_record_id(citizen, "participation", TEAM), "create",
              value=consent_value(citizen, "participation", TEAM)),
        # A share with the *other* partner reveals nothing to f1.
        b1.op("consent", consent_record_id(citizen, "share_with_partner", OTHER_PARTNER), "create",
              value=consent_value(citizen, "share_with_partner", OTHER_PARTNER)),
    ])
    pages = await f1.pull()
    assert_no_identifying(pages)
    assert f1.records == {}

    share = consent_record_id(citizen, "share_with_partner", PARTNER)
    grant = b1.op("consent", share, "create", value=consent_value(citizen, "share_with_partner", PARTNER))
    await b1.push_ok([grant])
    pages = await f1.pull()
    assert list(f1.records) == [citizen], "the share names f1's organisation: f1 gets the citizen"
    snapshot = f1.records[citizen]
    assert snapshot["partial"] is True
    assert set(snapshot["fields"]) <= {"code", "initials", "name", "phone"}
    assert snapshot["fields"]["initials"] == "KL"
    assert_no_identifying(pages, allowed={"initials", "name", "phone"})
    assert not {r["entity"] for p in pages for r in p["records"]} - {"citizen"}

    f2_pages = await f2.pull()
    assert list(f2.records) == [citizen]  # the other partner's share
    assert_no_identifying(f2_pages, allowed={"initials", "name", "phone"})

    withdraw = b1.op("consent", share, "set", "state",
                     consent_value(citizen, "share_with_partner", PARTNER, "withdraw")["state"],
                     seen=[grant["op_id"]])
    await b1.push_ok([withdraw])
    pages = await f1.pull()
    assert citizen in pages[-1]["evict"] or citizen in f1.evicted
    assert f1.records == {}
    assert_no_identifying(pages)
    # A later unrelated change of the citizen is not sent to f1 either.
    await b1.push_ok([b1.op("citizen", citizen, "set", "phone", "87654321")])
    pages = await f1.pull()
    assert f1.records == {}
    assert_no_identifying(pages)


async def test_moving_a_citizen_evicts_it_and_its_records_from_the_old_team(world):
    b1 = await Phone.of(world.app, "b1")  # old team
    b4 = await Phone.of(world.app, "b4")  # new team
    lead = await Phone.of(world.app, "p1")
    citizen, course, contact = new_id(), new_id(), new_id()
    consent = consent_record_id(citizen, "participation", TEAM)
    other_citizen = new_id()
    await b1.push_ok([
        b1.op("citizen", citizen, "create", value=citizen_value()),
        b1.op("course", course, "create", value={"citizen_id": citizen, "phase": {"phase": "phase_1", "date": "2026-11-23"}}),
        b1.op("contact", contact, "create", value={
            "citizen_id": citizen, "occurred_at": "2026-11-23T10:00:00+01:00", "kind": "contact"}),
        b1.op("consent", consent, "create", value=consent_value(citizen, "participation", TEAM)),
        b1.op("citizen", other_citizen, "create", value=citizen_value(code="BRO-T002")),
    ])
    await b1.pull(limit=2)
    await b4.pull()
    family = {citizen, course, contact, consent}
    assert family | {other_citizen} == set(b1.records)
    assert b4.records == {}

    await lead.pull()
    move = lead.op("citizen", citizen, "set", "team_id", OTHER_TEAM, seen=lead.records[citizen]["heads"]["team_id"])
    await lead.push_ok([move])

    await b1.pull(limit=1)
    assert set(b1.records) == {other_citizen}, "the moved citizen and its records leave the old team's phone"
    assert family <= set(b1.evicted)
    await b4.pull(limit=1)
    assert set(b4.records) == family, "the new team's phone gets the citizen and its records"
    assert b4.records[citizen]["fields"]["team_id"] == OTHER_TEAM
    # The old team may no longer write to it (authority stays on the server).
    stale = b1.op("course", course, "set", "phase", {"phase": "phase_2", "date": "2026-11-24"})
    result = (await b1.push([stale])).json()["results"][0]
    assert result["status"] == "rejected" and result["error"]["code"] == "forbidden"
    assert quarantined(world, stale["op_id"]) == [("forbidden", "record_id")]
    # And the new team may.
    await b4.push_ok([b4.op("course", course, "set", "phase", {"phase": "phase_2", "date": "2026-11-24"},
                            seen=b4.records[course]["heads"]["phase"])])
