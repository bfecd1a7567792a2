"""Write a record's merged state into the snapshot table and its typed register table(s).

Upserts work on SQLite and PostgreSQL alike (both dialects have ON CONFLICT DO UPDATE).
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from schemas.entities import ENTITIES
from schemas.oplog import RecordSnapshot
from sync.scope import Place


def upsert(db: Session, table: Table, rows: list[dict[str, Any]], key: tuple[str, ...]) -> None:
    if not rows:
        return
    dialect = postgresql if db.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table)
    columns = [c for c in rows[0] if c not in key]
    statement = statement.on_conflict_do_update(
        index_elements=list(key), set_={c: getattr(statement.excluded, c) for c in columns}
    )
    db.execute(statement, rows)


def snapshot_row(state: dict, place: Place, last_seq: int) -> dict[str, Any]:
    return {"id": state["id"], **place.scope_columns(), "last_seq": last_seq, "state": state}


def register_rows(state: dict, place: Place, last_seq: int) -> list[tuple[Table, dict[str, Any]]]:
    """The typed rows of one record: one per table of its entity."""
    entity = ENTITIES[state["entity"]]
    fields = state["fields"]
    bookkeeping = {
        "municipality_id": place.municipality_id,
        "last_seq": last_seq,
        "created_by": state.get("created_by"),
        "created_hlc": state.get("created_hlc"),
        "updated_hlc": state.get("updated_hlc"),
        "has_conflicts": bool(state["conflicts"]),
        "flagged": bool(state.get("flagged")),
    }
    out = []
    for table_model in entity.tables:
        table: Table = table_model.__table__
        row: dict[str, Any] = {"id": state["id"]}
        for column in table.columns.keys():
            if column == "id":
                continue
            if column in entity.fields:
                row[column] = state["archived"] if column == "archived" else fields.get(column)
            elif column in bookkeeping:
                row[column] = bookkeeping[column]
            elif column == "granted":
                row[column] = bool(fields.get("granted"))
            elif column == "voided":
                row[column] = bool(state.get("voided"))
        out.append((table, row))
    return out


def write(db: Session, items: list[tuple[dict, Place, int]]) -> None:
    """Upsert (state, place, last_seq) triples, batched per table."""
    snapshots = [snapshot_row(state, place, seq) for state, place, seq in items]
    upsert(db, RecordSnapshot.__table__, snapshots, ("id",))
    per_table: dict[Table, list[dict]] = {}
    for state, place, seq in items:
        for table, row in register_rows(state, place, seq):
            per_table.setdefault(table, []).append(row)
    for table, rows in per_table.items():
        upsert(db, table, rows, ("id",))
