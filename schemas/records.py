"""Synced domain records. Each table is the projection of its records' operations.

Every column made with `synced(...)` declares how concurrent writes merge. The
other columns are bookkeeping the server derives (scope, sequence, flags).
"""
from __future__ import annotations

from typing import ClassVar

from sqlmodel import Field, SQLModel

from schemas import enums
from schemas.fields import Kind, Merge, synced

CPR_PATTERN = r"^\d{6}-?\d{4}$"


class Projection(SQLModel):
    """Columns every record projection has; derived by the server, never sent by clients."""

    id: str = Field(primary_key=True)
    municipality_id: str = Field(index=True)
    last_seq: int = Field(default=0, index=True)
    created_by: str | None = None
    created_hlc: str | None = None
    updated_hlc: str | None = None
    has_conflicts: bool = False
    flagged: bool = False  # e.g. edited while archived


class Citizen(Projection, table=True):
    """The pseudonymous participant. Identifying fields live in CitizenIdentity."""

    __sync_entity__: ClassVar[str] = "citizen"

    code: str | None = synced(Merge.IMMUTABLE, Kind.TEXT, required=True, max_length=12, pattern=r"^[A-Z0-9-]{4,12}$")
    team_id: str | None = synced(Merge.LWW, Kind.REF, required=True, index=True)
    sex: str | None = synced(Merge.LWW, Kind.CODE, choices=enums.SEX)
    birth_year: int | None = synced(Merge.LWW, Kind.INT, ge=1900, le=2015)
    children_in_home: str | None = synced(Merge.LWW, Kind.CODE, choices=enums.CHILDREN_IN_HOME)
    children_count: int | None = synced(Merge.LWW, Kind.INT, ge=0, le=20)
    archived: bool | None = synced(Merge.ARCHIVE, Kind.BOOL)


class CitizenIdentity(SQLModel, table=True):
    """Identifying fields of a citizen, kept apart from the pseudonymous record."""

    __sync_entity__: ClassVar[str] = "citizen"

    id: str = Field(primary_key=True, foreign_key="citizen.id")
    initials: str | None = synced(Merge.LWW, Kind.TEXT, identifying=True, required=True, max_length=12)
    name: str | None = synced(Merge.LWW, Kind.TEXT, identifying=True, max_length=120)
    cpr: str | None = synced(Merge.LWW, Kind.TEXT, identifying=True, max_length=11, pattern=CPR_PATTERN)
    phone: str | None = synced(Merge.LWW, Kind.TEXT, identifying=True, max_length=20, pattern=r"^[0-9 +]{8,20}$")
    address_note: str | None = synced(Merge.LWW, Kind.TEXT, identifying=True, max_length=200)


class Course(Projection, table=True):
    """Forløb: one citizen's course through the phases. Phase changes are dated events."""

    __sync_entity__: ClassVar[str] = "course"

    citizen_id: str | None = synced(Merge.IMMUTABLE, Kind.REF, required=True, index=True)
    identified_on: str | None = synced(Merge.LWW, Kind.DATE)
    first_seen_place: str | None = synced(Merge.LWW, Kind.CODE, choices=enums.FIRST_SEEN_PLACES)
    started_on: str | None = synced(Merge.LWW, Kind.DATE)
    phase: dict | None = synced(Merge.MULTI, Kind.PHASE_EVENT)
    plan_date: str | None = synced(Merge.LWW, Kind.DATE)  # behandlingsplan, SEL §101 stk. 8
    ended_on: str | None = synced(Merge.LWW, Kind.DATE)
    end_reason: str | None = synced(Merge.MULTI, Kind.CODE, choices=enums.END_REASONS)
    phase_at_end: str | None = synced(Merge.MULTI, Kind.CODE, choices=enums.PHASES)
    destination: str | None = synced(Merge.MULTI, Kind.CODE, choices=enums.DESTINATIONS)
    archived: bool | None = synced(Merge.ARCHIVE, Kind.BOOL)


class Contact(Projection, table=True):
    """A contact or contact attempt. Append-only: corrected by amend, never overwritten."""

    __sync_entity__: ClassVar[str] = "contact"

    citizen_id: str | None = synced(Merge.IMMUTABLE, Kind.REF, required=True, index=True)
    occurred_at: str | None = synced(Merge.APPEND, Kind.DATETIME, required=True)
    kind: str | None = synced(Merge.APPEND, Kind.CODE, choices=enums.CONTACT_KINDS, required=True)
    place: str | None = synced(Merge.APPEND, Kind.CODE, choices=enums.CONTACT_PLACES)
    channel: str | None = synced(Merge.APPEND, Kind.CODE, choices=enums.CHANNELS)
    actors: list | None = synced(Merge.APPEND, Kind.CODES, choices=enums.ACTORS)
    activities: list | None = synced(Merge.APPEND, Kind.CODES, choices=enums.ACTIVITIES)
    note: str | None = synced(Merge.APPEND, Kind.TEXT, identifying=True, max_length=2000)
    voided: bool = False


class Consent(Projection, table=True):
    """Consent per (citizen, purpose, recipient organisation). Withdrawal wins."""

    __sync_entity__: ClassVar[str] = "consent"

    citizen_id: str | None = synced(Merge.IMMUTABLE, Kind.REF, required=True, index=True)
    purpose: str | None = synced(Merge.IMMUTABLE, Kind.CODE, choices=enums.CONSENT_PURPOSES, required=True)
    recipient_org_id: str | None = synced(Merge.IMMUTABLE, Kind.REF, required=True)
    state: dict | None = synced(Merge.CONSENT, Kind.CONSENT_EVENT, required=True)
    granted: bool = False  # derived: the merged state is a live grant


class Lead(Projection, table=True):
    """An anonymous lead noted by a civil-society partner. No identifying text."""

    __sync_entity__: ClassVar[str] = "lead"

    org_id: str | None = synced(Merge.IMMUTABLE, Kind.REF, required=True, index=True)
    seen_on: str | None = synced(Merge.LWW, Kind.DATE, required=True)
    place_type: str | None = synced(Merge.LWW, Kind.CODE, choices=enums.LEAD_PLACE_TYPES, required=True)
    area: str | None = synced(Merge.LWW, Kind.TEXT, max_length=60)
    age_band: str | None = synced(Merge.LWW, Kind.CODE, choices=enums.AGE_BANDS)
    sex: str | None = synced(Merge.LWW, Kind.CODE, choices=enums.SEX)
    concerns: list | None = synced(Merge.LWW, Kind.CODES, choices=enums.LEAD_CONCERNS)
    outcome: str | None = synced(Merge.LWW, Kind.CODE, choices=enums.LEAD_OUTCOMES)
    citizen_id: str | None = synced(Merge.LWW, Kind.REF, index=True)  # set by a behandler; never shown to the referrer
    archived: bool | None = synced(Merge.ARCHIVE, Kind.BOOL)


class FormResponse(Projection, table=True):
    """One filled form (kontaktskema start/løbende, progressionsskema). Append-only."""

    __sync_entity__: ClassVar[str] = "form_response"

    citizen_id: str | None = synced(Merge.IMMUTABLE, Kind.REF, required=True, index=True)
    form: str | None = synced(Merge.IMMUTABLE, Kind.CODE, choices=enums.FORMS, required=True)
    round: int | None = synced(Merge.APPEND, Kind.INT, ge=1, le=100)
    filled_on: str | None = synced(Merge.APPEND, Kind.DATE, required=True)
    filled_by: str | None = synced(Merge.APPEND, Kind.CODE, choices=enums.FORM_FILLED_BY)
    answers: dict | None = synced(Merge.APPEND, Kind.ANSWERS, required=True)
    voided: bool = False
