"""No stall under concurrency: 100 requests fired at once at a real server process (uvicorn,
`python -m server`) all get their answer, none a 5xx.

Before the fix (server/core/deps.py) requests held a pooled database connection while they
waited for a worker thread; at about 55 simultaneous requests every thread waited for a
connection and the pool's 30 s timeout answered 500 (issue 10). The mix here: `GET
/api/session` as one user, first pulls and small pushes as several users, each on a
phone of its own. No timing assertion: the test asserts that every request is answered
with its expected status (the client waits up to two minutes, far past the pool timeout).

The same on PostgreSQL with two server processes on one database, 100 requests at each
process at once (pushes of both processes meet at the cross-process push locks).

Every request goes on a new connection (no keep-alive): all of them reach the server
together whatever the client reused, and none can meet a connection that uvicorn closed
while it idled. Against the code before the fix both tests failed in every run (SQLite:
about 65 of 100 answered 500 after 61 s; PostgreSQL: about 120 of 200).
"""
from __future__ import annotations

import asyncio
import itertools
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable

import httpx
from support import ServerProcess, hlc_now, sign_in
from support.pg import fresh_database, needs_postgres

from server import demo

REQUESTS = 100  # at each server process, at once
TIMEOUT = httpx.Timeout(120)  # past the pool's 30 s timeout: a stall shows as 500s, not as client time-outs
SETTINGS = {"demo_mode": True}
# (kind, username, how many of the REQUESTS): one user asks who it is, several pull and push.
MIX = (
    ("session", "behandler", 40),
    ("pull", "behandler2", 10),
    ("pull", "projektleder", 10),
    ("pull", "frivillig", 10),
    ("push", "behandler", 10),
    ("push", "behandler2", 10),
    ("push", "frivillig", 10),
)
assert sum(n for *_, n in MIX) == REQUESTS
SHARES = Counter()  # username → how many of the REQUESTS it sends at once
for _kind, _username, _n in MIX:
    SHARES[_username] += _n


class Phone:
    """One user's client on one server with a registered device; makes small valid pushes."""

    def __init__(self, client: httpx.AsyncClient, device_id: str, counter: itertools.count):
        self.client, self.device_id, self.counter = client, device_id, counter

    def op(self, entity: str, value: dict) -> dict:
        return {"op_id": str(uuid.uuid4()), "device_id": self.device_id, "hlc": hlc_now(self.device_id, next(self.counter)),
                "entity": entity, "record_id": str(uuid.uuid4()), "kind": "create", "field": None, "value": value, "seen": []}

    def ops(self, username: str) -> list[dict]:
        if username == "frivillig":
            return [self.op("lead", {"org_id": demo.HAVNEN_ID, "seen_on": "2026-01-05", "place_type": "street"})]
        citizen = self.op("citizen", {"code": f"ST-{uuid.uuid4().hex[:8].upper()}", "team_id": demo.TEAM_ID, "initials": "ST"})
        contact = self.op("contact", {"citizen_id": citizen["record_id"], "occurred_at": "2026-01-05T10:00:00+01:00",
                                      "kind": "contact"})
        return [citizen, contact]


async def phones(server: ServerProcess) -> dict[str, Phone]:
    """A logged-in client per user of the mix, each with its own device (one HLC counter per
    device) and room for as many connections as it sends requests at once.
    No connection is kept for reuse: one left idle past uvicorn's keep-alive timeout (5 s,
    while the other users log in) would be closed under a request, a client-side failure."""
    out: dict[str, Phone] = {}
    for username, share in SHARES.items():
        client = httpx.AsyncClient(base_url=server.api_url, timeout=TIMEOUT,
                                   limits=httpx.Limits(max_connections=share, max_keepalive_connections=0))
        signed = await sign_in(client, username)
        out[username] = Phone(client, signed.device_id, itertools.count())
    return out


async def close(phone_of: dict[str, Phone]) -> None:
    for phone in phone_of.values():
        await phone.client.aclose()


Call = Callable[[], Awaitable[tuple[str, int, str]]]


def calls(phone_of: dict[str, Phone]) -> list[Call]:
    """The REQUESTS calls of the mix; each answers (what, status, problem or "")."""

    def session(phone: Phone) -> Call:
        async def call():
            response = await phone.client.get("/api/session")
            ok = response.status_code == 200 and "user" in response.json()
            return "GET /api/session", response.status_code, "" if ok else response.text[:200]
        return call

    def pull(phone: Phone) -> Call:
        async def call():
            response = await phone.client.get("/api/sync/pull", params={"cursor": 0, "limit": 200, "device_id": phone.device_id})
            ok = response.status_code == 200 and isinstance(response.json().get("records"), list)
            return "GET /api/sync/pull", response.status_code, "" if ok else response.text[:200]
        return call

    def push(phone: Phone, username: str) -> Call:
        async def call():
            body = {"device_id": phone.device_id, "ops": phone.ops(username)}
            response = await phone.client.post("/api/sync/push", json=body)
            ok = response.status_code == 200 and {r["status"] for r in response.json()["results"]} == {"accepted"}
            return "POST /api/sync/push", response.status_code, "" if ok else response.text[:200]
        return call

    made = {"session": lambda p, _: session(p), "pull": lambda p, _: pull(p), "push": push}
    return [made[kind](phone_of[username], username) for kind, username, n in MIX for _ in range(n)]


async def fire(batches: list[list[Call]]) -> list[tuple[str, int, str]]:
    """Every call of every batch at once; a transport error (e.g. a client time-out) counts as status 0."""

    async def guarded(call: Call) -> tuple[str, int, str]:
        try:
            return await call()
        except httpx.HTTPError as error:
            return "transport", 0, type(error).__name__

    return await asyncio.gather(*(guarded(call) for batch in batches for call in batch))


def assert_all_answered(results: list[tuple[str, int, str]], expected: int, servers: list[ServerProcess],
                        elapsed: float) -> None:
    assert len(results) == expected
    failed = [r for r in results if r[2] or r[1] != 200]
    summary = Counter((what, status) for what, status, _ in failed)
    logs = "\n".join(f"--- {s.name}.log\n{s.log_tail(1500)}" for s in servers)
    assert not failed, (f"{len(failed)} of {expected} requests failed after {elapsed:.1f} s: {dict(summary)}; "
                        f"first: {failed[0]}\n{logs}")


async def test_a_hundred_requests_at_once_are_all_answered_on_sqlite(tmp_path):
    server = ServerProcess(tmp_path, settings=SETTINGS)
    phone_of: dict[str, Phone] = {}
    try:
        server.start()
        phone_of = await phones(server)
        started = time.monotonic()
        results = await fire([calls(phone_of)])
        assert_all_answered(results, REQUESTS, [server], time.monotonic() - started)
        # The server is still answering afterwards (a stalled pool would keep failing).
        assert (await phone_of["behandler"].client.get("/api/session")).status_code == 200
    finally:
        await close(phone_of)
        server.close()


@needs_postgres
async def test_a_hundred_requests_at_once_at_each_of_two_processes_are_all_answered_on_postgresql(tmp_path):
    with fresh_database("brobygger_stall") as url:
        # The first process creates the schema and the demo; the second joins it.
        servers = [ServerProcess(tmp_path, database_url=url, name=name, settings=SETTINGS) for name in ("first", "second")]
        phones_of: list[dict[str, Phone]] = []
        try:
            for server in servers:
                server.start()
            for server in servers:
                phones_of.append(await phones(server))
            started = time.monotonic()
            results = await fire([calls(phone_of) for phone_of in phones_of])
            assert_all_answered(results, REQUESTS * len(servers), servers, time.monotonic() - started)
        finally:
            for phone_of in phones_of:
                await close(phone_of)
            for server in servers:
                server.close()
