"""Where records sit (municipality, owning team, referring organisation, linked citizen)
and which live consents share a citizen: the facts `sync.scope` decides on."""
from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, select

from schemas.oplog import RecordSnapshot, Share
from sync.scope import Place


def load_places(db: Session, record_ids: Iterable[str]) -> dict[str, dict]:
    """record id → place dict (entity, municipality_id, team_id, org_id, citizen_id)."""
    ids = list(set(record_ids))
    places: dict[str, dict] = {}
    for start in range(0, len(ids), 500):
        rows = db.exec(
            select(
                RecordSnapshot.id, RecordSnapshot.entity, RecordSnapshot.municipality_id,
                RecordSnapshot.team_id, RecordSnapshot.org_id, RecordSnapshot.citizen_id,
            ).where(RecordSnapshot.id.in_(ids[start : start + 500]))
        ).all()
        for row in rows:
            places[row.id] = row_place(row)
    return places


def row_place(row) -> dict:
    """The place dict of a `records` row (or any row with its scope columns)."""
    return {
        "entity": row.entity, "municipality_id": row.municipality_id, "team_id": row.team_id,
        "org_id": row.org_id, "citizen_id": row.citizen_id,
    }


def load_shares(db: Session, citizen_ids: Iterable[str]) -> dict[str, frozenset[tuple[str, str]]]:
    ids = [c for c in set(citizen_ids) if c]
    shares: dict[str, set[tuple[str, str]]] = {}
    for start in range(0, len(ids), 500):
        for row in db.exec(select(Share).where(Share.citizen_id.in_(ids[start : start + 500]))).all():
            shares.setdefault(row.citizen_id, set()).add((row.org_id, row.purpose))
    return {k: frozenset(v) for k, v in shares.items()}


def sharing_citizen(record_id: str, place: dict) -> str | None:
    """The citizen whose consents decide who else may see this record."""
    return record_id if place["entity"] == "citizen" else place.get("citizen_id")


def to_place(record_id: str, place: dict, shares: dict[str, frozenset]) -> Place:
    citizen = sharing_citizen(record_id, place)
    return Place(
        entity=place["entity"],
        municipality_id=place["municipality_id"],
        team_id=place.get("team_id"),
        org_id=place.get("org_id"),
        shares=shares.get(citizen, frozenset()) if citizen else frozenset(),
    )
