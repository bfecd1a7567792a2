"""The forms on the server: `GET /api/forms`, the schedule (`GET/PUT /api/schedule`), every
response validated against its version with a clear refusal per item, responses that keep
their round and get an occasion (two phones answering one round offline: both kept), and
`due` in `GET /api/citizens/{id}` by the rule of sync.derive.due."""
from __future__ import annotations

import uuid
from datetime import date, timedelta

from support import hlc_now, register_device, sql_rows

from schemas.forms import FORM_VERSIONS, FORMS
from schemas.schedule import DEFAULT_SCHEDULE
from server.api.schedule import today as server_today
from server.demo import TEAM_ID
from sync.derive import due, enrolled_on, round_of
from sync.ops import check_answers

START_V2 = {"sex": "female", "age_band": "26_32", "first_seen_place": "own_home", "attachment": "unknown_before",
            "substitution": "never", "other_services_any": "no"}
LOEBENDE_V2 = {"phase": "phase_1", "main_place": "own_home", "attempt_frequency": "weekly", "contact_frequency": "biweekly",
               "plan_made": "no"}


def op(device: str, entity: str, record_id: str, kind: str = "create", value=None, field=None, counter: int = 0, seen=()):
    return {"op_id": str(uuid.uuid4()), "device_id": device, "hlc": hlc_now(device, counter), "entity": entity,
            "record_id": record_id, "kind": kind, "field": field, "value": value, "seen": list(seen)}


async def push(client, device: str, *ops: dict) -> list[dict]:
    response = await client.post("/api/sync/push", json={"device_id": device, "ops": list(ops)})
    assert response.status_code == 200, response.text
    return response.json()["results"]


async def new_citizen(client, device: str, started_days_ago: int | None = 20) -> str:
    citizen_id, course_id = str(uuid.uuid4()), str(uuid.uuid4())
    started = (date.today() - timedelta(days=started_days_ago)).isoformat() if started_days_ago is not None else None
    course = {"citizen_id": citizen_id, "identified_on": started or date.today().isoformat(), "phase": {"phase": "phase_2", "date": started or date.today().isoformat()}}
    if started:
        course["started_on"] = started
    results = await push(
        client, device,
        op(device, "citizen", citizen_id, value={"code": f"F-{uuid.uuid4().hex[:6].upper()}", "team_id": TEAM_ID, "initials": "FO"}),
        op(device, "course", course_id, value=course, counter=1),
    )
    assert [r["status"] for r in results] == ["accepted", "accepted"], results
    return citizen_id


def response(citizen_id: str, form: str, answers: dict, version: int | None = 2, round_: int | None = 1, filled_on: str | None = None, **more) -> dict:
    value = {"citizen_id": citizen_id, "form": form, "filled_on": filled_on or date.today().isoformat(), "filled_by": "practitioner",
             "answers": answers, **more}
    if version is not None:
        value["version"] = version
    if round_ is not None:
        value["round"] = round_
    return value


# ----------------------------------------------------------------------------- GET /api/forms
async def test_the_published_forms_in_every_version(client, login):
    await login(client, "behandler")
    body = (await client.get("/api/forms")).json()
    found = {(f["id"], f["version"]): f for f in body["forms"]}
    assert set(found) == set(FORM_VERSIONS)
    for (code, version), definition in found.items():
        assert definition["latest"] == (FORMS[code].version == version)
        assert [item["key"] for item in definition["items"]] == [q.key for q in FORM_VERSIONS[(code, version)].questions]
    items = {item["key"]: item for item in found[("progression", 2)]["items"]}
    assert items["days_binge"]["conditions"] == [{"item": "drinks_per_occasion", "min": 5}]
    assert items["recovery_hope"]["options"][0] == {"code": "1", "label": "Slet ikke"} and items["recovery_hope"]["type"] == "code"
    assert items["wellbeing_social"]["type"] == "int" and (items["wellbeing_social"]["min"], items["wellbeing_social"]["max"]) == (0, 10)
    start = {item["key"]: item for item in found[("kontakt_start", 2)]["items"]}
    assert start["other_services"]["conditions"] == [{"item": "other_services_any", "in": ["yes"]}] and start["sex"]["required"]
    assert found[("progression", 2)]["filled_by"] == "borger" and found[("kontakt_start", 2)]["filled_by"] == "behandler"
    other = {item["key"]: item for item in found[("kontakt_start", 3)]["items"]}["spotted_by_other"]
    assert (other["type"], other["max_length"], other["conditions"]) == ("text", 80, [{"item": "spotted_by", "in": ["other"]}])


# ----------------------------------------------------------------------------- the schedule
async def test_the_projektleder_sets_the_schedule_and_everyone_reads_it(app, client_for, login):
    lead, worker = client_for(app), client_for(app)
    await login(lead, "projektleder")
    await login(worker, "behandler")
    demo = (await worker.get("/api/schedule")).json()
    assert demo["default"] is False and demo["loebende_months"] == 3  # the demo municipality has its own start
    new = {"starts_on": "2026-02-01", "start_within_days": 10, "loebende_months": 4, "progression_months": 3, "progression_max": 6}
    answer = await lead.put("/api/schedule", json=new)
    assert answer.status_code == 200, answer.text
    assert (await worker.get("/api/schedule")).json() == {**new, "default": False}
    assert sql_rows(app, "select count(*) from auditentry where action = 'schedule_update'")[0][0] == 1

    not_first = await lead.put("/api/schedule", json={**new, "starts_on": "2026-02-03"})
    assert not_first.status_code == 422 and not_first.json()["error"]["field"] == "starts_on"
    assert "første dag i en måned" in not_first.json()["error"]["message"]
    too_many = await lead.put("/api/schedule", json={**new, "progression_max": 51})
    assert too_many.status_code == 422 and too_many.json()["error"]["field"] == "progression_max"
    assert "51" not in too_many.json()["error"]["message"]
    assert (await worker.put("/api/schedule", json=new)).status_code == 403


async def test_a_municipality_without_a_schedule_has_the_default(world):
    client = world.client("projektleder_m2")
    assert (await client.get("/api/schedule")).json() == {**DEFAULT_SCHEDULE, "default": True}


# ----------------------------------------------------------------------------- validation
async def test_each_response_is_checked_against_its_version_with_a_clear_refusal(client, login):
    await login(client, "behandler")
    device = await register_device(client)
    citizen = await new_citizen(client, device)
    cases = [
        # (value, expected status, field, words the message has)
        (response(citizen, "kontakt_start", START_V2), "accepted", None, None),
        (response(citizen, "kontakt_start", {"first_seen_place": "own_home", "substances": ["hash"]}, version=None), "accepted", None, None),
        (response(citizen, "kontakt_start", {"first_seen_place": "own_home"}, version=1), "accepted", None, None),
        (response(citizen, "kontakt_start", {**START_V2, "substances": ["hash"]}), "rejected", "answers.substances", "Fjern svaret"),
        (response(citizen, "kontakt_start", {**START_V2, "other_services": ["jobcenter"]}), "rejected", "answers.other_services",
         "stilles kun, når 'Modtager borgeren øvrige social- og sundhedsfaglige tilbud?' er Ja"),
        (response(citizen, "kontakt_loebende", {**LOEBENDE_V2, "readiness_can_attend": "4"}), "rejected", "answers.readiness_can_attend",
         "er Fase 2 – Fremskudt behandling eller Fase 3 – Brobygning"),
        (response(citizen, "kontakt_loebende", {**LOEBENDE_V2, "phase": "phase_2"}), "rejected", "answers.readiness_stable_contact", "Besvar spørgsmålet"),
        (response(citizen, "progression", {"alcohol_frequency": "never", "drinks_per_occasion": 3}), "rejected", "answers.drinks_per_occasion", "Fjern svaret"),
        (response(citizen, "progression", {"wellbeing_personal": 12}), "rejected", "answers.wellbeing_personal", "mellem 0 og 10"),
        (response(citizen, "progression", {}, version=7), "rejected", "version", "udgivne versioner: 1, 2"),
    ]
    results = await push(client, device, *(op(device, "form_response", str(uuid.uuid4()), value=v, counter=i) for i, (v, *_) in enumerate(cases)))
    for (value, status, field, words), result in zip(cases, results):
        assert result["status"] == status, (value, result)
        if status == "rejected":
            assert (result["error"]["code"], result["error"]["field"]) == ("invalid_value", field)
            assert words in result["error"]["message"], result["error"]["message"]
            assert "12" not in result["error"]["message"]  # never the value sent


async def test_an_amend_of_the_answers_is_checked_against_the_responses_version(client, login):
    await login(client, "behandler")
    device = await register_device(client)
    citizen = await new_citizen(client, device)
    v1, v2 = str(uuid.uuid4()), str(uuid.uuid4())
    await push(client, device, op(device, "form_response", v1, value=response(citizen, "kontakt_loebende", {"phase": "phase_1"}, version=None)),
               op(device, "form_response", v2, value=response(citizen, "kontakt_loebende", LOEBENDE_V2), counter=1))
    ok, bad = await push(
        client, device,
        # Version 1 asked readiness in any phase; version 2 only in phases 2 and 3.
        op(device, "form_response", v1, "amend", {"phase": "phase_1", "readiness_can_attend": "3"}, "answers", counter=2),
        op(device, "form_response", v2, "amend", {**LOEBENDE_V2, "readiness_can_attend": "3"}, "answers", counter=3),
    )
    assert ok["status"] == "accepted", ok
    assert (bad["status"], bad["error"]["field"]) == ("rejected", "answers.readiness_can_attend")


# ----------------------------------------------------------------------------- round, occasion
async def test_two_phones_answering_one_round_offline_both_count(app, client_for, login):
    first, second = client_for(app), client_for(app)
    await login(first, "behandler")
    await login(second, "behandler2")
    phone_a, phone_b = await register_device(first), await register_device(second)
    citizen = await new_citizen(first, phone_a)
    a, b = str(uuid.uuid4()), str(uuid.uuid4())
    day = date.today().isoformat()
    # Both offline, both "runde 3", the same day; B's clock is earlier.
    [ra] = await push(first, phone_a, op(phone_a, "form_response", a, value=response(citizen, "progression", {"recovery_hope": "4"}, round_=3, filled_on=day)))
    [rb] = await push(second, phone_b, {**op(phone_b, "form_response", b, value=response(citizen, "progression", {"recovery_hope": "2"}, round_=3, filled_on=day)),
                                        "hlc": hlc_now(phone_b, offset_ms=-60_000)})
    assert ra["status"] == rb["status"] == "accepted"
    detail = (await first.get(f"/api/citizens/{citizen}")).json()
    shown = {r["id"]: (r["fields"]["round"], r["occasion"], r["fields"]["answers"]) for r in detail["form_responses"]}
    assert shown == {b: (3, 1, {"recovery_hope": "2"}), a: (3, 2, {"recovery_hope": "4"})}  # both kept, never merged
    register = dict(sql_rows(app, "select id, occasion from formresponse where citizen_id = ?", citizen))
    assert register == {a: 2, b: 1}

    # Voiding the first renumbers the other: the occasion is derived, never stored by a phone.
    [void] = await push(second, phone_b, op(phone_b, "form_response", b, "void", {"reason": "Forkert borger"}, counter=1))
    assert void["status"] == "accepted", void
    assert dict(sql_rows(app, "select id, occasion from formresponse where citizen_id = ?", citizen)) == {a: 1, b: None}
    detail = (await first.get(f"/api/citizens/{citizen}")).json()
    assert {r["id"]: r["occasion"] for r in detail["form_responses"]} == {a: 1, b: None}


async def test_a_paper_form_keeps_its_date_round_and_flag(client, login):
    await login(client, "behandler")
    device = await register_device(client)
    citizen = await new_citizen(client, device)
    rid = str(uuid.uuid4())
    long_ago = (date.today() - timedelta(days=40)).isoformat()
    [result] = await push(client, device, op(device, "form_response", rid, value={
        **response(citizen, "progression", {"days_cannabis": 2}, round_=1, filled_on=long_ago), "on_paper": True, "filled_by": "citizen"}))
    assert result["status"] == "accepted", result
    [stored] = (await client.get(f"/api/citizens/{citizen}")).json()["form_responses"]
    assert (stored["fields"]["filled_on"], stored["fields"]["round"], stored["fields"]["on_paper"], stored["fields"]["filled_by"]) == (long_ago, 1, True, "citizen")
    # The round of a paper form can be corrected afterwards (an amend).
    [fixed] = await push(client, device, op(device, "form_response", rid, "amend", 2, "round", counter=1))
    assert fixed["status"] == "accepted"
    [stored] = (await client.get(f"/api/citizens/{citizen}")).json()["form_responses"]
    assert stored["fields"]["round"] == 2 and stored["original"]["round"] == 1


# ----------------------------------------------------------------------------- due
def _expected_due(body: dict, schedule: dict) -> list[dict]:
    status = {"enrolled_on": enrolled_on(body["courses"], body["consents"]), "ended": body["status"]["ended"],
              "archived": body["citizen"]["archived"]}
    return due(status, body["form_responses"], schedule, server_today())


async def test_the_citizen_shows_what_is_due_by_the_shared_rule(client, login):
    await login(client, "behandler")
    device = await register_device(client)
    citizen = await new_citizen(client, device, started_days_ago=20)
    schedule = (await client.get("/api/schedule")).json()
    body = (await client.get(f"/api/citizens/{citizen}")).json()
    started = (date.today() - timedelta(days=20)).isoformat()
    start = next(d for d in body["due"] if d["form"] == "kontakt_start")
    assert start == {"form": "kontakt_start", "round": 1, "due_on": (date.today() - timedelta(days=6)).isoformat(), "overdue": True}
    assert {d["form"] for d in body["due"]} == {"kontakt_start", "kontakt_loebende", "progression"}
    assert body["due"] == _expected_due(body, schedule)
    assert enrolled_on(body["courses"], body["consents"]) == started

    today = server_today()
    await push(client, device,
               op(device, "form_response", str(uuid.uuid4()), value=response(citizen, "kontakt_start", START_V2)),
               op(device, "form_response", str(uuid.uuid4()), value=response(
                   citizen, "kontakt_loebende", LOEBENDE_V2, round_=round_of(schedule, "kontakt_loebende", today)), counter=1))
    body = (await client.get(f"/api/citizens/{citizen}")).json()
    assert [d["form"] for d in body["due"] if not d["overdue"]] == ["progression"]
    assert body["due"] == _expected_due(body, schedule)


async def test_a_citizen_not_enrolled_has_nothing_due(client, login):
    await login(client, "behandler")
    device = await register_device(client)
    citizen = await new_citizen(client, device, started_days_ago=None)
    assert (await client.get(f"/api/citizens/{citizen}")).json()["due"] == []


async def test_the_demo_has_both_versions_rounds_and_forms_due_and_overdue(app, client, login):
    rows = sql_rows(app, "select r.state from records r where r.entity = 'form_response'")
    import json

    states = [json.loads(state) for (state,) in rows]
    versions = {(s["fields"]["form"], s["fields"].get("version", 1)) for s in states}
    assert versions == {(code, v) for code in FORMS for v in (1, FORMS[code].version)}, "the demo answers every form in its first and newest version"
    assert all(isinstance(s["fields"].get("round"), int) for s in states)
    for s in states:  # an old response always validates
        check_answers(s["fields"]["form"], s["fields"]["answers"], None, s["fields"].get("version"))
    assert any(s["fields"].get("on_paper") for s in states)
    await login(client, "behandler")
    ids = [c["id"] for c in (await client.get("/api/citizens", params={"limit": 1000})).json()["citizens"]]
    dues = [d for cid in ids for d in (await client.get(f"/api/citizens/{cid}")).json()["due"]]
    assert any(d["overdue"] for d in dues) and any(not d["overdue"] for d in dues)
    assert {d["form"] for d in dues} == set(FORMS)  # the follow-up too: a completed course of the demo is overdue one
