"""By-team figures with their Chi² (Fig 4.1 with the evaluation's own counts), progression by
the citizen's occasion (not the calendar round) with the panel toggle, the index figures,
and Bilagstabel 1.2/1.3 — every cohort pushed through the sync API."""
from __future__ import annotations

import pytest
from cohort import Cohort
from scipy.stats import chi2_contingency
from sqlmodel import Session
from support.world import MUNICIPALITY, OTHER_TEAM, TEAM

from schemas.accounts import Organisation

THIRD_TEAM = "99999999-0000-4000-8000-000000000003"
# Fig 4.1 [L3854–L3873]: Vejle 69.7 % men of 33, Helsingør/Odder 83.9 % of 31, Randers 78.0 % of 41.
FIG_4_1 = {TEAM: (23, 10), OTHER_TEAM: (26, 5), THIRD_TEAM: (32, 9)}


def _add_team(world, team_id: str, name: str) -> None:
    with Session(world.app.state.engine) as db:
        db.add(Organisation(id=team_id, municipality_id=MUNICIPALITY, name=name, kind="rusmiddelcenter"))
        db.commit()


async def test_fig_4_1_by_team_reproduces_the_evaluations_chi2(office_world):
    _add_team(office_world, THIRD_TEAM, "Rusmiddelcenter – Tredje team")
    cohort = await Cohort.open(office_world, "lead")  # a projektleder writes in every team
    for team, (men, women) in FIG_4_1.items():
        for number in range(men + women):
            sex = "male" if number < men else "female"
            citizen = cohort.citizen(team, sex=sex)
            cohort.course(citizen, identified_on="2024-04-01")
            if number % 2:  # half the start forms are version 1 (no sex item: the register's sex counts)
                cohort.form(citizen, "kontakt_start", "2024-04-10", {"first_seen_place": "own_home"})
            else:
                cohort.form(citizen, "kontakt_start", "2024-04-10", {
                    "sex": sex, "age_band": "33_49", "first_seen_place": "own_home", "attachment": "unknown_before",
                    "substitution": "never", "other_services_any": "no", "other_services": []}, version=2)
    await cohort.push()
    body = (await (await office_world.login("lead")).get("/api/reports/fig-4-1")).json()
    series = {s["key"]: s for s in body["series"]}
    assert list(series)[0] == "all" and set(series) == {"all", *FIG_4_1}
    assert series["all"]["n"] == 105
    assert {r["code"]: r["count"] for r in series["all"]["rows"]} == {"male": 81, "female": 24, "other": 0}
    assert [r["percent"] for r in series["all"]["rows"]][:1] == [77.1]
    for team, (men, women) in FIG_4_1.items():
        assert (series[team]["n"], series[team]["rows"][0]["count"], series[team]["rows"][1]["count"]) == (men + women, men, women)
    assert series[TEAM]["rows"][0]["percent"] == 69.7 and series[OTHER_TEAM]["rows"][0]["percent"] == 83.9
    assert body["test"] == {"name": "chi2", "statistic": 1.8525, "df": 2, "p": 0.396}


async def test_small_teams_are_pooled(office_world):
    _add_team(office_world, THIRD_TEAM, "Rusmiddelcenter – Tredje team")
    cohort = await Cohort.open(office_world, "lead")
    for team, count in ((TEAM, 30), (OTHER_TEAM, 6), (THIRD_TEAM, 5)):
        for number in range(count):
            citizen = cohort.citizen(team, sex="male" if number % 2 else "female")
            cohort.course(citizen, identified_on="2024-04-01")
            cohort.form(citizen, "kontakt_start", "2024-04-10", {"first_seen_place": "own_home"})
    await cohort.push()
    body = (await (await office_world.login("lead")).get("/api/reports/fig-4-1")).json()
    series = {s["key"]: s for s in body["series"]}
    assert set(series) == {"all", TEAM, "pooled"}
    assert series["pooled"]["n"] == 11 and "Andet team" in series["pooled"]["label"] and "Tredje team" in series["pooled"]["label"]


def _progression(cohort: Cohort, citizen: str, day: str, value: str | None, round_: int) -> None:
    answers = {"recovery_supported": value} if value else {"wellbeing_personal": 5}
    cohort.form(citizen, "progression", day, answers, round=round_)


# Per citizen: the recovery_supported answers at its own occasions 1, 2, …, with the calendar
# round each was filled in (rounds deliberately differ from occasions).
PANEL = [(["1", "2", "3", "5"], [1, 2, 3, 4]), (["1", "2", "3", "5"], [2, 3, 4, 5]), (["1", "2", "3", "5"], [1, 2, 3, 4]),
         (["3", "4", "3", "4"], [2, 3, 4, 5]), (["3", "4", "3", "4"], [1, 2, 3, 4]), (["3", "4", "3", "4"], [2, 3, 4, 5])]
ONCE = [(["5"], [1]), (["5"], [1]), (["5"], [1])]


@pytest.fixture
async def progression_world(office_world):
    cohort = await Cohort.open(office_world, "behandler_a")
    for answers, rounds in PANEL + ONCE:
        citizen = cohort.citizen(TEAM)
        cohort.course(citizen, identified_on="2024-01-05")
        for k, (value, round_) in enumerate(zip(answers, rounds)):
            _progression(cohort, citizen, f"2024-{2 + k * 2:02d}-{10 + round_:02d}", value, round_)
    # Item non-response: a fifth response without the item does not count in its N.
    _progression(cohort, citizen, "2024-11-20", None, 5)
    await cohort.push()
    return office_world


async def test_progression_counts_by_the_citizens_own_occasion(progression_world):
    reader = await progression_world.login("lead")
    body = (await reader.get("/api/reports/fig-4-13")).json()
    assert body["unit"] == "occasions"
    series = {s["key"]: s for s in body["series"]}
    assert list(series) == ["1", "2", "3", "4"]
    table = {k: [r["count"] for r in s["rows"]] for k, s in series.items()}
    assert [r["code"] for r in series["1"]["rows"]] == ["1_2", "3", "4_5"]
    assert [r["label"] for r in series["1"]["rows"]] == ["Slet ikke / Lidt", "I nogen grad", "En hel del / Rigtig meget"]
    assert table == {"1": [3, 3, 3], "2": [3, 0, 3], "3": [0, 6, 0], "4": [0, 0, 6]}
    assert [series[k]["n"] for k in "1234"] == [9, 6, 6, 6]
    statistic, p, df, _ = chi2_contingency([[3, 3, 3], [3, 0, 3], [0, 6, 0], [0, 0, 6]], correction=False)
    assert body["test"] == {"name": "chi2", "statistic": round(statistic, 4), "df": 6, "p": round(p, 4)} and df == 6

    panel = (await reader.get("/api/reports/fig-4-13", params={"panel": "1"})).json()
    assert [s["n"] for s in panel["series"]] == [6, 6, 6, 6]
    assert [r["count"] for r in panel["series"][0]["rows"]] == [3, 3, 0]


async def test_index_figure_sets_occasion_one_to_100_and_stops_below_the_threshold(progression_world):
    body = (await (await progression_world.login("lead")).get("/api/reports/fig-4-18")).json()
    supported = next(s for s in body["series"] if s["key"] == "recovery_supported")
    # Means 3.0, 3.0, 3.0, 4.5 at occasions 1–4; nobody has a 5th answer to the item.
    assert [(r["code"], r["count"], r["percent"]) for r in supported["rows"]] == [
        ("1", 9, 100.0), ("2", 6, 100.0), ("3", 6, 100.0), ("4", 6, 150.0)]
    assert all(s["rows"] == [] for s in body["series"] if s["key"] != "recovery_supported" and s["key"] != "wellbeing_personal")


async def test_bilagstabel_1_2_by_round_and_1_3_by_occasion(progression_world):
    reader = await progression_world.login("lead")
    by_round = (await reader.get("/api/reports/bilag-1-2")).json()["series"][0]
    assert {r["code"]: r["count"] for r in by_round["rows"]} == {"1": 6, "2": 6, "3": 6, "4": 6, "5": 4, "6": 0, "7": 0, "8": 0}
    assert by_round["n"] == 28
    by_occasion = (await reader.get("/api/reports/bilag-1-3")).json()["series"][0]
    # Every response counts here, also the one without the recovery item (a one-time citizen's 2nd).
    assert {r["code"]: r["count"] for r in by_occasion["rows"]} == {"1": 9, "2": 7, "3": 6, "4": 6, "5_8": 0}
    assert by_occasion["n"] == 28 and all(isinstance(r["count"], int) for r in by_occasion["rows"])


def test_report_titles_name_their_figure():
    from server.office.catalogue import REPORTS

    for report in REPORTS.values():
        if report.id.startswith("fig-"):
            assert report.title.startswith(f"Figur {report.figure} "), report.id
            assert report.id == "fig-" + report.figure.replace(".", "-")


def test_the_unit_is_one_of_four():
    from server.office.catalogue import REPORTS

    assert {r.unit for r in REPORTS.values()} == {"citizens", "responses", "occasions", "leads"}
