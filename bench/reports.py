"""Office benchmark: `python bench/reports.py [--citizens 10000] [--keep DB]`.

1. A generated municipality — 10,000 citizens in three teams, each with a course, 200,000
   contacts and 40,000 form responses (kontaktskema start, løbende, progressionsskema;
   answers valid for the forms' current versions), every course with a request date (the
   14-day report) and a lead for every other citizen, half of them linked to it (the lead
   report) — written through the real write path
   (`server.sync.push.apply_ops`, batches of 500) into a temp SQLite file.
2. Every report of the catalogue as its page (`GET /kontor/rapporter/{id}`) and as JSON
   (`GET /api/reports/{id}`), the register page (first page, and sorted by a date and
   filtered by phase), and the register CSV — each the median of 3 calls through the app
   (httpx ASGITransport, logged in as the projektleder).
3. Baseline, same run: a plain SQL count over the rows each report reads (sqlite3 on the
   same file), and the ratio of the page's time to it.
Goals: every report page and JSON < 1 s; the register page < 0.5 s.
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import random
import re
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx
from sqlmodel import Session

from schemas.accounts import Municipality, Organisation, User
from schemas.enums import END_REASONS
from schemas.fields import Kind
from schemas.forms import FORMS, applies
from server.app import create_app
from server.auth.passwords import hash_password
from server.office.catalogue import REPORTS
from server.settings import Settings
from server.sync.push import apply_ops
from sync import hlc as hlc_mod

MUNICIPALITY = "b0000000-0000-4000-8000-000000000001"
TEAMS = ["b0000000-0000-4000-8000-00000000000a", "b0000000-0000-4000-8000-00000000000b", "b0000000-0000-4000-8000-00000000000c"]
GOAL_REPORT_S, GOAL_REGISTER_S = 1.0, 0.5
SOURCE_SQL = {  # the rows each report kind reads, counted in plain SQL
    "start": "SELECT count(*) FROM formresponse f JOIN citizen c ON c.id = f.citizen_id WHERE f.form = 'kontakt_start' AND f.voided = 0",
    "loebende": "SELECT count(*) FROM formresponse f JOIN citizen c ON c.id = f.citizen_id WHERE f.form = 'kontakt_loebende' AND f.voided = 0",
    "progression": "SELECT count(*) FROM formresponse f JOIN citizen c ON c.id = f.citizen_id WHERE f.form = 'progression' AND f.voided = 0",
    "ended": "SELECT count(*) FROM course WHERE ended_on IS NOT NULL",
    "leads": "SELECT count(*) FROM lead",
    "requests": "SELECT count(*) FROM course k JOIN citizen c ON c.id = k.citizen_id WHERE k.requested_on IS NOT NULL",
    "register": "SELECT count(*) FROM citizen c LEFT JOIN course k ON k.id = c.course_id",
}


def answers_for(form: str, rnd: random.Random) -> dict:
    """Answers valid for the form's current version: every applicable question answered."""
    out: dict = {}
    for question in FORMS[form].questions:
        if not applies(question, out) or question.kind == Kind.TEXT:
            continue
        if question.kind == Kind.CODE:
            out[question.key] = rnd.choice(question.options).code
        elif question.kind == Kind.CODES:
            out[question.key] = sorted(rnd.sample([o.code for o in question.options], rnd.randint(1, min(3, len(question.options)))))
        elif question.kind == Kind.INT:
            out[question.key] = rnd.randint(question.min or 0, question.max if question.max is not None else 10)
    return out


class Generator:
    def __init__(self, citizens: int, device: str, today: date):
        self.rnd, self.device, self.today, self.citizens = random.Random(14), device, today, citizens
        self.clock = hlc_mod.HLC(int(time.time() * 1000) - 86_400_000, 0, device)

    def op(self, entity: str, value: dict) -> dict:
        self.clock = hlc_mod.HLC(self.clock.wall, self.clock.counter + 1, self.device) if self.clock.counter < 99_000 else hlc_mod.HLC(self.clock.wall + 1, 0, self.device)
        return {"op_id": str(uuid.uuid4()), "device_id": self.device, "hlc": self.clock.encode(), "entity": entity,
                "record_id": str(uuid.uuid4()), "kind": "create", "field": None, "value": value, "seen": []}

    def day(self, start: date, span: int) -> date:
        return min(start + timedelta(days=self.rnd.randint(0, max(0, span))), self.today - timedelta(days=1))

    def citizen_ops(self, number: int) -> list[dict]:
        rnd = self.rnd
        citizen = self.op("citizen", {"code": f"B{number:05d}", "team_id": TEAMS[number % 3], "initials": "BX",
                                      "sex": "male" if rnd.random() < 0.77 else "female", "birth_year": rnd.randint(1960, 2005)})
        cid = citizen["record_id"]
        identified = self.today - timedelta(days=rnd.randint(30, 700))
        requested = self.day(identified, 30)  # the 14-day rule's request date
        course = {"citizen_id": cid, "identified_on": identified.isoformat(), "requested_on": requested.isoformat(),
                  "phase": {"phase": "phase_1", "date": identified.isoformat()}}
        if rnd.random() < 0.6:
            started = self.day(requested, 30)
            course.update(started_on=started.isoformat(), phase={"phase": "phase_2", "date": started.isoformat()}, plan_date=self.day(started, 20).isoformat())
        if rnd.random() < 0.3:
            course.update(ended_on=self.day(identified, 300).isoformat(), end_reason=rnd.choice(END_REASONS).code, phase_at_end="phase_1")
        ops = [citizen, self.op("course", course)]
        if number % 2 == 0:  # a lead from civil society, every other one of them found (the lead report's rows)
            seen = identified - timedelta(days=rnd.randint(0, 20))
            lead = {"org_id": TEAMS[0], "seen_on": seen.isoformat(), "place_type": "street"}
            ops.append(self.op("lead", {**lead, "citizen_id": cid} if number % 4 == 0 else lead))
        for _ in range(20):
            when = datetime.combine(self.day(identified, 400), datetime.min.time(), tzinfo=UTC) + timedelta(hours=10)
            ops.append(self.op("contact", {"citizen_id": cid, "occurred_at": when.isoformat(), "kind": rnd.choice(["contact", "attempt"]),
                                           "place": "own_home", "channel": "in_person", "actors": ["behandler_fremskudt"]}))
        forms = ["kontakt_start"] + ["kontakt_loebende"] * (1 if number % 5 else 2) + ["progression"] * (2 if number % 5 < 4 else 1)
        for k, form in enumerate(forms):
            filled = self.day(identified, 60 * (k + 1))
            ops.append(self.op("form_response", {"citizen_id": cid, "form": form, "version": FORMS[form].version, "round": 1 + k % 8,
                                                 "filled_on": filled.isoformat(), "answers": answers_for(form, rnd)}))
        return ops


def build(path: Path, citizens: int) -> tuple[object, float]:
    settings = Settings(database_url=f"sqlite:///{path}", secret_key="bench", demo_mode=False, pwa_dir="/nonexistent")
    app = create_app(settings)
    with Session(app.state.engine) as db:
        db.add(Municipality(id=MUNICIPALITY, name="Benchmark Kommune"))
        for index, team in enumerate(TEAMS):
            db.add(Organisation(id=team, municipality_id=MUNICIPALITY, name=f"Team {'ABC'[index]}", kind="rusmiddelcenter"))
        for username, role in (("bench_behandler", "behandler"), ("bench_leder", "projektleder")):
            db.add(User(id=str(uuid.uuid5(uuid.NAMESPACE_URL, username)), username=username, display_name=username,
                        password_hash=hash_password("bench"), role=role, organisation_id=TEAMS[0], municipality_id=MUNICIPALITY))
        db.commit()
    lead = None
    with Session(app.state.engine) as db:
        lead = db.get(User, str(uuid.uuid5(uuid.NAMESPACE_URL, "bench_leder")))
    generator = Generator(citizens, "bench-device", date.today())
    started = time.perf_counter()
    batch: list[dict] = []
    for number in range(1, citizens + 1):
        batch += generator.citizen_ops(number)
        if len(batch) >= 500 or number == citizens:
            with Session(app.state.engine) as db:
                for start in range(0, len(batch), 500):
                    results = apply_ops(db, user=lead, device_id=None, raw_ops=batch[start:start + 500], clock=app.state.clock)
                    bad = [r for r in results if r["status"] != "accepted"]
                    assert not bad, bad[:2]
                db.commit()
            batch = []
        if number % 1000 == 0:
            print(f"  {number} citizens written ({time.perf_counter() - started:.0f} s)", flush=True)
    return app, time.perf_counter() - started


def sql_seconds(path: Path, query: str) -> float:
    connection = sqlite3.connect(path)
    try:
        times = []
        for _ in range(3):
            started = time.perf_counter()
            connection.execute(query).fetchone()
            times.append(time.perf_counter() - started)
        return statistics.median(times)
    finally:
        connection.close()


async def timed(client: httpx.AsyncClient, path: str) -> tuple[float, int]:
    times, status = [], 0
    for _ in range(3):
        started = time.perf_counter()
        response = await client.get(path)
        times.append(time.perf_counter() - started)
        status = response.status_code
    return statistics.median(times), status


async def measure(app, path: Path) -> list[tuple]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench", timeout=120) as client:
        page = await client.get("/kontor/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        response = await client.post("/kontor/login", data={"csrf_token": token, "username": "bench_leder", "password": "bench"})
        assert response.status_code == 303, response.text[:300]
        rows = []
        for label, url, goal, source in (
            ("register page 1", "/kontor/deltagere", GOAL_REGISTER_S, "register"),
            ("register sorted by identification, phase 2", "/kontor/deltagere?sort=identified_on&dir=desc&phase=phase_2&page=20", GOAL_REGISTER_S, "register"),
            ("register CSV (all 10,000)", "/api/register?format=csv", None, "register"),
            ("response monitoring page", "/kontor/svar", None, "register"),
        ):
            seconds, status = await timed(client, url)
            rows.append((label, seconds, status, goal, sql_seconds(path, SOURCE_SQL[source])))
        for report in REPORTS.values():
            for kind, url in (("page", f"/kontor/rapporter/{report.id}"), ("JSON", f"/api/reports/{report.id}")):
                seconds, status = await timed(client, url)
                rows.append((f"{report.id} {kind}", seconds, status, GOAL_REPORT_S, sql_seconds(path, SOURCE_SQL[report.source])))
        return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--citizens", type=int, default=10_000)
    parser.add_argument("--keep", type=Path, help="reuse (or build and keep) this SQLite file")
    args = parser.parse_args()
    logging.disable(logging.INFO)
    folder = Path(tempfile.mkdtemp(prefix="brobygger-bench-"))
    path = args.keep or folder / "reports.db"
    if path.exists():
        app, build_s = create_app(Settings(database_url=f"sqlite:///{path}", secret_key="bench", pwa_dir="/nonexistent")), 0.0
    else:
        print(f"building {args.citizens} citizens …", flush=True)
        app, build_s = build(path, args.citizens)
    connection = sqlite3.connect(path)
    counts = {table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in ("citizen", "contact", "formresponse", "lead")}
    connection.close()
    print(f"data: {counts} (written in {build_s:.0f} s)")
    rows = asyncio.run(measure(app, path))
    print("\n| measure | time | goal | plain SQL count | ratio |\n|---|---|---|---|---|")
    for label, seconds, status, goal, baseline in rows:
        assert status == 200, (label, status)
        verdict = "" if goal is None else ("met" if seconds < goal else "**missed**")
        print(f"| {label} | {seconds * 1000:.0f} ms | {'' if goal is None else f'< {goal * 1000:.0f} ms'} {verdict} "
              f"| {baseline * 1000:.1f} ms | {seconds / baseline:.0f}× |")
    reports = [r for r in rows if r[0].startswith(("fig", "bilag", "leads"))]
    print(f"\nreports: median {statistics.median(r[1] for r in reports) * 1000:.0f} ms, "
          f"slowest {max(reports, key=lambda r: r[1])[0]} {max(r[1] for r in reports) * 1000:.0f} ms; "
          f"{sum(1 for r in reports if r[1] >= GOAL_REPORT_S)} of {len(reports)} over {GOAL_REPORT_S:.0f} s")
    app.state.engine.dispose()


if __name__ == "__main__":
    main()
