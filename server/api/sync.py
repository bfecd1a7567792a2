"""`POST /api/sync/push` and `GET /api/sync/pull`: the sync protocol (docs/sync-protocol.md)."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field
from sqlmodel import Session

from schemas.accounts import Device, User
from server.core import audit
from server.auth.devices import current_device
from server.auth.sessions import current_user
from server.auth.authz import require
from server.core.deps import get_db
from server.core.errors import ApiError
from server.sync.pull import pull
from server.sync.push import apply_ops, push_lock, quarantine, result
from sync.ops import OpRejected

router = APIRouter(prefix="/api/sync", tags=["sync"])


class PushBody(BaseModel):
    device_id: str = Field(min_length=1, max_length=64, description="The sending device, registered with POST /api/devices.")
    ops: list[Any] = Field(description="Up to 500 operations; each gets its own result.")


class OpResult(BaseModel):
    op_id: str | None
    status: str = Field(description="accepted | duplicate | rejected")
    error: dict | None = Field(description="{code, message, field} when rejected")


class PushResponse(BaseModel):
    results: list[OpResult]
    server_hlc: str
    device_revoked: bool = False


def _device(db: Session, user: User, device_id: str) -> Device:
    device = db.get(Device, device_id)
    if device is None or device.user_id != user.id:
        raise ApiError("device_unknown", field="device_id")
    return device


@router.post("/push", response_model=PushResponse, dependencies=[Depends(require("POST /api/sync/push"))])
def push(body: PushBody, request: Request, user: User = Depends(current_user), db: Session = Depends(get_db)) -> dict:
    settings, clock = request.app.state.settings, request.app.state.clock
    if len(body.ops) > settings.max_push_ops:
        raise ApiError("batch_too_large", field="ops", limit=settings.max_push_ops)
    device = _device(db, user, body.device_id)
    with push_lock(db):
        if device.revoked_at is not None:
            results = _quarantine_all(db, user, device, body.ops)
        else:
            results = apply_ops(db, user=user, device_id=device.id, raw_ops=body.ops, clock=clock)
        device.last_seen_at = datetime.now(UTC)
        db.add(device)
        db.commit()
    return {"results": results, "server_hlc": clock.current(), "device_revoked": device.revoked_at is not None}


def _quarantine_all(db: Session, user: User, device: Device, raw_ops: list) -> list[dict]:
    """A revoked device's ops are kept for the project lead, never applied, never dropped."""
    error = OpRejected("device_revoked", "quarantined", "device_id")
    quarantine(db, user, device.id, [(raw, error) for raw in raw_ops])
    audit.record(db, "sync_push_revoked", user_id=user.id, device_id=device.id)
    return [result(raw.get("op_id") if isinstance(raw, dict) else None, "rejected", error) for raw in raw_ops]


@router.get("/pull", dependencies=[Depends(require("GET /api/sync/pull"))])
def pull_route(
    request: Request,
    cursor: int = Query(0, ge=0, description="next_cursor of the previous pull; 0 for everything"),
    limit: int = Query(500, ge=1, le=5000, description="maximum records in this page"),
    device_id: str | None = Query(None, max_length=64, description="the pulling device (revocation, remote wipe)"),
    epoch: int | None = Query(None, ge=0, description="the epoch of the previous pull; a different one resets"),
    user: User = Depends(current_user),
    db: Session = Depends(get_db),
) -> dict:
    settings, clock = request.app.state.settings, request.app.state.clock
    if device_id is not None:
        current_device(db, user, device_id)  # 403 device_revoked → the phone wipes itself
    page = pull(db, user=user, device_id=device_id, cursor=cursor, limit=min(limit, settings.max_pull_limit), epoch=epoch)
    db.commit()
    return {**page, "server_hlc": clock.current()}
