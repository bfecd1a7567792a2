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

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlmodel import Session, select

from schemas.accounts import User
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
from server.api.schedule import load_schedule
from server.api.schedule import today as schedule_today
from sync.derive import citizen_status, due, enrolled_on, follow_up, occasions
from sync.scope import Place, Viewer, project, visible_fields

router = APIRouter(prefix="/api", tags=["records"], responses=COMMON_RESPONSES, route_class=ReleasingRoute)
R = RecordSnapshot
CHILDREN = {"course": "courses", "contact": "contacts", "consent": "consents", "form_response": "form_responses", "goal": "goals"}


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

class CitizenDetail(BaseModel):
    citizen: dict
    status: dict = Field(description="Det nuværende forløb: fase, behandlingsplan, afsluttet (sync.derive.citizen_status)")
    courses: list[dict]
    contacts: list[dict]
    consents: list[dict]
    form_responses: list[dict] = Field(description="Skemaerne, hver med sin runde og `occasion` (borgerens k-te besvarelse af skemaet)")
    goals: list[dict] = Field(description="Målene i behandlingsplanen med borgerens egne ord (kun teamet og projektlederen)")
    due: list[dict] = Field(description='Skemaer, der skal udfyldes: [{"form", "round", "due_on", "overdue"}] (sync.derive.due)')
    follow_up: dict = Field(description='Opfølgning efter afsluttet forløb: {"reason", "ended_on", "rounds"} (sync.derive.follow_up); '
                                        'reason siger, hvorfor ingen er åben')


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
    status = citizen_status(out["courses"])
    numbers = occasions(out["form_responses"])
    out["form_responses"] = [{**response, "occasion": numbers.get(response["id"])} for response in out["form_responses"]]
    after = follow_up(out["courses"], out["consents"], out["form_responses"])
    facts = {**status, "enrolled_on": enrolled_on(out["courses"], out["consents"]), "archived": bool(state.get("archived")),
             "follow_up": after}
    due_now = due(facts, out["form_responses"], load_schedule(db, user.municipality_id), schedule_today())
    return {"citizen": state, "status": status, **out, "due": due_now, "follow_up": after}


# --- leads ----------------------------------------------------------------------------

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
