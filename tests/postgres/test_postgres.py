"""The server on PostgreSQL: migrations to head, the protocol example, append-only logs
(UPDATE, DELETE and TRUNCATE refused), a restart that keeps the data, and two server
processes on one database pushing to the same citizen at once without losing an update.

Needs `BROBYGGER_TEST_POSTGRES_URL` (a role that may create databases); `make test` sets
it after starting Debian's PostgreSQL (`make postgres`). Each run gets a new database.
"""
from __future__ import annotations

import json
import os
import re
import threading
import uuid
from pathlib import Path

import httpx
import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from support import ServerProcess, hlc_now, register_device_sync

from server import demo
from server.core.db import alembic_config
from sync import merge
from sync.ops import from_stored

ROOT = Path(__file__).resolve().parents[2]
ADMIN_URL = os.environ.get("BROBYGGER_TEST_POSTGRES_URL")
pytestmark = pytest.mark.skipif(not ADMIN_URL, reason="set BROBYGGER_TEST_POSTGRES_URL (make test does)")
PUSHES = 40  # per process, at once, in test_two_processes_pushing_at_once_lose_no_update


@pytest.fixture(scope="module")
def database():
    """A new, empty database for this module; dropped afterwards."""
    name = f"brobygger_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine = create_engine(make_url(ADMIN_URL).set(database=name))
    yield engine
    engine.dispose()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="module")
def servers(database, tmp_path_factory):
    """Two server processes on the one database. The first creates the schema and the demo
    data; the second starts after it (as a second process would join a running one)."""
    url = database.url.render_as_string(hide_password=False)
    workdir = tmp_path_factory.mktemp("pg")
    settings = {"demo_mode": True, "secret_key": "pg-test-secret"}
    first, second = (ServerProcess(workdir, database_url=url, name=name, settings=settings) for name in ("first", "second"))
    first.start()
    second.start()
    yield first, second
    first.close()
    second.close()


def _protocol_example() -> dict:
    doc = (ROOT / "docs" / "sync-protocol.md").read_text(encoding="utf-8")
    return json.loads(re.search(r"```json\n(.*?)```", doc, re.DOTALL).group(1))


def _register(client: httpx.Client, device_id: str | None = None) -> str:
    return register_device_sync(client, "PG-test", device_id)


def _count(database, table: str) -> int:
    with database.connect() as connection:
        return connection.execute(text(f"SELECT count(*) FROM {table}")).scalar()


def test_schema_is_at_head(servers, database):
    with database.connect() as connection:
        versions = set(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())
    assert versions == set(ScriptDirectory.from_config(alembic_config(database)).get_heads())


def test_protocol_example_is_accepted_by_one_process_and_duplicate_at_the_other(servers):
    first, second = servers
    body = _protocol_example()
    device = _register(first.client("behandler"), body["device_id"])
    assert device == body["device_id"]
    statuses = [r["status"] for r in first.client("behandler").post("/api/sync/push", json=body).json()["results"]]
    assert statuses == ["accepted"] * len(body["ops"])
    statuses = [r["status"] for r in second.client("behandler").post("/api/sync/push", json=body).json()["results"]]
    assert statuses == ["duplicate"] * len(body["ops"])


def test_two_processes_pushing_at_once_lose_no_update(servers, database):
    """Each process re-merges the citizen from its ops; without a lock shared by the
    processes, the later commit overwrote the merged state without the other's op."""
    first, second = servers
    clients = [(c, _register(c)) for c in (first.client("behandler"), second.client("behandler2"))]
    citizen_id = str(uuid.uuid4())
    create = _op(clients[0][1], "citizen", citizen_id, "create", None,
                 {"code": f"PG-{citizen_id[:6].upper()}", "team_id": demo.TEAM_ID, "initials": "PG"})
    created = clients[0][0].post("/api/sync/push", json={"device_id": clients[0][1], "ops": [create]}).json()["results"][0]
    assert created["status"] == "accepted", created

    failures: list[str] = []

    def push(client, device, field, value, n):
        op = _op(device, "citizen", citizen_id, "set", field, value, counter=n + 1)
        response = client.post("/api/sync/push", json={"device_id": device, "ops": [op]})
        if response.status_code != 200 or response.json()["results"][0]["status"] != "accepted":
            failures.append(response.text[:300])

    for n in range(PUSHES):
        threads = [
            threading.Thread(target=push, args=(*clients[0], "initials", f"A{chr(65 + n % 26)}", n)),
            threading.Thread(target=push, args=(*clients[1], "birth_year", 1950 + n, n)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert failures == []

    with database.connect() as connection:
        stored, last_seq = connection.execute(text("SELECT state, last_seq FROM records WHERE id = :id"), {"id": citizen_id}).one()
        rows = connection.execute(text("SELECT body, seq FROM ops WHERE record_id = :id"), {"id": citizen_id}).all()
    assert len(rows) == 1 + 2 * PUSHES  # the create and every set of both processes
    assert last_seq == max(seq for _, seq in rows)
    remerged = merge.record_state("citizen", [from_stored(body) for body, _ in rows])
    assert json.dumps(stored, sort_keys=True, default=str) == json.dumps(remerged, sort_keys=True, default=str)
    last = PUSHES - 1  # each device's HLCs increase: its last set wins its field
    assert stored["fields"]["initials"] == f"A{chr(65 + last % 26)}" and stored["fields"]["birth_year"] == 1950 + last


@pytest.mark.parametrize(
    ("table", "statement"),
    [("ops", "UPDATE ops SET hlc = hlc"), ("ops", "DELETE FROM ops"), ("ops", "TRUNCATE ops CASCADE"),
     ("auditentry", "UPDATE auditentry SET action = action"), ("auditentry", "DELETE FROM auditentry"),
     ("auditentry", "TRUNCATE auditentry")],
)
def test_logs_are_append_only(servers, database, table, statement):
    before = _count(database, table)
    assert before > 0
    with pytest.raises(DBAPIError, match="append-only"), database.begin() as connection:
        connection.execute(text(statement))
    assert _count(database, table) == before


def test_restart_keeps_the_data_and_loads_no_second_demo(servers, database):
    first, _ = servers
    ops, users = _count(database, "ops"), _count(database, '"user"')
    first.stop()
    first.start()
    assert (_count(database, "ops"), _count(database, '"user"')) == (ops, users)
    assert first.client("projektleder").get("/api/citizens").status_code == 200


def _op(device_id: str, entity: str, record_id: str, kind: str, field, value, counter: int = 0) -> dict:
    # The counter keeps one device's HLCs increasing even within one millisecond.
    return {"op_id": str(uuid.uuid4()), "device_id": device_id, "hlc": hlc_now(device_id, counter),
            "entity": entity, "record_id": record_id, "kind": kind, "field": field, "value": value, "seen": []}
