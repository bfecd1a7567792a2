"""The server side of `POST /api/sync/push`: check, authorize, log and merge operations.

One call handles one batch inside the caller's transaction: every op gets a result,
accepted ops go into the append-only `ops` table, rejected ones into `quarantine`,
and the merged snapshots, register tables, shares and scope changes are rewritten
for every touched record before the caller commits.
"""
from __future__ import annotations

import dataclasses
import json
import logging
import math
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import delete, func, insert, text, update
from sqlmodel import Session, select

from schemas.accounts import User
from schemas.entities import CHILD_ENTITIES, ENTITIES
from schemas.oplog import OpRow, QuarantinedOp, RecordSnapshot, ScopeChange, Share
from server.core import audit
from server.core.clock import ServerClock
from server.sync import derived, heads, leads, meetings, occasions, projections
from server.sync.checks import Batch
from server.sync.places import chunks, load_attendance, load_places, load_shares
from sync import merge
from sync.ops import Op, OpRejected, Unreadable, from_stored, has_nul
from sync.scope import PARTNER_ENTITIES, SHARING_PURPOSES, Place, place_of

log = logging.getLogger("brobygger.sync")
# A citizen's records besides itself that some consent shows a partner (a course's phase,
# the meetings it attended): re-sent, or evicted, when the citizen's consents change.
PARTNER_CHILDREN = sorted(PARTNER_ENTITIES - {"citizen"})
WEB_DEVICE_PREFIX = "web-"
QUARANTINE_BODY_BYTES = 64 * 1024

# One municipality's pushes run one at a time: a push re-merges the records it touches
# from their ops, so a concurrent push could otherwise overwrite a merged state without
# seeing the other's op; and within a municipality `seq` must be in commit order, which
# its pull cursor relies on (server/sync/pull.py reads only up to the municipality's
# head, the top seq its last committed push recorded). Municipalities share no records,
# so they push in parallel. A thread lock per municipality covers one server process
# (SQLite: one process only, see docs/architecture.md); on PostgreSQL a transaction-scoped
# advisory lock per municipality covers every process on the database.
_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()
PUSH_ADVISORY_LOCK_NAMESPACE = 0x6272_6f62  # "brob": the first key every process agrees on


def _municipality_lock(municipality_id: str) -> threading.Lock:
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(municipality_id, threading.Lock())


@contextmanager
def push_lock(db: Session, municipality_id: str) -> Iterator[None]:
    """Hold while applying a push of `municipality_id` and until its commit (the caller
    commits inside)."""
    with _municipality_lock(municipality_id):
        if db.get_bind().dialect.name == "postgresql":
            # Released by the commit or rollback that ends this transaction.
            db.execute(text("SELECT pg_advisory_xact_lock(:namespace, hashtext(:municipality))"),
                       {"namespace": PUSH_ADVISORY_LOCK_NAMESPACE, "municipality": municipality_id})
        yield


def web_device_id(user: User) -> str:
    """The device id of ops the server builds for a logged-in web page."""
    return f"{WEB_DEVICE_PREFIX}{user.id}"[:64]


def result(op_id, status: str, error: OpRejected | None = None) -> dict:
    body = None if error is None else {"code": error.code, "message": error.message, "field": error.field}
    return {"op_id": op_id if isinstance(op_id, str) else None, "status": status, "error": body}


def apply_ops(db: Session, *, user: User, device_id: str | None, raw_ops: list, clock: ServerClock) -> list[dict]:
    """Check, log and merge one batch. The caller commits. Returns one result per op."""
    batch = Batch(db, user, device_id, clock)
    parsed = batch.parse_all(raw_ops)
    candidates = [op for _, op in parsed if isinstance(op, Op)]
    stored = _stored_hashes(db, [op.op_id for op in candidates])
    batch.preload(candidates)

    results: list[dict] = []
    in_batch: dict[str, str] = {}
    for raw, item in parsed:
        raw_id = raw_op_id(raw)  # echoed as the client spelled it
        try:
            status = _check_one(batch, item, stored, in_batch)
        except OpRejected as error:
            batch.rejected.append((raw, error))
            results.append(result(raw_id, "rejected", error))
            continue
        except Exception as exc:  # one op must never fail the batch; the type only, no data
            log.error("unexpected error checking an op: %s", type(exc).__name__)
            error = OpRejected("op_malformed", "unreadable")
            batch.rejected.append((raw, error))
            results.append(result(raw_id, "rejected", error))
            continue
        results.append(result(raw_id, status))

    quarantine(db, user, device_id, batch.rejected)
    if batch.accepted:
        _log_and_merge(db, batch)
    return results


OP_ID_IN_TEXT = re.compile(r'"op_id"\s*:\s*"([0-9A-Fa-f-]{36})"')


def raw_op_id(raw: object) -> str | None:
    """The op id as the client sent it (also from the text of an unreadable op)."""
    if isinstance(raw, dict):
        op_id = raw.get("op_id")
        return op_id[:64] if isinstance(op_id, str) else None
    if isinstance(raw, Unreadable):
        found = OP_ID_IN_TEXT.search(raw.text)
        return found.group(1) if found else None
    return None


def _check_one(batch: Batch, item: Op | OpRejected, stored: dict[str, str], in_batch: dict[str, str]) -> str:
    """`accepted` or `duplicate` for one parsed op, else raise OpRejected."""
    if isinstance(item, OpRejected):
        raise item
    op = item
    known_hash = stored.get(op.op_id) or in_batch.get(op.op_id)
    if known_hash is not None:
        if known_hash == op.content_hash():
            return "duplicate"
        raise OpRejected("op_id_reused", field="op_id")
    place = batch.authorize(op)
    batch.accept(op, place)
    in_batch[op.op_id] = op.content_hash()
    return "accepted"


def _stored_hashes(db: Session, op_ids: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for chunk in chunks(op_ids):
        for op_id, content_hash in db.exec(select(OpRow.op_id, OpRow.content_hash).where(OpRow.op_id.in_(chunk))):
            found[op_id] = content_hash
    return found


def quarantine(db: Session, user: User, device_id: str | None, rejected: list[tuple[object, OpRejected]]) -> None:
    if not rejected:
        return
    now = datetime.now(UTC)
    rows = [
        {
            "op_id": raw_op_id(raw),
            "device_id": device_id, "user_id": user.id, "code": error.code, "message": error.message,
            "field": error.field, "body": _storable(raw), "received_at": now,
        }
        for raw, error in rejected
    ]
    db.execute(insert(QuarantinedOp.__table__), rows)


def _storable(raw: object) -> dict:
    """The rejected op as it can be kept, always a JSON object: as sent when it is a small
    object of valid Unicode; else wrapped ({"not_an_object": …}) or as a shortened,
    ASCII-escaped text ({"unreadable_or_too_large": …}). A rejected op is kept, never dropped."""
    if isinstance(raw, Unreadable):
        return {"unreadable_or_too_large": raw.text[:QUARANTINE_BODY_BYTES]}
    try:
        clean = _json_safe(raw)
        text = json.dumps(clean, ensure_ascii=False, allow_nan=False)
        if len(text.encode("utf-8")) <= QUARANTINE_BODY_BYTES and not has_nul(clean):
            return clean if isinstance(clean, dict) else {"not_an_object": clean}
        escaped = json.dumps(clean, ensure_ascii=True)
    except (UnicodeEncodeError, ValueError, RecursionError, TypeError):
        escaped = "(kunne ikke læses)"
    return {"unreadable_or_too_large": escaped[:QUARANTINE_BODY_BYTES]}


def _json_safe(value: object) -> object:
    """A copy that JSON (and PostgreSQL) can hold: NaN, ±Infinity and other non-JSON
    values become their names as text."""
    if isinstance(value, dict):
        return {str(key): _json_safe(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_safe(item) for item in value]
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    if value is None or isinstance(value, (str, int, bool, float)):
        return value
    return repr(value)


def _log_and_merge(db: Session, batch: Batch) -> None:
    now = datetime.now(UTC)
    db.execute(
        insert(OpRow.__table__),
        [
            {
                "op_id": op.op_id, "content_hash": op.content_hash(), "entity": op.entity, "record_id": op.record_id,
                "device_id": op.device_id, "user_id": op.user_id, "hlc": op.hlc, "body": op.stored_body(),
                "received_at": now,
            }
            for op in batch.accepted
        ],
    )
    for op in batch.accepted:
        batch.clock.observe(op.clock)
    touched = {op.record_id: op.entity for op in batch.accepted}
    seq_of: dict[str, int] = {}
    for chunk in chunks([op.op_id for op in batch.accepted]):
        seq_of.update(
            db.exec(select(OpRow.record_id, func.max(OpRow.seq)).where(OpRow.op_id.in_(chunk)).group_by(OpRow.record_id)).all()
        )
    top_seq = max(seq_of.values())
    old_places = load_places(db, touched)
    citizens = [rid for rid, entity in touched.items() if ENTITIES[entity].is_citizen]
    old_codes = derived.codes_of(db, citizens)
    states = _merge_records(db, touched, new_in_batch={rid for rid in touched if rid not in old_places}, batch=batch)

    # Citizens first: their team decides where their child records sit.
    items, moved = [], []
    new_places: dict[str, Place] = {}
    for rid in sorted(touched, key=lambda rid: not ENTITIES[touched[rid]].is_citizen):
        state = states[rid]
        place = _place_after(state, batch.user.municipality_id, new_places, old_places.get(rid) or batch.places[rid])
        new_places[rid] = place
        old = old_places.get(rid)
        if old is not None and ENTITIES[state["entity"]].is_citizen and old.team_id != place.team_id:
            moved.append((rid, old))
        items.append((state, place, seq_of[rid]))
    projections.write(db, items)

    attended = [(states[rid], new_places[rid]) for rid in touched if ENTITIES[touched[rid]].attendance]
    left = meetings.refresh_attendance(db, attended)
    if left:  # an organisation removed from a meeting (or the meeting voided) loses it
        shares_now = load_shares(db, [place.citizen_id for _, place in left])
        _scope_changes(db, [(top_seq, rid, place, shares_now.get(place.citizen_id, frozenset())) for rid, place in left])

    consents = [states[r] for r in touched if touched[r] == "consent"]
    old_shares = load_shares(db, [c["fields"]["citizen_id"] for c in consents])
    changed = _update_shares(db, consents, old_shares)
    if changed:
        places = {**load_places(db, changed - new_places.keys()), **{c: new_places[c] for c in changed if c in new_places}}
        _scope_changes(db, [(top_seq, c, places[c], old_shares.get(c, frozenset())) for c in sorted(changed) if c in places])
        # Re-send the citizens and the records of theirs a consent shows a partner: what
        # partners may see of them has changed (a withdrawal evicts them). Never the leads
        # linked to them (a lead re-sent with its citizen would tie the two together).
        children = RecordSnapshot.citizen_id.in_(sorted(changed)), RecordSnapshot.entity.in_(PARTNER_CHILDREN)
        rows = db.exec(select(RecordSnapshot.id, RecordSnapshot.entity, RecordSnapshot.citizen_id).where(*children)).all()
        if rows:
            child_places = load_places(db, [row.id for row in rows])
            attendance = load_attendance(db, [row.id for row in rows if ENTITIES[row.entity].attendance])
            _scope_changes(db, [
                (top_seq, row.id, dataclasses.replace(child_places[row.id], attendees=attendance.get(row.id, frozenset())),
                 old_shares.get(row.citizen_id, frozenset()))
                for row in rows
            ])
            _bump(db, top_seq, children[0] & children[1])
        _bump(db, top_seq, RecordSnapshot.id.in_(sorted(changed)))
    for citizen_id, old in moved:
        _move_children(db, top_seq, citizen_id, old, new_places[citizen_id].team_id)

    courses = {state["fields"]["citizen_id"] for state in states.values() if state["entity"] == "course"}
    derived.refresh_citizen_status(db, courses | set(citizens))
    occasions.refresh_occasions(db, {s["fields"]["citizen_id"] for s in states.values() if s["entity"] == "form_response"})
    leads.refresh_lead_stages(db, leads.leads_touched(states.values()))
    derived.refresh_duplicate_codes(db, batch.user.municipality_id, old_codes | derived.codes_of(db, citizens), top_seq)

    heads.advance(db, batch.user.municipality_id, top_seq)
    audit.record_many(
        db, "write", user_id=batch.user.id, device_id=batch.device_id,
        records=[(op.entity, op.record_id, new_places[op.record_id].citizen_id) for op in batch.accepted],
    )


def _merge_records(db: Session, touched: dict[str, str], new_in_batch: set[str], batch: Batch) -> dict[str, dict]:
    """Merge every touched record from all its ops. A record first created in this batch
    has no older ops, so its ops come from memory instead of the log."""
    ops: dict[str, list[Op]] = {rid: [] for rid in touched}
    for op in batch.accepted:
        if op.record_id in new_in_batch:
            ops[op.record_id].append(op)
    for chunk in chunks([rid for rid in touched if rid not in new_in_batch]):
        for record_id, body in db.exec(select(OpRow.record_id, OpRow.body).where(OpRow.record_id.in_(chunk))):
            ops[record_id].append(from_stored(body))
    return {rid: merge.record_state(touched[rid], record_ops) for rid, record_ops in ops.items()}


def _place_after(state: dict, municipality_id: str, new_places: dict[str, Place], known: Place) -> Place:
    """Where a merged record sits now. A child record follows its citizen when the citizen
    was touched in this batch, else keeps its known team (moves update it)."""
    spec = ENTITIES[state["entity"]]
    parent = new_places.get(state["fields"].get(spec.parent)) if spec.parent else None
    return place_of(state["entity"], state["id"], state["fields"], known.municipality_id or municipality_id, parent or known)


def _update_shares(db: Session, consents: list[dict], old_shares: dict[str, frozenset]) -> set[str]:
    """Make `share` hold exactly the live sharing consents; return citizens whose shares changed."""
    changed: set[str] = set()
    added, removed = [], []
    for state in consents:
        fields = state["fields"]
        if fields["purpose"] not in SHARING_PURPOSES:
            continue
        citizen, pair = fields["citizen_id"], (fields["recipient_org_id"], fields["purpose"])
        exists = pair in old_shares.get(citizen, frozenset())
        live = bool(fields.get("granted")) and not state.get("archived")
        if live != exists:
            (added if live else removed).append({"citizen_id": citizen, "org_id": pair[0], "purpose": pair[1]})
            changed.add(citizen)
    if added:
        db.execute(insert(Share.__table__), added)
    for row in removed:
        db.execute(delete(Share).where(*(getattr(Share, key) == value for key, value in row.items())))
    return changed


def _scope_changes(db: Session, changes: list[tuple[int, str, Place, frozenset]]) -> None:
    """Log (seq, record id, old place with its old shares): who could see the record before."""
    if changes:
        db.execute(
            insert(ScopeChange.__table__),
            [
                {"seq": seq, "record_id": rid, "old_place": dataclasses.replace(place, shares=shares).to_json()}
                for seq, rid, place, shares in changes
            ],
        )


def _bump(db: Session, seq: int, where) -> None:
    db.execute(update(RecordSnapshot).where(where).values(last_seq=seq))


def _move_children(db: Session, seq: int, citizen_id: str, old: Place, new_team: str) -> None:
    shares = load_shares(db, [citizen_id]).get(citizen_id, frozenset())
    children = RecordSnapshot.citizen_id == citizen_id, RecordSnapshot.entity.in_(sorted(CHILD_ENTITIES))
    rows = db.exec(select(RecordSnapshot.id, RecordSnapshot.entity).where(*children)).all()
    _scope_changes(
        db,
        [(seq, citizen_id, old, shares)]
        + [(seq, child_id, dataclasses.replace(old, entity=entity), frozenset()) for child_id, entity in rows],
    )
    _bump(db, seq, children[0] & children[1])
    db.execute(update(RecordSnapshot).where(*children).values(team_id=new_team))
