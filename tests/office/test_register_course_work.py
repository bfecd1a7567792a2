"""The course as practitioners work it (issue 12), through the real write path: the 14-day
rule in the office register, the confidential fields (children in the home, the safety
note, the goals) never reaching a partner even with every sharing consent live,
concurrent edits of the children fields and of a goal kept as a visible conflict, and the
register's goal count and follow-up state."""
from __future__ import annotations

from datetime import datetime, timedelta

from cohort import Cohort
from support.login import register_device
from support.pull import pull_all
from support.world import PARTNER, TEAM

from schemas.entities import CONSENT_ID
from server.office.register import ZONE
from sync.derive import add_months
from sync.scope import CONFIDENTIAL_FIELDS, SHARING_PURPOSES

CHILDREN = {"children_in_home": "yes", "children_count": 2, "children_age_bands": ["13_17", "3_5"],
            "children_offers_on": "2024-05-01", "notify_duty_told_on": "2024-04-02",
            "notification_on": "2024-05-03", "notification_by": "Behandler A",
            "safety_flags": ["two_staff"], "safety_note": "Hunden i opgangen"}


def _ago(days: int) -> str:
    return (datetime.now(ZONE).date() - timedelta(days=days)).isoformat()  # the register's calendar day


async def test_the_register_flags_a_start_more_than_14_days_after_the_request(office_world):
    cohort = await Cohort.open(office_world, "behandler_a")
    cases = {
        "on_time": {"requested_on": "2024-03-01", "started_on": "2024-03-15"},  # day 14: on time
        "late": {"requested_on": "2024-03-01", "started_on": "2024-03-21"},
        "still_waiting": {"requested_on": _ago(30)},
        "waiting_briefly": {"requested_on": _ago(3)},
        "no_request": {"started_on": "2024-03-21"},
    }
    for fields in cases.values():
        citizen = cohort.citizen(TEAM, prefix="WAIT")
        phase = "phase_2" if fields.get("started_on") else "waiting_list"
        cohort.course(citizen, phase=phase, phase_date=fields.get("started_on") or fields["requested_on"],
                      identified_on="2024-02-01", **fields)
    await cohort.push()

    lead = await office_world.login("lead")
    body = (await lead.get("/api/register")).json()
    by_code = {row["id"]: row for row in body["citizens"]}
    flags = {code: row["over_14_days"] for code, row in by_code.items()}
    assert flags == {"WAIT-0001": False, "WAIT-0002": True, "WAIT-0003": True, "WAIT-0004": False, "WAIT-0005": False}
    assert by_code["WAIT-0002"]["requested_on"] == "2024-03-01"
    page = (await lead.get("/kontor/deltagere")).text
    assert "Start &gt; 14 dage efter anmodning" in page or "Start > 14 dage efter anmodning" in page
    assert "Ja – 20 dage" in page and "Ja – 30 dage og venter stadig" in page


async def test_a_partner_never_receives_the_confidential_fields(office_world):
    cohort = await Cohort.open(office_world, "behandler_a")
    citizen = cohort.citizen(TEAM, prefix="CONF", **CHILDREN)
    course = cohort.course(citizen, phase="phase_2", phase_date="2024-04-01", requested_on="2024-03-20")
    goal = cohort._op("goal", {"citizen_id": citizen, "wording": "Jeg vil have styr på regningerne",
                               "set_on": "2024-04-01", "status": "active", "status_on": "2024-04-01"})
    for purpose in sorted(SHARING_PURPOSES):
        value = {"citizen_id": citizen, "purpose": purpose, "recipient_org_id": PARTNER,
                 "state": {"action": "grant", "form": "written", "given_by": "citizen", "date": "2024-04-01"}}
        cohort._op("consent", value, record_id=CONSENT_ID.derive(value))
    await cohort.push()

    team = await pull_all(cohort.client)
    assert {k: team[citizen]["fields"].get(k) for k in CHILDREN} == CHILDREN
    assert team[goal]["fields"]["wording"] == "Jeg vil have styr på regningerne"
    partner = await office_world.login("frivillig_a")
    device = await register_device(partner, "Værestedets telefon")
    seen = await pull_all(partner, device)
    assert citizen in seen and course in seen  # the consents do share the citizen and its phase
    assert goal not in seen
    text = str(seen)
    for name in CONFIDENTIAL_FIELDS["citizen"] | CONFIDENTIAL_FIELDS["goal"]:
        assert name not in text, name
    for value in ("Hunden i opgangen", "Behandler A", "regningerne"):
        assert value not in text
    # The citizen's page through the API: the same scope.
    page = await partner.get(f"/api/citizens/{citizen}")
    assert page.status_code == 200
    assert page.json()["goals"] == []
    assert not set(page.json()["citizen"]["fields"]) & CONFIDENTIAL_FIELDS["citizen"]
    for value in ("Hunden i opgangen", "Behandler A", "regningerne"):
        assert value not in page.text
    own = (await cohort.client.get(f"/api/citizens/{citizen}")).json()
    assert [g["fields"]["wording"] for g in own["goals"]] == ["Jeg vil have styr på regningerne"]


async def test_concurrent_edits_of_the_children_fields_are_a_visible_conflict(office_world):
    a = await Cohort.open(office_world, "behandler_a")
    citizen = a.citizen(TEAM, prefix="KIDS", children_in_home="unknown")
    await a.push()
    state = (await pull_all(a.client))[citizen]
    seen = state["heads"]["children_in_home"]
    # Two phones, offline, both having seen "ved ikke": one says yes, one says no.
    other = await Cohort.open(office_world, "behandler_a")  # a second phone of the team
    a.set("citizen", citizen, "children_in_home", "yes", seen)
    other.set("citizen", citizen, "children_in_home", "no", seen)
    a.set("citizen", citizen, "children_count", 1)
    other.set("citizen", citizen, "children_count", 3)
    await a.push()
    await other.push()
    state = (await pull_all(a.client))[citizen]
    conflicts = {c["field"]: sorted(v["value"] for v in c["values"]) for c in state["conflicts"]}
    assert conflicts == {"children_in_home": ["no", "yes"], "children_count": [1, 3]}
    # A later edit that has seen both settles it.
    a.set("citizen", citizen, "children_in_home", "yes", state["heads"]["children_in_home"])
    await a.push()
    state = (await pull_all(a.client))[citizen]
    assert state["fields"]["children_in_home"] == "yes"
    assert [c["field"] for c in state["conflicts"]] == ["children_count"]


async def test_a_goal_corrected_on_two_phones_offline_is_a_visible_conflict_with_its_history(office_world):
    a = await Cohort.open(office_world, "behandler_a")
    citizen = a.citizen(TEAM, prefix="GOAL")
    goal = a._op("goal", {"citizen_id": citizen, "wording": "Jeg vil stå op om morgenen", "set_on": "2024-04-01",
                          "status": "active", "status_on": "2024-04-01"})
    await a.push()
    state = (await pull_all(a.client))[goal]
    seen = state["heads"]["wording"]
    other = await Cohort.open(office_world, "behandler_a")  # a second phone of the team
    a.set("goal", goal, "wording", "Jeg vil stå op før klokken ni", seen)
    other.set("goal", goal, "wording", "Jeg vil have en fast morgenrutine", seen)
    other.set("goal", goal, "status", "progress", state["heads"]["status"])
    await a.push()
    await other.push()
    state = (await pull_all(a.client))[goal]
    conflicts = {c["field"]: sorted(v["value"] for v in c["values"]) for c in state["conflicts"]}
    assert conflicts == {"wording": ["Jeg vil have en fast morgenrutine", "Jeg vil stå op før klokken ni"]}
    assert state["fields"]["status"] == "progress"  # one edit alone is no conflict
    # Settling the wording keeps every earlier wording in the history, the first one too.
    a.set("goal", goal, "wording", "Jeg vil stå op før klokken ni", state["heads"]["wording"])
    await a.push()
    state = (await pull_all(a.client))[goal]
    assert state["conflicts"] == []
    assert [w["value"] for w in state["history"]["wording"]][:1] == ["Jeg vil stå op om morgenen"]
    assert {w["value"] for w in state["history"]["wording"]} == {
        "Jeg vil stå op om morgenen", "Jeg vil stå op før klokken ni", "Jeg vil have en fast morgenrutine"}


async def test_the_register_counts_goals_and_says_where_the_follow_up_stands(office_world):
    cohort = await Cohort.open(office_world, "behandler_a")
    ended = _ago(45)  # round 1 (a month after the end) is overdue, round 2 not yet due

    def citizen(prefix: str, end_reason: str | None, consent: bool = False, goals: int = 0, answered: int | None = None):
        cid = cohort.citizen(TEAM, prefix=prefix)
        ending = {"ended_on": ended, "end_reason": end_reason, "phase_at_end": "phase_3"} if end_reason else {}
        cohort.course(cid, phase="phase_2", phase_date="2024-01-10", identified_on="2024-01-01", **ending)
        for k in range(goals):
            cohort._op("goal", {"citizen_id": cid, "wording": f"Mål {k}", "set_on": "2024-01-10", "status": "active"})
        if consent:
            value = {"citizen_id": cid, "purpose": "follow_up", "recipient_org_id": TEAM,
                     "state": {"action": "grant", "form": "oral", "given_by": "citizen", "date": ended}}
            cohort._op("consent", value, record_id=CONSENT_ID.derive(value))
        if answered:
            cohort.form(cid, "opfoelgning", _ago(10), {"reached": "no"}, round=answered, version=1)
        return cid

    citizen("RUNS", None, goals=2)
    citizen("DUEO", "drug_free_or_reduced", consent=True, goals=1)
    citizen("NOCO", "drug_free_or_reduced")
    citizen("BROK", "no_contact", consent=True)
    citizen("GIVN", "other_treatment", consent=True, answered=1)
    await cohort.push()

    lead = await office_world.login("lead")
    rows = {row["id"].split("-")[0]: row for row in (await lead.get("/api/register")).json()["citizens"]}
    assert {k: (r["goals"], r["follow_up"]) for k, r in rows.items()} == {
        "RUNS": (2, ""),
        "DUEO": (1, f"Runde 1 senest {add_months(ended, 1)}, overskredet"),
        "NOCO": (0, "Ingen – intet samtykke"),
        "BROK": (0, "Ingen – forløbet blev afbrudt"),
        "GIVN": (0, f"Runde 2 senest {add_months(ended, 6)}"),
    }
    page = (await lead.get("/kontor/deltagere")).text
    assert "Mål i behandlingsplanen (antal)" in page and "Ingen – intet samtykke" in page and "Mål 0" not in page
