"""Backup while the server writes, restore into a fresh database: every op a phone saw
acknowledged before the backup started is in the restored database, and the restored
database is consistent (each op's record snapshot is there) and serves again.

SQLite (the sqlite3 backup API) always; PostgreSQL (pg_dump / pg_restore) when
`BROBYGGER_TEST_POSTGRES_URL` names a server (make test starts one)."""
from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from support import ServerProcess, hlc_now, pull_all_sync
from support.app import sqlite_url

from server import demo
from server.manage.__main__ import main as manage_main

ROOT = Path(__file__).resolve().parents[2]
ADMIN_URL = os.environ.get("BROBYGGER_TEST_POSTGRES_URL")
LOOP_SECONDS = 30  # the push loop's upper bound


def manage(database_url: str, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BROBYGGER_")}
    env["BROBYGGER_DATABASE_URL"] = database_url
    return subprocess.run([sys.executable, "-m", "server.manage", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)


class PushLoop(threading.Thread):
    """A phone pushing one new citizen per request until stopped; remembers when each op
    was acknowledged (`accepted` in a 200 answer)."""

    def __init__(self, server: ServerProcess):
        super().__init__(daemon=True)
        self.client, signed = server.phone("behandler")
        self.device = signed.device_id
        self.acked: list[tuple[float, str, str]] = []  # (monotonic time of the answer, op id, record id)
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        deadline = time.monotonic() + LOOP_SECONDS
        try:
            n = 0
            while not self.stop.is_set() and time.monotonic() < deadline:
                n += 1
                record, op_id = str(uuid.uuid4()), str(uuid.uuid4())
                op = {"op_id": op_id, "device_id": self.device, "hlc": hlc_now(self.device), "entity": "citizen",
                      "record_id": record, "kind": "create", "field": None,
                      "value": {"code": f"BAK-{n:05d}", "team_id": demo.TEAM_ID, "initials": "BK"}, "seen": []}
                response = self.client.post("/api/sync/push", json={"device_id": self.device, "ops": [op]})
                if response.status_code == 200 and response.json()["results"][0]["status"] == "accepted":
                    self.acked.append((time.monotonic(), op_id, record))
        except BaseException as error:  # reported by the test
            self.error = error

    def wait_for(self, count: int) -> None:
        deadline = time.monotonic() + LOOP_SECONDS
        while len(self.acked) < count:
            assert self.is_alive() and time.monotonic() < deadline, self.error
            time.sleep(0.02)


def backup_during_pushes(server: ServerProcess, backup_file: Path) -> tuple[set[str], set[str]]:
    """(ops acknowledged before the backup started, ops acknowledged after it ended)."""
    loop = PushLoop(server)
    loop.start()
    loop.wait_for(15)
    # The command itself (server.manage), in this process: it starts the moment `started` is
    # taken, so the ops acknowledged just before are still in the WAL, not yet in the file.
    started = time.monotonic()
    assert manage_main(["--database-url", server.database_url, "backup", str(backup_file)]) == 0
    ended = time.monotonic()
    assert stat.S_IMODE(backup_file.stat().st_mode) == 0o600  # every citizen's data: owner only
    count = len(loop.acked)
    loop.wait_for(count + 10)  # the loop went on while and after the backup ran
    loop.stop.set()
    loop.join(30)
    assert loop.error is None, loop.error
    before = {op_id for at, op_id, _ in loop.acked if at < started}
    after = {op_id for at, op_id, _ in loop.acked if at > ended}
    assert before and after
    return before, after


def test_sqlite_backup_during_a_push_loop_restores_every_acknowledged_op(tmp_path):
    with ServerProcess(tmp_path / "server", settings={"demo_mode": True}) as server:
        backup_file = tmp_path / "backup" / "brobygger.sqlite"
        before, after = backup_during_pushes(server, backup_file)
    assert backup_file.read_bytes()[:16] == b"SQLite format 3\x00"
    assert not backup_file.with_name(backup_file.name + ".partial").exists()

    restored = tmp_path / "restored.db"
    done = manage(sqlite_url(restored), "restore", str(backup_file))
    assert done.returncode == 0, done.stdout + done.stderr
    connection = sqlite3.connect(restored)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        ops = {op_id for (op_id,) in connection.execute("SELECT op_id FROM ops")}
        assert before <= ops, f"{len(before - ops)} acknowledged ops missing"
        assert not after <= ops  # the copy is of one moment, not of the end
        # Consistent: every op in the copy has its record's snapshot (one transaction each).
        missing = connection.execute("SELECT count(*) FROM ops o LEFT JOIN records r ON r.id = o.record_id WHERE r.id IS NULL")
        assert missing.fetchone() == (0,)
    finally:
        connection.close()

    # A restore onto a database that has data is refused without --replace.
    refused = manage(sqlite_url(restored), "restore", str(backup_file))
    assert refused.returncode == 2 and "--replace" in refused.stdout
    # The restored database serves: log in, pull, the citizens of the acknowledged ops are there.
    with ServerProcess(tmp_path / "again", database_url=sqlite_url(restored), settings={"demo_mode": True}) as again:
        client, signed = again.phone("behandler")
        codes = {r["fields"].get("code") for r in pull_all_sync(client, signed.device_id).values() if r["entity"] == "citizen"}
        assert sum(1 for code in codes if code and code.startswith("BAK-")) >= len(before)


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    bogus = tmp_path / "not-a-backup.db"
    bogus.write_bytes(b"hello")
    refused = manage(sqlite_url(tmp_path / "target.db"), "restore", str(bogus))
    assert refused.returncode == 2 and "ikke en backup" in refused.stdout


@pytest.fixture
def pg_databases():
    if not ADMIN_URL:
        pytest.skip("set BROBYGGER_TEST_POSTGRES_URL (make test does)")
    names = [f"brobygger_backup_{uuid.uuid4().hex[:10]}" for _ in range(2)]
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        for name in names:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    urls = [make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False) for name in names]
    yield urls
    with admin.connect() as connection:
        for name in names:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def test_postgres_backup_during_a_push_loop_restores_every_acknowledged_op(tmp_path, pg_databases):
    source, target = pg_databases
    with ServerProcess(tmp_path / "server", database_url=source, settings={"demo_mode": True}) as server:
        backup_file = tmp_path / "brobygger.dump"
        before, after = backup_during_pushes(server, backup_file)
    assert backup_file.read_bytes()[:5] == b"PGDMP"
    done = manage(target, "restore", str(backup_file))
    assert done.returncode == 0, done.stdout + done.stderr
    engine = create_engine(target)
    try:
        with engine.connect() as connection:
            ops = set(connection.execute(text("SELECT op_id FROM ops")).scalars())
            missing = connection.execute(text("SELECT count(*) FROM ops o LEFT JOIN records r ON r.id = o.record_id WHERE r.id IS NULL"))
            assert missing.scalar() == 0
        assert before <= ops, f"{len(before - ops)} acknowledged ops missing"
        assert not after <= ops
        # The append-only triggers came back with the schema.
        with engine.connect() as connection, pytest.raises(Exception, match="append-only"):
            connection.execute(text("DELETE FROM ops"))
    finally:
        engine.dispose()
    assert manage(target, "restore", str(backup_file)).returncode == 2  # not empty any more
