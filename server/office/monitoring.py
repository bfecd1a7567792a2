"""Response monitoring (`/kontor/svar`): per form and round (and per occasion for the
progressionsskema) how many responses are given, due and overdue — by team and by
behandler — and the citizens behind every overdue number (`/kontor/svar/udestaaende`).

What is due is `sync.derive.due` (the rule the phones use) on the municipality's schedule
(server/api/schedule.py `load_schedule`) and today, computed from the typed register
tables each time; nothing is stored. "Behandler" is the user who registered the citizen
(the register has no assigned worker). "Skulle være givet" = given + due + overdue.
Per team and per behandler the page has the totals per form and, under them, the same per
round of each form and per occasion of the progressionsskema.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from sqlalchemy import false, or_, select
from sqlmodel import Session

from schemas.accounts import User
from schemas.forms import FORMS
from schemas.records import Consent
from server.api.schedule import load_schedule, today
from server.core.deps import ReleasingRoute, get_db
from server.office import register
from server.office.layout import PageError, office_page, render
from server.office.sources import C, F, K
from sync.derive import due, enrolled_on, follow_up, round_of

router = APIRouter(route_class=ReleasingRoute, include_in_schema=False)
S = Consent.__table__.c
FORM_ORDER = ("kontakt_start", "kontakt_loebende", "progression", "opfoelgning")


@dataclass
class Citizen:
    id: str
    code: str
    team_id: str | None
    behandler: str | None
    given: list[dict] = field(default_factory=list)  # {"form", "round", "occasion"}
    due: list[dict] = field(default_factory=list)  # sync.derive.due entries, each with its "occasion"


def load(db: Session, municipality_id: str) -> tuple[list[Citizen], str]:
    schedule, day = load_schedule(db, municipality_id), today()
    rows = db.execute(select(C.id, C.code, C.team_id, C.created_by, C.course_ended).where(
        C.municipality_id == municipality_id, or_(C.archived.is_(None), C.archived == false()))).all()
    courses: dict[str, list[dict]] = {}
    for r in db.execute(select(K.id, K.citizen_id, K.started_on, K.ended_on, K.end_reason, K.archived, K.created_hlc).where(
            K.municipality_id == municipality_id)):
        courses.setdefault(r.citizen_id, []).append({"id": r.id, "archived": bool(r.archived), "created_hlc": r.created_hlc, "fields": {
            "started_on": r.started_on, "ended_on": r.ended_on, "end_reason": r.end_reason}})
    consents: dict[str, list[dict]] = {}
    for r in db.execute(select(S.citizen_id, S.purpose, S.granted, S.state).where(S.municipality_id == municipality_id)):
        consents.setdefault(r.citizen_id, []).append({"fields": {"purpose": r.purpose, "granted": r.granted, "state": r.state}})
    responses: dict[str, list[dict]] = {}
    for r in db.execute(select(F.id, F.citizen_id, F.form, F.round, F.filled_on, F.occasion, F.created_hlc).where(
            F.municipality_id == municipality_id, F.voided == false())):
        responses.setdefault(r.citizen_id, []).append({"id": r.id, "created_hlc": r.created_hlc, "occasion": r.occasion,
                                                       "fields": {"form": r.form, "round": r.round, "filled_on": r.filled_on}})
    out = []
    for r in rows:
        mine = responses.get(r.id, [])
        citizen = Citizen(r.id, r.code, r.team_id, r.created_by)
        counts: Counter = Counter()
        for response in sorted(mine, key=lambda s: (s["fields"]["filled_on"] or "", s["created_hlc"] or "", s["id"])):
            fields = response["fields"]
            counts[fields["form"]] += 1
            number = fields["round"] if isinstance(fields["round"], int) else (
                round_of(schedule, fields["form"], fields["filled_on"]) if fields["filled_on"] else None)
            citizen.given.append({"form": fields["form"], "round": number, "occasion": response["occasion"] or counts[fields["form"]]})
        status = {"enrolled_on": enrolled_on(courses.get(r.id, []), consents.get(r.id, [])), "ended": bool(r.course_ended),
                  "archived": False, "follow_up": follow_up(courses.get(r.id, []), consents.get(r.id, []), mine)}
        pending: Counter = Counter()
        for entry in due(status, mine, schedule, day):
            pending[entry["form"]] += 1
            citizen.due.append({**entry, "occasion": counts[entry["form"]] + pending[entry["form"]]})
        out.append(citizen)
    return out, day


def _tally(citizens: list[Citizen], key) -> dict:
    """(group, form, round) → {"given", "due", "overdue"}; `key(citizen)` is the group."""
    table: dict[tuple, Counter] = {}
    for citizen in citizens:
        group = key(citizen)
        for item in citizen.given:
            table.setdefault((group, item["form"], item["round"]), Counter())["given"] += 1
        for item in citizen.due:
            table.setdefault((group, item["form"], item["round"]), Counter())["overdue" if item["overdue"] else "due"] += 1
    return table


def summary(citizens: list[Citizen], teams: dict[str, str], users: dict[str, str]) -> dict:
    rounds = _tally(citizens, lambda c: None)
    per_form: dict[str, list[dict]] = {form: [] for form in FORM_ORDER}
    for (_, form, number), counts in sorted(rounds.items(), key=lambda kv: (kv[0][1], kv[0][2] or 0)):
        if form in per_form:
            per_form[form].append({"round": number, **_numbers(counts)})
    occasions = _occasions(citizens, lambda c: None)
    groups = []
    for label, key, names in (("team", lambda c: c.team_id, teams), ("behandler", lambda c: c.behandler, users)):
        by_round = _tally(citizens, key)
        tally: dict[tuple, Counter] = {}
        for (group, form, _), counts in by_round.items():
            tally.setdefault((group, form), Counter()).update(counts)
        rows = {}
        for (group, form), counts in tally.items():
            rows.setdefault(group, {})[form] = _numbers(counts)
        # the same per round of each form and per occasion of the progressionsskema
        detail = [{"id": group, "name": names.get(group, "Ukendt"), "form": form, "round": number, "occasion": None, **_numbers(counts)}
                  for (group, form, number), counts in by_round.items() if form in FORM_ORDER]
        detail += [{"id": group, "name": names.get(group, "Ukendt"), "form": "progression", "round": None, "occasion": k, **_numbers(counts)}
                   for (group, k), counts in _occasions(citizens, key).items()]
        detail.sort(key=lambda r: (r["name"], r["id"] or "", FORM_ORDER.index(r["form"]), r["occasion"] is not None,
                                   r["round"] or r["occasion"] or 0))
        groups.append({"by": label, "rows": sorted(({"id": g, "name": names.get(g, "Ukendt"), "forms": f} for g, f in rows.items()),
                                                   key=lambda r: r["name"]), "detail": detail})
    return {"per_form": per_form, "occasions": [{"occasion": k, **_numbers(c)} for (_, k), c in sorted(occasions.items())],
            "groups": groups}


def _occasions(citizens: list[Citizen], key) -> dict[tuple, Counter]:
    """(group, occasion) → {"given", "due", "overdue"} of the progressionsskema."""
    table: dict[tuple, Counter] = {}
    for citizen in citizens:
        group = key(citizen)
        for item in citizen.given:
            if item["form"] == "progression":
                table.setdefault((group, item["occasion"]), Counter())["given"] += 1
        for item in citizen.due:
            if item["form"] == "progression":
                table.setdefault((group, item["occasion"]), Counter())["overdue" if item["overdue"] else "due"] += 1
    return table


def _numbers(counts: Counter) -> dict:
    return {"given": counts["given"], "due": counts["due"], "overdue": counts["overdue"],
            "expected": counts["given"] + counts["due"] + counts["overdue"]}


def _names(db: Session, municipality_id: str) -> dict[str, str]:
    return {row.id: row.display_name for row in db.execute(select(User.id, User.display_name).where(User.municipality_id == municipality_id))}


@router.get("/kontor/svar")
def monitoring_page(request: Request, db: Session = Depends(get_db), user: User = Depends(office_page("GET /kontor/svar"))):
    citizens, day = load(db, user.municipality_id)
    teams = register.teams(db, user.municipality_id)
    data = summary(citizens, teams, _names(db, user.municipality_id))

    def outstanding(**params) -> str:
        return "/kontor/svar/udestaaende?" + urlencode({k: v for k, v in params.items() if v not in (None, "")})

    return render(request, "monitoring.html", {
        "data": data, "forms": {code: FORMS[code].label for code in FORM_ORDER if code in FORMS}, "today": day,
        "outstanding": outstanding, "form_order": [f for f in FORM_ORDER if f in FORMS],
    }, title="Besvarelser", db=db)


@router.get("/kontor/svar/udestaaende")
def outstanding_page(request: Request, db: Session = Depends(get_db),
                     user: User = Depends(office_page("GET /kontor/svar/udestaaende"))):
    params = request.query_params
    form = params.get("form") or None
    if form is not None and form not in FORMS:
        raise PageError("invalid_field", "choice", "form", allowed=sorted(FORMS))
    numbers = {}
    for name in ("round", "occasion"):
        text = params.get(name) or ""
        if text and not (text.isdigit() and len(text) <= 4):
            raise PageError("invalid_field", "not_int", name)
        numbers[name] = int(text) if text else None
    which = params.get("status") or "overdue"
    if which not in ("overdue", "due"):
        raise PageError("invalid_field", "choice", "status", allowed=["due", "overdue"])
    team_id, behandler = params.get("team_id") or None, params.get("user_id") or None
    citizens, day = load(db, user.municipality_id)
    found = []
    for citizen in citizens:
        if team_id and citizen.team_id != team_id or behandler and citizen.behandler != behandler:
            continue
        for item in citizen.due:
            if item["overdue"] != (which == "overdue") or form and item["form"] != form:
                continue
            if numbers["round"] is not None and item["round"] != numbers["round"]:
                continue
            if numbers["occasion"] is not None and item["occasion"] != numbers["occasion"]:
                continue
            found.append((citizen, item))
    found.sort(key=lambda pair: (pair[1]["due_on"], pair[0].code or ""))
    register.audit_reads(db, user.id, [{"id": c.id} for c in {c.id: c for c, _ in found}.values()])
    teams = register.teams(db, user.municipality_id)
    return render(request, "outstanding.html", {
        "found": found, "forms": {code: f.label for code, f in FORMS.items()}, "teams": teams, "names": _names(db, user.municipality_id),
        "which": which, "form": form, "round": numbers["round"], "occasion": numbers["occasion"], "today": day,
        "team": teams.get(team_id) if team_id else None,
    }, title="Forsinkede skemaer" if which == "overdue" else "Skemaer, der skal udfyldes", db=db)
