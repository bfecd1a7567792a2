"""Coordination and network meetings: the consent each attending organisation relies on.

A meeting lists the organisations that took part (`attendees`, schemas/records.py
`Meeting`). Every one of them other than the citizen's own team relies on the citizen's
consent for the meeting's purpose (coordination meeting → `coordination_meeting`, network
meeting → `network_meeting`; schemas.enums.MEETING_CONSENT_PURPOSE) naming that
organisation. The push refuses a meeting (create, or an amend of its attendees) when that
consent is missing or withdrawn, with a message naming the organisation
(`consent_missing`). The attendance is kept in the `attendance` table; with `share` it
decides which partners see the meeting (sync.scope.PARTNER_VIEWS), and a withdrawal
evicts it from their phones at the next pull.
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, insert
from sqlmodel import Session, select

from schemas.entities import AMEND, CREATE, ENTITIES
from schemas.enums import CONSENT_PURPOSES
from schemas.oplog import Attendance, OpRow, RecordSnapshot
from server.sync.places import chunks, load_attendance
from sync.merge import record_state
from sync.ops import Op, OpRejected, consent_record_id, from_stored
from sync.scope import Place

PURPOSE_LABELS = {option.code: option.label for option in CONSENT_PURPOSES}


def checks_consents(op: Op) -> bool:
    """Whether the op names a meeting's attendees (its create, or an amend of them)."""
    attendance = op.spec.attendance
    return attendance is not None and (op.kind == CREATE or (op.kind == AMEND and op.field == attendance.field))


def check_consents(batch, op: Op, place: Place) -> None:
    """Refuse the op unless every attending organisation other than the citizen's team has
    a live consent of the citizen for the meeting's purpose (`batch`: the push's Batch)."""
    attendance = op.spec.attendance
    values = op.value if op.kind == CREATE else {**batch.created_values(op.record_id), attendance.field: op.value}
    purpose = attendance.purposes[values[attendance.by]]
    citizen = place.citizen_id
    live = batch.shared(place).shares
    for attendee in values.get(attendance.field) or []:
        org_id = attendee["org_id"]
        org = batch.check_org(org_id, attendance.field, op.spec.fields[attendance.field].title)
        if org_id == place.team_id:
            continue
        details = {"label": org.name, "hint": PURPOSE_LABELS[purpose]}  # the organisation, the purpose
        expected = consent_record_id(citizen, purpose, org_id)
        if attendee.get("consent_id") not in (None, expected):
            raise OpRejected("consent_missing", "wrong_consent", attendance.field, **details)
        state = _in_batch(batch, expected)
        granted = state if state is not None else (org_id, purpose) in live
        if not granted:
            exists = state is not None or batch.db.get(RecordSnapshot, expected) is not None
            raise OpRejected("consent_missing", "withdrawn" if exists else "missing", attendance.field, **details)


def _in_batch(batch, consent_id: str) -> bool | None:
    """Whether the consent is granted after the ops of this push accepted so far (None: the
    push has not touched it). A phone pushes a consent and the meeting relying on it together."""
    new = [op for op in batch.accepted if op.record_id == consent_id]
    if not new:
        return None
    stored = [from_stored(body) for body in batch.db.exec(select(OpRow.body).where(OpRow.record_id == consent_id))]
    state = record_state("consent", stored + new)
    return bool(state["fields"].get("granted")) and not state.get("archived")


def refresh_attendance(db: Session, meetings: list[tuple[dict, Place]]) -> list[tuple[str, Place]]:
    """Make `attendance` hold the attendees of these meetings (none once voided). Returns
    (meeting id, old place with its old attendees) for each meeting whose attendance
    changed, so the caller can log the scope change (an organisation removed by an amend
    or a void is evicted)."""
    if not meetings:
        return []
    ids = [state["id"] for state, _ in meetings]
    old = load_attendance(db, ids)
    changed: list[tuple[str, Place]] = []
    rows: list[dict] = []
    for state, place in meetings:
        attendance = ENTITIES[state["entity"]].attendance
        now = frozenset() if state.get("voided") else attendance.pairs(state["fields"], place.team_id)
        before = old.get(state["id"], frozenset())
        if now != before:
            changed.append((state["id"], Place(entity=place.entity, municipality_id=place.municipality_id,
                                               team_id=place.team_id, citizen_id=place.citizen_id, attendees=before)))
        rows += [{"record_id": state["id"], "org_id": org, "purpose": purpose} for org, purpose in sorted(now)]
    for chunk in chunks(ids):
        db.execute(delete(Attendance).where(Attendance.record_id.in_(chunk)))
    if rows:
        db.execute(insert(Attendance.__table__), rows)
    return changed


def attended_by(db: Session, citizen_ids: Iterable[str]) -> list[tuple[str, str]]:
    """(meeting id, entity) of the meetings of these citizens."""
    entities = sorted(name for name, spec in ENTITIES.items() if spec.attendance)
    out = []
    for chunk in chunks(sorted(set(citizen_ids))):
        out += list(db.exec(select(RecordSnapshot.id, RecordSnapshot.entity).where(
            RecordSnapshot.citizen_id.in_(chunk), RecordSnapshot.entity.in_(entities))).all())
    return out
