"""The follow-up after a completed course on the server (issue 12): `GET /api/citizens/{id}`
has the follow-up rounds in `due` by the rule of sync.derive.follow_up/due, and the reason
when none is open; the office's monitoring counts them through the same `due`; an
opfoelgning response is checked against its form (answers to items that do not apply are
refused)."""
from __future__ import annotations

import uuid
from datetime import date, timedelta

from support import register_device
from test_forms_api import op, push, response

from server.api.schedule import today as server_today
from server.demo import TEAM_ID
from sync.derive import add_months
from sync.ops import consent_record_id

def days_ago(n: int) -> str:
    return (date.fromisoformat(server_today()) - timedelta(days=n)).isoformat()


REACHED = {"reached": "yes", "housing": "own_home", "occupation": "work", "network": "partly", "use": "less"}


async def ended_citizen(client, device: str, ended_on: str, reason: str = "drug_free_or_reduced", consent: bool = True) -> str:
    citizen, course = str(uuid.uuid4()), str(uuid.uuid4())
    started = days_ago(400)
    ops = [
        op(device, "citizen", citizen, value={"code": f"O-{uuid.uuid4().hex[:6].upper()}", "team_id": TEAM_ID, "initials": "OP"}),
        op(device, "course", course, counter=1, value={
            "citizen_id": citizen, "identified_on": started, "started_on": started, "phase": {"phase": "phase_3", "date": started},
            "ended_on": ended_on, "end_reason": reason, "phase_at_end": "phase_3", "destination": "ordinary_drug_treatment"}),
    ]
    if consent:
        ops.append(op(device, "consent", consent_record_id(citizen, "follow_up", TEAM_ID), counter=2, value={
            "citizen_id": citizen, "purpose": "follow_up", "recipient_org_id": TEAM_ID,
            "state": {"action": "grant", "form": "oral", "given_by": "citizen", "date": ended_on}}))
    results = await push(client, device, *ops)
    assert {r["status"] for r in results} == {"accepted"}, results
    return citizen


async def test_a_completed_course_with_consent_has_its_follow_ups_due(client, login):
    await login(client, "behandler")
    device = await register_device(client)
    ended = days_ago(40)  # past the 1-month follow-up
    citizen = await ended_citizen(client, device, ended)
    body = (await client.get(f"/api/citizens/{citizen}")).json()
    first, second = add_months(ended, 1), add_months(ended, 6)
    assert body["due"] == [{"form": "opfoelgning", "round": 1, "due_on": first, "overdue": True}], "nothing else for an ended course"
    assert body["follow_up"] == {"reason": None, "ended_on": ended, "rounds": [{"round": 1, "due_on": first}, {"round": 2, "due_on": second}]}

    [result] = await push(client, device, op(device, "form_response", str(uuid.uuid4()), value=response(
        citizen, "opfoelgning", REACHED, version=1, round_=1)))
    assert result["status"] == "accepted", result
    body = (await client.get(f"/api/citizens/{citizen}")).json()
    assert body["due"] == [] and body["follow_up"]["rounds"] == [{"round": 2, "due_on": second}]


async def test_no_follow_up_without_consent_or_after_an_interruption_and_why(client, login):
    await login(client, "behandler")
    device = await register_device(client)
    ended = days_ago(40)
    for kwargs, reason in (({"consent": False}, "no_consent"), ({"reason": "no_contact"}, "interrupted")):
        citizen = await ended_citizen(client, device, ended, **kwargs)
        body = (await client.get(f"/api/citizens/{citizen}")).json()
        assert (body["due"], body["follow_up"]["reason"]) == ([], reason)
    # A withdrawn consent: nothing due any more.
    citizen = await ended_citizen(client, device, ended)
    [withdrawn] = await push(client, device, op(device, "consent", consent_record_id(citizen, "follow_up", TEAM_ID), "set", field="state",
                                                value={"action": "withdraw", "form": "oral", "given_by": "citizen", "date": server_today()}))
    assert withdrawn["status"] == "accepted", withdrawn
    body = (await client.get(f"/api/citizens/{citizen}")).json()
    assert (body["due"], body["follow_up"]["reason"]) == ([], "no_consent")


async def test_the_office_lists_an_overdue_follow_up(client, login):
    await login(client, "behandler")
    device = await register_device(client)
    citizen = await ended_citizen(client, device, days_ago(40))
    code = (await client.get(f"/api/citizens/{citizen}")).json()["citizen"]["fields"]["code"]
    await login(client, "projektleder")
    page = await client.get("/kontor/svar/udestaaende", params={"form": "opfoelgning", "status": "overdue"})
    assert page.status_code == 200 and code in page.text


async def test_an_opfoelgning_answer_to_an_item_that_does_not_apply_is_refused(client, login):
    await login(client, "behandler")
    device = await register_device(client)
    citizen = await ended_citizen(client, device, days_ago(40))
    [refused] = await push(client, device, op(device, "form_response", str(uuid.uuid4()), value=response(
        citizen, "opfoelgning", {"reached": "no", "housing": "own_home"}, version=1, round_=1)))
    assert refused["status"] == "rejected" and "housing" in str(refused), refused
    [missing] = await push(client, device, op(device, "form_response", str(uuid.uuid4()), value=response(
        citizen, "opfoelgning", {"reached": "yes", "housing": "own_home"}, version=1, round_=1)))
    assert missing["status"] == "rejected", missing
    [ok] = await push(client, device, op(device, "form_response", str(uuid.uuid4()), value=response(
        citizen, "opfoelgning", {"reached": "no"}, version=1, round_=1)))
    assert ok["status"] == "accepted", ok
