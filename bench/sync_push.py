"""Sync throughput benchmark: `python bench/sync_push.py [--profile]`.

1. Push 20,000 realistic ops (citizens with courses, contacts, consents and phase changes)
   in batches of 500 through the real endpoint (`POST /api/sync/push`, httpx ASGITransport
   against `create_app` on a temp SQLite file, one behandler + one device).
2. Baseline, same run: insert the same ops idempotently with plain sqlite3 into a table
   with `op_id UNIQUE` (`INSERT OR IGNORE`, batches of 500, one transaction per batch,
   the app's pragmas: WAL, synchronous=NORMAL).
3. First pull of a fresh device scoped to 10,000 records (limit 1000 per page).
4. Empty incremental pull, p50 over 50 calls.

`--profile` runs the endpoint push under cProfile and prints the top hot spots.
"""
from __future__ import annotations

import argparse
import asyncio
import cProfile
import hashlib
import io
import json
import logging
import os
import platform
import pstats
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx
from sqlmodel import Session

from schemas.accounts import Municipality, Organisation, User
from server.app import create_app
from server.auth.passwords import hash_password
from server.settings import Settings
from sync import hlc as hlc_mod
from sync.ops import consent_record_id

TOTAL_OPS = 20_000
BATCH = 500
PULL_RECORDS = 10_000
PULL_LIMIT = 1000
EMPTY_PULLS = 50
GOAL_RATIO, GOAL_OPS_PER_S, GOAL_FIRST_PULL_S = 2.0, 5_000, 3.0


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()) if hasattr(os, "getloadavg") else "load unknown"
    return (f"{model}, {os.cpu_count()} cores, Python {platform.python_version()} "
            f"({platform.system()} {platform.machine()}), {load} at start")


class Ops:
    """A realistic op stream from one device, each citizen's ops in causal order."""

    def __init__(self, device_id: str, team_id: str, partner_id: str):
        self.device_id, self.team_id, self.partner_id = device_id, team_id, partner_id
        self.clock = hlc_mod.HLC(0, 0, device_id)
        self.count = 0

    def op(self, entity, record_id, kind, field=None, value=None, seen=()):
        self.clock = hlc_mod.send(self.clock, int(time.time() * 1000))
        self.count += 1
        return {
            "op_id": str(uuid.uuid4()), "device_id": self.device_id, "hlc": self.clock.encode(), "entity": entity,
            "record_id": record_id, "kind": kind, "field": field, "value": value, "seen": list(seen),
        }

    def citizen(self, number: int) -> list[dict]:
        citizen, course = str(uuid.uuid4()), str(uuid.uuid4())
        ops = [self.op("citizen", citizen, "create", value={
            "code": f"B{number:07d}", "team_id": self.team_id, "initials": "KL", "sex": "male", "birth_year": 1981})]
        ops.append(self.op("course", course, "create", value={
            "citizen_id": citizen, "identified_on": "2026-11-01", "first_seen_place": "public_space",
            "phase": {"phase": "phase_1", "date": "2026-11-01"}}))
        for day in (2, 9):
            ops.append(self.op("contact", str(uuid.uuid4()), "create", value={
                "citizen_id": citizen, "occurred_at": f"2026-11-{day:02d}T10:15:00+01:00", "kind": "contact",
                "place": "street", "channel": "in_person", "actors": ["behandler_fremskudt"], "note": "Samtale."}))
        ops.append(self.op("consent", consent_record_id(citizen, "share_with_partner", self.partner_id), "create", value={
            "citizen_id": citizen, "purpose": "share_with_partner", "recipient_org_id": self.partner_id,
            "state": {"action": "grant", "form": "oral", "given_by": "citizen", "date": "2026-11-02"}}))
        ops.append(self.op("course", course, "set", "phase", {"phase": "phase_2", "date": "2026-11-09"}, seen=[ops[1]["op_id"]]))
        ops.append(self.op("citizen", citizen, "set", "phone", "12345678"))
        return ops

    def stream(self, total: int) -> list[dict]:
        out: list[dict] = []
        number = 0
        while len(out) < total:
            out += self.citizen(number)
            number += 1
        return out[:total]


def setup(directory: str):
    app = create_app(Settings(database_url=f"sqlite:///{directory}/bench.db", secret_key="bench-" + uuid.uuid4().hex))
    ids = {name: str(uuid.uuid4()) for name in ("m", "team", "team2", "partner", "b1", "b2")}
    with Session(app.state.engine) as db:
        db.add(Municipality(id=ids["m"], name="Benchkommune"))
        db.flush()
        for key, kind in (("team", "rusmiddelcenter"), ("team2", "rusmiddelcenter"), ("partner", "civil_society")):
            db.add(Organisation(id=ids[key], municipality_id=ids["m"], name=key, kind=kind))
        db.flush()
        pw = hash_password("pw")
        for user, team in (("b1", "team"), ("b2", "team2")):
            db.add(User(id=ids[user], username=user, display_name=user, password_hash=pw, role="behandler",
                        organisation_id=ids[team], municipality_id=ids["m"]))
        db.commit()
    return app, ids


async def client_with_device(app, username: str) -> tuple[httpx.AsyncClient, str]:
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench")
    response = await client.post("/api/session", json={"username": username, "password": "pw"})
    assert response.status_code == 200, response.text
    response = await client.post("/api/devices", json={"name": "Benchtelefon"})
    assert response.status_code == 201, response.text
    return client, response.json()["device_id"]


async def push_all(client: httpx.AsyncClient, device_id: str, ops: list[dict]) -> float:
    started = time.perf_counter()
    for start in range(0, len(ops), BATCH):
        response = await client.post("/api/sync/push", json={"device_id": device_id, "ops": ops[start : start + BATCH]})
        assert response.status_code == 200, response.text[:300]
        statuses = {r["status"] for r in response.json()["results"]}
        assert statuses == {"accepted"}, response.json()["results"][:3]
    return time.perf_counter() - started


def baseline(directory: str, ops: list[dict], user_id: str) -> float:
    connection = sqlite3.connect(f"{directory}/baseline.db", isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute(
        "CREATE TABLE ops (seq INTEGER PRIMARY KEY AUTOINCREMENT, op_id TEXT NOT NULL UNIQUE, content_hash TEXT,"
        " entity TEXT, record_id TEXT, device_id TEXT, user_id TEXT, hlc TEXT, body TEXT, received_at TEXT)"
    )
    connection.execute("CREATE INDEX ix_ops_record_id ON ops (record_id)")
    started = time.perf_counter()
    for start in range(0, len(ops), BATCH):
        rows = []
        now = time.strftime("%Y-%m-%d %H:%M:%S")
        for op in ops[start : start + BATCH]:
            body = json.dumps(op, sort_keys=True, separators=(",", ":"))
            rows.append((op["op_id"], hashlib.sha256(body.encode()).hexdigest(), op["entity"], op["record_id"],
                         op["device_id"], user_id, op["hlc"], body, now))
        connection.execute("BEGIN")
        connection.executemany(
            "INSERT OR IGNORE INTO ops (op_id, content_hash, entity, record_id, device_id, user_id, hlc, body, received_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        connection.execute("COMMIT")
    elapsed = time.perf_counter() - started
    assert connection.execute("SELECT count(*) FROM ops").fetchone()[0] == len(ops)
    connection.close()
    return elapsed


async def main(profile: bool) -> None:
    logging.disable(logging.INFO)
    print(f"Machine: {machine()}")
    print(f"Workload: {TOTAL_OPS} ops in batches of {BATCH} (per citizen: create, course, 2 contacts, consent, phase set, phone set)")
    with tempfile.TemporaryDirectory() as directory:
        app, ids = setup(directory)
        client, device = await client_with_device(app, "b1")
        ops = Ops(device, ids["team"], ids["partner"]).stream(TOTAL_OPS)

        profiler = cProfile.Profile() if profile else None
        pull_profiler = None
        if profiler:
            # The route runs in a worker thread: profile its two costly parts there, the
            # op handling (`apply_ops`) and the commit (bench-only monkeypatch, no server edit).
            from server.api import sync as sync_routes

            originals = (sync_routes.apply_ops, Session.commit)
            sync_routes.apply_ops = lambda *a, **k: profiler.runcall(originals[0], *a, **k)
            Session.commit = lambda self: profiler.runcall(originals[1], self)
        endpoint_s = await push_all(client, device, ops)
        if profiler:
            sync_routes.apply_ops, Session.commit = originals
        base_s = baseline(directory, ops, ids["b1"])
        endpoint_rate, base_rate = TOTAL_OPS / endpoint_s, TOTAL_OPS / base_s
        ratio = endpoint_s / base_s
        print(f"push endpoint     : {endpoint_s:7.2f} s  {endpoint_rate:8.0f} ops/s   goal ≥ {GOAL_OPS_PER_S} ops/s   "
              f"{'OK' if endpoint_rate >= GOAL_OPS_PER_S else 'MISSED'}")
        print(f"baseline sqlite3  : {base_s:7.2f} s  {base_rate:8.0f} ops/s   (INSERT OR IGNORE, op_id UNIQUE)")
        print(f"ratio endpoint/baseline: {ratio:.1f}x   goal ≤ {GOAL_RATIO:.0f}x   {'OK' if ratio <= GOAL_RATIO else 'MISSED'}")

        # First pull: a device of another team scoped to exactly 10,000 citizens.
        b2, b2_device = await client_with_device(app, "b2")
        writer = Ops(b2_device, ids["team2"], ids["partner"])
        creates = [writer.op("citizen", str(uuid.uuid4()), "create", value={
            "code": f"P{n:07d}", "team_id": ids["team2"], "initials": "PB", "birth_year": 1990}) for n in range(PULL_RECORDS)]
        await push_all(b2, b2_device, creates)
        fresh, fresh_device = await client_with_device(app, "b2")
        started = time.perf_counter()
        cursor, received, pages = 0, 0, 0
        while True:
            response = await fresh.get("/api/sync/pull", params={"cursor": cursor, "limit": PULL_LIMIT, "device_id": fresh_device})
            assert response.status_code == 200, response.text[:300]
            page = response.json()
            received += len(page["records"])
            pages += 1
            cursor = page["next_cursor"]
            if not page["has_more"]:
                break
        first_pull_s = time.perf_counter() - started
        assert received == PULL_RECORDS, received
        print(f"first pull        : {first_pull_s:7.2f} s  {received} records in {pages} pages of ≤{PULL_LIMIT}   "
              f"goal < {GOAL_FIRST_PULL_S:.0f} s   {'OK' if first_pull_s < GOAL_FIRST_PULL_S else 'MISSED'}")

        pull_profiler = cProfile.Profile() if profile else None
        if pull_profiler:
            from server.api import sync as sync_routes

            pull_originals = (sync_routes.pull, sync_routes.current_device, Session.commit)
            sync_routes.pull = lambda *a, **k: pull_profiler.runcall(pull_originals[0], *a, **k)
            sync_routes.current_device = lambda *a, **k: pull_profiler.runcall(pull_originals[1], *a, **k)
            Session.commit = lambda self: pull_profiler.runcall(pull_originals[2], self)
        timings = []
        for _ in range(EMPTY_PULLS):
            started = time.perf_counter()
            response = await fresh.get("/api/sync/pull", params={"cursor": cursor, "limit": PULL_LIMIT, "device_id": fresh_device})
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200 and response.json()["records"] == []
        print(f"empty incremental pull: p50 {statistics.median(timings):.1f} ms  (p90 "
              f"{statistics.quantiles(timings, n=10)[-1]:.1f} ms, {EMPTY_PULLS} calls)")

        if pull_profiler:
            sync_routes.pull, sync_routes.current_device, Session.commit = pull_originals
        for c in (client, b2, fresh):
            await c.aclose()
        app.state.engine.dispose()

    if profiler:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("cumulative")
        stats.print_stats(45)
        print("\ncProfile of the endpoint push (cumulative, top 45):")
        print(out.getvalue())
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("tottime").print_stats(25)
        print("cProfile of the endpoint push (own time, top 25):")
        print(out.getvalue())
        out = io.StringIO()
        pstats.Stats(pull_profiler, stream=out).strip_dirs().sort_stats("cumulative").print_stats(25)
        print(f"cProfile of {EMPTY_PULLS} empty pulls (pull, current_device, commit; cumulative, top 25):")
        print(out.getvalue())


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", action="store_true", help="profile the endpoint push with cProfile")
    asyncio.run(main(parser.parse_args().profile))
