"""Test harness for the convergence and sync-API suites: a small world (municipality,
teams, partner organisations, users) in a fresh app on a temp SQLite file, HTTP clients
that talk to it only through `httpx.ASGITransport`, and `SimDevice`, a simulated phone
with its own skewed clock, HLC, outbox, "needs attention" list, cursor and snapshots.

The device mirrors the PWA client (`pwa/src/store.js`): `seen` of a write is the
snapshot's `heads[field]` + `heads.archived` + the device's own not-yet-covered ops on
the field (create/archive ops included); acked ops stay applied locally until a
complete pull that started after the ack covers them; the cursor is stored together
with the page it covers (unless a crash is simulated).
"""
from __future__ import annotations

import asyncio
import sqlite3
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlmodel import Session

from schemas.accounts import Municipality, Organisation, User
from server.app import create_app
from server.auth.passwords import hash_password
from server.settings import Settings
from sync import hlc as hlc_mod

PASSWORD = "pw"
_HASH: str | None = None


def password_hash() -> str:
    """argon2 is slow on purpose: hash the shared test password once per process."""
    global _HASH
    _HASH = _HASH or hash_password(PASSWORD)
    return _HASH


def new_id() -> str:
    return str(uuid.uuid4())


# ------------------------------------------------------------------------------ world
@dataclass
class World:
    app: Any
    db_path: Path
    municipality_id: str
    team_id: str  # the team of b1, b2, b3 and the projektleder
    other_team_id: str  # the team of b4
    partner_id: str  # civil-society organisation of the frivillig f1
    other_partner_id: str
    user_ids: dict[str, str] = field(default_factory=dict)

    @property
    def max_drift_ms(self) -> int:
        return self.app.state.settings.max_clock_drift_seconds * 1000

    def sql(self) -> sqlite3.Connection:
        """A plain read connection to the app's SQLite file (autocommit, WAL reader)."""
        connection = sqlite3.connect(self.db_path, isolation_level=None, check_same_thread=False)
        connection.execute("PRAGMA busy_timeout=30000")
        return connection


USERS = (
    # username, role, which organisation (attribute of World)
    ("b1", "behandler", "team_id"),
    ("b2", "behandler", "team_id"),
    ("b3", "behandler", "team_id"),
    ("b4", "behandler", "other_team_id"),
    ("f1", "frivillig", "partner_id"),
    ("f2", "frivillig", "other_partner_id"),
    ("p1", "projektleder", "team_id"),
    ("admin", "admin", "team_id"),
)


def build_world(directory: Path, **settings: Any) -> World:
    """A fresh app on `directory/x.db` with one municipality, two teams, two partners and
    the users of `USERS` (password `pw`), inserted directly into the database."""
    db_path = Path(directory) / "x.db"
    app = create_app(Settings(database_url=f"sqlite:///{db_path}", **settings))
    world = World(app, db_path, new_id(), new_id(), new_id(), new_id(), new_id())
    with Session(app.state.engine) as db:
        db.add(Municipality(id=world.municipality_id, name="Testkommune"))
        db.flush()
        for org_id, name, kind in (
            (world.team_id, "Fremskudt team Nord", "rusmiddelcenter"),
            (world.other_team_id, "Fremskudt team Syd", "rusmiddelcenter"),
            (world.partner_id, "Værestedet Test", "civil_society"),
            (world.other_partner_id, "Varmestuen Test", "civil_society"),
        ):
            db.add(Organisation(id=org_id, municipality_id=world.municipality_id, name=name, kind=kind))
        db.flush()
        for username, role, org_attr in USERS:
            user_id = new_id()
            world.user_ids[username] = user_id
            db.add(User(
                id=user_id, username=username, display_name=f"Test {username}", password_hash=password_hash(),
                role=role, organisation_id=getattr(world, org_attr), municipality_id=world.municipality_id,
            ))
        db.commit()
    return world


def client_for(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


async def login(app, username: str, password: str = PASSWORD) -> httpx.AsyncClient:
    client = client_for(app)
    response = await client.post("/api/session", json={"username": username, "password": password})
    assert response.status_code == 200, f"login {username}: {response.status_code} {response.text[:300]}"
    return client


async def register_device(client: httpx.AsyncClient, name: str = "Testtelefon", device_id: str | None = None) -> str:
    body = {"name": name} if device_id is None else {"name": name, "device_id": device_id}
    response = await client.post("/api/devices", json=body)
    assert response.status_code in (200, 201), f"register device: {response.status_code} {response.text[:300]}"
    return response.json()["device_id"]


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
