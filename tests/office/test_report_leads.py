"""The lead report (`leads-pipeline`, the mørketal) against a hand-computed cohort pushed
through the sync API: a partner's volunteer notes leads, behandlere claim, link and close
them — some closed by an older app's `outcome`, counted with the closing reason it stands
for — and the medians run from the day a lead was seen to the citizen's first contact and
to phase 2."""
from __future__ import annotations

from cohort import Cohort, archive_op
from support.world import PARTNER, TEAM

SEEN = "2024-03-01"


def _citizen(team: Cohort, first_contact: str, phase_2: str | None) -> str:
    citizen = team.citizen(TEAM, prefix="LEAD")
    team.course(citizen, phase="phase_2" if phase_2 else "phase_1", phase_date=phase_2 or first_contact, identified_on=first_contact)
    team._op("contact", {"citizen_id": citizen, "occurred_at": f"{first_contact}T10:00:00+01:00", "kind": "contact"})
    return citizen


async def test_the_lead_pipeline_counts_closings_once_whatever_app_closed_them(office_world):
    volunteer = await Cohort.open(office_world, "frivillig_a")
    patterns = ("claimed", "link_new", "link_existing", "closed", "legacy_not_found", "legacy_not_relevant", "other", "archived")
    leads = {p: [volunteer.lead(PARTNER, SEEN) for _ in range(3)] for p in patterns}
    await volunteer.push()

    team = await Cohort.open(office_world, "behandler_a")
    me = office_world.user_ids["behandler_a"]
    for lead in leads["claimed"]:
        team.set("lead", lead, "claimed_by", me)
    for pattern, contact_on, phase_2 in (("link_new", "2024-03-05", "2024-03-21"), ("link_existing", "2024-03-11", None)):
        for lead in leads[pattern]:
            team.set("lead", lead, "citizen_id", _citizen(team, contact_on, phase_2))
            team.set("lead", lead, "resolution", pattern)
    for lead in leads["closed"]:
        team.set("lead", lead, "resolution", "not_found")
    for pattern, outcome in (("legacy_not_found", "not_found"), ("legacy_not_relevant", "not_relevant")):
        for lead in leads[pattern]:
            team.set("lead", lead, "outcome", outcome)  # as an older app closed a lead
    for lead in leads["other"]:
        team.set("lead", lead, "resolution", "other")
    for lead in leads["archived"]:
        archive_op(team, "lead", lead)
    await team.push()

    reader = await office_world.login("lead")
    body = (await reader.get("/api/reports/leads-pipeline", params={"from": "2024-01-01"})).json()
    series = {s["key"]: s for s in body["series"]}
    funnel = {row["code"]: row["count"] for row in series["all"]["rows"]}
    assert series["all"]["n"] == 24
    assert funnel == {
        "claimed": 21, "in_contact": 6, "citizen": 6,
        "resolution_not_target_group": 0, "resolution_not_found": 6, "resolution_declines": 0,
        "resolution_already_known": 0, "resolution_other": 6, "archived": 3,
    }
    first_contact, phase_2 = series["days_to_first_contact"], series["days_to_phase_2"]
    assert (first_contact["n"], first_contact["rows"][0]["count"]) == (6, 7)  # 4, 4, 4, 10, 10, 10
    assert (phase_2["n"], phase_2["rows"][0]["count"]) == (3, 20)
