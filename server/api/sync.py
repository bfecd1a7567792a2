"""`POST /api/sync/push` and `GET /api/sync/pull`: the sync protocol (docs/sync-protocol.md)."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, BackgroundTasks, Depends, Query, Request
from pydantic import BaseModel, Field
from sqlmodel import Session

from schemas.accounts import Device, User
from server.auth.authz import require
from server.auth.devices import current_device
from server.auth.limiter import push_quota
from server.auth.sessions import current_user
from server.core import audit
from server.core.body import BodyError, split_push_body
from server.core.db import checkpoint
from server.core.deps import ReleasingRoute, get_db
from server.core.errors import COMMON_RESPONSES, ApiError, problem_responses
from server.sync.decisions import decided_since
from server.sync.pull import pull
from server.sync.push import apply_ops, push_lock, quarantine, raw_op_id, result
from sync.ops import OpRejected

router = APIRouter(prefix="/api/sync", tags=["sync"], responses=COMMON_RESPONSES, route_class=ReleasingRoute)


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


async def push_body(request: Request) -> bytes:
    """The raw body: read here, split by server.core.body so one bad op fails alone."""
    return await request.body()


def _device(db: Session, user: User, device_id: object) -> Device:
    if not isinstance(device_id, str) or not 1 <= len(device_id) <= 64:
        raise ApiError("invalid_field", "not_text", "device_id")
    device = db.get(Device, device_id)
    if device is None or device.user_id != user.id:
        raise ApiError("device_unknown", field="device_id")
    return device


def _revoked_session_device(db: Session, request: Request, named: Device) -> Device | None:
    """The device this session is bound to, when it is revoked. A session is bound to the
    phone that registered under it; it may push only as that phone, and a lost phone's
    session never gets an op applied, whatever device id it names."""
    bound_id = request.state.session[1].device_id
    if bound_id is not None and bound_id != named.id:
        bound = db.get(Device, bound_id)
        if bound is not None and bound.revoked_at is not None:
            return bound
        raise ApiError("device_mismatch", field="device_id")
    return named if named.revoked_at is not None else None


PUSH_BODY = {"required": True, "content": {"application/json": {"schema": PushBody.model_json_schema()}}}


@router.post("/push", response_model=PushResponse, dependencies=[Depends(require("POST /api/sync/push"))],
             openapi_extra={"requestBody": PUSH_BODY}, responses=problem_responses(413, 429))
def push(request: Request, background: BackgroundTasks, raw: bytes = Depends(push_body), user: User = Depends(current_user),
         db: Session = Depends(get_db)) -> dict:
    settings, clock = request.app.state.settings, request.app.state.clock
    try:
        device_id, ops = split_push_body(raw)
    except BodyError as error:
        raise ApiError("invalid_field" if error.field else "invalid_request", error.reason, error.field) from None
    if len(ops) > settings.max_push_ops:
        raise ApiError("batch_too_large", field="ops", limit=settings.max_push_ops)
    device = _device(db, user, device_id)
    revoked = _revoked_session_device(db, request, device)
    wait = push_quota(request).take([f"user:{user.id}", f"device:{device.id}"], len(raw))
    if wait:
        raise ApiError("quota_exceeded", seconds=wait, headers={"Retry-After": str(wait)})
    with push_lock(db, user.municipality_id):
        if revoked is not None:
            results = _quarantine_all(db, user, revoked, ops)
        else:
            results = apply_ops(db, user=user, device_id=device.id, raw_ops=ops, clock=clock)
        device.last_seen_at = datetime.now(UTC)
        db.add(device)
        db.commit()
    background.add_task(checkpoint, request.app.state.engine)  # after the answer, outside the lock
    return {"results": results, "server_hlc": clock.current(), "device_revoked": revoked is not None}


def _quarantine_all(db: Session, user: User, device: Device, raw_ops: list) -> list[dict]:
    """A revoked device's ops are kept for the project lead, never applied, never dropped."""
    error = OpRejected("device_revoked", "quarantined", "device_id")
    quarantine(db, user, device.id, [(raw, error) for raw in raw_ops])
    audit.record(db, "sync_push_revoked", user_id=user.id, device_id=device.id)
    return [result(raw_op_id(raw), "rejected", error) for raw in raw_ops]


@router.get("/pull", dependencies=[Depends(require("GET /api/sync/pull"))])
def pull_route(
    request: Request,
    background: BackgroundTasks,
    cursor: int = Query(0, ge=0, description="next_cursor of the previous pull; 0 for everything"),
    limit: int = Query(500, ge=1, le=5000, description="maximum records in this page"),
    device_id: str | None = Query(None, max_length=64, description="the pulling device (revocation, remote wipe)"),
    epoch: int | None = Query(None, ge=0, description="the epoch of the previous pull; a different one resets"),
    resolved_after: int = Query(0, ge=0, description="resolved_cursor of the previous pull: the project lead's decisions after it"),
    remaining: int | None = Query(None, ge=0, description="`remaining` of the previous page (spares the server a count)"),
    user: User = Depends(current_user),
    db: Session = Depends(get_db),
) -> dict:
    settings, clock = request.app.state.settings, request.app.state.clock
    if device_id is not None:
        current_device(db, user, device_id)  # 403 device_revoked → the phone wipes itself
    page = pull(db, user=user, device_id=device_id, cursor=cursor, limit=min(limit, settings.max_pull_limit), epoch=epoch,
                known_remaining=remaining)
    page.update(decided_since(db, user, resolved_after))  # "Kræver handling" the lead has decided (server/sync/decisions.py)
    db.commit()
    background.add_task(checkpoint, request.app.state.engine)  # a pull writes audit rows
    return {**page, "server_hlc": clock.current()}
