"""Sync throughput benchmark: `python bench/sync_push.py` (`make bench`; `--help` for short runs).

Every figure is printed next to a baseline or a peer measured in the same run.

1. Push: the same 20,000 realistic ops (per citizen: create citizen, course, two contacts,
   consent, a phase change, a phone change), batches of 500, each side over real HTTP on
   loopback, bodies encoded before the clock starts:
   - ours: `POST /api/sync/push` of `python -m server` (uvicorn) on a fresh SQLite file,
     one behandler with one registered device;
   - the peer: PouchDB 9 replicating the ops (one doc per op, `_id` = op_id, the op as the
     body) from an in-memory PouchDB to express-pouchdb on LevelDB (bench/peer/), batch_size
     500 (bench/pouchdb_peer.py says what it does per batch);
   - the floor: a bare FastAPI route doing only `executemany` into SQLite (bench/floor.py);
   - raw `sqlite3`: the same rows inserted idempotently (`INSERT OR IGNORE`, op_id UNIQUE,
     500 per transaction, WAL, synchronous=NORMAL), no HTTP;
   - ours in-process: the same endpoint over httpx's ASGI transport (no sockets), with
     `--profile` under cProfile.
2. Scaling (bench/scaling.py): push 20,000 create ops into databases already holding
   1k / 10k / 100k records; a fresh device's first pull at 1k / 10k / 50k records in
   scope (and the peer's at the same sizes); the empty incremental pull.
3. Two municipalities pushing in parallel against one (bench/parallel.py): SQLite, one
   server process; PostgreSQL, two processes, when BROBYGGER_TEST_POSTGRES_URL is set.
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
import pstats
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import benchkit  # first: puts the repository and tests/ on sys.path
import httpx
import parallel
import pouchdb_peer
import scaling
from benchkit import ROOT, Ops, bench_id, bodies, machine, prepare, push_http, register, serve, session_client, verdict
from sqlmodel import Session
from support.app import asgi_client, make_app, sqlite_url
from support.pg import fresh_database
from support.server import ServerProcess

from server.auth.sessions import COOKIE

GOAL_PEER_RATIO = 1.5  # our push throughput / PouchDB's, same ops, same run
GOAL_SCALING_RATIO = 0.8  # push ops/s on the largest database / on the smallest
# First pull at 50k < 3 s, and time(50k) / time(10k) ≤ 5.5: at most 1.1 × the records' ratio.
GOAL_PULL_LARGEST_S, GOAL_PULL_SLACK = 3.0, 1.1
ORGS = {"team": ("M", "rusmiddelcenter"), "team2": ("M", "rusmiddelcenter"), "partner": ("M", "civil_society")}
USERS = {"b1": ("behandler", "team"), "b2": ("behandler", "team2"), "reader": ("behandler", "team2")}
DEVICE = bench_id("bench-device-b1")


def sizes(text: str) -> list[int]:
    return [int(float(part)) for part in text.split(",") if part.strip()]


# ------------------------------------------------------------------------------ push, five ways
def push_ours_http(workdir: Path, ops: list[dict], batch: int) -> float:
    url = sqlite_url(workdir / "ours.db")
    accounts = prepare(url, ORGS, USERS)
    server = serve(workdir, url, name="ours")
    try:
        client = session_client(server.api_url, accounts["b1"])
        register(client, DEVICE)
        seconds = push_http(client, bodies(DEVICE, ops, batch))
        client.close()
    finally:
        server.close()
    return seconds


def push_ours_asgi(workdir: Path, ops: list[dict], batch: int, profiler: cProfile.Profile | None) -> float:
    url = sqlite_url(workdir / "asgi.db")
    accounts = prepare(url, ORGS, USERS)
    app = make_app(url)
    encoded = bodies(DEVICE, ops, batch)

    async def run() -> float:
        async with asgi_client(app) as client:
            client.cookies.set(COOKIE, accounts["b1"].token)
            response = await client.post("/api/devices", json={"name": "Benchtelefon", "device_id": DEVICE})
            assert response.status_code in (200, 201), response.text
            started = time.perf_counter()
            for body in encoded:
                response = await client.post("/api/sync/push", content=body, headers=benchkit.JSON)
                assert response.status_code == 200 and {r["status"] for r in response.json()["results"]} == {"accepted"}
            return time.perf_counter() - started

    originals = None
    if profiler:
        # The route runs in a worker thread: profile its two costly parts there, the op
        # handling (`apply_ops`) and the commit (bench-only monkeypatch, no server edit).
        from server.api import sync as sync_routes

        originals = (sync_routes.apply_ops, Session.commit)
        sync_routes.apply_ops = lambda *a, **k: profiler.runcall(originals[0], *a, **k)
        Session.commit = lambda self: profiler.runcall(originals[1], self)
    try:
        return asyncio.run(run())
    finally:
        if originals:
            sync_routes.apply_ops, Session.commit = originals
        app.state.engine.dispose()


def push_floor(workdir: Path, ops: list[dict], batch: int) -> float:
    floor = ServerProcess(workdir, name="floor", database_url=sqlite_url(workdir / "floor.db"),
                          command=(sys.executable, str(ROOT / "bench" / "floor.py")))
    with floor, httpx.Client(base_url=floor.api_url, timeout=300) as client:
        seconds = push_http(client, bodies(DEVICE, ops, batch), path="/push")
        assert client.get("/count").json()["ops"] == len(ops)
    return seconds


def push_raw_sqlite(workdir: Path, ops: list[dict], batch: int, user_id: str) -> float:
    connection = sqlite3.connect(workdir / "baseline.db", isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute(
        "CREATE TABLE ops (seq INTEGER PRIMARY KEY AUTOINCREMENT, op_id TEXT NOT NULL UNIQUE, content_hash TEXT,"
        " entity TEXT, record_id TEXT, device_id TEXT, user_id TEXT, hlc TEXT, body TEXT, received_at TEXT)"
    )
    connection.execute("CREATE INDEX ix_ops_record_id ON ops (record_id)")
    started = time.perf_counter()
    for start in range(0, len(ops), batch):
        rows = []
        now = time.strftime("%Y-%m-%d %H:%M:%S")
        for op in ops[start : start + batch]:
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


def line(name: str, seconds: float | None, count: int, note: str = "") -> None:
    if seconds is None:
        print(f"  {name:<34}: skipped {note}")
    else:
        print(f"  {name:<34}: {seconds:7.2f} s  {count / seconds:8.0f} ops/s  {note}", flush=True)


def push_section(workdir: Path, args, peer) -> None:
    ops = Ops(DEVICE, bench_id("team"), bench_id("partner")).stream(args.ops)
    print(f"\n1. Push: {len(ops):,} ops in batches of {args.batch} "
          "(per citizen: create, course, 2 contacts, consent, phase set, phone set), each over HTTP on loopback")
    ours = push_ours_http(workdir, ops, args.batch)
    line("ours: POST /api/sync/push", ours, len(ops), f"(python -m server, uvicorn, SQLite; {benchkit.load_now()})")
    peer_s = None
    if peer is not None:
        result = peer.push(ops, args.batch)
        assert result["docs_written"] == len(ops), result
        peer_s = result["seconds"]
    line("peer: PouchDB → express-pouchdb", peer_s, len(ops), "(LevelDB; one doc per op)" if peer else "(--skip-peer)")
    floor = push_floor(workdir, ops, args.batch)
    line("floor: FastAPI + executemany", floor, len(ops), "(uvicorn, SQLite)")
    raw = push_raw_sqlite(workdir, ops, args.batch, bench_id("b1"))
    line("raw sqlite3 (no HTTP)", raw, len(ops), "(INSERT OR IGNORE, op_id UNIQUE)")
    profiler = cProfile.Profile() if args.profile else None
    asgi = None if args.skip_asgi else push_ours_asgi(workdir, ops, args.batch, profiler)
    line("ours in-process (ASGI, no sockets)", asgi, len(ops), "" if asgi else "(--skip-asgi)")
    print("  ratios (same run):")
    if peer_s:
        ratio = peer_s / ours
        print(f"    our ops/s ÷ the peer's       : {ratio:5.2f}×   goal ≥ {GOAL_PEER_RATIO}×   {verdict(ratio >= GOAL_PEER_RATIO)}"
              f"   (our time is {ours / peer_s:.2f}× the peer's)")
    print(f"    our time ÷ the floor's       : {ours / floor:5.2f}×")
    print(f"    our time ÷ raw sqlite3's     : {ours / raw:5.2f}×")
    print(f"    the floor's ÷ raw sqlite3's  : {floor / raw:5.2f}×")
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("cumulative").print_stats(45)
        print("\ncProfile of the in-process push (cumulative, top 45):\n" + out.getvalue())
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("tottime").print_stats(25)
        print("cProfile of the in-process push (own time, top 25):\n" + out.getvalue())


# ------------------------------------------------------------------------------ scaling, parallel
def scaling_section(workdir: Path, args, peer) -> None:
    push_sizes, pull_sizes = sizes(args.scaling_sizes), sizes(args.pull_sizes)
    if push_sizes:
        print(f"\n2a. Push {args.ops:,} create ops into a database that already holds N records (over HTTP)")
        url = sqlite_url(workdir / "scaling.db")
        accounts = prepare(url, ORGS, USERS)
        rows = scaling.push_scaling(workdir, url, accounts["b1"], bench_id("partner"), push_sizes, args.ops, args.batch)
        if len(rows) > 1:
            ratio = rows[-1]["ops_per_s"] / rows[0]["ops_per_s"]
            print(f"  push at {rows[-1]['size']:,} ÷ push at {rows[0]['size']:,}: {ratio:.2f}×   "
                  f"goal ≥ {GOAL_SCALING_RATIO}×   {verdict(ratio >= GOAL_SCALING_RATIO)}")
    if pull_sizes:
        print("\n2b. First pull of a fresh device, N records in scope (pages of ≤1000, over HTTP)")
        url = sqlite_url(workdir / "pull.db")
        accounts = prepare(url, ORGS, USERS)
        found = scaling.pull_scaling(workdir, url, accounts["b2"], accounts["reader"], pull_sizes, args.batch, peer)
        rows = found["rows"]
        largest = rows[-1]
        print(f"  first pull at {largest['size']:,}: {largest['seconds']:.2f} s   goal < {GOAL_PULL_LARGEST_S:.0f} s   "
              f"{verdict(largest['seconds'] < GOAL_PULL_LARGEST_S)}")
        if len(rows) > 1:
            before = rows[-2]
            ratio = largest["seconds"] / before["seconds"]
            goal = GOAL_PULL_SLACK * largest["size"] / before["size"]
            print(f"  time({largest['size']:,}) ÷ time({before['size']:,}): {ratio:.2f}   (records ×"
                  f"{largest['size'] / before['size']:g}; goal ≤ {goal:.1f})   {verdict(ratio <= goal)}")
        print(f"  empty incremental pull at {largest['size']:,}: p50 {found['empty_p50_ms']:.1f} ms "
              f"(p90 {found['empty_p90_ms']:.1f} ms, {scaling.EMPTY_PULLS} calls)")


def parallel_section(workdir: Path, args) -> None:
    n = args.parallel_ops
    print(f"\n3. Two municipalities pushing {n:,} ops each at once, against one alone (over HTTP)")
    sqlite = (sqlite_url(workdir / "one.db"), sqlite_url(workdir / "two.db"))
    report("SQLite, one server process", parallel.compare(workdir, sqlite, 1, n, args.batch))
    pg = os.environ.get("BROBYGGER_TEST_POSTGRES_URL")
    if pg:
        with fresh_database("brobygger_bench") as one, fresh_database("brobygger_bench") as two:
            report("PostgreSQL, two server processes", parallel.compare(workdir, (one, two), 2, n, args.batch))
    else:
        print("  PostgreSQL, two server processes: skipped (set BROBYGGER_TEST_POSTGRES_URL)")


def report(label: str, found: dict) -> None:
    print(f"  {label}: one alone {found['one_ops_per_s']:6.0f} ops/s, two at once {found['two_ops_per_s']:6.0f} ops/s "
          f"together → {found['ratio']:.2f}× (2.0 = no waiting for each other)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ops", type=int, default=20_000, help="ops per push run (default 20000)")
    parser.add_argument("--batch", type=int, default=500, help="ops per push request / PouchDB batch_size (default 500)")
    parser.add_argument("--skip-peer", action="store_true", help="no PouchDB peer (no node needed)")
    parser.add_argument("--skip-asgi", action="store_true", help="no in-process (ASGI) push figure")
    parser.add_argument("--scaling-sizes", default="1000,10000,100000", help="records already held, push scaling ('' = skip)")
    parser.add_argument("--pull-sizes", default="1000,10000,50000", help="records in scope, first pull scaling ('' = skip)")
    parser.add_argument("--parallel-ops", type=int, default=10_000, help="ops per municipality, parallel run (0 = skip)")
    parser.add_argument("--profile", action="store_true", help="profile the in-process push with cProfile")
    args = parser.parse_args()
    logging.disable(logging.INFO)
    print(f"Machine: {machine()}")
    with tempfile.TemporaryDirectory(prefix="brobygger-bench-") as directory:
        workdir = Path(directory)
        peer_dir = workdir / "peer"
        peer = None if args.skip_peer else pouchdb_peer.Peer(peer_dir)
        if peer:
            print(f"Peer: {pouchdb_peer.versions()}")
            peer.__enter__()
        try:
            push_section(workdir, args, peer)
            scaling_section(workdir, args, peer)
            if args.parallel_ops:
                parallel_section(workdir, args)
        finally:
            if peer:
                peer.__exit__(None, None, None)
    print(f"\nDone ({benchkit.load_now()} at the end).")


if __name__ == "__main__":
    main()
