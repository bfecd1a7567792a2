"""Test harness for the convergence and sync-API suites: a small world (support.world's
layout of teams and partner organisations, the users of `USERS`, no demo data) in a fresh
app on a temp SQLite file, HTTP clients that talk to it only through `httpx.ASGITransport`,
and `SimDevice`, a simulated phone with its own skewed clock, HLC, outbox, "needs
attention" list, cursor and snapshots.

The device mirrors the PWA client (`pwa/src/store.js`): `seen` of a write is the
snapshot's `heads[field]` + `heads.archived` + the device's own not-yet-covered ops on
the field (create/archive ops included); acked ops stay applied locally until a
complete pull that started after the ack covers them; the cursor is stored together
with the page it covers (unless a crash is simulated).
"""
from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from support.login import sign_in
from support.world import OTHER_PARTNER, OTHER_TEAM, PARTNER, TEAM, World, new_world

from sync import hlc as hlc_mod


def new_id() -> str:
    return str(uuid.uuid4())


# ------------------------------------------------------------------------------ world
# username → (role, organisation of the layout in support.world; password support.PASSWORD)
USERS = {
    "b1": ("behandler", TEAM),
    "b2": ("behandler", TEAM),
    "b3": ("behandler", TEAM),
    "b4": ("behandler", OTHER_TEAM),
    "f1": ("frivillig", PARTNER),
    "f2": ("frivillig", OTHER_PARTNER),
    "p1": ("projektleder", TEAM),
    "admin": ("admin", TEAM),
}


def build_world(directory: Path, **settings: Any) -> World:
    """A fresh app on a temp SQLite file with the layout of support.world (no demo data:
    the op log starts empty) and the users of `USERS`."""
    return new_world(directory, users=USERS, **settings)


async def sim_device(world: World, username: str) -> SimDevice:
    """A simulated phone of `username`: its own client, logged in, with a registered device."""
    client = world.new_client(world.app)
    signed = await sign_in(client, username)
    return SimDevice(username, client, signed.device_id, world.max_drift_ms)


def server_head(world: World) -> int:
    with world.sql() as connection:
        return connection.execute("SELECT coalesce(max(seq), 0) FROM ops").fetchone()[0]


# ---------------------------------------------------------------------------- devices
class SimDevice:
    """One simulated phone. All traffic goes through its own HTTP client (own cookie)."""

    def __init__(self, name: str, client: httpx.AsyncClient, device_id: str, max_drift_ms: int):
        self.name, self.client, self.device_id, self.max_drift_ms = name, client, device_id, max_drift_ms
        self.reset(skew_ms=0, cursor=0)

    # -- lifecycle ---------------------------------------------------------------
    def reset(self, *, skew_ms: int, cursor: int) -> None:
        """Start a fresh example: a new phone state (same account and device id)."""
        self.skew_ms = skew_ms
        self.correction_ms = 0
        self.clock = hlc_mod.HLC(0, 0, self.device_id)
        self.outbox: list[dict] = []  # created, not yet acknowledged (in creation order)
        self.acked: list[tuple[dict, int]] = []  # (op, pull generation at ack) applied locally until covered
        self.attention: list[tuple[dict, dict]] = []  # rejected ops with their error ("Kræver handling")
        self.created: list[dict] = []  # every op this device made in the example
        self.sent_batches: list[list[dict]] = []
        self.records: dict[str, dict] = {}
        self.cursor = cursor
        self.epoch: int | None = None
        self.pull_generation = 0
        self.evicted: set[str] = set()

    # -- clock -------------------------------------------------------------------
    def now_ms(self) -> int:
        return int(time.time() * 1000) + self.skew_ms + self.correction_ms

    def stamp(self) -> str:
        self.clock = hlc_mod.send(self.clock, self.now_ms())
        return self.clock.encode()

    def observe(self, server_hlc: str) -> None:
        """Advance the HLC from a response; a wall clock far behind the server is corrected
        from the server's clock first (the doc: the device corrects its clock)."""
        remote = hlc_mod.parse(server_hlc)
        now = self.now_ms()
        if remote.wall - now > self.max_drift_ms:
            self.correction_ms += remote.wall - now
            now = self.now_ms()
        self.clock = hlc_mod.receive(self.clock, remote, now, self.max_drift_ms)

    # -- local knowledge -----------------------------------------------------------
    def local_ops(self) -> list[dict]:
        return [op for op, _ in self.acked] + self.outbox

    def known(self, entity: str) -> list[str]:
        """Record ids of `entity` this device knows (pulled or made here), in a stable order."""
        ids = [rid for rid, snap in self.records.items() if snap["entity"] == entity]
        ids += [op["record_id"] for op in self.local_ops() if op["kind"] == "create" and op["entity"] == entity]
        return sorted(set(ids), key=lambda rid: (rid not in self.records, rid))

    def citizen_of(self, record_id: str) -> str | None:
        snap = self.records.get(record_id)
        if snap is not None:
            return snap["fields"].get("citizen_id")
        for op in self.local_ops():
            if op["record_id"] == record_id and op["kind"] == "create":
                return op["value"].get("citizen_id")
        return None

    def seen_for(self, record_id: str, field_name: str | None, kind: str = "set") -> list[str]:
        """`seen` as docs/sync-protocol.md prescribes: for set/amend the snapshot's
        heads[field] + heads.archived; for archive/unarchive every list in heads. Like the
        PWA's `seenFor`, the device's own not-yet-covered ops on the record are added (the
        server counts a device's own earlier ops as seen anyway)."""
        snap = self.records.get(record_id) or {}
        heads = snap.get("heads") or {}
        if kind in ("archive", "unarchive"):
            seen = {op_id for ids in heads.values() for op_id in ids}
        else:
            seen = set(heads.get(field_name, []) if field_name else []) | set(heads.get("archived", []))
        for op in self.local_ops():
            if op["record_id"] != record_id:
                continue
            if op["kind"] in ("create", "archive", "unarchive") or (field_name and op["field"] == field_name):
                seen.add(op["op_id"])
        return sorted(seen)

    # -- writing -------------------------------------------------------------------
    def write(self, entity: str, record_id: str, kind: str, field_name: str | None = None, value: Any = None,
              seen: list[str] | None = None) -> dict:
        if seen is None:
            seen = [] if kind == "create" else self.seen_for(record_id, field_name if kind in ("set", "amend") else None, kind)
        op = {
            "op_id": new_id(), "device_id": self.device_id, "hlc": self.stamp(), "entity": entity,
            "record_id": record_id, "kind": kind, "field": field_name, "value": value, "seen": seen,
        }
        self.outbox.append(op)
        self.created.append(op)
        return op

    # -- sync ----------------------------------------------------------------------
    async def post_push(self, ops: list[dict]) -> httpx.Response:
        return await self.client.post("/api/sync/push", json={"device_id": self.device_id, "ops": ops})

    async def push(self, count: int | None = None, *, lose_ack: bool = False) -> list[dict] | None:
        """Push the first `count` ops of the outbox (all when None). With `lose_ack` the
        server applies the batch but the device never sees the answer."""
        batch = self.outbox[: count if count is not None else 500]
        if not batch:
            return None
        response = await self.post_push(batch)
        assert response.status_code == 200, f"{self.name} push: {response.status_code} {response.text[:500]}"
        self.sent_batches.append(list(batch))
        if lose_ack:
            return None
        body = response.json()
        self.handle_results(batch, body)
        return body["results"]

    def handle_results(self, batch: list[dict], body: dict) -> None:
        self.observe(body["server_hlc"])
        by_id = {r["op_id"]: r for r in body["results"]}
        assert len(body["results"]) == len(batch)
        for op in batch:
            outcome = by_id[op["op_id"]]
            if op not in self.outbox:
                continue  # already settled by an earlier answer (a re-sent batch)
            if outcome["status"] in ("accepted", "duplicate"):
                self.outbox.remove(op)
                self.acked.append((op, self.pull_generation))
            else:
                assert outcome["status"] == "rejected", outcome
                self.outbox.remove(op)
                self.attention.append((op, outcome["error"]))

    async def resend(self, index: int, shuffle_seed: int) -> list[dict] | None:
        """Re-send an earlier batch (duplicated and reordered request)."""
        if not self.sent_batches:
            return None
        import random

        batch = list(self.sent_batches[index % len(self.sent_batches)])
        random.Random(shuffle_seed).shuffle(batch)
        response = await self.post_push(batch)
        assert response.status_code == 200, response.text[:500]
        body = response.json()
        self.handle_results(batch, body)
        return body["results"]

    async def pull_page(self, limit: int, *, crash: bool = False) -> dict:
        params: dict[str, Any] = {"cursor": self.cursor, "limit": limit, "device_id": self.device_id}
        if self.epoch is not None:
            params["epoch"] = self.epoch
        response = await self.client.get("/api/sync/pull", params=params)
        assert response.status_code == 200, f"{self.name} pull: {response.status_code} {response.text[:500]}"
        page = response.json()
        self.observe(page["server_hlc"])
        # One local transaction: records, evictions and (unless we crash) the cursor.
        if page["reset"]:
            self.records = {}
        for record in page["records"]:
            self.records[record["id"]] = record
        for record_id in page["evict"]:
            self.records.pop(record_id, None)
            self.evicted.add(record_id)
        if not crash:
            self.cursor = page["next_cursor"]
            self.epoch = page["epoch"]
        return page

    async def pull(self, limit: int = 500, *, crash: bool = False, max_pages: int = 10_000) -> None:
        """Pull until `has_more` is false. With `crash` the first page is applied but its
        cursor is never stored (the app died between apply and cursor save)."""
        generation = self.pull_generation
        self.pull_generation += 1
        for _ in range(max_pages):
            page = await self.pull_page(limit, crash=crash)
            if crash:
                return
            if not page["has_more"]:
                # Acked before this pull started → covered by the snapshots now.
                self.acked = [(op, g) for op, g in self.acked if g > generation]
                return
        raise AssertionError(f"{self.name}: pull did not finish in {max_pages} pages")


def run(loop: asyncio.AbstractEventLoop, coroutine):
    return loop.run_until_complete(coroutine)
