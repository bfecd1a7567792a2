"""The participant register (deltagerliste): every live citizen of the municipality with its
pseudonymous code and the facts of its current course, in the evaluation's columns;
filtered, sorted and paged in SQL (10,000 citizens), and the same list as CSV/XLSX/JSON.

A behandler sees only the own team's citizens (the scope rule of sync/scope.py: a
behandler's citizens are its team's); a projektleder the whole municipality. Never an
identifying field: codes, teams and dates only. Every listed citizen is an audited read.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import and_, false, func, or_, select
from sqlmodel import Session

from schemas.accounts import User
from schemas.enums import DESTINATIONS, END_REASONS, PHASES
from schemas.oplog import RecordSnapshot
from sync.derive import start_wait
from server.core import audit
from server.core.errors import ApiError
from server.office import register_course_work, sources
from server.office.runner import date_param
from server.office.sources import CITIZEN, COURSE, C, K

PAGE_SIZE = 50
PHASE_LABELS = {c.code: c.label for c in PHASES}
END_REASON_LABELS = {c.code: c.label for c in END_REASONS}
DESTINATION_LABELS = {c.code: c.label for c in DESTINATIONS}
STATUSES = {"active": "Aktive", "ended": "Afsluttede"}
ZONE = ZoneInfo("Europe/Copenhagen")  # the 14-day rule counts Danish calendar days


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # the evaluation's column name (CSV/XLSX header and table heading)
    sort: object | None  # the SQL column it sorts by, or None


COLUMNS = [
    Column("code", "ID (kode)", C.code),
    Column("team", "Team", C.team_id),
    Column("identified_on", "Identifikationsdato", K.identified_on),
    Column("requested_on", "Anmodningsdato", K.requested_on),
    Column("started_on", "Opstartsdato", K.started_on),
    # sync.derive.start_wait: start (or still waiting today) more than 14 days after the request
    Column("over_14_days", "Start > 14 dage efter anmodning", None),
    Column("phase", "Aktuel fase", C.phase),
    Column("phase_date", "Dato for aktuel fase", C.phase_date),
    Column("phase_history", "Fasehistorik", None),
    Column("plan_date", "Behandlingsplan (dato)", K.plan_date),
    Column("ended_on", "Frafald/afslutningsdato", K.ended_on),
    Column("end_reason", "Årsag til afslutning", K.end_reason),
    Column("phase_at_end", "Fase ved afslutning", K.phase_at_end),
    Column("destination", "Hvad borgeren afsluttes til", K.destination),
    # The course work (register_course_work): counts and states, never the goals' wording.
    Column("goals", "Mål i behandlingsplanen (antal)", None),
    Column("follow_up", "Opfølgning efter forløbet", None),
]
SORTABLE = {c.key: c for c in COLUMNS if c.sort is not None}


@dataclass(frozen=True)
class Query:
    team_id: str | None = None
    phase: str | None = None
    status: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    code: str | None = None
    sort: str = "code"
    descending: bool = False
    page: int = 1

    def params(self, **changes) -> dict[str, str]:
        values = {"team_id": self.team_id, "phase": self.phase, "status": self.status,
                  "from": self.date_from.isoformat() if self.date_from else None,
                  "to": self.date_to.isoformat() if self.date_to else None, "code": self.code,
                  "sort": self.sort if self.sort != "code" else None, "dir": "desc" if self.descending else None,
                  "page": str(self.page) if self.page > 1 else None}
        values.update(changes)
        return {k: v for k, v in values.items() if v}


def parse(params: Mapping[str, str], teams: Mapping[str, str]) -> Query:
    """The register's filters from a query string; bad values name the field, never echo it."""
    def choice(name, allowed):
        value = (params.get(name) or "").strip() or None
        if value is not None and value not in allowed:
            raise ApiError("invalid_field", "choice", name, allowed=sorted(allowed))
        return value

    team_id = (params.get("team_id") or "").strip() or None
    if team_id is not None and team_id not in teams:
        raise ApiError("invalid_field", "unknown", "team_id")
    code = (params.get("code") or "").strip().upper() or None
    if code is not None and len(code) > 12:
        raise ApiError("invalid_field", "too_long", "code", limit=12)
    page_text = (params.get("page") or "1").strip()
    if not page_text.isdigit() or not 1 <= int(page_text) <= 100_000:
        raise ApiError("invalid_field", "not_int", "page")
    date_from, date_to = date_param(params, "from"), date_param(params, "to")
    if date_from and date_to and date_from > date_to:
        raise ApiError("invalid_field", "too_small", "to", limit=date_from.isoformat())
    return Query(
        team_id=team_id, phase=choice("phase", {*PHASE_LABELS, "none"}), status=choice("status", set(STATUSES)),
        date_from=date_from, date_to=date_to, code=code, sort=choice("sort", set(SORTABLE)) or "code",
        descending=choice("dir", {"asc", "desc"}) == "desc", page=int(page_text),
    )


def team_of_viewer(user: User) -> str | None:
    """The team a viewer is limited to: a behandler's own; a projektleder none."""
    return user.organisation_id if user.role == "behandler" else None


def _base(municipality_id: str, query: Query, forced_team: str | None):
    clauses = [C.municipality_id == municipality_id, or_(C.archived.is_(None), C.archived == false())]
    team = forced_team or query.team_id
    if team:
        clauses.append(C.team_id == team)
    if query.phase == "none":
        clauses.append(C.phase.is_(None))
    elif query.phase:
        clauses.append(C.phase == query.phase)
    if query.status == "active":
        clauses.append(or_(C.course_ended.is_(None), C.course_ended == false()))
    elif query.status == "ended":
        clauses.append(C.course_ended.is_(True))
    if query.date_from:
        clauses.append(K.identified_on >= query.date_from.isoformat())
    if query.date_to:
        clauses.append(K.identified_on <= query.date_to.isoformat())
    if query.code:
        clauses.append(C.code.like(query.code.replace("%", "").replace("_", "") + "%"))
    return and_(*clauses)


SELECT = [C.id, C.code, C.team_id, C.phase, C.phase_date, K.identified_on, K.started_on, K.plan_date, K.ended_on,
          K.end_reason, K.phase_at_end, K.destination, C.course_id, K.requested_on]


def rows(db: Session, municipality_id: str, query: Query, forced_team: str | None, *, paged: bool = True) -> tuple[list[dict], int]:
    """The register rows of one page (or all of them) and the number of matching citizens."""
    joined = CITIZEN.outerjoin(COURSE, K.id == C.course_id)
    where = _base(municipality_id, query, forced_team)
    total = db.execute(select(func.count()).select_from(joined).where(where)).scalar_one()
    column = SORTABLE[query.sort].sort
    order = [column.desc().nulls_last() if query.descending else column.asc().nulls_last(), C.code, C.id]
    statement = select(*SELECT).select_from(joined).where(where).order_by(*order)
    if paged:
        statement = statement.limit(PAGE_SIZE).offset((query.page - 1) * PAGE_SIZE)
    found = [dict(row._mapping) for row in db.execute(statement)]
    histories = phase_histories(db, [r["course_id"] for r in found if r["course_id"]])
    today = datetime.now(ZONE).date().isoformat()
    for row in found:
        row["phase_history"] = histories.get(row["course_id"], [])
        _add_wait(row, today)
    register_course_work.add(db, found, today)
    return found, total


def _add_wait(row: dict, today: str) -> None:
    """The 14-day rule's flag of the row's course (sync.derive.start_wait, as on the phone)."""
    course = {"fields": {name: row.get(name) for name in ("requested_on", "started_on", "ended_on")}}
    wait = start_wait(course, today) if row.get("course_id") else start_wait(None, today)
    row["over_14_days"] = wait["over_limit"]
    row["waited_days"] = wait["days"]


def phase_histories(db: Session, course_ids: list[str]) -> dict[str, list[dict]]:
    """Each course's phase changes as dated events in date order (from its sync snapshot)."""
    out: dict[str, list[dict]] = {}
    for start in range(0, len(course_ids), 500):
        chunk = course_ids[start:start + 500]
        for course_id, state in db.execute(select(RecordSnapshot.id, RecordSnapshot.state).where(RecordSnapshot.id.in_(chunk))):
            events = []
            for write in (state or {}).get("history", {}).get("phase", []):
                event = write.get("value") or {}
                if event.get("phase"):
                    events.append({"phase": event["phase"], "date": event.get("date")})
            events.sort(key=lambda e: (e["date"] or "", e["phase"]))
            deduped = [e for i, e in enumerate(events) if i == 0 or e != events[i - 1]]
            out[course_id] = deduped
    return out


def history_text(events: list[dict]) -> str:
    return " → ".join(f"{PHASE_LABELS.get(e['phase'], e['phase']).split(' –')[0]} ({e['date'] or '?'})" for e in events)


def display(row: dict, teams: Mapping[str, str]) -> dict:
    """A row with Danish labels for its codes (page, CSV, XLSX)."""
    return {
        **row,
        "team": teams.get(row["team_id"], ""),
        "phase": PHASE_LABELS.get(row["phase"], row["phase"] or ""),
        "end_reason": END_REASON_LABELS.get(row["end_reason"], row["end_reason"] or ""),
        "phase_at_end": PHASE_LABELS.get(row["phase_at_end"], row["phase_at_end"] or ""),
        "destination": DESTINATION_LABELS.get(row["destination"], row["destination"] or ""),
        "phase_history": history_text(row["phase_history"]),
        "over_14_days": _wait_text(row),
        "goals": str(row.get("goals", 0)),  # 0 is a fact here, not a blank
    }


def _wait_text(row: dict) -> str:
    if not row.get("over_14_days"):
        return ""
    waiting = not row.get("started_on") and not row.get("ended_on")
    return f"Ja – {row['waited_days']} dage{' og venter stadig' if waiting else ''}"


def table(found: list[dict], teams: Mapping[str, str]) -> tuple[list[str], list[list]]:
    shown = [display(row, teams) for row in found]
    return [c.label for c in COLUMNS], [[row.get(c.key) or "" for c in COLUMNS] for row in shown]


def as_json(row: dict, teams: Mapping[str, str]) -> dict:
    """A register row for other tools: codes (labels only for the team)."""
    keys = [c.key for c in COLUMNS if c.key not in ("team", "phase_history")]
    return {"id": row["code"], "team_id": row["team_id"], "team": teams.get(row["team_id"], ""),
            **{key: row.get(key) for key in keys if key != "code"}, "phase_history": row["phase_history"]}


def audit_reads(db: Session, user_id: str, found: list[dict], device_id: str | None = None) -> None:
    audit.record_many(db, "read", user_id=user_id, device_id=device_id,
                      records=[("citizen", row["id"], row["id"]) for row in found])
    db.commit()


def one(db: Session, municipality_id: str, citizen_id: str, forced_team: str | None) -> dict | None:
    joined = CITIZEN.outerjoin(COURSE, K.id == C.course_id)
    where = and_(_base(municipality_id, Query(), forced_team), C.id == citizen_id)
    found = [dict(r._mapping) for r in db.execute(select(*SELECT, C.created_by).select_from(joined).where(where))]
    if not found:
        return None
    row = found[0]
    row["phase_history"] = phase_histories(db, [row["course_id"]]).get(row["course_id"], []) if row["course_id"] else []
    today = datetime.now(ZONE).date().isoformat()
    _add_wait(row, today)
    register_course_work.add(db, [row], today)
    return row


def teams(db: Session, municipality_id: str) -> dict[str, str]:
    return sources.teams(db, municipality_id)
