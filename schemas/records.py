"""Synced domain records. Each table is the projection of its records' operations.

Every column made with `synced(...)` declares how concurrent writes merge. The
other columns are bookkeeping the server derives (scope, sequence, flags).
"""
from __future__ import annotations

from typing import ClassVar

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from schemas import enums
from schemas.fields import Kind, Merge, Ref, synced

CPR_PATTERN = r"^\d{6}-?\d{4}$"
CODE_PATTERN = r"^[A-Z0-9-]{4,12}$"


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
    # The citizen list pages in this order (server/api/lists.py).
    __table_args__ = (Index("ix_citizen_municipality_code", "municipality_id", "code", "id"),)

    # LWW, not immutable: a code typed twice (two phones, offline) is flagged and corrected.
    code: str | None = synced(
        Merge.LWW, Kind.TEXT, "Kode", required=True, max_length=12, pattern=CODE_PATTERN, index=True,
        pattern_hint="4–12 tegn: A–Z, 0–9 og bindestreg",
    )
    team_id: str | None = synced(Merge.LWW, Kind.REF, "Team", required=True, index=True, ref=Ref.TEAM)
    sex: str | None = synced(Merge.LWW, Kind.CODE, "Køn", choices=enums.SEX)
    birth_year: int | None = synced(Merge.LWW, Kind.INT, "Fødselsår", ge=1900, le=2015)
    children_in_home: str | None = synced(Merge.LWW, Kind.CODE, "Børn i hjemmet", choices=enums.CHILDREN_IN_HOME)
    children_count: int | None = synced(Merge.LWW, Kind.INT, "Antal børn", ge=0, le=20)
    archived: bool | None = synced(Merge.ARCHIVE, Kind.BOOL, "Arkiveret")
    # Derived by the server from the citizen's courses and the other citizens' codes
    # (sync.derive), for the office; the phone derives the same from its local views.
    phase: str | None = None
    phase_date: str | None = None
    course_id: str | None = None
    course_ended: bool | None = None
    plan_missing: bool | None = None
    duplicate_code: bool | None = Field(default=None, index=True)


class CitizenIdentity(SQLModel, table=True):
    """Identifying fields of a citizen, kept apart from the pseudonymous record."""

    __sync_entity__: ClassVar[str] = "citizen"

    id: str = Field(primary_key=True, foreign_key="citizen.id")
    initials: str | None = synced(Merge.LWW, Kind.TEXT, "Initialer", identifying=True, required=True, max_length=12)
    name: str | None = synced(Merge.LWW, Kind.TEXT, "Navn", identifying=True, max_length=120)
    cpr: str | None = synced(
        Merge.LWW, Kind.TEXT, "CPR-nummer", identifying=True, max_length=11, pattern=CPR_PATTERN, pattern_hint="10 cifre, fx 010203-1234",
    )
    phone: str | None = synced(
        Merge.LWW, Kind.TEXT, "Telefon", identifying=True, max_length=20, pattern=r"^[0-9 +]{8,20}$", pattern_hint="8–20 cifre",
    )
    address_note: str | None = synced(Merge.LWW, Kind.TEXT, "Adresse / hvor borgeren kan findes", identifying=True, max_length=200)


class Course(Projection, table=True):
    """Forløb: one citizen's course through the phases. Phase changes are dated events."""

    __sync_entity__: ClassVar[str] = "course"

    citizen_id: str | None = synced(Merge.IMMUTABLE, Kind.REF, "Borger", required=True, index=True, ref=Ref.CITIZEN)
    identified_on: str | None = synced(Merge.LWW, Kind.DATE, "Identificeret")
    first_seen_place: str | None = synced(Merge.LWW, Kind.CODE, "Sted ved identifikation", choices=enums.FIRST_SEEN_PLACES)
    started_on: str | None = synced(Merge.LWW, Kind.DATE, "Startet")
    phase: dict | None = synced(Merge.MULTI, Kind.PHASE_EVENT, "Fase")
    plan_date: str | None = synced(Merge.LWW, Kind.DATE, "Behandlingsplan")  # SEL §101 stk. 8
    ended_on: str | None = synced(Merge.LWW, Kind.DATE, "Afsluttet")
    end_reason: str | None = synced(Merge.MULTI, Kind.CODE, "Afslutningsårsag", choices=enums.END_REASONS)
    phase_at_end: str | None = synced(Merge.MULTI, Kind.CODE, "Fase ved afslutning", choices=enums.PHASES)
    destination: str | None = synced(Merge.MULTI, Kind.CODE, "Overgår til", choices=enums.DESTINATIONS)
    archived: bool | None = synced(Merge.ARCHIVE, Kind.BOOL, "Arkiveret")


class Contact(Projection, table=True):
    """A contact or contact attempt. Append-only: corrected by amend, never overwritten."""

    __sync_entity__: ClassVar[str] = "contact"

    citizen_id: str | None = synced(Merge.IMMUTABLE, Kind.REF, "Borger", required=True, index=True, ref=Ref.CITIZEN)
    occurred_at: str | None = synced(Merge.APPEND, Kind.DATETIME, "Tidspunkt", required=True)
    kind: str | None = synced(Merge.APPEND, Kind.CODE, "Type", choices=enums.CONTACT_KINDS, required=True)
    place: str | None = synced(Merge.APPEND, Kind.CODE, "Sted", choices=enums.CONTACT_PLACES)
    channel: str | None = synced(Merge.APPEND, Kind.CODE, "Form", choices=enums.CHANNELS)
    actors: list | None = synced(Merge.APPEND, Kind.CODES, "Hvem var til stede?", choices=enums.ACTORS)
    activities: list | None = synced(Merge.APPEND, Kind.CODES, "Aktiviteter", choices=enums.ACTIVITIES)
    note: str | None = synced(Merge.APPEND, Kind.TEXT, "Kort note", identifying=True, max_length=2000)
    voided: bool = False


class Consent(Projection, table=True):
    """Consent per (citizen, purpose, recipient organisation). Withdrawal wins."""

    __sync_entity__: ClassVar[str] = "consent"

    citizen_id: str | None = synced(Merge.IMMUTABLE, Kind.REF, "Borger", required=True, index=True, ref=Ref.CITIZEN)
    purpose: str | None = synced(Merge.IMMUTABLE, Kind.CODE, "Formål", choices=enums.CONSENT_PURPOSES, required=True)
    recipient_org_id: str | None = synced(
        Merge.IMMUTABLE, Kind.REF, "Modtager (organisation)", required=True, ref=Ref.ORGANISATION,
    )
    state: dict | None = synced(Merge.CONSENT, Kind.CONSENT_EVENT, "Samtykke", required=True)
    granted: bool = False  # derived: the merged state is a live grant


class Lead(Projection, table=True):
    """An anonymous lead noted by a civil-society partner. No identifying text."""

    __sync_entity__: ClassVar[str] = "lead"
    # The lead list pages in this order, newest first (server/api/lists.py).
    __table_args__ = (Index("ix_lead_municipality_seen", "municipality_id", "seen_on", "id"),)

    org_id: str | None = synced(
        Merge.IMMUTABLE, Kind.REF, "Organisation", required=True, index=True, ref=Ref.ORGANISATION,
    )
    seen_on: str | None = synced(Merge.LWW, Kind.DATE, "Dato", required=True)
    place_type: str | None = synced(Merge.LWW, Kind.CODE, "Hvor?", choices=enums.LEAD_PLACE_TYPES, required=True)
    area: str | None = synced(Merge.LWW, Kind.TEXT, "Område", max_length=60)
    age_band: str | None = synced(Merge.LWW, Kind.CODE, "Alder (skøn)", choices=enums.AGE_BANDS)
    sex: str | None = synced(Merge.LWW, Kind.CODE, "Køn", choices=enums.SEX)
    concerns: list | None = synced(Merge.LWW, Kind.CODES, "Hvad bekymrer dig?", choices=enums.LEAD_CONCERNS)
    outcome: str | None = synced(Merge.LWW, Kind.CODE, "Status", choices=enums.LEAD_OUTCOMES)
    # Set by a behandler; never shown to the referrer.
    citizen_id: str | None = synced(Merge.LWW, Kind.REF, "Borger", index=True, ref=Ref.CITIZEN)
    archived: bool | None = synced(Merge.ARCHIVE, Kind.BOOL, "Arkiveret")


class FormResponse(Projection, table=True):
    """One filled form (kontaktskema start/løbende, progressionsskema). Append-only."""

    __sync_entity__: ClassVar[str] = "form_response"

    citizen_id: str | None = synced(Merge.IMMUTABLE, Kind.REF, "Borger", required=True, index=True, ref=Ref.CITIZEN)
    form: str | None = synced(Merge.IMMUTABLE, Kind.CODE, "Skema", choices=enums.FORMS, required=True)
    round: int | None = synced(Merge.APPEND, Kind.INT, "Runde", ge=1, le=100)
    filled_on: str | None = synced(Merge.APPEND, Kind.DATE, "Udfyldt", required=True)
    filled_by: str | None = synced(Merge.APPEND, Kind.CODE, "Udfyldt af", choices=enums.FORM_FILLED_BY)
    answers: dict | None = synced(Merge.APPEND, Kind.ANSWERS, "Svar", required=True)
    voided: bool = False
