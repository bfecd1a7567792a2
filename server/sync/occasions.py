"""Each form response's occasion ("besvarelse k", sync.derive.occasions) in the typed
`form_response.occasion` column, for the office: kept current inside the push transaction
for every citizen whose responses a push touched. Phones derive it themselves; it is
never part of what a phone sends or pulls."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import bindparam, update
from sqlmodel import Session, select

from schemas.oplog import RecordSnapshot
from schemas.records import FormResponse
from server.sync.places import chunks
from sync.derive import occasions

R = RecordSnapshot


def refresh_occasions(db: Session, citizen_ids: Iterable[str | None]) -> None:
    """Recompute the occasion of every response of these citizens (a void renumbers the
    later ones; a voided response has none)."""
    ids = sorted({c for c in citizen_ids if c})
    if not ids:
        return
    states: list[dict] = []
    for chunk in chunks(ids):
        states += list(db.exec(select(R.state).where(R.entity == "form_response", R.citizen_id.in_(chunk))).all())
    if not states:
        return
    per_citizen: dict[str, list[dict]] = {}
    for state in states:
        per_citizen.setdefault(state["fields"].get("citizen_id"), []).append(state)
    numbers = {rid: k for responses in per_citizen.values() for rid, k in occasions(responses).items()}
    table = FormResponse.__table__
    db.execute(
        update(table).where(table.c.id == bindparam("b_id")).values(occasion=bindparam("b_occasion")),
        [{"b_id": state["id"], "b_occasion": numbers.get(state["id"])} for state in states],
    )
