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
    # Children in the home, uncovered systematically (003:L412): only the team and the
    # projektleder see them (confidential), multi-value so that two edits made offline are
    # a visible conflict, never a silent winner.
    children_in_home: str | None = synced(
        Merge.MULTI, Kind.CODE, "Børn i hjemmet", choices=enums.CHILDREN_IN_HOME, confidential=True,
    )
    children_count: int | None = synced(Merge.MULTI, Kind.INT, "Antal børn", ge=0, le=20, confidential=True)
    children_age_bands: list | None = synced(
        Merge.MULTI, Kind.CODES, "Børnenes alder", choices=enums.CHILD_AGE_BANDS, confidential=True,
    )
    children_offers_on: str | None = synced(
        Merge.MULTI, Kind.DATE, "Orienteret om kommunens tilbud til børn", confidential=True,
    )
    notify_duty_told_on: str | None = synced(
        Merge.MULTI, Kind.DATE, "Orienteret om den skærpede underretningspligt", confidential=True,
    )
    notification_on: str | None = synced(Merge.MULTI, Kind.DATE, "Underretning sendt", confidential=True)
    notification_by: str | None = synced(
        Merge.MULTI, Kind.TEXT, "Underretning sendt af", max_length=80, identifying=True, confidential=True,
    )
    # Read before a visit [L2326–L2336]; never shown to partners (confidential).
    safety_flags: list | None = synced(
        Merge.LWW, Kind.CODES, "Sikkerhed ved besøg", choices=enums.SAFETY_FLAGS, confidential=True,
    )
    safety_note: str | None = synced(
        Merge.LWW, Kind.TEXT, "Sikkerhedsnote", max_length=200, identifying=True, confidential=True,
    )
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
    # When the citizen asked for treatment: the 14-day rule runs from it (sync.derive.start_wait).
    requested_on: str | None = synced(Merge.LWW, Kind.DATE, "Bad om behandling")
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
    # The work as it is done [L2692–L2694, L282, L1709–L1717, L3284–L3286].
    help_given: list | None = synced(Merge.APPEND, Kind.CODES, "Praktisk hjælp", choices=enums.PRACTICAL_HELP)
    outside_hours: bool | None = synced(Merge.APPEND, Kind.BOOL, "Uden for almindelig arbejdstid")
    # A call made together with the citizen, "so nothing happens behind their back": the
    # behandler is with the citizen, so it counts where they are, not as a phone contact.
    joint_call: bool | None = synced(Merge.APPEND, Kind.BOOL, "Fælles opkald med borgeren til stede")
    note: str | None = synced(Merge.APPEND, Kind.TEXT, "Kort note", identifying=True, max_length=2000)
    voided: bool = False


class Goal(Projection, table=True):
    """A goal of the behandlingsplan in the citizen's own words ("Jeg vil …"), not abstinence
    [L2794–L2797; 004:L686–L714]. Every field is multi-value: a correction keeps the earlier
    wording in the history, and two phones changing a goal offline are a visible conflict.
    Confidential: only the citizen's team and the projektleder see goals."""

    __sync_entity__: ClassVar[str] = "goal"

    citizen_id: str | None = synced(Merge.IMMUTABLE, Kind.REF, "Borger", required=True, index=True, ref=Ref.CITIZEN)
    wording: str | None = synced(
        Merge.MULTI, Kind.TEXT, "Målet med borgerens egne ord", required=True, max_length=300,
        identifying=True, confidential=True,
    )
    set_on: str | None = synced(Merge.MULTI, Kind.DATE, "Sat", required=True, confidential=True)
    status: str | None = synced(
        Merge.MULTI, Kind.CODE, "Status", choices=enums.GOAL_STATUSES, required=True, confidential=True,
    )
    status_on: str | None = synced(Merge.MULTI, Kind.DATE, "Status pr.", confidential=True)
    archived: bool | None = synced(Merge.ARCHIVE, Kind.BOOL, "Slettet")


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
    # Before the pipeline: one status set by a behandler. Still accepted from older apps and
    # still read (sync.derive.lead_stage maps it to a stage); the fields below replace it.
    outcome: str | None = synced(Merge.LWW, Kind.CODE, "Status (før forløbet af henvisninger)", choices=enums.LEAD_OUTCOMES)
    # The pipeline, set by behandlere; none of it is shown to the referrer (sync/scope.py).
    team_seen_on: str | None = synced(Merge.LWW, Kind.DATE, "Set af teamet")
    # Multi-value: two behandlere claiming the lead offline are both kept, as a conflict.
    claimed_by: str | None = synced(Merge.MULTI, Kind.REF, "Taget af", ref=Ref.USER)
    # The citizen the lead became. Multi-value: two links made offline are a conflict.
    citizen_id: str | None = synced(Merge.MULTI, Kind.REF, "Borger", index=True, ref=Ref.CITIZEN)
    # Linked or closed with a reason. Multi-value: a closure concurrent with a link is a conflict.
    resolution: str | None = synced(Merge.MULTI, Kind.CODE, "Udfald", choices=enums.LEAD_RESOLUTIONS)
    resolved_on: str | None = synced(Merge.LWW, Kind.DATE, "Dato for udfald")
    archived: bool | None = synced(Merge.ARCHIVE, Kind.BOOL, "Arkiveret")
    # Derived by the server (sync.derive.lead_stage over the lead and its attempts), for the
    # office's lead report: received, claimed, in_contact, closed.
    stage: str | None = None


class LeadAttempt(Projection, table=True):
    """A behandler's attempt to find the person of a lead. Append-only, anonymous (codes only)."""

    __sync_entity__: ClassVar[str] = "lead_attempt"

    lead_id: str | None = synced(Merge.IMMUTABLE, Kind.REF, "Henvisning", required=True, index=True, ref=Ref.LEAD)
    occurred_at: str | None = synced(Merge.APPEND, Kind.DATETIME, "Tidspunkt", required=True)
    place_type: str | None = synced(Merge.APPEND, Kind.CODE, "Hvor?", choices=enums.LEAD_PLACE_TYPES)
    result: str | None = synced(Merge.APPEND, Kind.CODE, "Resultat", choices=enums.LEAD_ATTEMPT_RESULTS, required=True)
    voided: bool = False


class Meeting(Projection, table=True):
    """A coordination meeting (15 minutes, fixed agenda, the citizen consents but is absent)
    or a network meeting (with the citizen). Every attending organisation other than the
    citizen's team names the consent it relies on; the push refuses a missing or withdrawn
    one (server/sync/meetings.py). Append-only: minutes are corrected by amend."""

    __sync_entity__: ClassVar[str] = "meeting"

    citizen_id: str | None = synced(Merge.IMMUTABLE, Kind.REF, "Borger", required=True, index=True, ref=Ref.CITIZEN)
    kind: str | None = synced(Merge.IMMUTABLE, Kind.CODE, "Mødetype", choices=enums.MEETING_KINDS, required=True)
    held_on: str | None = synced(Merge.APPEND, Kind.DATE, "Dato", required=True)
    duration_minutes: int | None = synced(Merge.APPEND, Kind.INT, "Varighed (minutter)", required=True, ge=1, le=480)
    citizen_present: bool | None = synced(Merge.APPEND, Kind.BOOL, "Borgeren deltog")
    attendees: list | None = synced(Merge.APPEND, Kind.ATTENDEES, "Deltagende organisationer", required=True)
    status_since_last: str | None = synced(Merge.APPEND, Kind.TEXT, "Status siden sidst", identifying=True, max_length=1000)
    agreements: str | None = synced(Merge.APPEND, Kind.TEXT, "Aftaler", identifying=True, max_length=1000)
    next_steps: str | None = synced(Merge.APPEND, Kind.TEXT, "Næste skridt", identifying=True, max_length=1000)
    who_does_what: str | None = synced(Merge.APPEND, Kind.TEXT, "Hvem gør hvad", identifying=True, max_length=1000)
    minutes: str | None = synced(Merge.APPEND, Kind.TEXT, "Kort referat", identifying=True, max_length=2000)
    voided: bool = False


class VisibilityWork(Projection, table=True):
    """Synlighedsarbejde: one entry of a team's visibility log (tours, materials, talks with
    borgerservice, jobcenter, police, GPs). Counts only, never identities."""

    __sync_entity__: ClassVar[str] = "visibility"

    team_id: str | None = synced(Merge.LWW, Kind.REF, "Team", required=True, index=True, ref=Ref.TEAM)
    done_on: str | None = synced(Merge.LWW, Kind.DATE, "Dato", required=True)
    kind: str | None = synced(Merge.LWW, Kind.CODE, "Hvad", choices=enums.VISIBILITY_KINDS, required=True)
    place_type: str | None = synced(Merge.LWW, Kind.CODE, "Hvor", choices=enums.VISIBILITY_PLACES)
    partners: list | None = synced(Merge.LWW, Kind.CODES, "Samarbejdspartnere mødt", choices=enums.VISIBILITY_PARTNERS)
    reached: int | None = synced(Merge.LWW, Kind.INT, "Antal personer nået", ge=0, le=10000)
    archived: bool | None = synced(Merge.ARCHIVE, Kind.BOOL, "Arkiveret")


class FormResponse(Projection, table=True):
    """One filled form (kontaktskema start/løbende, progressionsskema). Append-only."""

    __sync_entity__: ClassVar[str] = "form_response"

    citizen_id: str | None = synced(Merge.IMMUTABLE, Kind.REF, "Borger", required=True, index=True, ref=Ref.CITIZEN)
    form: str | None = synced(Merge.IMMUTABLE, Kind.CODE, "Skema", choices=enums.FORMS, required=True)
    # The form version the answers were given against (schemas.forms); none: version 1.
    version: int | None = synced(Merge.IMMUTABLE, Kind.INT, "Skemaversion", ge=1, le=999)
    # The schedule's calendar period ("runde 3"), set when filled; a paper form's can be corrected.
    round: int | None = synced(Merge.APPEND, Kind.INT, "Runde", ge=1, le=100)
    filled_on: str | None = synced(Merge.APPEND, Kind.DATE, "Udfyldt", required=True)
    filled_by: str | None = synced(Merge.APPEND, Kind.CODE, "Udfyldt af", choices=enums.FORM_FILLED_BY)
    on_paper: bool | None = synced(Merge.APPEND, Kind.BOOL, "Udfyldt på papir")
    answers: dict | None = synced(Merge.APPEND, Kind.ANSWERS, "Svar", required=True)
    voided: bool = False
    # Derived by the server (sync.derive.occasions): the citizen's k-th live response of this
    # form ("besvarelse k"), never sent by a phone, so two phones answering offline both count.
    occasion: int | None = None
