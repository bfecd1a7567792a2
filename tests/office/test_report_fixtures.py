"""Report numbers against hand-computed cohorts pushed through the sync API: the
evaluation's Fig 4.11 (125 citizens' end reasons) and Fig 4.6 (155 løbende responses of
107 citizens), a suppression edge case, and CSV/XLSX that say exactly what the JSON says."""
from __future__ import annotations

import csv
import io

from cohort import Cohort, archive_op
from openpyxl import load_workbook
from support.world import TEAM

FIG_4_11 = {"not_target_group": 35, "declines_treatment": 29, "drug_free_or_reduced": 13, "other_treatment": 11,
            "no_contact": 9, "moved_away": 9, "other_unknown": 19}
FIG_4_11_PERCENT = {"not_target_group": 28.0, "declines_treatment": 23.2, "drug_free_or_reduced": 10.4, "other_treatment": 8.8,
                    "no_contact": 7.2, "moved_away": 7.2, "other_unknown": 15.2}
PERIOD = {"from": "2024-01-01", "to": "2025-06-30"}


async def _ended(cohort: Cohort, reasons: dict[str, int], ended_on: str = "2025-01-15") -> list[str]:
    citizens = []
    for reason, count in reasons.items():
        for _ in range(count):
            citizen = cohort.citizen(TEAM)
            cohort.course(citizen, identified_on="2024-02-01", ended_on=ended_on, end_reason=reason, phase_at_end="phase_1")
            citizens.append(citizen)
    return citizens


async def test_fig_4_11_reproduces_the_evaluation(office_world):
    cohort = await Cohort.open(office_world, "behandler_a")
    await _ended(cohort, FIG_4_11)
    # Not in the figure: ended after the period, still active, and an archived (deleted) citizen.
    await _ended(cohort, {"moved_away": 3}, ended_on="2025-08-01")
    active = cohort.citizen(TEAM)
    cohort.course(active, identified_on="2024-03-01")
    [deleted] = await _ended(cohort, {"not_target_group": 1})
    archive_op(cohort, "citizen", deleted)
    await cohort.push()

    reader = await office_world.login("lead")
    body = (await reader.get("/api/reports/fig-4-11", params=PERIOD)).json()
    assert (body["id"], body["figure"], body["unit"], body["from"], body["to"], body["threshold"]) == (
        "fig-4-11", "4.11", "citizens", "2024-01-01", "2025-06-30", 3)
    assert body["test"] is None
    [series] = body["series"]
    assert (series["key"], series["label"], series["n"]) == ("all", "I alt", 125)
    assert {r["code"]: r["count"] for r in series["rows"]} == FIG_4_11
    assert {r["code"]: r["percent"] for r in series["rows"]} == FIG_4_11_PERCENT
    assert not any(r["suppressed"] for r in series["rows"])
    assert [r["label"] for r in series["rows"]][0] == "Ikke i målgruppen (fx alkohol primær problematik)"

    catalogue = (await reader.get("/api/reports")).json()["reports"]
    assert {"id": "fig-4-11", "figure": "4.11", "title": body["title"], "unit": "citizens"} in catalogue
    assert {r["id"] for r in catalogue} >= {"fig-3-1", "fig-3-2", *(f"fig-4-{k}" for k in range(1, 36))}

    # The same table as CSV and XLSX: "the same numbers as the page, same rule".
    text = (await reader.get("/api/reports/fig-4-11", params={**PERIOD, "format": "csv"})).content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert {r["kode"]: (int(r["antal"]), float(r["procent"].replace(",", "."))) for r in rows} == {
        code: (FIG_4_11[code], FIG_4_11_PERCENT[code]) for code in FIG_4_11}
    assert {r["N"] for r in rows} == {"125"}
    book = load_workbook(io.BytesIO((await reader.get("/api/reports/fig-4-11", params={**PERIOD, "format": "xlsx"})).content))
    sheet = list(book["Tabel"].iter_rows(values_only=True))
    header, data = sheet[0], sheet[1:]
    assert header == ("serie_kode", "serie", "N", "kode", "kategori", "antal", "procent")
    assert {r[3]: (r[5], r[6]) for r in data} == {code: (FIG_4_11[code], FIG_4_11_PERCENT[code]) for code in FIG_4_11}

    page = (await reader.get("/kontor/rapporter/fig-4-11", params=PERIOD)).text
    assert "28,0 %" in page and "15,2 %" in page and "N = 125" in page
    assert "afslutningsdatoen" in page  # the period semantics are stated


async def test_fig_4_6_counts_responses_not_citizens(office_world):
    cohort = await Cohort.open(office_world, "behandler_a")
    phases = ["phase_1"] * 47 + ["phase_2"] * 99 + ["phase_3"] * 9
    citizens = [cohort.citizen(TEAM) for _ in range(107)]
    for citizen in citizens:
        cohort.course(citizen, identified_on="2024-01-10")
    # 59 citizens answered once, 48 twice: 155 responses of 107 citizens (v1 answers: only the phase).
    owners = citizens + citizens[59:]
    assert len(owners) == 155
    for number, (citizen, phase) in enumerate(zip(owners, phases)):
        cohort.form(citizen, "kontakt_loebende", f"2024-{3 + number % 9:02d}-15", {"phase": phase}, round=1 + number % 4)
    await cohort.push()

    reader = await office_world.login("lead")
    body = (await reader.get("/api/reports/fig-4-6", params=PERIOD)).json()
    assert body["unit"] == "responses"
    [series] = body["series"]
    assert series["n"] == 155
    assert {r["code"]: r["count"] for r in series["rows"]} == {"phase_1": 47, "phase_2": 99, "phase_3": 9}
    assert {r["code"]: r["percent"] for r in series["rows"]} == {"phase_1": 30.3, "phase_2": 63.9, "phase_3": 5.8}
    page = (await reader.get("/kontor/rapporter/fig-4-6", params=PERIOD)).text
    assert "155 (107 borgere)" in page

    # Bilagstabel 1.1: the same responses per calendar round.
    rounds = (await reader.get("/api/reports/bilag-1-1", params=PERIOD)).json()["series"][0]
    assert rounds["n"] == 155 and sum(r["count"] for r in rounds["rows"]) == 155


async def test_a_category_of_two_in_nine_cannot_be_recovered(office_world):
    cohort = await Cohort.open(office_world, "behandler_a")
    await _ended(cohort, {"not_target_group": 2, "declines_treatment": 3, "moved_away": 4})
    await cohort.push()
    reader = await office_world.login("lead")
    body = (await reader.get("/api/reports/fig-4-11", params=PERIOD)).json()
    [series] = body["series"]
    rows = {r["code"]: r for r in series["rows"]}
    assert series["n"] == 9
    assert rows["not_target_group"] == {"code": "not_target_group", "label": rows["not_target_group"]["label"],
                                        "count": None, "percent": None, "suppressed": True}
    # The next smallest non-zero cell goes too: 9 - 4 = 5 is 2 + 3 or 1 + 4 (or …): not the 2.
    assert rows["declines_treatment"]["suppressed"] and rows["declines_treatment"]["count"] is None
    assert rows["moved_away"]["count"] == 4 and rows["moved_away"]["percent"] == 44.4
    assert all(r["count"] == 0 and not r["suppressed"] for code, r in rows.items() if code not in ("not_target_group", "declines_treatment", "moved_away"))
    visible = sum(r["count"] for r in series["rows"] if not r["suppressed"])
    hidden = [r for r in series["rows"] if r["suppressed"]]
    assert len(hidden) == 2 and series["n"] - visible == 5

    text = (await reader.get("/api/reports/fig-4-11", params={**PERIOD, "format": "csv"})).content.decode("utf-8-sig")
    cells = {r["kode"]: (r["antal"], r["procent"]) for r in csv.DictReader(io.StringIO(text), delimiter=";")}
    # The 2 is small ("<3"); the 3 is hidden only to protect it ("×"), never labelled as small.
    assert cells["not_target_group"] == ("<3", "") and cells["declines_treatment"] == ("×", "")
    book = load_workbook(io.BytesIO((await reader.get("/api/reports/fig-4-11", params={**PERIOD, "format": "xlsx"})).content))
    xlsx = {r[3]: r[5] for r in list(book["Tabel"].iter_rows(values_only=True))[1:]}
    assert xlsx["not_target_group"] == "<3" and xlsx["declines_treatment"] == "×" and xlsx["moved_away"] == 4
    about = dict(book["Om rapporten"].iter_rows(values_only=True))
    assert "×" in about["Diskretion"]
    page = (await reader.get("/kontor/rapporter/fig-4-11", params=PERIOD)).text
    assert page.count("&lt;3</td>") == 1 and page.count("×</td>") == 1 and "44,4 %" in page
    assert "så de små tal ikke kan regnes ud" in page


async def test_the_register_exports_round_trip(office_world):
    cohort = await Cohort.open(office_world, "behandler_a")
    await _ended(cohort, {"moved_away": 4})
    active = cohort.citizen(TEAM)
    cohort.course(active, identified_on="2024-05-05", started_on="2024-05-20", plan_date="2024-06-01",
                  phase="phase_2", phase_date="2024-05-20")
    await cohort.push()
    reader = await office_world.login("lead")
    body = (await reader.get("/api/register")).json()
    assert body["total"] == 5
    codes = sorted(c["id"] for c in body["citizens"])
    text = (await reader.get("/api/register", params={"format": "csv"})).content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert sorted(r["ID (kode)"] for r in rows) == codes
    row = next(r for r in rows if r["Opstartsdato"] == "2024-05-20")
    assert row["Aktuel fase"] == "Fase 2 – Fremskudt behandling" and row["Behandlingsplan (dato)"] == "2024-06-01"
    assert row["Identifikationsdato"] == "2024-05-05"
    book = load_workbook(io.BytesIO((await reader.get("/api/register", params={"format": "xlsx"})).content))
    sheet = list(book["Deltagerliste"].iter_rows(values_only=True))
    assert list(sheet[0]) == list(rows[0].keys())
    assert sorted(r[0] for r in sheet[1:]) == codes
    ended = [r for r in rows if r["Frafald/afslutningsdato"]]
    assert len(ended) == 4 and {r["Årsag til afslutning"] for r in ended} == {"Fraflyttet kommunen"}


async def test_counts_stated_outside_the_table_follow_the_rule(office_world):
    # Six responses of two citizens: the page's "(n borgere)" must not print the 2.
    cohort = await Cohort.open(office_world, "behandler_a")
    for citizen in (cohort.citizen(TEAM), cohort.citizen(TEAM)):
        cohort.course(citizen, identified_on="2024-01-10")
        for month in (3, 4, 5):
            cohort.form(citizen, "kontakt_loebende", f"2024-{month:02d}-15", {"phase": "phase_1"}, round=month - 2)
    await cohort.push()
    reader = await office_world.login("lead")
    page = (await reader.get("/kontor/rapporter/fig-4-6", params=PERIOD)).text
    assert "6 (&lt;3 borgere)" in page and "(2 borgere)" not in page
