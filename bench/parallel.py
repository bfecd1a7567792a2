"""Two municipalities pushing in parallel against one alone (bench/sync_push.py).

One: a behandler of municipality A pushes N ops in batches over HTTP. Two: a behandler
of A and one of B push N ops each at the same time, each from its own thread. Printed:
the ops/s of one alone, of both together, and the ratio (2.0 = municipalities never
wait for each other; 1.0 = one push at a time for the whole server).

On SQLite one server process serves both (SQLite has one writer). On PostgreSQL
(`BROBYGGER_TEST_POSTGRES_URL`, a role that may create databases; fresh databases from
tests/support/pg.py) two server processes on one database, A's pushes at the first and
B's at the second.
"""
from __future__ import annotations

import threading
import time
from pathlib import Path

from benchkit import Account, Ops, bench_id, bodies, prepare, push_http, register, serve, session_client

ORGS = {"teamA": ("A", "rusmiddelcenter"), "partnerA": ("A", "civil_society"),
        "teamB": ("B", "rusmiddelcenter"), "partnerB": ("B", "civil_society")}
USERS = {"behandlerA": ("behandler", "teamA"), "behandlerB": ("behandler", "teamB")}
PARTNER_OF = {"behandlerA": "partnerA", "behandlerB": "partnerB"}  # the consents' recipient


def _job(base_url: str, account: Account, key: str, ops: int, batch: int) -> tuple:
    device = bench_id(f"parallel-{key}-{account.username}")
    client = session_client(base_url, account)
    register(client, device)
    stream = Ops(device, account.org_id, bench_id(PARTNER_OF[account.username]), prefix=f"{key[0].upper()}{account.username[-1]}-")
    encoded = bodies(device, stream.stream(ops), batch)
    return client, encoded


def _run(base_urls: list[str], accounts: list[Account], key: str, ops: int, batch: int) -> float:
    """Every account pushes `ops` at once (its own thread, its own server URL); wall seconds."""
    jobs = [_job(url, account, key, ops, batch) for url, account in zip(base_urls, accounts)]
    errors: list[BaseException] = []

    def push(client, encoded):
        try:
            push_http(client, encoded)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=push, args=job) for job in jobs]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    for client, _ in jobs:
        client.close()
    if errors:
        raise errors[0]
    return elapsed


def compare(workdir: Path, urls: tuple[str, str], processes: int, ops: int, batch: int) -> dict:
    """One municipality alone on fresh data at `urls[0]`, then two at once on fresh data at
    `urls[1]` (SQLite files or PostgreSQL databases), each served by `processes` server
    processes (1 or 2)."""
    seconds = []
    for key, url in zip(("one", "two"), urls):
        accounts = prepare(url, ORGS, USERS)
        servers = [serve(workdir, url, name=f"parallel-{key}-{n}") for n in range(processes)]
        try:
            a, b = accounts["behandlerA"], accounts["behandlerB"]
            if key == "one":
                seconds.append(_run([servers[0].api_url], [a], key, ops, batch))
            else:
                seconds.append(_run([servers[0].api_url, servers[-1].api_url], [a, b], key, ops, batch))
        finally:
            for server in servers:
                server.close()
    one, two = ops / seconds[0], 2 * ops / seconds[1]
    return {"one_ops_per_s": one, "two_ops_per_s": two, "ratio": two / one, "one_s": seconds[0], "two_s": seconds[1]}
