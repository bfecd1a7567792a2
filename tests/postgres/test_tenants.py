"""Municipalities push in parallel on a shared PostgreSQL, and each one's pull cursor
stays gap-free: two server processes, two municipalities pushing at once, a puller per
municipality pulling all the while. Seqs come from one sequence, so one municipality's
low seq can commit after another's higher one; a pull that read up to the global top seq
would step over it for good. Each ends with exactly its own municipality's records.
"""
from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import create_engine, text
from support import ServerProcess, hlc_now, register_device_sync
from support.pg import fresh_database, needs_postgres

from server import demo
from server.auth.passwords import hash_password

pytestmark = needs_postgres
M2, M2_TEAM, M2_USER = (str(uuid.UUID(int=n)) for n in (0xA2, 0xA3, 0xA4))
PUSHES, PER_PUSH = 30, 40


@pytest.fixture
def two_municipalities(tmp_path):
    with fresh_database("brobygger_tenants") as url:
        yield from _servers(tmp_path, url)


def _servers(tmp_path, url):
    settings = {"demo_mode": True}
    first = ServerProcess(tmp_path, database_url=url, name="first", settings=settings).start()
    engine = create_engine(url)
    with engine.begin() as connection:  # the second municipality's account (not domain data)
        connection.execute(text("INSERT INTO municipality (id, name) VALUES (:m, 'Anden Kommune')"), {"m": M2})
        connection.execute(text("INSERT INTO organisation (id, municipality_id, name, kind) VALUES (:o, :m, 'Team', 'rusmiddelcenter')"),
                           {"o": M2_TEAM, "m": M2})
        connection.execute(text(
            'INSERT INTO "user" (id, username, display_name, password_hash, role, organisation_id, municipality_id, active, is_demo, scope_epoch)'
            " VALUES (:u, 'behandler_m2', 'B M2', :pw, 'behandler', :o, :m, true, false, 1)"),
            {"u": M2_USER, "pw": hash_password("demo"), "o": M2_TEAM, "m": M2})
    second = ServerProcess(tmp_path, database_url=url, name="second", settings=settings).start()
    yield first, second, engine
    first.close()
    second.close()
    engine.dispose()


def _pusher(server, username, team, created, failures):
    client = server.client(username)
    device = register_device_sync(client, "Tenant")
    for n in range(PUSHES):
        ops = []
        for i in range(PER_PUSH):
            record = str(uuid.uuid4())
            ops.append({"op_id": str(uuid.uuid4()), "device_id": device, "hlc": hlc_now(device, n * PER_PUSH + i),
                        "entity": "citizen", "record_id": record, "kind": "create", "field": None, "seen": [],
                        "value": {"code": f"T-{record[:6].upper()}", "team_id": team, "initials": "TT"}})
        response = client.post("/api/sync/push", json={"device_id": device, "ops": ops})
        if response.status_code != 200 or {r["status"] for r in response.json()["results"]} != {"accepted"}:
            failures.append(response.text[:300])
            return
        created.update(op["record_id"] for op in ops)


class Puller:
    def __init__(self, server, username):
        self.client, self.cursor, self.seen = server.client(username), 0, set()

    def pull(self):
        while True:
            page = self.client.get("/api/sync/pull", params={"cursor": self.cursor, "limit": 200}).json()
            self.seen.update(r["id"] for r in page["records"] if r["entity"] == "citizen")
            self.cursor = page["next_cursor"]
            if not page["has_more"]:
                return


def test_two_municipalities_push_in_parallel_and_no_pull_skips_a_change(two_municipalities):
    first, second, engine = two_municipalities
    pullers = {demo.MUNICIPALITY_ID: Puller(second, "projektleder"), M2: Puller(first, "behandler_m2")}
    for puller in pullers.values():
        puller.pull()
    before = {m: set(p.seen) for m, p in pullers.items()}
    created = {demo.MUNICIPALITY_ID: set(), M2: set()}
    failures: list[str] = []
    pushers = [
        threading.Thread(target=_pusher, args=(first, "behandler", demo.TEAM_ID, created[demo.MUNICIPALITY_ID], failures)),
        threading.Thread(target=_pusher, args=(second, "behandler_m2", M2_TEAM, created[M2], failures)),
    ]
    for thread in pushers:
        thread.start()
    while any(thread.is_alive() for thread in pushers):  # pull all the while
        for puller in pullers.values():
            puller.pull()
    for thread in pushers:
        thread.join()
    assert failures == []
    for municipality, puller in pullers.items():
        puller.pull()  # up to date now
        assert puller.seen - before[municipality] == created[municipality], "a pull stepped over a change"
    with engine.connect() as connection:
        heads = dict(connection.execute(text("SELECT municipality_id, seq FROM municipality_head")).all())
        top = connection.execute(text("SELECT max(seq) FROM ops")).scalar()
    assert max(heads.values()) == top and set(heads) >= {demo.MUNICIPALITY_ID, M2}


def test_a_pull_never_passes_a_push_of_its_municipality_that_has_not_committed(two_municipalities):
    """The same, deterministically: municipality 1's push holds its seqs uncommitted while
    municipality 2's later push commits; a pull for municipality 1 stops before them, and
    sees them once they commit."""
    from sqlmodel import Session, select

    from schemas.accounts import User
    from server.core.clock import ServerClock
    from server.sync.pull import pull
    from server.sync.push import apply_ops, push_lock

    _, _, engine = two_municipalities
    clock = ServerClock(300_000)

    def ops(device, team):
        record = str(uuid.uuid4())
        return [{"op_id": str(uuid.uuid4()), "device_id": device, "hlc": hlc_now(device), "entity": "citizen",
                 "record_id": record, "kind": "create", "field": None, "seen": [],
                 "value": {"code": f"D-{record[:6].upper()}", "team_id": team, "initials": "DD"}}], record

    with Session(engine, expire_on_commit=False) as reader:
        lead = reader.exec(select(User).where(User.username == "projektleder")).one()
        worker = reader.exec(select(User).where(User.username == "behandler")).one()
        other = reader.exec(select(User).where(User.username == "behandler_m2")).one()
        start = pull(reader, user=lead, device_id=None, cursor=0, limit=5000, epoch=None)["next_cursor"]
        reader.commit()
    first_ops, first_record = ops("dev-1", demo.TEAM_ID)
    second_ops, _ = ops("dev-2", M2_TEAM)
    with Session(engine) as slow, Session(engine) as fast:
        with push_lock(slow, demo.MUNICIPALITY_ID):
            assert apply_ops(slow, user=worker, device_id=None, raw_ops=first_ops, clock=clock)[0]["status"] == "accepted"
            with push_lock(fast, M2):  # another municipality: no wait
                assert apply_ops(fast, user=other, device_id=None, raw_ops=second_ops, clock=clock)[0]["status"] == "accepted"
                fast.commit()
            with Session(engine) as reader:
                page = pull(reader, user=lead, device_id=None, cursor=start, limit=5000, epoch=None)
                assert page["next_cursor"] == start and page["records"] == []
            slow.commit()
    with Session(engine) as reader:
        page = pull(reader, user=lead, device_id=None, cursor=start, limit=5000, epoch=None)
    assert first_record in {r["id"] for r in page["records"]}
