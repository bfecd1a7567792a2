"""Crash safety: a real server process killed with SIGKILL at random points of a push
loop, restarted, the client resending every batch it has no answer for. Afterwards every
op the client created is in the log exactly once and the database is intact
(`PRAGMA integrity_check` on SQLite). The same on PostgreSQL.

A few kills in `make test`; `make soak` (HYPOTHESIS_PROFILE=soak) kills many more times.
"""
from __future__ import annotations

import os
import random
import signal
import threading
import uuid

import httpx
from sqlalchemy import create_engine, text
from support import ServerProcess, hlc_now
from support.pg import fresh_database, needs_postgres

SOAK = os.environ.get("HYPOTHESIS_PROFILE") == "soak"
KILLS = int(os.environ.get("CRASH_KILLS", "30" if SOAK else "3"))
TEAM = "22222222-2222-4222-8222-222222222222"
TRANSPORT_ERRORS = (httpx.TransportError,)


def batch(device: str, counter: list[int], size: int) -> list[dict]:
    """A citizen with contacts: `size` ops, each with its own HLC."""
    ops, citizen = [], str(uuid.uuid4())

    def op(entity, record_id, value):
        counter[0] += 1
        return {"op_id": str(uuid.uuid4()), "device_id": device, "hlc": hlc_now(device, counter[0] % 99_999),
                "entity": entity, "record_id": record_id, "kind": "create", "field": None, "value": value, "seen": []}

    ops.append(op("citizen", citizen, {"code": f"CR-{uuid.uuid4().hex[:8].upper()}", "team_id": TEAM, "initials": "CR"}))
    while len(ops) < size:
        ops.append(op("contact", str(uuid.uuid4()), {"citizen_id": citizen, "occurred_at": "2026-01-05T10:00:00+01:00",
                                                   "kind": "contact"}))
    return ops


def crash_loop(server: ServerProcess, kills: int) -> list[str]:
    """Push until the server was killed `kills` times; returns every op id created."""
    client, signed = server.phone("behandler")
    rnd, counter, created, done = random.Random(kills), [0], [], 0
    pending: list[list[dict]] = []
    while done < kills:
        victim = server.proc  # the killer signals this process only, never a restarted one
        killer = threading.Timer(rnd.uniform(0.05, 0.6), lambda: victim.send_signal(signal.SIGKILL))
        killer.start()
        try:
            while True:
                ops = pending[0] if pending else batch(signed.device_id, counter, rnd.randint(5, 60))
                if not pending:
                    pending.append(ops)
                    created += [op["op_id"] for op in ops]
                try:
                    response = client.post("/api/sync/push", json={"device_id": signed.device_id, "ops": ops})
                except TRANSPORT_ERRORS:
                    break  # killed mid-push: the batch stays pending and is sent again
                assert response.status_code == 200, response.text
                assert {r["status"] for r in response.json()["results"]} <= {"accepted", "duplicate"}
                pending.pop(0)
        finally:
            killer.cancel()
            killer.join()
        done += 1
        server.kill()  # make sure it is down, wherever the timer caught it
        server.start()
    while pending:  # the last unanswered batch, on a live server
        response = client.post("/api/sync/push", json={"device_id": signed.device_id, "ops": pending[0]})
        assert response.status_code == 200 and {r["status"] for r in response.json()["results"]} <= {"accepted", "duplicate"}
        pending.pop(0)
    return created


def assert_exactly_once(connection, created: list[str]) -> None:
    counts = dict(connection.execute(text("SELECT op_id, count(*) FROM ops GROUP BY op_id")).all())
    missing = [op_id for op_id in created if counts.get(op_id) != 1]
    assert not missing, f"{len(missing)} of {len(created)} ops not in the log exactly once"


def test_kill_9_during_pushes_loses_and_duplicates_nothing_on_sqlite(tmp_path):
    server = ServerProcess(tmp_path, settings={"demo_mode": True})
    with server:
        created = crash_loop(server, KILLS)
    engine = create_engine(server.database_url)
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        assert_exactly_once(connection, created)
    engine.dispose()
    assert len(created) > 10


@needs_postgres
def test_kill_9_during_pushes_loses_and_duplicates_nothing_on_postgresql(tmp_path):
    with fresh_database("brobygger_crash") as url:
        server = ServerProcess(tmp_path, database_url=url, settings={"demo_mode": True})
        with server:
            created = crash_loop(server, KILLS)
        engine = create_engine(url)
        with engine.connect() as connection:
            assert_exactly_once(connection, created)
        engine.dispose()
