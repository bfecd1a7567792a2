"""The audit log: who read or wrote which citizen's data, when. Never the data itself.

Writes go into the caller's session, so they commit (or roll back) with the change.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import insert
from sqlmodel import Session

from schemas.accounts import AuditEntry


def now() -> datetime:
    return datetime.now(UTC)


def record(
    db: Session,
    action: str,
    *,
    user_id: str | None,
    device_id: str | None = None,
    entity: str | None = None,
    record_id: str | None = None,
    citizen_id: str | None = None,
) -> None:
    db.add(
        AuditEntry(
            at=now(), user_id=user_id, device_id=device_id, action=action,
            entity=entity, record_id=record_id, citizen_id=citizen_id,
        )
    )


def record_many(
    db: Session, action: str, *, user_id: str | None, device_id: str | None, records: Iterable[tuple[str, str, str | None]]
) -> None:
    """One row per (entity, record_id, citizen_id), in one executemany."""
    at = now()
    rows = [
        {"at": at, "user_id": user_id, "device_id": device_id, "action": action,
         "entity": entity, "record_id": record_id, "citizen_id": citizen_id}
        for entity, record_id, citizen_id in records
    ]
    if rows:
        db.execute(insert(AuditEntry.__table__), rows)  # Core: no ORM bookkeeping per row
