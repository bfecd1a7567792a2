"""Facts derived across records, kept in typed columns inside the push transaction:

- each citizen's course status (`sync.derive.citizen_status`: current phase, plan
  missing, ended) in the `citizen` register, for the office and the list routes;
- duplicate codes: two live citizens of one municipality with the same code (two phones
  registering one person offline) are flagged on both, in the register and in the
  snapshot's `derived` part that phones pull, until one is corrected or archived.
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import bindparam, update
from sqlmodel import Session, select

from schemas.oplog import RecordSnapshot
from schemas.records import Citizen
from server.sync.places import chunks
from sync.derive import citizen_status, lead_stage

R = RecordSnapshot
STATUS_COLUMNS = {"phase": "phase", "phase_date": "phase_date", "course_id": "course_id",
                  "course_ended": "ended", "plan_missing": "plan_missing"}


def attach(record: dict, row) -> dict:
    """What a viewer receives besides the projected state: the cross-record facts
    (`derived`) and, for a lead, its stage — computed from the full state, because a
    referrer sees the stage but not the behandler's outcome behind it."""
    if row.derived:
        record["derived"] = row.derived
    if row.entity == "lead":  # kept with its attempts by server/sync/leads.py
        record["stage"] = (row.derived or {}).get("stage") or lead_stage(row.state)
    return record


def refresh_citizen_status(db: Session, citizen_ids: Iterable[str | None]) -> None:
    """Recompute the course status columns of these citizens from their course snapshots."""
    ids = sorted({c for c in citizen_ids if c})
    if not ids:
        return
    courses: dict[str, list[dict]] = {c: [] for c in ids}
    for chunk in chunks(ids):
        for citizen_id, state in db.exec(select(R.citizen_id, R.state).where(R.entity == "course", R.citizen_id.in_(chunk))):
            courses[citizen_id].append(state)
    rows = []
    for citizen_id, states in courses.items():
        status = citizen_status(states)
        rows.append({"b_id": citizen_id, **{column: status[key] for column, key in STATUS_COLUMNS.items()}})
    table = Citizen.__table__
    statement = update(table).where(table.c.id == bindparam("b_id")).values(
        {column: bindparam(column) for column in STATUS_COLUMNS}
    )
    db.execute(statement, rows)


def codes_of(db: Session, citizen_ids: Iterable[str]) -> set[str]:
    """The codes these citizens have in the register now."""
    codes: set[str] = set()
    for chunk in chunks(list(citizen_ids)):
        codes.update(code for code in db.exec(select(Citizen.code).where(Citizen.id.in_(chunk))) if code)
    return codes


def refresh_duplicate_codes(db: Session, municipality_id: str, codes: set[str], seq: int) -> None:
    """Flag every live citizen whose code another live citizen of the municipality has;
    unflag the rest of these codes. A changed flag re-sends the citizen (its `seq`)."""
    changes: list[dict] = []
    for chunk in chunks(sorted(codes)):
        rows = db.exec(
            select(Citizen.id, Citizen.code, Citizen.archived, Citizen.duplicate_code)
            .where(Citizen.municipality_id == municipality_id, Citizen.code.in_(chunk))
        ).all()
        live: dict[str, int] = {}
        for row in rows:
            if not row.archived:
                live[row.code] = live.get(row.code, 0) + 1
        for row in rows:
            duplicate = not row.archived and live.get(row.code, 0) > 1
            if bool(row.duplicate_code) != duplicate:
                changes.append({"b_id": row.id, "duplicate": duplicate})
    if not changes:
        return
    citizen = Citizen.__table__
    db.execute(update(citizen).where(citizen.c.id == bindparam("b_id")).values(duplicate_code=bindparam("duplicate")), changes)
    records = R.__table__
    db.execute(
        update(records).where(records.c.id == bindparam("b_id")).values(
            derived=bindparam("derived"), last_seq=seq,
        ),
        [{"b_id": change["b_id"], "derived": {"duplicate_code": True} if change["duplicate"] else None} for change in changes],
    )
