"""Devices: a phone or browser registers itself once per user; an administrator can revoke it.

A device id names the source of every sync op. A client may propose its own UUID (so it
can create ops offline before it first reaches the server); the server refuses an id that
belongs to another user. Revoking is for administrators of the device owner's
municipality (a lost phone): the next sync answers `device_revoked` and the app wipes
its local data.
"""
from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, field_validator
from sqlmodel import Session, delete, select

from schemas.accounts import Device, SessionToken, User
from server.auth.authz import require
from server.auth.sessions import bind_session_to_device, utcnow
from server.core import audit
from server.core.deps import ReleasingRoute, get_db
from server.core.errors import COMMON_RESPONSES, ApiError, problem_responses

router = APIRouter(prefix="/api/devices", tags=["devices"], responses=COMMON_RESPONSES, route_class=ReleasingRoute)


class DeviceIn(BaseModel):
    name: str = Field(min_length=1, max_length=100, description="Fx 'Telefon – Anna'")
    device_id: str | None = Field(default=None, description="Klientens eget UUID for enheden (valgfrit)")

    @field_validator("device_id")
    @classmethod
    def _uuid(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return str(uuid.UUID(value))
        except ValueError:
            raise ValueError("skal være et UUID") from None


class DeviceId(BaseModel):
    device_id: str


class DeviceOut(BaseModel):
    id: str
    name: str
    created_at: datetime
    last_seen_at: datetime | None
    revoked_at: datetime | None


class DeviceList(BaseModel):
    devices: list[DeviceOut]


def device_out(device: Device) -> dict:
    return {
        "id": device.id,
        "name": device.name,
        "created_at": device.created_at,
        "last_seen_at": device.last_seen_at,
        "revoked_at": device.revoked_at,
    }


@router.post("", status_code=201, response_model=DeviceId, summary="Registrér denne enhed",
             responses={200: {"model": DeviceId, "description": "Allerede registreret til dig"}, **problem_responses(409)})
def register(
    body: DeviceIn,
    request: Request,
    db: Session = Depends(get_db),
    user: User = Depends(require("POST /api/devices")),
):
    device_id = body.device_id or str(uuid.uuid4())
    existing = db.get(Device, device_id)
    if existing is not None:
        if existing.user_id != user.id:
            raise ApiError("device_id_taken", field="device_id")
        if existing.revoked_at is not None:
            raise ApiError("device_revoked", field="device_id")
        bind_session_to_device(request, db, existing.id)
        db.commit()
        return JSONResponse({"device_id": existing.id}, status_code=200)
    db.add(Device(id=device_id, user_id=user.id, name=body.name.strip(), created_at=utcnow()))
    bind_session_to_device(request, db, device_id)
    audit.record(db, "device_register", user_id=user.id, device_id=device_id)
    db.commit()
    return {"device_id": device_id}


@router.get("", response_model=DeviceList, summary="Mine enheder")
def my_devices(db: Session = Depends(get_db), user: User = Depends(require("GET /api/devices"))):
    devices = db.exec(select(Device).where(Device.user_id == user.id).order_by(Device.created_at)).all()
    return {"devices": [device_out(d) for d in devices]}


@router.post("/{device_id}/revoke", response_model=DeviceOut, summary="Spær en enhed (administrator)",
             responses=problem_responses(404))
def revoke(
    device_id: str,
    db: Session = Depends(get_db),
    admin: User = Depends(require("POST /api/devices/{device_id}/revoke")),
):
    device = device_of_municipality(db, admin, device_id)
    revoke_device(db, device, admin)
    db.commit()
    return device_out(device)


@router.post("/{device_id}/readmit", response_model=DeviceOut, summary="Genåbn en spærret enhed (administrator)",
             responses=problem_responses(404))
def readmit(
    device_id: str,
    db: Session = Depends(get_db),
    admin: User = Depends(require("POST /api/devices/{device_id}/readmit")),
):
    device = device_of_municipality(db, admin, device_id)
    readmit_device(db, device, admin)
    db.commit()
    return device_out(device)


def device_of_municipality(db: Session, admin: User, device_id: str) -> Device:
    """A device of a user of the admin's municipality, else 404 (like one that does not exist)."""
    device = db.get(Device, device_id) if len(device_id) <= 64 else None
    owner = db.get(User, device.user_id) if device else None
    if device is None or owner is None or owner.municipality_id != admin.municipality_id:
        raise ApiError("not_found")
    return device


def revoke_device(db: Session, device: Device, admin: User) -> None:
    """Revoke (caller commits). The lost phone's session now only gets `device_revoked`
    (server.auth.authz), except that it may still hand in its pending changes, which go to
    quarantine; its next contact wipes it."""
    if device.revoked_at is None:
        device.revoked_at = utcnow()
        device.revoked_by = admin.id
        db.add(device)
        audit.record(db, "device_revoke", user_id=admin.id, device_id=device.id)


def readmit_device(db: Session, device: Device, admin: User) -> None:
    """Let a revoked device register again (caller commits). Every session bound to it ends:
    the phone — wiped by now, or still in a stranger's hands — gets back in only through a
    new login by its owner (docs/security.md, "Re-admitting a device")."""
    if device.revoked_at is not None:
        device.revoked_at = None
        device.revoked_by = None
        db.add(device)
        db.exec(delete(SessionToken).where(SessionToken.device_id == device.id))
        audit.record(db, "device_readmit", user_id=admin.id, device_id=device.id)
