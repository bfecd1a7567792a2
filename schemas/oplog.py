"""The server's sync storage: the append-only operation log, quarantine, record snapshots."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import JSON, Field, SQLModel


class OpRow(SQLModel, table=True):
    """Every accepted operation, in arrival order. Never updated, never deleted."""

    __tablename__ = "ops"

    seq: int | None = Field(default=None, primary_key=True)
    op_id: str = Field(unique=True)
    content_hash: str
    entity: str
    record_id: str = Field(index=True)
    device_id: str
    user_id: str
    hlc: str
    body: dict = Field(sa_type=JSON)  # the op as the client sent it, plus server-set user_id
    received_at: datetime


class QuarantinedOp(SQLModel, table=True):
    """A rejected operation kept for the project lead: it is never dropped."""

    __tablename__ = "quarantine"

    id: int | None = Field(default=None, primary_key=True)
    op_id: str | None = Field(default=None, index=True)
    device_id: str | None = None
    user_id: str | None = None
    code: str
    message: str
    field: str | None = None
    body: dict | list | str | None = Field(default=None, sa_type=JSON)
    received_at: datetime
    resolved_at: datetime | None = None
    resolved_by: str | None = None
    # The project lead's decision (server/office/admin/triage.py): "reapplied" (corrected and
    # written again as `new_op_id` by the deciding user) or "dismissed", with the reason.
    decision: str | None = None
    decision_reason: str | None = None
    new_op_id: str | None = None
    # Decisions in order (1, 2, …): the phone's cursor for learning them (pull `resolved`).
    decision_seq: int | None = Field(default=None, index=True)


class RecordSnapshot(SQLModel, table=True):
    """The merged state of one record, as sent to devices, plus its scope columns."""

    __tablename__ = "records"
    # Incremental pulls read "this municipality, after this seq, in seq order".
    __table_args__ = (Index("ix_records_municipality_seq", "municipality_id", "last_seq"),)

    id: str = Field(primary_key=True)
    entity: str
    municipality_id: str  # indexed with last_seq (above)
    team_id: str | None = Field(default=None, index=True)  # owning team of the citizen
    org_id: str | None = Field(default=None, index=True)  # the referring organisation of a lead
    citizen_id: str | None = Field(default=None, index=True)
    last_seq: int
    state: dict = Field(sa_type=JSON)
    # Facts about the record that depend on other records (server.sync.derived), sent
    # with it: {"duplicate_code": true}. Null when there are none.
    derived: dict | None = Field(default=None, sa_type=JSON)


class Share(SQLModel, table=True):
    """A live consent that lets `org_id` see something of `citizen_id` (derived)."""

    citizen_id: str = Field(primary_key=True)
    org_id: str = Field(primary_key=True)
    purpose: str = Field(primary_key=True)


class Attendance(SQLModel, table=True):
    """An organisation that attended a meeting (`record_id`) relying on a consent `purpose`
    of the meeting's citizen (derived from the meeting's attendees, server/sync/meetings.py).
    With `share` it decides whether that organisation sees the meeting."""

    record_id: str = Field(primary_key=True)
    org_id: str = Field(primary_key=True)
    purpose: str = Field(primary_key=True)


class ScopeChange(SQLModel, table=True):
    """A record's place (team, shares) changed at `seq`. `old_place` is what it was before,
    so a pull can evict the record from exactly the devices that could see it then."""

    __tablename__ = "scope_changes"

    id: int | None = Field(default=None, primary_key=True)
    seq: int = Field(index=True)
    record_id: str = Field(index=True)
    old_place: dict = Field(sa_type=JSON)


class MunicipalityHead(SQLModel, table=True):
    """The top `seq` of a municipality's last committed push: how far its pulls may read
    (server/sync/heads.py)."""

    __tablename__ = "municipality_head"

    municipality_id: str = Field(primary_key=True)
    seq: int
