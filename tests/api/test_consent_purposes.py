"""Every consent purpose of the schema — the newer ones too (contact from another authority,
involving the network: issue 12) — is granted and withdrawn through the push, and
withdrawal wins: a later grant that has not seen the withdrawal leaves it withdrawn; one
that has seen it grants again. A purpose that is in no partner view (sync.scope.PARTNER_VIEWS)
reveals nothing to the recipient's frivillig, even while granted."""
from __future__ import annotations

import uuid

import pytest
from support import hlc_now, pull_all, register_device
from support.world import PARTNER, TEAM

from schemas.enums import CONSENT_PURPOSES
from sync.ops import consent_record_id
from sync.scope import SHARING_PURPOSES

NEW_PURPOSES = ("contact_from_authority", "involve_network")
assert set(NEW_PURPOSES) <= {option.code for option in CONSENT_PURPOSES}
assert not set(NEW_PURPOSES) & SHARING_PURPOSES, "they name no data a partner may see"


def _event(action: str) -> dict:
    return {"action": action, "form": "oral", "given_by": "citizen", "date": "2026-11-23"}


class Pusher:
    def __init__(self, client, device: str):
        self.client, self.device, self.counter = client, device, 0

    def op(self, entity: str, record_id: str, kind: str, value, field: str | None = None, seen=()) -> dict:
        self.counter += 1
        return {"op_id": str(uuid.uuid4()), "device_id": self.device, "hlc": hlc_now(self.device, self.counter),
                "entity": entity, "record_id": record_id, "kind": kind, "field": field, "value": value, "seen": list(seen)}

    async def push(self, *ops: dict) -> None:
        response = await self.client.post("/api/sync/push", json={"device_id": self.device, "ops": list(ops)})
        assert response.status_code == 200, response.text
        assert [r["status"] for r in response.json()["results"]] == ["accepted"] * len(ops), response.json()


@pytest.mark.parametrize("purpose", [option.code for option in CONSENT_PURPOSES])
async def test_a_purpose_is_granted_and_withdrawn_by_push_and_withdrawal_wins(world, purpose):
    behandler = world.client("behandler")
    phone = Pusher(behandler, await register_device(behandler))
    citizen = str(uuid.uuid4())
    consent = consent_record_id(citizen, purpose, PARTNER)

    def granted() -> bool:
        (value,) = world.rows("SELECT granted FROM consent WHERE id = ?", consent)[0]
        return bool(value)

    grant = phone.op("consent", consent, "create", {"citizen_id": citizen, "purpose": purpose, "recipient_org_id": PARTNER,
                                                   "state": _event("grant")})
    await phone.push(phone.op("citizen", citizen, "create", {"code": f"BRO-{uuid.uuid4().hex[:6].upper()}", "team_id": TEAM,
                                                            "initials": "SP"}), grant)
    assert (await pull_all(behandler))[consent]["fields"]["granted"] is True and granted()
    if purpose not in SHARING_PURPOSES:
        seen_by_partner = await pull_all(world.client("frivillig"))
        assert citizen not in seen_by_partner and consent not in seen_by_partner

    withdraw = phone.op("consent", consent, "set", _event("withdraw"), field="state", seen=[grant["op_id"]])
    await phone.push(withdraw)
    assert (await pull_all(behandler))[consent]["fields"]["granted"] is False and not granted()

    # A grant from a colleague's phone that knew only the first grant comes later, and loses.
    colleague = world.client("behandler2")
    other = Pusher(colleague, await register_device(colleague))
    stale = other.op("consent", consent, "set", _event("grant"), field="state", seen=[grant["op_id"]])
    await other.push(stale)
    record = (await pull_all(behandler))[consent]
    assert record["fields"]["granted"] is False and record["fields"]["state"]["action"] == "withdraw" and not granted()

    # A grant that has seen the withdrawal grants again.
    await phone.push(phone.op("consent", consent, "set", _event("grant"), field="state",
                              seen=[grant["op_id"], withdraw["op_id"], stale["op_id"]]))
    assert (await pull_all(behandler))[consent]["fields"]["granted"] is True and granted()
