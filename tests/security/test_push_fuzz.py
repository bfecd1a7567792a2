"""The push fuzzer as a property test over the real endpoint (`POST /api/sync/push`
through the app), on SQLite and on PostgreSQL: random batches of valid, resent, reused,
mutated and plain hostile ops. Whatever is sent:

- every op gets exactly one result, in order, echoing the op id it was sent with;
- a status is accepted, duplicate or rejected, and a rejection names a catalogue code;
- an accepted op is in the log exactly once; a rejected one is not in it; a resend of
  an accepted op is a duplicate.
"""
from __future__ import annotations

import asyncio
import json
import math
import os
import uuid

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from support.hlc import hlc_now
from support.pg import fresh_database

from schemas.problems import PROBLEMS
from server.app import create_app
from server.settings import Settings

TEAM = "22222222-2222-4222-8222-222222222222"  # the demo team
SOAK = os.environ.get("HYPOTHESIS_PROFILE") == "soak"
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "300" if SOAK else "25"))

json_leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
                      st.text(max_size=20))
json_values = st.recursive(json_leaf, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                           max_leaves=12)


class Phone:
    """One logged-in behandler with a registered device, pushing through the app."""

    def __init__(self, app, loop):
        self.loop = loop
        self.client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
        self.run(self.client.post("/api/session", json={"username": "behandler", "password": "demo"}))
        self.device = self.run(self.client.post("/api/devices", json={"name": "Fuzz"})).json()["device_id"]
        self.citizens: list[dict] = []  # the well-formed citizen creates made so far

    def run(self, coroutine):
        return self.loop.run_until_complete(coroutine)

    def hlc(self) -> str:
        return hlc_now(self.device)

    def push(self, ops: list) -> list[dict]:
        body = json.dumps({"device_id": self.device, "ops": ops}, allow_nan=True)
        response = self.run(self.client.post("/api/sync/push", content=body, headers={"content-type": "application/json"}))
        assert response.status_code == 200, response.text
        return response.json()["results"]


@st.composite
def batches(draw, phone: Phone, sent: list[dict]):
    """One push: a mix of fresh valid ops, resends, reused ids, mutants and junk."""
    ops = []
    for _ in range(draw(st.integers(1, 12))):
        kind = draw(st.sampled_from(["citizen", "contact", "resend", "reuse", "mutant", "junk"]))
        citizen = phone.citizens[-1] if phone.citizens else None
        if kind == "citizen" or (kind in ("contact", "resend", "reuse", "mutant") and citizen is None):
            code = "FZ-" + uuid.uuid4().hex[:8].upper()
            op = {"op_id": str(uuid.uuid4()), "device_id": phone.device, "hlc": phone.hlc(), "entity": "citizen",
                  "record_id": str(uuid.uuid4()), "kind": "create", "field": None,
                  "value": {"code": code, "team_id": TEAM, "initials": "FZ"}, "seen": []}
            phone.citizens.append(op)
        elif kind == "contact":
            op = {"op_id": str(uuid.uuid4()), "device_id": phone.device, "hlc": phone.hlc(), "entity": "contact",
                  "record_id": str(uuid.uuid4()), "kind": "create", "field": None,
                  "value": {"citizen_id": citizen["record_id"], "occurred_at": "2026-01-05T10:00:00+01:00", "kind": "contact"},
                  "seen": []}
        elif kind == "resend":
            op = draw(st.sampled_from([op for op in sent + ops if isinstance(op, dict)]))
        elif kind == "reuse":
            op = {**citizen, "value": {**citizen["value"], "initials": "XX"}}
        elif kind == "mutant":
            op = dict(citizen)
            op[draw(st.sampled_from(sorted(op)))] = draw(json_values)
        else:
            op = draw(json_values)
        ops.append(op)
    return ops


def _same(a, b) -> bool:
    """JSON equality where NaN equals NaN (an op echoed back is the op that was sent)."""
    return json.dumps(a, sort_keys=True, allow_nan=True) == json.dumps(b, sort_keys=True, allow_nan=True)


def check_results(ops: list, results: list[dict]) -> None:
    assert len(results) == len(ops)
    for op, result in zip(ops, results, strict=True):
        sent_id = op.get("op_id") if isinstance(op, dict) else None
        assert result["op_id"] == (sent_id[:64] if isinstance(sent_id, str) else None)
        assert result["status"] in ("accepted", "duplicate", "rejected")
        if result["status"] == "rejected":
            assert result["error"]["code"] in PROBLEMS and result["error"]["message"]
        else:
            assert result["error"] is None


def fuzz(app, loop, data) -> None:
    phone = Phone(app, loop)
    sent: list = []
    accepted: dict[str, dict] = {}
    for _ in range(data.draw(st.integers(1, 4))):
        ops = data.draw(batches(phone, sent))
        results = phone.push(ops)
        check_results(ops, results)
        for op, result in zip(ops, results, strict=True):
            if result["status"] == "accepted":
                assert op["op_id"] not in accepted
                accepted[op["op_id"]] = op
            elif result["status"] == "duplicate":
                assert op["op_id"] in accepted  # the same content once normalised (e.g. seen null = [])
            elif isinstance(op, dict) and isinstance(op.get("op_id"), str) and op["op_id"] in accepted:
                assert not _same(accepted[op["op_id"]], op)  # a resend is never rejected
        sent += ops
    with app.state.engine.connect() as db:
        stored = {row[0]: row[1] for row in db.execute(text("SELECT op_id, count(*) FROM ops GROUP BY op_id"))}
    for op_id in accepted:
        assert stored.get(op_id) == 1
    phone.run(phone.client.aclose())


@pytest.fixture
def loop():
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


def _app(url: str):
    return create_app(Settings(database_url=url, demo_mode=True, secret_key="fuzz", push_quota_bytes=10**12,
                               push_quota_bytes_per_day=10**12, login_attempts_per_window=10**6))


@pytest.fixture
def sqlite_app(tmp_path):
    app = _app(f"sqlite:///{tmp_path}/fuzz.db")
    yield app
    app.state.engine.dispose()


@pytest.fixture
def postgresql_app():
    with fresh_database("brobygger_fuzz") as url:
        app = _app(url)
        yield app
        app.state.engine.dispose()


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_push_fuzz_on_sqlite(sqlite_app, loop, data):
    fuzz(sqlite_app, loop, data)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_push_fuzz_on_postgresql(postgresql_app, loop, data):
    fuzz(postgresql_app, loop, data)


def test_the_fuzzer_finds_a_lost_result():
    """The check is not vacuous: a results list that drops one op fails it."""
    ops = [{"op_id": str(uuid.uuid4())}, 42]
    with pytest.raises(AssertionError):
        check_results(ops, [{"op_id": ops[0]["op_id"], "status": "accepted", "error": None}])
    assert math.isnan(float("nan"))
