"""Where stored records sit (`sync.scope.Place` from the `records` scope columns) and
which live consents share a citizen: the facts `sync.scope` decides on."""
from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, select

from schemas.entities import ENTITIES
from schemas.oplog import Attendance, RecordSnapshot, Share
from sync.scope import Place

R = RecordSnapshot
SCOPE_COLUMNS = (R.id, R.entity, R.municipality_id, R.team_id, R.org_id, R.citizen_id)


def chunks(items: list, size: int = 500):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def load_places(db: Session, record_ids: Iterable[str]) -> dict[str, Place]:
    """record id → its place (without shares)."""
    places: dict[str, Place] = {}
    for chunk in chunks(list(set(record_ids))):
        for row in db.exec(select(*SCOPE_COLUMNS).where(R.id.in_(chunk))).all():
            places[row.id] = Place.from_columns(row)
    return places


def load_shares(db: Session, citizen_ids: Iterable[str | None]) -> dict[str, frozenset[tuple[str, str]]]:
    """citizen id → (org_id, purpose) of its live sharing consents."""
    shares: dict[str, set[tuple[str, str]]] = {}
    for chunk in chunks([c for c in set(citizen_ids) if c]):
        for row in db.exec(select(Share).where(Share.citizen_id.in_(chunk))).all():
            shares.setdefault(row.citizen_id, set()).add((row.org_id, row.purpose))
    return {k: frozenset(v) for k, v in shares.items()}


def load_attendance(db: Session, record_ids: Iterable[str]) -> dict[str, frozenset[tuple[str, str]]]:
    """record id → (org_id, purpose) of the organisations that attended it (a meeting)."""
    attendance: dict[str, set[tuple[str, str]]] = {}
    for chunk in chunks(sorted(set(record_ids))):
        for row in db.exec(select(Attendance).where(Attendance.record_id.in_(chunk))).all():
            attendance.setdefault(row.record_id, set()).add((row.org_id, row.purpose))
    return {k: frozenset(v) for k, v in attendance.items()}


def with_shares(db: Session, places: dict[str, Place]) -> dict[str, Place]:
    """The same places with their citizens' live consents (and, for a meeting, who
    attended it), for a scope decision."""
    shares = load_shares(db, [place.citizen_id for place in places.values()])
    attended = [rid for rid, place in places.items() if ENTITIES[place.entity].attendance]
    attendance = load_attendance(db, attended) if attended else {}
    return {record_id: place.with_shares(shares, attendance, record_id) for record_id, place in places.items()}
