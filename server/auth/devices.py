"""Resolving the device a client names for the current user (sync, revocation)."""
from __future__ import annotations

from sqlmodel import Session

from schemas.accounts import Device, User
from server.auth.sessions import utcnow
from server.core.errors import ApiError


def current_device(db: Session, user: User, device_id: str | None) -> Device:
    """Resolve a device id sent by a client for the current user.

    403 `device_unknown` if it is not one of the user's devices (or missing),
    403 `device_revoked` if an administrator revoked it. Touches `last_seen_at`
    (caller commits)."""
    device = db.get(Device, device_id) if isinstance(device_id, str) and device_id else None
    if device is None or device.user_id != user.id:
        raise ApiError("device_unknown", field="device_id")
    if device.revoked_at is not None:
        raise ApiError("device_revoked", field="device_id")
    device.last_seen_at = utcnow()
    db.add(device)
    return device
