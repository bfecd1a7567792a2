"""The 14-day rule's report (`start-14-days`) against a hand-computed cohort pushed through
the sync API: citizens by the request date of their course, started within 14 days, after
more than 14, still waiting (within / over), ended without a start; by team. Waits still
running are counted to the real today, so those courses are requested relative to it."""
from __future__ import annotations

from datetime import date, timedelta

from cohort import Cohort
from support.world import OTHER_TEAM, TEAM

CODES = ("started_within", "started_after", "waiting_within", "waiting_over", "ended_without_start")


def _courses(cohort: Cohort, team: str, count: int, requested_on: str | None, **fields) -> None:
    for _ in range(count):
        citizen = cohort.citizen(team)
        extra = {"requested_on": requested_on} if requested_on else {}
        cohort.course(citizen, identified_on=requested_on or "2024-06-01", **extra, **fields)


async def test_starts_by_request_date_split_by_team(office_world):
    # Well inside the 14 days / well over them, whatever the time of day in Denmark.
    recent, long_ago = (date.today() - timedelta(days=d) for d in (5, 40))
    ours = await Cohort.open(office_world, "behandler_a")
    _courses(ours, TEAM, 4, "2024-03-01", started_on="2024-03-10")  # 9 days
    _courses(ours, TEAM, 3, "2024-03-01", started_on="2024-03-16")  # 15 days: over
    _courses(ours, TEAM, 3, "2024-03-01", ended_on="2024-05-01", end_reason="no_contact", phase_at_end="phase_1")
    _courses(ours, TEAM, 3, recent.isoformat())
    _courses(ours, TEAM, 3, long_ago.isoformat())
    _courses(ours, TEAM, 4, "2019-05-01", started_on="2019-05-02")  # requested before the period
    _courses(ours, TEAM, 2, None)  # no request date: the note's count, itself under the rule
    await ours.push()
    theirs = await Cohort.open(office_world, "behandler_b")
    _courses(theirs, OTHER_TEAM, 5, "2024-04-01", started_on="2024-04-15")  # 14 days: within
    _courses(theirs, OTHER_TEAM, 5, "2024-04-01", started_on="2024-06-01")
    await theirs.push()

    reader = await office_world.login("lead")
    body = (await reader.get("/api/reports/start-14-days", params={"from": "2024-01-01"})).json()
    assert (body["id"], body["unit"], body["test"]) == ("start-14-days", "citizens", None)
    series = {s["key"]: s for s in body["series"]}
    assert list(series) == ["all", TEAM, OTHER_TEAM] or list(series) == ["all", OTHER_TEAM, TEAM]
    expected = {"all": (26, [9, 8, 3, 3, 3]), TEAM: (16, [4, 3, 3, 3, 3]), OTHER_TEAM: (10, [5, 5, 0, 0, 0])}
    for key, (n, counts) in expected.items():
        assert series[key]["n"] == n
        assert [(r["code"], r["count"]) for r in series[key]["rows"]] == list(zip(CODES, counts))
    assert [r["percent"] for r in series["all"]["rows"]] == [34.6, 30.8, 11.5, 11.5, 11.5]

    page = (await reader.get("/kontor/rapporter/start-14-days", params={"from": "2024-01-01"})).text
    assert "anmodningsdatoen" in page  # the period rule is stated
    assert "&lt;3 forløb uden anmodningsdato" in page  # 2 courses: never the small count itself

    # The team filter keeps one team's citizens; the period moves by request date.
    only_theirs = (await reader.get("/api/reports/start-14-days", params={"team_id": OTHER_TEAM})).json()
    assert only_theirs["series"][0]["n"] == 10
    early = (await reader.get("/api/reports/start-14-days", params={"to": "2019-12-31"})).json()
    assert early["series"][0]["n"] == 4 and early["series"][0]["rows"][0]["count"] == 4
