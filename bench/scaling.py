"""The scaling runs of bench/sync_push.py, over HTTP to a real server process on SQLite.

- `push_scaling`: push the same number of create ops into databases that already hold
  1k / 10k / 100k records. One database grows through the real write path (`apply_ops`
  in this process, not timed); at each size a copy is served by a fresh `python -m
  server` and a new device pushes the ops in batches (timed). Each size's ops/s against
  the smallest size's, measured in the same run.
- `pull_scaling`: a fresh device's first pull with 1k / 10k / 50k records in its scope
  (page limit 1000), the database grown between sizes; the peer (PouchDB replicating the
  same number of docs from express-pouchdb into a new in-memory PouchDB) at each size too
  when one is given. Then p50/p90 of the empty incremental pull at the largest size.
"""
from __future__ import annotations

import statistics
import time
from pathlib import Path

from benchkit import Account, Ops, bench_id, bodies, fill, first_pull, push_http, register, serve, session_client
from support.app import copy_database, sqlite_url

EMPTY_PULLS = 50


def push_scaling(workdir: Path, url: str, writer: Account, partner_id: str, sizes: list[int], ops: int, batch: int) -> list[dict]:
    """[{size, seconds, ops_per_s, fill_s}] for each size (ascending); prints as it goes."""
    path = Path(url.removeprefix("sqlite:///"))
    existing = Ops(bench_id("scaling-fill-device"), writer.org_id, partner_id, prefix="F")
    rows, held = [], 0
    for number, size in enumerate(sorted(sizes)):
        fill_s = fill(url, writer, existing.stream(size - held, creates_only=True))
        held = size
        copy = copy_database(path, workdir / f"scaling-{size}.db")
        device = bench_id(f"scaling-device-{size}")
        encoded = bodies(device, Ops(device, writer.org_id, partner_id, prefix=f"S{number}-").stream(ops, creates_only=True), batch)
        server = serve(workdir, sqlite_url(copy), name=f"scaling-{size}")
        try:
            client = session_client(server.api_url, writer)
            register(client, device)
            seconds = push_http(client, encoded)
            client.close()
        finally:
            server.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{copy}{suffix}").unlink(missing_ok=True)
        rows.append({"size": size, "seconds": seconds, "ops_per_s": ops / seconds, "fill_s": fill_s})
        base = rows[0]["ops_per_s"]
        print(f"  {size:>7,} records before: push {ops:,} create ops {seconds:6.2f} s  {ops / seconds:7.0f} ops/s  "
              f"× {ops / seconds / base:4.2f} of {rows[0]['size']:,}   (filled in {fill_s:.1f} s)", flush=True)
    return rows


def pull_scaling(workdir: Path, url: str, writer: Account, reader: Account, sizes: list[int], batch: int,
                 peer=None) -> dict:
    """{"rows": [{size, seconds, pages, peer_s}], "empty_p50_ms", "empty_p90_ms"}; prints as it goes."""
    creates = Ops(bench_id("pull-fill-device"), writer.org_id, bench_id("partner"), prefix="P")
    rows, held, empty = [], 0, {}
    sizes = sorted(sizes)
    for size in sizes:
        ops = creates.bare_citizens(size - held)
        fill(url, writer, ops)
        held = size
        server = serve(workdir, url, name=f"pull-{size}")
        try:
            client = session_client(server.api_url, reader)
            device = register(client, bench_id(f"pull-device-{size}"))
            seconds, received, pages = first_pull(client, device)
            assert received == size, (received, size)
            if size == sizes[-1]:
                empty = _empty_pulls(client, device)
            client.close()
        finally:
            server.close()
        peer_s = None
        if peer is not None:
            peer.push(ops, batch, database="pull")
            pulled = peer.pull(batch, database="pull")
            assert pulled["docs"] == size, (pulled, size)
            peer_s = pulled["seconds"]
        rows.append({"size": size, "seconds": seconds, "pages": pages, "peer_s": peer_s})
        peer_text = f"   peer {peer_s:6.2f} s (ours/peer {seconds / peer_s:4.2f})" if peer_s else ""
        print(f"  {size:>7,} records in scope: first pull {seconds:6.2f} s in {pages} pages{peer_text}", flush=True)
    return {"rows": rows, **empty}


def _empty_pulls(client, device: str) -> dict:
    cursor = 0
    while True:  # up to date first
        page = client.get("/api/sync/pull", params={"cursor": cursor, "limit": 1000, "device_id": device}).json()
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    timings = []
    for _ in range(EMPTY_PULLS):
        started = time.perf_counter()
        response = client.get("/api/sync/pull", params={"cursor": cursor, "limit": 1000, "device_id": device})
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200 and response.json()["records"] == []
    return {"empty_p50_ms": statistics.median(timings), "empty_p90_ms": statistics.quantiles(timings, n=10)[-1]}
