"""The projektleder's schedule page (`/kontor/skemaplan`, server/office/schedule_page.py):
the same validation and the same audited write as `PUT /api/schedule`, errors in Danish
naming the field; and kontaktskema start version 3's free text "Hvem (øvrige)?" stays out
of the research export."""
from __future__ import annotations

import io
import json
import re

from cohort import Cohort
from openpyxl import load_workbook
from support.world import TEAM

from schemas.schedule import DEFAULT_SCHEDULE, LABELS

NEW = {"starts_on": "2026-02-01", "start_within_days": "10", "loebende_months": "4", "progression_months": "3", "progression_max": "6"}


async def _csrf(client) -> str:
    page = await client.get("/kontor/skemaplan")
    assert page.status_code == 200, page.text[:300]
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def _audited(world) -> int:
    return world.rows("SELECT count(*) FROM auditentry WHERE action = 'schedule_update'")[0][0]


async def test_the_projektleder_sets_the_schedule_on_the_office_page(office_world):
    lead = await office_world.login("lead")
    page = await lead.get("/kontor/skemaplan")
    assert "Kommunen bruger standardplanen" in page.text
    assert f'value="{DEFAULT_SCHEDULE["loebende_months"]}"' in page.text and LABELS["progression_max"] in page.text
    assert 'href="/kontor/skemaplan"' in (await lead.get("/kontor/")).text  # on the start page (and in the menu)

    # Wrong values: the page again (422) with the API's messages, naming the fields in Danish; nothing saved.
    bad = {**NEW, "starts_on": "2026-02-03", "loebende_months": "25", "progression_max": "mange"}
    answer = await lead.post("/kontor/skemaplan", data={"csrf_token": await _csrf(lead), **bad})
    assert answer.status_code == 422
    text = answer.text
    assert f"Feltet &#39;{LABELS['starts_on']}&#39; skal være den første dag i en måned" in text
    assert f"Feltet &#39;{LABELS['loebende_months']}&#39; er for stort (højst 24)" in text
    assert f"Feltet &#39;{LABELS['progression_max']}&#39; skal være et helt tal" in text
    assert text.count('aria-invalid="true"') == 3 and "Skemaplanen er ikke gemt" in text
    assert _audited(office_world) == 0
    assert (await lead.get("/api/schedule")).json()["default"] is True

    # Right values: saved, audited, and what the API (and so the phones) read.
    answer = await lead.post("/kontor/skemaplan", data={"csrf_token": await _csrf(lead), **NEW})
    assert answer.status_code == 303 and answer.headers["location"] == "/kontor/skemaplan?gemt=ja"
    assert _audited(office_world) == 1
    expected = {**{k: int(v) for k, v in NEW.items() if k != "starts_on"}, "starts_on": NEW["starts_on"], "default": False}
    assert (await lead.get("/api/schedule")).json() == expected
    page = await lead.get("/kontor/skemaplan?gemt=ja")
    assert "Skemaplanen er gemt" in page.text and "Senest ændret" in page.text and 'value="4"' in page.text

    # The same rule as the API: a behandler may not; a form without its token is refused.
    worker = await office_world.login("behandler_a")
    assert (await worker.get("/kontor/skemaplan")).status_code == 403
    assert (await lead.post("/kontor/skemaplan", data={"csrf_token": "wrong", **NEW})).status_code == 403
    assert _audited(office_world) == 1


async def test_the_free_text_who_spotted_the_citizen_is_not_in_the_research_export(office_world):
    cohort = await Cohort.open(office_world, "behandler_a")
    citizen = cohort.citizen(TEAM, birth_year=1980, sex="female")
    cohort.course(citizen, identified_on="2024-03-01", first_seen_place="own_home")
    answers = {"sex": "female", "age_band": "33_49", "first_seen_place": "own_home", "spotted_by": "other",
               "spotted_by_other": "Naboen Hansen", "attachment": "unknown_before", "substitution": "never", "other_services_any": "no"}
    cohort.form(citizen, "kontakt_start", "2024-03-05", answers, version=3)
    await cohort.push()
    lead = await office_world.login("lead")
    book = load_workbook(io.BytesIO((await lead.get("/api/research-export")).content))
    start = list(book["Kontaktskema start"].iter_rows(values_only=True))
    assert "spotted_by" in start[0] and "spotted_by_other" not in start[0] and len(start) == 2
    everything = json.dumps([list(row) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)], default=str)
    assert "Hansen" not in everything
