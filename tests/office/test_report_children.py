"""The children-in-the-home report (`children-in-home`) against a hand-computed cohort pushed
through the sync API: citizens by children yes / no / unknown / not uncovered, by team, and
the follow-through counted among those with children — counts only, small ones suppressed,
never who."""
from __future__ import annotations

from cohort import Cohort
from support.world import OTHER_TEAM, TEAM

CODES = ("yes", "no", "unknown", "not_uncovered")
TOLD = {"children_offers_on": "2024-03-02", "notify_duty_told_on": "2024-03-01"}


def _citizens(cohort: Cohort, team: str, count: int, identified_on: str = "2024-03-01", **children) -> None:
    for _ in range(count):
        citizen = cohort.citizen(team, prefix="BARN", **children)
        cohort.course(citizen, identified_on=identified_on)


async def test_children_in_the_home_counted_by_team_without_who(office_world):
    ours = await Cohort.open(office_world, "behandler_a")
    _citizens(ours, TEAM, 4, children_in_home="yes", children_count=2, **TOLD)
    _citizens(ours, TEAM, 2, children_in_home="yes", children_count=1, notification_on="2024-04-01",
              notification_by="SENTINEL underretter")
    _citizens(ours, TEAM, 5, children_in_home="no")
    _citizens(ours, TEAM, 3, children_in_home="unknown")
    _citizens(ours, TEAM, 6)  # not asked yet
    _citizens(ours, TEAM, 4, identified_on="2019-01-01", children_in_home="yes")  # before the period
    await ours.push()
    theirs = await Cohort.open(office_world, "behandler_b")
    _citizens(theirs, OTHER_TEAM, 5, children_in_home="no")
    _citizens(theirs, OTHER_TEAM, 5)
    await theirs.push()

    reader = await office_world.login("lead")
    body = (await reader.get("/api/reports/children-in-home", params={"from": "2024-01-01"})).json()
    assert (body["id"], body["unit"]) == ("children-in-home", "citizens")
    series = {s["key"]: s for s in body["series"]}
    expected = {"all": (30, [6, 10, 3, 11]), TEAM: (20, [6, 5, 3, 6]), OTHER_TEAM: (10, [0, 5, 0, 5])}
    for key, (n, counts) in expected.items():
        assert series[key]["n"] == n
        assert [(r["code"], r["count"]) for r in series[key]["rows"]] == list(zip(CODES, counts))

    page = (await reader.get("/kontor/rapporter/children-in-home", params={"from": "2024-01-01"})).text
    assert "10 børn i alt" in page  # 4 × 2 + 2 × 1
    assert "4 af borgerne med børn er orienteret om kommunens tilbud" in page
    assert "&lt;3 af borgerne med børn har fået sendt en underretning" in page  # 2: never the small count
    assert "SENTINEL" not in page and "BARN-" not in page  # counts only, never who
