"""Administration of the caller's own municipality.

Administrators manage accounts (list, deactivate) and never see citizen data.
Project leads (projektleder) see the quarantine of rejected ops and the audit log.
"""
from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field
from sqlmodel import Session, select

from schemas.accounts import AuditEntry, Device, Organisation, User
from schemas.oplog import QuarantinedOp
from server.api.devices import DeviceOut, device_out
from server.api.session import UserOut
from server.auth import accounts
from server.auth.authz import require
from server.auth.sessions import end_sessions_of, public_user
from server.core import audit
from server.core.deps import ReleasingRoute, get_db
from server.core.errors import COMMON_RESPONSES, ApiError, problem_responses

router = APIRouter(prefix="/api", tags=["admin"], responses=COMMON_RESPONSES, route_class=ReleasingRoute)


class AdminUserOut(UserOut):
    active: bool
    is_demo: bool
    devices: list[DeviceOut]


class UserList(BaseModel):
    users: list[AdminUserOut]


def _municipality_user_ids(db: Session, municipality_id: str):
    return select(User.id).where(User.municipality_id == municipality_id)


def _admin_user(db: Session, user: User, names: dict[str, str], devices: list[Device]) -> dict:
    return {
        **public_user(user, names.get(user.organisation_id)),
        "active": user.active,
        "is_demo": user.is_demo,
        "devices": [device_out(d) for d in devices],
    }


@router.get("/users", response_model=UserList, summary="Brugere i egen kommune (administrator)")
def list_users(db: Session = Depends(get_db), admin: User = Depends(require("GET /api/users"))):
    users = db.exec(select(User).where(User.municipality_id == admin.municipality_id).order_by(User.username)).all()
    names = {o.id: o.name for o in db.exec(select(Organisation).where(Organisation.municipality_id == admin.municipality_id))}
    devices: dict[str, list[Device]] = {}
    ids = [u.id for u in users]
    for device in db.exec(select(Device).where(Device.user_id.in_(ids)).order_by(Device.created_at)):
        devices.setdefault(device.user_id, []).append(device)
    return {"users": [_admin_user(db, u, names, devices.get(u.id, [])) for u in users]}


@router.post("/users/{user_id}/deactivate", response_model=AdminUserOut, summary="Deaktivér en bruger (administrator)",
             responses=problem_responses(404))
def deactivate(user_id: str, db: Session = Depends(get_db), admin: User = Depends(require("POST /api/users/{user_id}/deactivate"))):
    user = db.get(User, user_id)
    if user is None or user.municipality_id != admin.municipality_id:
        raise ApiError("not_found")
    if user.id == admin.id:
        raise ApiError("forbidden", "self_deactivate")
    if user.active:
        user.active = False
        user.scope_epoch += 1
        db.add(user)
        end_sessions_of(db, user.id)
        audit.record(db, "user_deactivate", user_id=admin.id, entity="user", record_id=user.id)
        db.commit()
        db.refresh(user)
    return _one_user(db, user)


@router.post("/users/{user_id}/reactivate", response_model=AdminUserOut, summary="Genaktivér en bruger (administrator)",
             responses=problem_responses(404))
def reactivate(user_id: str, db: Session = Depends(get_db), admin: User = Depends(require("POST /api/users/{user_id}/reactivate"))):
    user = db.get(User, user_id)
    if user is None or user.municipality_id != admin.municipality_id:
        raise ApiError("not_found")
    accounts.set_active(db, user, True, by=admin)
    db.commit()
    return _one_user(db, user)


def _one_user(db: Session, user: User) -> dict:
    names = {o.id: o.name for o in db.exec(select(Organisation).where(Organisation.id == user.organisation_id))}
    devices = db.exec(select(Device).where(Device.user_id == user.id)).all()
    return _admin_user(db, user, names, list(devices))


class QuarantineOut(BaseModel):
    id: int
    op_id: str | None
    device_id: str | None
    user_id: str | None
    code: str
    message: str
    field: str | None
    body: dict | list | str | None
    received_at: datetime
    resolved_at: datetime | None
    resolved_by: str | None
    decision: str | None = Field(None, description="reapplied | dismissed (the project lead's decision)")
    decision_reason: str | None
    new_op_id: str | None = Field(None, description="the op the project lead wrote instead (reapplied)")
    user_name: str | None = Field(None, description="the display name of the user whose op it was")


class QuarantineList(BaseModel):
    quarantine: list[QuarantineOut]


@router.get("/quarantine", response_model=QuarantineList, summary="Afviste ændringer (projektleder)")
def quarantine(
    db: Session = Depends(get_db),
    lead: User = Depends(require("GET /api/quarantine")),
    include_resolved: bool = Query(False, description="Medtag også løste"),
    limit: int = Query(500, ge=1, le=5000),
):
    query = select(QuarantinedOp).where(QuarantinedOp.user_id.in_(_municipality_user_ids(db, lead.municipality_id)))
    if not include_resolved:
        query = query.where(QuarantinedOp.resolved_at.is_(None))
    rows = db.exec(query.order_by(QuarantinedOp.id.desc()).limit(limit)).all()
    names = _names(db, {row.user_id for row in rows})
    return {"quarantine": [{**row.model_dump(), "user_name": names.get(row.user_id)} for row in rows]}


def _names(db: Session, user_ids: set) -> dict[str, str]:
    ids = [i for i in user_ids if i]
    return dict(db.exec(select(User.id, User.display_name).where(User.id.in_(ids))).all()) if ids else {}


class AuditOut(BaseModel):
    id: int
    at: datetime
    user_id: str | None
    device_id: str | None
    action: str
    entity: str | None
    record_id: str | None
    citizen_id: str | None
    user_name: str | None = Field(None, description="the display name of the user")


class AuditList(BaseModel):
    audit: list[AuditOut]


@router.get("/audit", response_model=AuditList, summary="Log over adgang og ændringer (projektleder)")
def audit_log(
    db: Session = Depends(get_db),
    lead: User = Depends(require("GET /api/audit")),
    citizen_id: str | None = Query(None, max_length=64, description="Kun opslag om denne borger"),
    user_id: str | None = Query(None, max_length=64, description="Kun denne brugers handlinger"),
    limit: int = Query(500, ge=1, le=5000),
):
    query = select(AuditEntry).where(AuditEntry.user_id.in_(_municipality_user_ids(db, lead.municipality_id)))
    if citizen_id:
        query = query.where(AuditEntry.citizen_id == citizen_id)
    if user_id:
        query = query.where(AuditEntry.user_id == user_id)
    rows = [row.model_dump() for row in db.exec(query.order_by(AuditEntry.id.desc()).limit(limit))]
    names = _names(db, {row["user_id"] for row in rows})
    rows = [{**row, "user_name": names.get(row["user_id"])} for row in rows]
    if citizen_id:
        # Looking up who saw a citizen is itself a look at that citizen.
        audit.record(db, "audit_read", user_id=lead.id, citizen_id=citizen_id)
        db.commit()
    return {"audit": rows}
