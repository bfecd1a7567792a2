"""The paged lists: `GET /api/citizens` and `GET /api/leads`.

Keyset pages over the typed register tables (the order's columns are indexed), never a
whole table in memory: a page costs the same at 100,000 records as at 100. `next` is an
opaque cursor for the following page (`after=`), null on the last one; `total` comes with
the first page only (counting every match on every page would make paging through a
list quadratic).

What a caller sees of each row is decided by the scope rules (sync.scope), exactly as for
a pull; every listed citizen is audited as read.
"""
from __future__ import annotations

import base64
import json

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field
from sqlalchemy import func, or_, tuple_
from sqlmodel import Session, select

from schemas.accounts import User
from schemas.enums import PHASES, codes
from schemas.oplog import RecordSnapshot
from schemas.records import Citizen, CitizenIdentity, Lead
from server.api.records import _audit_reads, visible
from server.auth.authz import require
from server.auth.sessions import viewer_of
from server.core.deps import ReleasingRoute, get_db
from server.core.errors import COMMON_RESPONSES, ApiError
from server.sync.pull import scope_filter
from sync import scope

router = APIRouter(prefix="/api", tags=["records"], responses=COMMON_RESPONSES, route_class=ReleasingRoute)
R = RecordSnapshot


def encode_cursor(values: list) -> str:
    return base64.urlsafe_b64encode(json.dumps(values, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(token: str | None, length: int) -> list | None:
    if token is None:
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except ValueError:
        values = None
    if not isinstance(values, list) or len(values) != length or not all(isinstance(v, str) for v in values):
        raise ApiError("invalid_field", None, "after")  # the cursor is not echoed
    return values


class CitizenSummary(BaseModel):
    id: str
    code: str | None
    initials: str | None
    phase: str | None = Field(description="Fasen i borgerens nuværende forløb (sync.derive.current_course), hvis du må se forløb")
    plan_missing: bool = Field(description="Fase 2 eller 3 uden behandlingsplan")
    duplicate_code: bool = Field(description="En anden borger i kommunen har samme kode")
    archived: bool
    has_conflicts: bool
    partial: bool = Field(description="Sandt, hvis du kun må se en del af borgerens oplysninger")
    last_seq: int


class CitizenList(BaseModel):
    citizens: list[CitizenSummary]
    total: int | None = Field(description="Antal borgere i alt, der passer (kun på første side)")
    next: str | None = Field(description="`after` for næste side; null på sidste side")


@router.get("/citizens", response_model=CitizenList, summary="Borgere, du har adgang til (efter kode, side for side)")
def list_citizens(
    db: Session = Depends(get_db),
    user: User = Depends(require("GET /api/citizens")),
    q: str | None = Query(None, max_length=40, description="Søg i kode og initialer"),
    phase: str | None = Query(None, description="Kun borgere i denne fase: " + ", ".join(sorted(codes(PHASES)))),
    include_archived: bool = Query(False),
    limit: int = Query(200, ge=1, le=1000),
    after: str | None = Query(None, max_length=400, description="`next` fra forrige side"),
):
    if phase is not None and phase not in codes(PHASES):
        raise ApiError("invalid_field", "choice", "phase", allowed=codes(PHASES))
    viewer = viewer_of(user)
    sees_courses = scope.sees_entity(viewer.role, "course")
    if phase is not None and not sees_courses:
        return {"citizens": [], "total": 0, "next": None}  # a phase the caller may not see filters nothing in
    C = Citizen
    code = C.code  # required at create: never null in the register (its index orders the pages)
    # Every condition is on the register's own columns (the scope filter too), so a page
    # walks its (municipality, code, id) index and the count needs no join.
    matches = [scope_filter(viewer, C, "citizen")]
    if not include_archived:
        matches.append(or_(C.archived.is_(None), C.archived.is_(False)))
    if phase is not None:
        matches.append(C.phase == phase)
    needle = (q or "").strip().lower()
    if needle:
        initials = select(CitizenIdentity.id).where(func.lower(CitizenIdentity.initials).contains(needle, autoescape=True))
        matches.append(or_(func.lower(code).contains(needle, autoescape=True), C.id.in_(initials)))
    total = db.exec(select(func.count()).select_from(C).where(*matches)).one() if after is None else None
    query = select(R, C.phase, C.plan_missing, C.duplicate_code, C.code).select_from(C).join(R, R.id == C.id).where(*matches)
    position = decode_cursor(after, 2)
    if position is not None:
        query = query.where(tuple_(code, C.id) > tuple_(*position))
    rows = db.exec(query.order_by(code, C.id).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    facts = {row[0].id: row for row in rows}
    items = []
    for record, state in visible(db, viewer, [row[0] for row in rows]):
        _, phase_now, plan_missing, duplicate, _ = facts[record.id]
        fields = state["fields"]
        items.append({
            "id": record.id, "code": fields.get("code"), "initials": fields.get("initials"),
            "phase": phase_now if sees_courses else None, "plan_missing": bool(plan_missing) and sees_courses,
            "duplicate_code": bool(duplicate), "archived": bool(state.get("archived")),
            "has_conflicts": bool(state.get("conflicts")), "partial": bool(state.get("partial")), "last_seq": record.last_seq,
        })
    _audit_reads(db, user, [row[0] for row in rows if row[0].id in {item["id"] for item in items}])
    last = rows[-1] if rows else None
    return {"citizens": items, "total": total, "next": encode_cursor([last[4], last[0].id]) if more else None}


class LeadList(BaseModel):
    leads: list[dict]
    next: str | None = Field(default=None, description="`after` for næste side; null på sidste side")


@router.get("/leads", response_model=LeadList, summary="Anonyme henvisninger, du har adgang til (nyeste først, side for side)")
def list_leads(
    db: Session = Depends(get_db),
    user: User = Depends(require("GET /api/leads")),
    include_archived: bool = Query(False),
    limit: int = Query(500, ge=1, le=2000),
    after: str | None = Query(None, max_length=400, description="`next` fra forrige side"),
):
    viewer = viewer_of(user)
    seen = Lead.seen_on  # required at create
    query = select(R, Lead.seen_on).select_from(Lead).join(R, R.id == Lead.id).where(scope_filter(viewer, Lead, "lead"))
    if not include_archived:
        query = query.where(or_(Lead.archived.is_(None), Lead.archived.is_(False)))
    position = decode_cursor(after, 2)
    if position is not None:
        query = query.where(tuple_(seen, Lead.id) < tuple_(*position))
    rows = db.exec(query.order_by(seen.desc(), Lead.id.desc()).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    shown = visible(db, viewer, [row[0] for row in rows])
    _audit_reads(db, user, [row for row, _ in shown])
    last = rows[-1] if rows else None
    return {"leads": [state for _, state in shown], "next": encode_cursor([last[1], last[0].id]) if more else None}
