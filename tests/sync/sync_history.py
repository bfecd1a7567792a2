"""Random causal histories of one record, for the merge-rule properties.

Several devices, each with a skewed clock and a local view (the set of op ids it
knows), write operations; now and then one device tells another everything it
knows. Every new op lists in `seen` the heads its device knew — per register
(each field, the archive events, the voids), exactly as a client would fill it in:
the ops of that register that no other op of the register it knows has seen.

`past[op_id]` is the set of op ids the device knew when it wrote the op: the true
causal past, kept independently of `seen` so that the tests can check the
merge rules against it. Not a test module.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st
from sync_factories import NOW_MS, initial_value, uid, value_pool

from schemas.entities import AMEND, ARCHIVE, CREATE, ENTITIES, SET, UNARCHIVE, VOID
from schemas.fields import Merge
from sync import hlc as hlc_mod
from sync.ops import Op, consent_record_id

BIG_DRIFT = 10**12  # clock skew is the point here; the drift bound is tested in test_hlc/test_ops


def registers(op: Op) -> list[str]:
    """The registers an op writes: its fields, the archive events, or the voids."""
    if op.kind == CREATE:
        return list(op.value)
    if op.kind in (SET, AMEND):
        return [op.field]
    if op.kind in (ARCHIVE, UNARCHIVE):
        return ["archived"]
    if op.kind == VOID:
        return ["void"]
    raise AssertionError(op.kind)


@dataclass
class Device:
    id: str
    offset: int  # how far this phone's wall clock is off, in ms (positive = fast)
    clock: hlc_mod.HLC
    known: set[str] = field(default_factory=set)


class History:
    def __init__(self, entity: str, offsets: list[int], create_value: dict | None = None, salt: str = ""):
        self.entity = ENTITIES[entity]
        self.now = NOW_MS - 10**8
        self.salt = salt
        self.devices = [
            Device(f"dev-{i}", off, hlc_mod.HLC(0, 0, f"dev-{i}")) for i, off in enumerate(offsets)
        ]
        self.ops: dict[str, Op] = {}
        self.created: list[str] = []  # op ids in creation order
        self.past: dict[str, frozenset[str]] = {}
        value = dict(create_value if create_value is not None else initial_value(self.entity))
        if entity == "consent":
            self.record_id = consent_record_id(value["citizen_id"], value["purpose"], value["recipient_org_id"])
        else:
            self.record_id = uid("record", entity, salt)
        self.create = self.write(0, CREATE, None, value)
        for i in range(1, len(self.devices)):
            self.exchange(0, i)

    # -- knowledge
    def heads(self, known: set[str], register: str) -> set[str]:
        writes = [self.ops[i] for i in known if register in registers(self.ops[i])]
        seen = set().union(*(w.seen for w in writes)) if writes else set()
        return {w.op_id for w in writes if w.op_id not in seen}

    def all_heads(self, known: set[str]) -> frozenset[str]:
        regs = {r for i in known for r in registers(self.ops[i])}
        out: set[str] = set()
        for r in regs:
            out |= self.heads(known, r)
        return frozenset(out)

    # -- actions
    def tick(self, ms: int) -> None:
        self.now += ms

    def write(self, d: int, kind: str, field_name: str | None, value: Any, seen: frozenset[str] | None = None) -> Op:
        dev = self.devices[d]
        self.now += 1
        dev.clock = hlc_mod.send(dev.clock, self.now + dev.offset)
        op = Op(
            op_id=uid("op", self.salt, len(self.created)),
            device_id=dev.id,
            hlc=dev.clock.encode(),
            entity=self.entity.name,
            record_id=self.record_id,
            kind=kind,
            field=field_name,
            value=value,
            seen=self.all_heads(dev.known) if seen is None else seen,
            user_id=f"user-{d}",
        )
        self.ops[op.op_id] = op
        self.created.append(op.op_id)
        self.past[op.op_id] = frozenset(dev.known)
        dev.known.add(op.op_id)
        return op

    def exchange(self, src: int, dst: int) -> None:
        """`dst` learns everything `src` knows (and advances its clock past `src`'s)."""
        a, b = self.devices[src], self.devices[dst]
        if a is b:
            return
        b.known |= a.known
        b.clock = hlc_mod.receive(b.clock, a.clock, self.now + b.offset, BIG_DRIFT)

    def sync_all(self) -> None:
        for i in range(len(self.devices)):
            self.exchange(i, 0)
        for i in range(1, len(self.devices)):
            self.exchange(0, i)

    def add_device(self, offset: int = 0, knows_all: bool = True) -> int:
        i = len(self.devices)
        self.devices.append(Device(f"dev-{i}", offset, hlc_mod.HLC(0, 0, f"dev-{i}")))
        if knows_all:
            for j in range(i):
                self.exchange(j, i)
        return i

    # -- views
    def all_ops(self) -> list[Op]:
        return [self.ops[i] for i in self.created]

    def view(self, d: int) -> list[Op]:
        return [self.ops[i] for i in self.created if i in self.devices[d].known]

    def views(self) -> list[list[Op]]:
        """Every device's view and the union (the server after everyone pushed)."""
        return [self.view(d) for d in range(len(self.devices))] + [self.all_ops()]


# ----------------------------------------------------------------------------- independent reference
def ancestors(ops: list[Op]) -> dict[str, frozenset[str]]:
    """Transitive closure of `seen` within the op set: the causal past of each op."""
    by_id = {op.op_id: op for op in ops}
    memo: dict[str, frozenset[str]] = {}

    def past(op_id: str) -> frozenset[str]:
        if op_id in memo:
            return memo[op_id]
        out: set[str] = set()
        stack = [s for s in by_id[op_id].seen if s in by_id]
        while stack:
            s = stack.pop()
            if s in out:
                continue
            out.add(s)
            if s in memo:
                out |= memo[s]
            else:
                stack.extend(x for x in by_id[s].seen if x in by_id)
        memo[op_id] = frozenset(out)
        return memo[op_id]

    return {op_id: past(op_id) for op_id in by_id}


# ----------------------------------------------------------------------------- plans
def actions_for(entity: str, merges: tuple[Merge, ...] | None = None, archive: bool = False,
                void: bool = False) -> list[tuple[str, str | None]]:
    """(kind, field) pairs a random history may take for the entity."""
    spec = ENTITIES[entity]
    kind = AMEND if spec.append_only else SET
    out: list[tuple[str, str | None]] = []
    for f in spec.fields.values():
        if spec.writable(f.name) is not None and (merges is None or f.merge in merges):
            out.append((kind, f.name))
    if archive:
        out += [(ARCHIVE, None), (UNARCHIVE, None)]
    if void:
        out.append((VOID, None))
    assert out, entity
    return out


def plans(n_actions: int, min_devices: int = 2, max_devices: int = 4, max_steps: int = 24):
    """A plan: device clock offsets and a list of steps."""
    offsets = st.lists(
        st.sampled_from([0, 0, 1, -5_000, 90_000, 86_400_000, -3_600_000]), min_size=min_devices, max_size=max_devices
    )

    def steps(n: int):
        write = st.tuples(st.just("w"), st.integers(0, n - 1), st.integers(0, n_actions - 1), st.integers(0, 2))
        exchange = st.tuples(st.just("x"), st.integers(0, n - 1), st.integers(0, n - 1), st.just(0))
        tick = st.tuples(st.just("t"), st.sampled_from([0, 1, 1000, 3_600_000]), st.just(0), st.just(0))
        return st.lists(st.one_of(write, write, exchange, tick), max_size=max_steps)

    return offsets.flatmap(lambda offs: st.tuples(st.just(offs), steps(len(offs))))


def run(entity: str, plan, actions: list[tuple[str, str | None]], create_value: dict | None = None) -> History:
    offsets, steps = plan
    h = History(entity, offsets, create_value)
    for step, a, b, c in steps:
        if step == "w":
            kind, field_name = actions[b]
            value = None
            if kind in (SET, AMEND):
                pool = value_pool(h.entity.fields[field_name])
                value = pool[c % len(pool)]
            elif kind == VOID:
                value = {"reason": f"reason {c}"} if c else None
            h.write(a, kind, field_name, value)
        elif step == "x":
            h.exchange(a, b)
        else:
            h.tick(a)
    return h
