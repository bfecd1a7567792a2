"""Fixture cohorts for the report tests, built the way phones build them: sync operations
pushed by a logged-in behandler through `POST /api/sync/push` (never rows inserted).

    cohort = await Cohort.open(world, "behandler_a")     # logs in, registers a device
    citizen = cohort.citizen(team=TEAM)                  # queues a citizen create
    cohort.course(citizen, identified_on="2024-03-01", ended_on="2025-01-10", end_reason="moved_away")
    cohort.form(citizen, "kontakt_loebende", "2024-06-01", {"phase": "phase_2"})
    await cohort.push()                                  # all ops accepted, in batches of 500
"""
from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field

from support.hlc import hlc_now
from support.login import register_device


@dataclass
class Cohort:
    client: object
    device_id: str
    ops: list[dict] = field(default_factory=list)
    counter: itertools.count = field(default_factory=itertools.count)
    codes: itertools.count = field(default_factory=lambda: itertools.count(1))

    @classmethod
    async def open(cls, world, username: str) -> Cohort:
        client = await world.login(username)
        return cls(client, await register_device(client, f"Kohorte {username}"))

    def _op(self, entity: str, value: dict, record_id: str | None = None) -> str:
        record_id = record_id or str(uuid.uuid4())
        # Distinct, increasing HLCs a little in the past (the server refuses clocks ahead).
        self.ops.append({"op_id": str(uuid.uuid4()), "device_id": self.device_id,
                         "hlc": hlc_now(self.device_id, next(self.counter) % 99999, offset_ms=-60_000),
                         "entity": entity, "record_id": record_id, "kind": "create", "field": None, "value": value, "seen": []})
        return record_id

    def set(self, entity: str, record_id: str, field: str, value, seen: list[str] | None = None) -> str:
        """Queue a `set` of one field (`seen`: the heads this edit has seen; none: concurrent)."""
        op_id = str(uuid.uuid4())
        self.ops.append({"op_id": op_id, "device_id": self.device_id,
                         "hlc": hlc_now(self.device_id, next(self.counter) % 99999, offset_ms=-30_000),
                         "entity": entity, "record_id": record_id, "kind": "set", "field": field, "value": value,
                         "seen": seen or []})
        return op_id

    def citizen(self, team: str, prefix: str = "FIX", **fields) -> str:
        return self._op("citizen", {"code": f"{prefix}-{next(self.codes):04d}", "team_id": team, "initials": "XX", **fields})

    def course(self, citizen: str, phase: str = "phase_1", phase_date: str | None = None, **fields) -> str:
        value = {"citizen_id": citizen, **fields}
        if phase:
            value["phase"] = {"phase": phase, "date": phase_date or fields.get("identified_on") or "2024-01-01"}
        return self._op("course", value)

    def form(self, citizen: str, form: str, filled_on: str, answers: dict, **fields) -> str:
        return self._op("form_response", {"citizen_id": citizen, "form": form, "filled_on": filled_on, "answers": answers, **fields})

    def lead(self, org_id: str, seen_on: str, **fields) -> str:
        return self._op("lead", {"org_id": org_id, "seen_on": seen_on, "place_type": "street", **fields})

    async def push(self) -> None:
        for start in range(0, len(self.ops), 500):
            batch = self.ops[start:start + 500]
            response = await self.client.post("/api/sync/push", json={"device_id": self.device_id, "ops": batch})
            assert response.status_code == 200, response.text[:500]
            rejected = [r for r in response.json()["results"] if r["status"] != "accepted"]
            assert not rejected, rejected[:3]
        self.ops = []


def archive_op(cohort: Cohort, entity: str, record_id: str) -> None:
    """Queue an archive of a record (how a citizen is deleted)."""
    cohort.ops.append({"op_id": str(uuid.uuid4()), "device_id": cohort.device_id,
                       "hlc": hlc_now(cohort.device_id, next(cohort.counter) % 99999, offset_ms=-30_000),
                       "entity": entity, "record_id": record_id, "kind": "archive", "field": None, "value": None, "seen": []})
