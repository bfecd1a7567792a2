"""Merge rules, one function per field semantic, and `record_state`: the state of a
record as a pure function of the set of its operations (any order, any duplicates)."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from schemas.entities import AMEND, ARCHIVE, CREATE, ENTITIES, SET, UNARCHIVE, VOID
from schemas.fields import Merge
from sync.ops import Op

HISTORY_LIMIT = 100  # newest writes kept in a snapshot's `history`; the op log keeps all


@dataclass(frozen=True)
class Write:
    """One value written to one field by one operation."""

    op: Op
    value: Any

    def describe(self) -> dict:
        return {
            "value": self.value,
            "op_id": self.op.op_id,
            "user_id": self.op.user_id,
            "device_id": self.op.device_id,
            "hlc": self.op.hlc,
        }


class Causality:
    """Who had seen whom among a set of ops, in time linear in the ops.

    An op's parents are the ops named in its `seen` that precede it in the total order
    (so a bad `seen` — itself, a later op, a cycle — can never hide a value) and the
    previous op of its own device: a phone knows what it wrote itself. Seeing is the
    transitive closure of parents.
    """

    def __init__(self, ops: Iterable[Op]):
        self.ordered = sorted({op.op_id: op for op in ops}.values(), key=lambda op: op.order_key())
        self.position = {op.op_id: i for i, op in enumerate(self.ordered)}
        self.parents: dict[str, tuple[str, ...]] = {}
        last_of_device: dict[str, str] = {}
        for i, op in enumerate(self.ordered):
            parents = [s for s in op.seen if self.position.get(s, i) < i]
            if op.device_id in last_of_device:
                parents.append(last_of_device[op.device_id])
            self.parents[op.op_id] = tuple(parents)
            last_of_device[op.device_id] = op.op_id

    def seen_by_some_op(self) -> set[str]:
        """Ops some other op has seen. Every ancestor is a parent of some op, so the
        union of parents is the union of all pasts."""
        return {parent for parents in self.parents.values() for parent in parents}

    def past(self, op: Op) -> set[str]:
        found: set[str] = set()
        stack = list(self.parents[op.op_id])
        while stack:
            current = stack.pop()
            if current not in found:
                found.add(current)
                stack.extend(self.parents[current])
        return found

    def future(self, op: Op) -> set[str]:
        """The ops that have seen `op` (one forward pass in the total order)."""
        reached = {op.op_id}
        for later in self.ordered[self.position[op.op_id] + 1 :]:
            if any(parent in reached for parent in self.parents[later.op_id]):
                reached.add(later.op_id)
        reached.discard(op.op_id)
        return reached


def _latest(writes: Iterable[Write]) -> Write:
    return max(writes, key=lambda w: w.op.order_key())


def _unseen(writes: list[Write]) -> list[Write]:
    """The writes no other write has seen: the current heads."""
    if len(writes) == 1:
        return list(writes)
    seen = Causality(w.op for w in writes).seen_by_some_op()
    return sorted((w for w in writes if w.op.op_id not in seen), key=lambda w: w.op.order_key())


def merge_lww(writes: list[Write]) -> tuple[Write, list[Write]]:
    """Last writer wins by HLC, ties by device id. Returns the winner and the concurrent
    losers (writes the winner had not seen) to show as "also edited by …"."""
    winner = _latest(writes)
    if len(writes) == 1:
        return winner, []
    winner_saw = Causality(w.op for w in writes).past(winner.op)
    losers = [w for w in writes if w is not winner and w.op.op_id not in winner_saw and w.op.kind != CREATE]
    return winner, sorted(losers, key=lambda w: w.op.order_key())


def merge_multi(writes: list[Write]) -> list[Write]:
    """Multi-value register. The heads with distinct values; more than one is a conflict."""
    distinct: dict[str, Write] = {}
    for head in _unseen(writes):
        distinct[_canonical(head.value)] = head  # later heads with an equal value stand for it
    return sorted(distinct.values(), key=lambda w: w.op.order_key())


def merge_consent(writes: list[Write]) -> tuple[bool, Write]:
    """Consent events. A withdrawal stands unless a later grant has it in its `seen`:
    if any current head is a withdrawal the consent is withdrawn (never LWW)."""
    heads = _unseen(writes)
    withdrawals = [w for w in heads if w.value["action"] == "withdraw"]
    if withdrawals:
        return False, _latest(withdrawals)
    return True, _latest(heads)


def merge_archive(events: list[Op], edits: list[Op]) -> tuple[bool, bool, list[str]]:
    """Archive wins over a concurrent unarchive. Returns (archived, flagged, heads):
    flagged when an edit was made concurrently with the archive that stands."""
    if not events:
        return False, False, []
    writes = [Write(op, op.kind == ARCHIVE) for op in events]
    heads = _unseen(writes)
    standing = [w.op for w in heads if w.value]
    causality = Causality([*events, *edits])
    flagged = False
    for archive in standing:
        related = causality.past(archive) | causality.future(archive)
        flagged = flagged or any(edit.op_id not in related for edit in edits)
    return bool(standing), flagged, [w.op.op_id for w in heads]


def _canonical(value: Any) -> str:
    import json

    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def record_state(entity_name: str, ops: Iterable[Op]) -> dict:
    """The merged state of one record. Pure: the same set of ops gives the same dict."""
    unique = {op.op_id: op for op in ops}
    if len(unique) == 1:
        [op] = unique.values()
        if op.kind == CREATE:
            return created_state(entity_name, op)
    return merged_state(entity_name, unique.values())


def created_state(entity_name: str, op: Op) -> dict:
    """The state of a record whose only op is its create — most records a push touches
    (a new contact, a new citizen) — without the general merge: every value is the
    create's, every head is the create. Equal to `merged_state` for such a record
    (tests/sync/test_merge_properties.py checks it)."""
    entity = ENTITIES[entity_name]
    write = Write(op, None).describe
    fields, heads, history = {}, {}, {}
    for name, spec in entity.fields.items():
        if name not in op.value or spec.merge == Merge.ARCHIVE:
            continue
        value = op.value[name]
        fields[name] = value
        if spec.merge == Merge.IMMUTABLE:
            continue
        heads[name] = [op.op_id]
        if spec.merge in (Merge.MULTI, Merge.CONSENT):
            history[name] = [{**write(), "value": value}]
        if spec.merge == Merge.CONSENT:
            fields["granted"] = value["action"] != "withdraw"
    state: dict[str, Any] = {
        "entity": entity.name, "id": op.record_id, "fields": fields, "heads": heads, "conflicts": [],
        "also_edited": [], "history": history, "archived": False, "flagged": False, "created_by": op.user_id,
        "created_hlc": op.hlc, "updated_hlc": op.hlc, "exists": True,
    }
    if entity.append_only:
        state.update(voided=False, original=dict(op.value), amendments=[])
    return state


def merged_state(entity_name: str, ops: Iterable[Op]) -> dict:
    """The merged state of one record from any set of its ops (the general merge)."""
    entity = ENTITIES[entity_name]
    ordered = sorted(ops, key=lambda op: op.order_key())
    if not ordered:
        raise ValueError("a record needs at least one operation")
    creates = [op for op in ordered if op.kind == CREATE]
    writes: dict[str, list[Write]] = {name: [] for name in entity.fields}
    for op in ordered:
        if op.kind == CREATE:
            for name, value in op.value.items():
                writes[name].append(Write(op, value))
        elif op.kind in (SET, AMEND):
            writes[op.field].append(Write(op, op.value))

    state: dict[str, Any] = {
        "entity": entity.name,
        "id": ordered[0].record_id,
        "fields": {},
        "heads": {},
        "conflicts": [],
        "also_edited": [],
        "history": {},
        "archived": False,
        "flagged": False,
        "created_by": creates[0].user_id if creates else None,
        "created_hlc": creates[0].hlc if creates else None,
        "updated_hlc": ordered[-1].hlc,
        "exists": bool(creates),
    }
    for name, spec in entity.fields.items():
        field_writes = writes[name]
        if spec.merge == Merge.ARCHIVE or not field_writes:
            continue
        if spec.merge == Merge.IMMUTABLE:
            first = [w for w in field_writes if w.op.kind == CREATE][0]  # ordered: the earliest create
            state["fields"][name] = first.value
        elif spec.merge in (Merge.LWW, Merge.APPEND):
            winner, losers = merge_lww(field_writes)
            state["fields"][name] = winner.value
            state["heads"][name] = [winner.op.op_id]
            state["also_edited"] += [{"field": name, **w.describe()} for w in losers]
        elif spec.merge == Merge.MULTI:
            heads = merge_multi(field_writes)
            state["fields"][name] = heads[-1].value
            state["heads"][name] = [w.op.op_id for w in _unseen(field_writes)]
            if len(heads) > 1:
                state["conflicts"].append({"field": name, "values": [w.describe() for w in heads]})
            state["history"][name] = [w.describe() for w in field_writes[-HISTORY_LIMIT:]]
        elif spec.merge == Merge.CONSENT:
            granted, current = merge_consent(field_writes)
            state["fields"][name] = current.value
            state["fields"]["granted"] = granted
            state["heads"][name] = [w.op.op_id for w in _unseen(field_writes)]
            state["history"][name] = [w.describe() for w in field_writes[-HISTORY_LIMIT:]]

    if "archived" in entity.fields:
        events = [op for op in ordered if op.kind in (ARCHIVE, UNARCHIVE)]
        edits = [op for op in ordered if op.kind in (SET, AMEND)]
        archived, flagged, heads = merge_archive(events, edits)
        state["archived"], state["flagged"] = archived, flagged
        if heads:
            state["heads"]["archived"] = heads
    if entity.append_only:
        voids = [op for op in ordered if op.kind == VOID]
        state["voided"] = bool(voids)
        if voids:
            state["void"] = {"reason": (voids[0].value or {}).get("reason"), **Write(voids[0], None).describe()}
        state["original"] = dict(creates[0].value) if creates else {}
        state["amendments"] = [
            {"field": op.field, **Write(op, op.value).describe()} for op in ordered if op.kind == AMEND
        ]
    return state
