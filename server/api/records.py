"""Read routes over the merged record snapshots (`records` table), per resource.

What a caller sees is decided record by record by `sync.scope.visible_fields` and cut
with `sync.scope.project` — the same rules that decide what a device pulls. A record the
caller may not see answers 404 `not_found`, exactly like a record that does not exist.
Every read of citizen data writes audit rows (action `read`) in the request's
transaction. Changes go through sync operations; `POST /api/leads` is the one web form,
and it too becomes a `create` op handed to `server.sync.push.apply_ops`.
"""
from __future__ import annotations

import uuid
from datetime import date

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlmodel import Session, select

from schemas.accounts import User
from schemas.enums import PHASES, codes
from schemas.oplog import RecordSnapshot
from server.auth.authz import require
from server.auth.sessions import viewer_of
from server.core import audit
from server.core.deps import ReleasingRoute, get_db
from server.core.errors import COMMON_RESPONSES, ApiError, problem_responses
from server.sync import derived
from server.sync.places import with_shares
from server.sync.pull import scope_filter
from server.sync.push import apply_ops, push_lock, web_device_id
from sync.derive import citizen_status
from sync.scope import Place, Viewer, project, visible_fields

router = APIRouter(prefix="/api", tags=["records"], responses=COMMON_RESPONSES, route_class=ReleasingRoute)
R = RecordSnapshot
CHILDREN = {"course": "courses", "contact": "contacts", "consent": "consents", "form_response": "form_responses"}


def visible(db: Session, viewer: Viewer, rows: list[RecordSnapshot]) -> list[tuple[RecordSnapshot, dict]]:
    """The rows the viewer may see, each with its state projected to the visible fields
    (and the cross-record facts the server derived about it)."""
    places = with_shares(db, {row.id: Place.from_columns(row) for row in rows})
    out = []
    for row in rows:
        fields = visible_fields(viewer, places[row.id])
        if fields is not None:
            out.append((row, derived.attach(project(row.state, fields), row)))
    return out


def _audit_reads(db: Session, user: User, rows: list[RecordSnapshot]) -> None:
    audit.record_many(
        db, "read", user_id=user.id, device_id=None,
        records=[(row.entity, row.id, Place.from_columns(row).citizen_id) for row in rows],
    )
    db.commit()


def _one(db: Session, viewer: Viewer, entity: str, record_id: str) -> tuple[RecordSnapshot, dict]:
    row = db.get(RecordSnapshot, record_id)
    found = visible(db, viewer, [row]) if row is not None and row.entity == entity else []
    if not found:
        raise ApiError("not_found")
    return found[0]


# --- citizens -------------------------------------------------------------------------

class CitizenSummary(BaseModel):
    id: str
    code: str | None
    initials: str | None
    phase: str | None = Field(description="Fasen i borgerens nuværende forløb (sync.derive.current_course), du kan se")
    plan_missing: bool = Field(description="Fase 2 eller 3 uden behandlingsplan")
    duplicate_code: bool = Field(description="En anden borger i kommunen har samme kode")
    archived: bool
    has_conflicts: bool
    partial: bool = Field(description="Sandt, hvis du kun må se en del af borgerens oplysninger")
    last_seq: int


class CitizenList(BaseModel):
    citizens: list[CitizenSummary]
    total: int


class CitizenDetail(BaseModel):
    citizen: dict
    status: dict = Field(description="Det nuværende forløb: fase, behandlingsplan, afsluttet (sync.derive.citizen_status)")
    courses: list[dict]
    contacts: list[dict]
    consents: list[dict]
    form_responses: list[dict]


@router.get("/citizens", response_model=CitizenList, summary="Borgere, du har adgang til")
def list_citizens(
    db: Session = Depends(get_db),
    user: User = Depends(require("GET /api/citizens")),
    q: str | None = Query(None, max_length=40, description="Søg i kode og initialer"),
    phase: str | None = Query(None, description="Kun borgere i denne fase: " + ", ".join(sorted(codes(PHASES)))),
    include_archived: bool = Query(False),
    limit: int = Query(200, ge=1, le=1000),
    offset: int = Query(0, ge=0),
):
    if phase is not None and phase not in codes(PHASES):
        raise ApiError("invalid_field", "choice", "phase", allowed=codes(PHASES))
    viewer = viewer_of(user)
    rows = db.exec(select(R).where(R.entity == "citizen", scope_filter(viewer))).all()
    citizens = visible(db, viewer, list(rows))
    ids = [row.id for row, _ in citizens]
    courses: dict[str, list[dict]] = {}
    for start in range(0, len(ids), 500):
        course_rows = db.exec(
            select(R).where(R.entity == "course", R.citizen_id.in_(ids[start : start + 500]), scope_filter(viewer))
        ).all()
        for course_row, state in visible(db, viewer, list(course_rows)):
            courses.setdefault(course_row.citizen_id, []).append(state)
    needle = (q or "").strip().lower()
    items = []
    for row, state in citizens:
        fields = state["fields"]
        if state.get("archived") and not include_archived:
            continue
        if needle and not any(needle in str(fields.get(name) or "").lower() for name in ("code", "initials")):
            continue
        status = citizen_status(courses.get(row.id, []))
        if phase is not None and status["phase"] != phase:
            continue
        items.append({
            "id": row.id, "code": fields.get("code"), "initials": fields.get("initials"), "phase": status["phase"],
            "plan_missing": status["plan_missing"], "duplicate_code": bool((state.get("derived") or {}).get("duplicate_code")),
            "archived": bool(state.get("archived")), "has_conflicts": bool(state.get("conflicts")),
            "partial": bool(state.get("partial")), "last_seq": row.last_seq,
        })
    items.sort(key=lambda item: (item["code"] or "", item["id"]))
    page = items[offset : offset + limit]
    by_id = {row.id: row for row, _ in citizens}
    _audit_reads(db, user, [by_id[item["id"]] for item in page])
    return {"citizens": page, "total": len(items)}


@router.get("/citizens/{citizen_id}", response_model=CitizenDetail, summary="Én borger med forløb, kontakter, samtykker og skemaer",
            responses=problem_responses(404))
def get_citizen(citizen_id: str, db: Session = Depends(get_db), user: User = Depends(require("GET /api/citizens/{citizen_id}"))):
    viewer = viewer_of(user)
    row, state = _one(db, viewer, "citizen", citizen_id)
    children = db.exec(select(R).where(R.citizen_id == citizen_id, R.entity.in_(list(CHILDREN)), scope_filter(viewer))).all()
    out: dict[str, list[dict]] = {name: [] for name in CHILDREN.values()}
    read = [row]
    for child, child_state in visible(db, viewer, list(children)):
        out[CHILDREN[child.entity]].append(child_state)
        read.append(child)
    for items in out.values():
        items.sort(key=lambda s: s.get("created_hlc") or "")
    _audit_reads(db, user, read)
    return {"citizen": state, "status": citizen_status(out["courses"]), **out}


# --- leads ----------------------------------------------------------------------------

class LeadList(BaseModel):
    leads: list[dict]


class LeadOut(BaseModel):
    lead: dict


class LeadIn(BaseModel):
    """An anonymous lead: where and when someone was seen, never who."""

    seen_on: date = Field(description="Dato, personen blev set (ÅÅÅÅ-MM-DD)")
    place_type: str = Field(max_length=40)
    area: str | None = Field(None, max_length=60, description="Område, fx 'Havnen' – aldrig navn eller adresse")
    age_band: str | None = Field(None, max_length=20)
    sex: str | None = Field(None, max_length=20)
    concerns: list[str] | None = Field(None, max_length=20)
    id: uuid.UUID | None = Field(None, description="Klientens id for leadet; gensendes formularen, oprettes den ikke to gange")


@router.get("/leads", response_model=LeadList, summary="Anonyme leads, du har adgang til")
def list_leads(
    db: Session = Depends(get_db),
    user: User = Depends(require("GET /api/leads")),
    include_archived: bool = Query(False),
    limit: int = Query(500, ge=1, le=2000),
):
    viewer = viewer_of(user)
    rows = db.exec(select(R).where(R.entity == "lead", scope_filter(viewer))).all()
    leads = [(row, state) for row, state in visible(db, viewer, list(rows)) if include_archived or not state.get("archived")]
    leads.sort(key=lambda item: (item[1]["fields"].get("seen_on") or "", item[0].id), reverse=True)
    leads = leads[:limit]
    _audit_reads(db, user, [row for row, _ in leads])
    return {"leads": [state for _, state in leads]}


@router.get("/leads/{lead_id}", response_model=LeadOut, summary="Ét lead", responses=problem_responses(404))
def get_lead(lead_id: str, db: Session = Depends(get_db), user: User = Depends(require("GET /api/leads/{lead_id}"))):
    row, state = _one(db, viewer_of(user), "lead", lead_id)
    _audit_reads(db, user, [row])
    return {"lead": state}


@router.post("/leads", status_code=201, response_model=LeadOut, summary="Notér et anonymt lead (frivillig)",
             responses={200: {"model": LeadOut, "description": "Leadet findes allerede (formularen blev sendt igen)"}, **problem_responses(404, 409)})
def create_lead(
    body: LeadIn,
    request: Request,
    db: Session = Depends(get_db),
    user: User = Depends(require("POST /api/leads")),
):
    viewer = viewer_of(user)
    record_id = str(body.id or uuid.uuid4())
    existing = db.get(RecordSnapshot, record_id)
    if existing is not None:
        if existing.entity == "lead" and existing.org_id == user.organisation_id:
            _, state = _one(db, viewer, "lead", record_id)
            return JSONResponse({"lead": state}, status_code=200)
        raise ApiError("conflicting_create", field="id")
    value = {
        "org_id": user.organisation_id,
        **body.model_dump(exclude={"id"}, exclude_none=True, mode="json"),
    }
    device = web_device_id(user)
    raw = {
        "op_id": str(uuid.uuid4()), "device_id": device, "hlc": request.app.state.clock.tick(device).encode(),
        "entity": "lead", "record_id": record_id, "kind": "create", "field": None, "value": value, "seen": [],
    }
    with push_lock(db, user.municipality_id):  # keeps `seq` in commit order, like a push
        [outcome] = apply_ops(db, user=user, device_id=None, raw_ops=[raw], clock=request.app.state.clock)
        if outcome["status"] != "accepted":
            # The person is looking at the form: nothing is lost, so nothing is quarantined.
            db.rollback()
            raise ApiError.relay(outcome["error"])
        db.commit()
    _, state = _one(db, viewer, "lead", record_id)
    return {"lead": state}
