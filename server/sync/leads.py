"""A lead's stage (sync.derive.lead_stage over the lead and its contact attempts), kept in
the typed `lead.stage` column for the office's lead report, inside the push transaction
for every lead a push touched or whose attempts it touched. What a phone receives is
computed from the same function when it is sent (`stage_of`): the stage of a lead can
change without the lead itself changing (an attempt), and a volunteer's leads are sent
whole on every pull."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import bindparam, update
from sqlmodel import Session, select

from schemas.oplog import RecordSnapshot
from schemas.records import Lead, LeadAttempt
from server.sync.places import chunks
from sync.derive import lead_stage

R = RecordSnapshot


def attempts_of(db: Session, lead_ids: Iterable[str]) -> dict[str, list[dict]]:
    """lead id → the states of its contact attempts."""
    ids = sorted(set(lead_ids))
    out: dict[str, list[dict]] = {lead: [] for lead in ids}
    for chunk in chunks(ids):
        attempts = select(LeadAttempt.id).where(LeadAttempt.lead_id.in_(chunk))
        for state in db.exec(select(R.state).where(R.entity == "lead_attempt", R.id.in_(attempts))).all():
            out.setdefault(state["fields"].get("lead_id"), []).append(state)
    return out


def stages_of(db: Session, leads: list[dict]) -> dict[str, str]:
    """lead id → its stage, for these lead states."""
    attempts = attempts_of(db, [lead["id"] for lead in leads])
    return {lead["id"]: lead_stage(lead, attempts.get(lead["id"], [])) for lead in leads}


def refresh_lead_stages(db: Session, lead_ids: Iterable[str | None]) -> None:
    """Recompute `lead.stage` of these leads from their snapshots and attempts."""
    ids = sorted({lead for lead in lead_ids if lead})
    states: list[dict] = []
    for chunk in chunks(ids):
        states += list(db.exec(select(R.state).where(R.entity == "lead", R.id.in_(chunk))).all())
    if not states:
        return
    stages = stages_of(db, states)
    rows = [{"b_id": lead, "b_stage": stage} for lead, stage in stages.items()]
    table = Lead.__table__
    db.execute(update(table).where(table.c.id == bindparam("b_id")).values(stage=bindparam("b_stage")), rows)
    # Also on the snapshot (`derived`), where a pull reads it (server.sync.derived.attach).
    # The lead is not re-sent for it: a behandler's phone derives the stage from the
    # attempts it holds, and a volunteer receives its leads whole on every pull.
    records = R.__table__
    db.execute(
        update(records).where(records.c.id == bindparam("b_id")).values(derived=bindparam("b_derived")),
        [{"b_id": row["b_id"], "b_derived": {"stage": row["b_stage"]}} for row in rows],
    )


def leads_touched(states: Iterable[dict]) -> set[str]:
    """The leads whose stage a push may have changed: the leads and the attempts' leads."""
    out: set[str] = set()
    for state in states:
        if state["entity"] == "lead":
            out.add(state["id"])
        elif state["entity"] == "lead_attempt" and state["fields"].get("lead_id"):
            out.add(state["fields"]["lead_id"])
    return out
