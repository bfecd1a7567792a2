"""Quarantine triage for the project lead: every rejected op of the municipality, what it
was, why it was refused (the phone's own Danish message) and what to do
(`schemas.problems.LEAD_ADVICE`); then one decision, never a deletion:

- **re-apply**: the op, corrected by the lead, is written again as a *new* op by the lead
  (a web device id, `server.sync.push.web_device_id`), through `apply_ops` and its checks
  with the lead's rights, under the push lock. The original stays in quarantine with
  `decision = "reapplied"` and `new_op_id`. A new op that is refused again is not
  quarantined (the lead is looking at the form: the message is shown there).
- **dismiss**: with a reason; `decision = "dismissed"`.

Every decision is audited (`quarantine_reapply`, `quarantine_dismiss`) and numbered
(`decision_seq`, server/sync/decisions.py), and the phone that sent the op takes it off its
"Kræver handling" list at its next pull.
"""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from schemas.accounts import Device, User
from schemas.entities import ENTITIES
from schemas.oplog import QuarantinedOp, RecordSnapshot
from schemas.problems import LEAD_ADVICE
from server.auth.sessions import utcnow
from server.core import audit
from server.core.clock import ServerClock
from server.core.errors import ApiError
from server.sync.decisions import next_decision_seq
from server.sync.push import apply_ops, push_lock, web_device_id

Q = QuarantinedOp
DECISIONS = {"reapplied": "Skrevet igen", "dismissed": "Afvist"}
KIND_LABELS = {"create": "Oprettelse", "set": "Ændring af et felt", "amend": "Rettelse", "void": "Annullering",
               "archive": "Arkivering", "unarchive": "Genåbning"}
ENTITY_LABELS = {name: spec.label for name, spec in ENTITIES.items()}
MAX_REASON = 500


def in_municipality(municipality_id: str):
    return Q.user_id.in_(select(User.id).where(User.municipality_id == municipality_id))


def listing(db: Session, municipality_id: str, *, include_decided: bool, limit: int = 500) -> list[dict]:
    query = select(Q).where(in_municipality(municipality_id))
    if not include_decided:
        query = query.where(Q.decision.is_(None))
    rows = db.exec(query.order_by(Q.id.desc()).limit(limit)).all()
    return describe_many(db, list(rows))


def pending_by_device(db: Session, device_ids: list[str]) -> dict[str, int]:
    """Undecided quarantined ops per device (the devices page)."""
    if not device_ids:
        return {}
    rows = db.exec(select(Q.device_id, func.count()).where(Q.device_id.in_(device_ids), Q.decision.is_(None)).group_by(Q.device_id))
    return dict(rows.all())


def get(db: Session, municipality_id: str, quarantine_id: int) -> QuarantinedOp:
    row = db.get(Q, quarantine_id)
    owner = db.get(User, row.user_id) if row is not None and row.user_id else None
    if row is None or owner is None or owner.municipality_id != municipality_id:
        raise ApiError("not_found")
    return row


@dataclass(frozen=True)
class Shape:
    """What a quarantined body says it is, when it can be read as an op."""

    entity: str
    record_id: str
    kind: str
    field: str | None
    value: object
    seen: list

    @property
    def can_reapply(self) -> bool:
        return self.entity in ENTITIES and self.kind in KIND_LABELS and bool(self.record_id)


def shape(body) -> Shape | None:
    if not isinstance(body, dict):
        return None
    entity, record_id, kind = body.get("entity"), body.get("record_id"), body.get("kind")
    if not all(isinstance(v, str) and v for v in (entity, record_id, kind)):
        return None
    field = body.get("field") if isinstance(body.get("field"), str) else None
    seen = body.get("seen") if isinstance(body.get("seen"), list) else []
    return Shape(entity, record_id[:64], kind, field, body.get("value"), [s for s in seen if isinstance(s, str)][:1000])


def field_label(found: Shape) -> str:
    """The field's Danish label (schemas/records.py), or its name when the entity has no such field."""
    spec = ENTITIES.get(found.entity)
    field = spec.fields.get(found.field) if spec and found.field else None
    return field.title if field is not None else (found.field or "")


def describe_many(db: Session, rows: list[QuarantinedOp]) -> list[dict]:
    users = {u.id: u for u in db.exec(select(User).where(User.id.in_({r.user_id for r in rows} | {r.resolved_by for r in rows})))}
    devices = {d.id: d for d in db.exec(select(Device).where(Device.id.in_({r.device_id for r in rows if r.device_id})))}
    shapes = {r.id: shape(r.body) for r in rows}
    records = {s.record_id for s in shapes.values() if s}
    snapshots = {row.id: row for row in db.exec(select(RecordSnapshot).where(RecordSnapshot.id.in_(records)))} if records else {}
    citizen_ids = {snap.citizen_id for snap in snapshots.values() if snap.citizen_id}
    citizen_ids |= {s.value.get("citizen_id") for s in shapes.values() if s and isinstance(s.value, dict)
                    and isinstance(s.value.get("citizen_id"), str)}
    citizen_ids |= {s.record_id for s in shapes.values() if s and s.entity == "citizen"}
    codes = _codes(db, citizen_ids)
    out = []
    for row in rows:
        found = shapes[row.id]
        snap = snapshots.get(found.record_id) if found else None
        citizen_id = (snap.citizen_id if snap else None) or (
            found.value.get("citizen_id") if found and isinstance(found.value, dict) else None)
        if found and found.entity == "citizen":
            citizen_id = found.record_id
        user, device, decider = users.get(row.user_id), devices.get(row.device_id), users.get(row.resolved_by)
        out.append({
            "row": row, "shape": found,
            "what": f"{ENTITY_LABELS.get(found.entity, found.entity)}: {KIND_LABELS.get(found.kind, found.kind)}"
                    + (f" ({field_label(found)})" if found.field else "") if found else "Ulæselig ændring",
            "field_label": field_label(found) if found and found.field else None,
            "citizen_id": citizen_id if isinstance(citizen_id, str) and citizen_id in codes else None,
            "citizen_code": codes.get(citizen_id) if isinstance(citizen_id, str) else None,
            "record_exists": snap is not None,
            "reason": row.message,
            "advice": LEAD_ADVICE.get(row.code, ""),
            "user_name": user.display_name if user else "(ukendt bruger)",
            "device_name": device.name if device else ("Web" if (row.device_id or "").startswith("web-") or not row.device_id else "(ukendt enhed)"),
            "decision_label": DECISIONS.get(row.decision or ""),
            "decided_by": decider.display_name if decider else None,
            "value_json": json.dumps(found.value, ensure_ascii=False, indent=2) if found else "",
        })
    return out


def _codes(db: Session, citizen_ids: set) -> dict[str, str]:
    ids = [c for c in citizen_ids if isinstance(c, str)]
    if not ids:
        return {}
    rows = db.exec(select(RecordSnapshot.id, RecordSnapshot.state).where(RecordSnapshot.id.in_(ids), RecordSnapshot.entity == "citizen"))
    return {rid: (state or {}).get("fields", {}).get("code") for rid, state in rows}


def _decide(db: Session, row: QuarantinedOp, lead: User, decision: str, reason: str | None, new_op_id: str | None) -> None:
    row.decision, row.decision_reason, row.new_op_id = decision, reason, new_op_id
    row.resolved_at, row.resolved_by = utcnow(), lead.id
    row.decision_seq = next_decision_seq(db)
    db.add(row)
    audit.record(db, "quarantine_reapply" if decision == "reapplied" else "quarantine_dismiss", user_id=lead.id,
                 entity="quarantine", record_id=str(row.id))


def audit_reads(db: Session, lead: User, items: list[dict]) -> None:
    """Showing quarantined ops is a look at the citizens they are about (one `read` row each)."""
    audit.record_many(db, "read", user_id=lead.id, device_id=None,
                      records=[("quarantine", str(item["row"].id), item["citizen_id"]) for item in items if item["citizen_id"]])
    db.commit()


def reapply(db: Session, clock: ServerClock, lead: User, quarantine_id: int, value_text: str) -> str:
    """Write the op again, corrected, as the lead. Returns the new op id (committed)."""
    with push_lock(db, lead.municipality_id):
        row = get(db, lead.municipality_id, quarantine_id)
        if row.decision is not None:
            raise ApiError("already_decided")
        found = shape(row.body)
        if found is None or not found.can_reapply:
            raise ApiError("op_malformed", "unreadable")
        try:
            value = json.loads(value_text) if value_text.strip() else None
        except ValueError:
            raise ApiError("invalid_field", "not_json", "value") from None
        device = web_device_id(lead)
        op_id = str(uuid.uuid4())
        raw = {"op_id": op_id, "device_id": device, "hlc": clock.tick(device).encode(), "entity": found.entity,
               "record_id": found.record_id, "kind": found.kind, "field": found.field, "value": value, "seen": found.seen}
        [outcome] = apply_ops(db, user=lead, device_id=None, raw_ops=[raw], clock=clock)
        if outcome["status"] != "accepted":
            db.rollback()  # nothing is lost: the original stays in quarantine, undecided
            raise ApiError.relay(outcome["error"])
        _decide(db, row, lead, "reapplied", None, op_id)
        db.commit()
    return op_id


def dismiss(db: Session, lead: User, quarantine_id: int, reason: str) -> None:
    reason = (reason or "").strip()
    with push_lock(db, lead.municipality_id):
        row = get(db, lead.municipality_id, quarantine_id)  # another municipality's: 404 before anything else
        if not reason:
            raise ApiError("invalid_field", "missing", "reason")
        if len(reason) > MAX_REASON:
            raise ApiError("invalid_field", "too_long", "reason", limit=MAX_REASON)
        if row.decision is not None:
            raise ApiError("already_decided")
        _decide(db, row, lead, "dismissed", reason, None)
        db.commit()
