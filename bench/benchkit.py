"""What the sync benchmarks share (bench/sync_push.py, bench/load.py, bench/scaling.py).

- `machine()`: the CPU, cores, Python and the load average, for the report's first line.
- `Ops`: a realistic op stream of one device (citizens with courses, contacts, consents,
  phase and phone changes), or create ops only; each citizen's ops in causal order.
- `prepare(url, orgs, users)`: a database with the schema, municipalities, organisations,
  users and a session per user, made the way the tests make them (tests/support/world.py:
  rows for the accounts, one password hash; no data). Data goes through the real write
  path: `fill` (`apply_ops` in this process) or the endpoint.
- `serve(...)`: a real `python -m server` (uvicorn) on loopback (tests/support's
  `ServerProcess`); `session_client`, `register`, `push_http` talk to it over HTTP.
- `spread(values)`: p50 / p95 / p99 / max of latencies.
"""
from __future__ import annotations

import json
import os
import platform
import re
import statistics
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for path in (ROOT, ROOT / "tests"):  # the server's packages, and tests/support as `support`
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import httpx
from sqlmodel import Session
from support.app import SECRET_KEY, make_app
from support.server import ServerProcess
from support.world import password_hash

from schemas.accounts import Municipality, Organisation, User
from server.auth.sessions import COOKIE, start_session
from server.sync.push import apply_ops
from sync import hlc as hlc_mod
from sync.ops import consent_record_id

NAMESPACE = uuid.UUID("6f1c0b9e-2d4a-4e8b-9a37-5c2d1e0f4b6a")
JSON = {"content-type": "application/json"}


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
            f"({platform.system()} {platform.machine()}), {load} at start, {time.strftime('%Y-%m-%d %H:%M')}")


def load_now() -> str:
    return f"load {os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else "load unknown"


def bench_id(key: str) -> str:
    """A stable id for a named municipality, organisation, user or device of a bench."""
    return str(uuid.uuid5(NAMESPACE, key))


# ------------------------------------------------------------------------------ ops
class Ops:
    """A realistic op stream from one device, each citizen's ops in causal order."""

    def __init__(self, device_id: str, team_id: str, partner_id: str, prefix: str = "B"):
        # Citizen codes are prefix + 7 digits: 4-12 characters of A-Z, 0-9 and "-".
        assert re.fullmatch(r"[A-Z0-9-]{1,5}", prefix), prefix
        self.device_id, self.team_id, self.partner_id, self.prefix = device_id, team_id, partner_id, prefix
        self.clock = hlc_mod.HLC(0, 0, device_id)
        self.number = 0

    def op(self, entity, record_id, kind, field=None, value=None, seen=()):
        self.clock = hlc_mod.send(self.clock, int(time.time() * 1000))
        return {
            "op_id": str(uuid.uuid4()), "device_id": self.device_id, "hlc": self.clock.encode(), "entity": entity,
            "record_id": record_id, "kind": kind, "field": field, "value": value, "seen": list(seen),
        }

    def citizen(self, creates_only: bool = False) -> list[dict]:
        """create citizen, course, two contacts, consent; then (unless `creates_only`) a phase
        change and a phone change: 7 ops (5 records)."""
        citizen, course = str(uuid.uuid4()), str(uuid.uuid4())
        self.number += 1
        ops = [self.op("citizen", citizen, "create", value={
            "code": f"{self.prefix}{self.number:07d}", "team_id": self.team_id, "initials": "KL", "sex": "male",
            "birth_year": 1981})]
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
        if not creates_only:
            ops.append(self.op("course", course, "set", "phase", {"phase": "phase_2", "date": "2026-11-09"},
                               seen=[ops[1]["op_id"]]))
            ops.append(self.op("citizen", citizen, "set", "phone", "12345678"))
        return ops

    def stream(self, total: int, creates_only: bool = False) -> list[dict]:
        out: list[dict] = []
        while len(out) < total:
            out += self.citizen(creates_only)
        return out[:total]

    def bare_citizens(self, count: int) -> list[dict]:
        """`count` citizen create ops alone (one record each): what a first pull brings."""
        out = []
        for _ in range(count):
            self.number += 1
            out.append(self.op("citizen", str(uuid.uuid4()), "create", value={
                "code": f"{self.prefix}{self.number:07d}", "team_id": self.team_id, "initials": "PB", "birth_year": 1990}))
        return out


# ------------------------------------------------------------------------------ accounts
@dataclass(frozen=True)
class Account:
    username: str
    user_id: str
    role: str
    org_id: str
    municipality_id: str
    token: str  # the session cookie's value


def prepare(url: str, orgs: dict[str, tuple[str, str]], users: dict[str, tuple[str, str]]) -> dict[str, Account]:
    """The schema (migrations), and `orgs` (key → (municipality key, kind)) with their
    municipalities, `users` (username → (role, org key)) and a session for each user.
    Ids are `bench_id(key)`. Returns the accounts by username."""
    app = make_app(url)
    accounts: dict[str, Account] = {}
    with Session(app.state.engine) as db:
        for municipality in dict.fromkeys(m for m, _ in orgs.values()):
            db.add(Municipality(id=bench_id(municipality), name=f"Benchkommune {municipality}"))
        db.flush()
        for key, (municipality, kind) in orgs.items():
            db.add(Organisation(id=bench_id(key), municipality_id=bench_id(municipality), name=key, kind=kind))
        db.flush()
        made = []
        for username, (role, org) in users.items():
            user = User(id=bench_id(username), username=username, display_name=username, password_hash=password_hash(),
                        role=role, organisation_id=bench_id(org), municipality_id=bench_id(orgs[org][0]))
            db.add(user)
            made.append(user)
        db.flush()
        for user in made:
            token = start_session(db, app.state.settings, user)
            accounts[user.username] = Account(user.username, user.id, user.role, user.organisation_id,
                                              user.municipality_id, token)
        db.commit()
    app.state.engine.dispose()
    return accounts


def fill(url: str, account: Account, ops: list[dict], batch: int = 500) -> float:
    """Apply `ops` as `account` through the real write path (`apply_ops`, batches of
    `batch`, one commit each) in this process; returns the seconds it took."""
    app = make_app(url)
    started = time.perf_counter()
    with Session(app.state.engine) as db:
        user = db.get(User, account.user_id)
        for start in range(0, len(ops), batch):
            results = apply_ops(db, user=user, device_id=None, raw_ops=ops[start : start + batch], clock=app.state.clock)
            db.commit()
            bad = [r for r in results if r["status"] != "accepted"]
            assert not bad, bad[:3]
    elapsed = time.perf_counter() - started
    app.state.engine.dispose()
    return elapsed


# ------------------------------------------------------------------------------ over HTTP
def serve(workdir: Path, url: str, name: str = "server", **settings) -> ServerProcess:
    """A started `python -m server` on `url` (demo mode off, the tests' secret key)."""
    return ServerProcess(Path(workdir), database_url=url, name=name, settings={"secret_key": SECRET_KEY, **settings}).start()


# Idle connections are dropped before uvicorn's keep-alive timeout (5 s) can close one under a request.
LIMITS = httpx.Limits(keepalive_expiry=2)


def session_client(base_url: str, account: Account, timeout: float = 300) -> httpx.Client:
    return httpx.Client(base_url=base_url, cookies={COOKIE: account.token}, timeout=timeout, limits=LIMITS)


def async_session_client(base_url: str, account: Account, timeout: float = 300, **kwargs) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=base_url, cookies={COOKIE: account.token}, timeout=timeout, **kwargs)


def register(client: httpx.Client, device_id: str, name: str = "Benchtelefon") -> str:
    response = client.post("/api/devices", json={"name": name, "device_id": device_id})
    assert response.status_code in (200, 201), response.text[:300]
    return device_id


def bodies(device_id: str, ops: list[dict], batch: int) -> list[bytes]:
    """Push bodies, encoded before the clock starts (the client's JSON is not the server's cost)."""
    return [json.dumps({"device_id": device_id, "ops": ops[start : start + batch]}).encode()
            for start in range(0, len(ops), batch)]


def push_http(client: httpx.Client, encoded: list[bytes], path: str = "/api/sync/push") -> float:
    """POST each body in turn; every op must be accepted. Returns the seconds it took."""
    started = time.perf_counter()
    for body in encoded:
        response = client.post(path, content=body, headers=JSON)
        assert response.status_code == 200, response.text[:300]
        statuses = {r["status"] for r in response.json()["results"]}
        assert statuses == {"accepted"}, response.json()["results"][:3]
    return time.perf_counter() - started


def first_pull(client: httpx.Client, device_id: str, limit: int = 1000) -> tuple[float, int, int]:
    """A fresh device's first pull, page by page: (seconds, records, pages)."""
    started = time.perf_counter()
    cursor, received, pages = 0, 0, 0
    while True:
        response = client.get("/api/sync/pull", params={"cursor": cursor, "limit": limit, "device_id": device_id})
        assert response.status_code == 200, response.text[:300]
        page = response.json()
        received += len(page["records"])
        pages += 1
        cursor = page["next_cursor"]
        if not page["has_more"]:
            return time.perf_counter() - started, received, pages


# ------------------------------------------------------------------------------ figures
def spread(values_ms: list[float]) -> dict[str, float]:
    """n, p50, p95, p99 and max of latencies in ms (inclusive quantiles; zeros when empty)."""
    if not values_ms:
        return {"n": 0, "p50": 0.0, "p95": 0.0, "p99": 0.0, "max": 0.0}
    if len(values_ms) == 1:
        v = values_ms[0]
        return {"n": 1, "p50": v, "p95": v, "p99": v, "max": v}
    q = statistics.quantiles(values_ms, n=100, method="inclusive")
    return {"n": len(values_ms), "p50": q[49], "p95": q[94], "p99": q[98], "max": max(values_ms)}


def verdict(ok: bool) -> str:
    return "OK" if ok else "MISSED"
