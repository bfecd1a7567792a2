"""The register's paging, sorting and filters; response monitoring's numbers; the
research export's columns; the office's static files and the vendored DKFDS."""
from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import date, timedelta

from cohort import Cohort
from openpyxl import load_workbook
from support.world import TEAM

from schemas.forms import FORMS
from server.office import vendor
from server.office.layout import STATIC_DIR

CODE = re.compile(r'<a href="/kontor/deltagere/[0-9a-f-]{36}">(FIX-\d{4})</a>')


async def test_register_pages_sorts_and_filters(office_world):
    cohort = await Cohort.open(office_world, "behandler_a")
    for number in range(120):
        citizen = cohort.citizen(TEAM)
        identified = date(2024, 1, 1) + timedelta(days=number)
        if number % 4 == 0:
            cohort.course(citizen, identified_on=identified.isoformat(), ended_on="2024-12-01", end_reason="moved_away")
        else:
            cohort.course(citizen, identified_on=identified.isoformat(), phase="phase_2" if number % 2 else "phase_1")
    await cohort.push()
    lead = await office_world.login("lead")
    first = (await lead.get("/kontor/deltagere")).text
    assert CODE.findall(first) == [f"FIX-{n:04d}" for n in range(1, 51)]
    assert "Viser <strong>1–50</strong> af <strong>120</strong>" in first
    third = (await lead.get("/kontor/deltagere", params={"page": "3"})).text
    assert CODE.findall(third) == [f"FIX-{n:04d}" for n in range(101, 121)]
    newest = CODE.findall((await lead.get("/kontor/deltagere", params={"sort": "identified_on", "dir": "desc"})).text)
    assert newest[:2] == ["FIX-0120", "FIX-0119"]
    ended = (await lead.get("/kontor/deltagere", params={"status": "ended"})).text
    assert "af <strong>30</strong>" in ended
    phase_2 = (await lead.get("/kontor/deltagere", params={"phase": "phase_2", "to": "2024-01-31"})).text
    assert set(CODE.findall(phase_2)) == {f"FIX-{n + 1:04d}" for n in range(31) if n % 2 and n % 4}
    for params, field in (({"sort": "name"}, "sort"), ({"page": "x"}, "page"), ({"phase": "phase_9"}, "phase"),
                          ({"from": "2024-13-01"}, "from"), ({"page": "9"}, "page")):
        response = await lead.get("/kontor/deltagere", params=params)
        assert response.status_code == 422 and f"&#39;{field}&#39;" in response.text, params


async def test_monitoring_counts_given_due_and_overdue(office_world):
    cohort = await Cohort.open(office_world, "behandler_a")
    today = date.today()
    enrolled = (today - timedelta(days=60)).isoformat()
    late = cohort.citizen(TEAM)  # enrolled two months ago, no start form: overdue
    cohort.course(late, identified_on=enrolled, started_on=enrolled, phase="phase_2", phase_date=enrolled)
    done = cohort.citizen(TEAM)  # has its start form
    cohort.course(done, identified_on=enrolled, started_on=enrolled, phase="phase_2", phase_date=enrolled)
    cohort.form(done, "kontakt_start", enrolled, {"first_seen_place": "own_home"})
    await cohort.push()
    lead = await office_world.login("lead")
    page = (await lead.get("/kontor/svar")).text
    start = page[page.index("Kontaktskema start"):page.index("Kontaktskema løbende")]
    cells = re.findall(r'<td class="office-number">(?:<a [^>]*>)?(\d+)', start)
    assert cells[:4] == ["2", "1", "0", "1"]  # expected, given, due, overdue
    overdue = (await lead.get("/kontor/svar/udestaaende", params={"form": "kontakt_start"})).text
    assert re.findall(r">(FIX-\d{4})</a>", overdue) == ["FIX-0001"]
    assert (await lead.get("/kontor/svar/udestaaende", params={"form": "nope"})).status_code == 422
    # By team and by behandler also per round: the same 2 / 1 / 0 / 1, linking to the same citizen.
    for by in ("team", "behandler"):
        detail = page[page.index(f"Pr. {by}, runde og besvarelse"):]
        row = re.search(r"<tr><th scope=\"row\">[^<]+</th><td>Kontaktskema start</td><td>Runde \d+</td>(.*?)</tr>", detail, re.S).group(1)
        assert re.findall(r'<td class="office-number">(?:<a [^>]*>)?(\d+)', row) == ["2", "1", "0", "1"]
        link = re.search(r'<a href="([^"]+)">1<span class="sr-only"> forsinkede', row).group(1).replace("&amp;", "&")
        assert ("team_id=" if by == "team" else "user_id=") in link and "round=" in link
        assert re.findall(r">(FIX-\d{4})</a>", (await lead.get(link)).text) == ["FIX-0001"]


async def test_the_research_export_drops_birth_year_places_and_codes(office_world):
    cohort = await Cohort.open(office_world, "behandler_a")
    for number in range(4):
        citizen = cohort.citizen(TEAM, birth_year=1980 + number, sex="female")
        cohort.course(citizen, identified_on="2024-03-01", first_seen_place="own_home")
        cohort.form(citizen, "kontakt_start", "2024-03-05", {"first_seen_place": "public_space", "substances": ["hash"]})
        cohort.form(citizen, "progression", "2024-04-05", {"recovery_hope": "4", "days_cannabis": 2})
    await cohort.push()
    lead = await office_world.login("lead")
    book = load_workbook(io.BytesIO((await lead.get("/api/research-export")).content))
    people = list(book["Deltagere"].iter_rows(values_only=True))
    header = people[0]
    assert "forsknings_id" in header and not {"koen", "aldersgruppe"} - set(header)
    assert not any(word in " ".join(header) for word in ("fødsel", "birth", "kode", "sted", "place"))
    ids = [row[0] for row in people[1:]]
    assert len(ids) == 4 and all(i.startswith("F-") and not i.startswith("FIX") for i in ids)
    assert {row[header.index("aldersgruppe")] for row in people[1:]} == {"33_49"}  # 41–44 years at identification
    start = list(book["Kontaktskema start"].iter_rows(values_only=True))
    assert "first_seen_place" not in start[0] and "substances" in start[0] and len(start) == 5
    text = json.dumps([list(r) for r in people + start], default=str)
    assert "public_space" not in text and "own_home" not in text and "1980" not in text and "FIX-" not in text
    progression = list(book["Progressionsskema"].iter_rows(values_only=True))
    assert progression[1][progression[0].index("recovery_hope")] == "4" and progression[1][progression[0].index("besvarelse")] == 1
    # The same research ids in the next export; CSVs in a zip.
    again = load_workbook(io.BytesIO((await lead.get("/api/research-export")).content))
    assert [row[0] for row in list(again["Deltagere"].iter_rows(values_only=True))[1:]] == ids
    archive = zipfile.ZipFile(io.BytesIO((await lead.get("/api/research-export", params={"format": "zip"})).content))
    # the participants, one sheet per form, and what the export is
    assert len(archive.namelist()) == len(FORMS) + 2 and all(name.endswith(".csv") for name in archive.namelist())
    audited = office_world.rows("SELECT count(*) FROM auditentry WHERE action = 'read' AND entity = 'citizen'")[0][0]
    assert audited >= 12  # four citizens per export, three exports


def test_the_vendored_dkfds_is_the_pinned_package_untouched():
    folder = STATIC_DIR / "dkfds"
    manifest = json.loads((folder / "MANIFEST.json").read_text())
    refresh = "refresh with: .venv/bin/python -m server.office.vendor"
    assert manifest["package"] == "dkfds" and manifest["version"] == vendor.VERSION, refresh
    assert vendor.manifest_of(folder) == manifest["files"], f"server/office/static/dkfds differs from its manifest; {refresh}"
    css = (folder / vendor.CSS).read_text(encoding="utf-8")
    missing = sorted(ref for ref in vendor.css_references(css) if not (folder / ref).is_file())
    assert not missing, f"the DKFDS CSS refers to files that are not vendored: {missing[:5]}; {refresh}"


async def test_static_files_are_served_and_nothing_else(office_world):
    client = office_world.client()
    css = await client.get("/kontor/static/dkfds/css/dkfds.min.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    font = await client.get("/kontor/static/dkfds/fonts/IBMPlexSans/complete/woff2/IBMPlexSans-Regular.woff2")
    assert font.status_code == 200 and font.headers["content-type"] == "font/woff2"
    for path in ("/kontor/static/../layout.py", "/kontor/static/dkfds/MANIFEST.json", "/kontor/static/nope.css",
                 "/kontor/static/%2e%2e/csrf.py"):
        assert (await client.get(path)).status_code == 404, path


def test_templates_have_no_inline_script_or_style():
    for template in (STATIC_DIR.parent / "templates").rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert "<script" not in text and "<style" not in text and " style=" not in text, template
        assert not re.search(r"\son(click|load|submit|change|input)=", text), template
