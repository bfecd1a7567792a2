"""Deciding one pushed op at a time: is it well-formed, from this device, and may this
user make this change to this record now? `Batch` keeps what earlier ops of the same
push established (records they created, teams they moved), so a batch may create a
citizen and then its course.

What is checked follows the entity specs (schemas.entities): a child record needs its
citizen, every reference field is checked by what it points at (schemas.fields.Ref),
and writing an owner or link field moves the record's place.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from sqlmodel import Session, select

from schemas.accounts import Organisation, User
from schemas.entities import AMEND, CREATE, ENTITIES, SET, EntitySpec
from schemas.fields import Kind, Merge, Ref
from schemas.oplog import RecordSnapshot
from server.auth.sessions import viewer_of
from server.core.clock import ServerClock
from server.sync import meetings
from server.sync.places import load_places, load_shares
from sync import scope
from sync.ops import Now, Op, OpRejected, check_answers, parse
from sync.scope import Place, place_of


class Batch:
    """State of one push while its ops are checked one by one, in order."""

    def __init__(self, db: Session, user: User, device_id: str | None, clock: ServerClock):
        self.db, self.user, self.device_id, self.clock = db, user, device_id, clock
        self.viewer = viewer_of(user)
        self.now = Now(clock.now_ms(), clock.max_drift_ms)
        self.orgs = {
            org.id: org for org in db.exec(select(Organisation).where(Organisation.municipality_id == user.municipality_id))
        }
        self.places: dict[str, Place] = {}  # without shares; see `self.shares`
        self.shares: dict[str, frozenset] = {}
        self.accepted: list[Op] = []
        self._users: set[str] | None = None
        self.rejected: list[tuple[object, OpRejected]] = []

    # -- checking ---------------------------------------------------------------
    def parse_all(self, raw_ops: list) -> list[tuple[object, Op | OpRejected]]:
        out = []
        for raw in raw_ops:
            try:
                op = parse(raw, now_ms=self.now.ms, max_drift_ms=self.now.max_drift_ms, user_id=self.user.id)
                if self.device_id is not None and op.device_id != self.device_id:
                    raise OpRejected("device_mismatch", field="device_id")
                out.append((raw, op))
            except OpRejected as error:
                out.append((raw, error))
        return out

    def preload(self, ops: Iterable[Op]) -> None:
        """The places of every record the ops touch or point at, and their shares."""
        ids: set[str] = set()
        for op in ops:
            ids.add(op.record_id)
            written = op.value if op.kind == CREATE else {op.field: op.value} if op.kind in (SET, AMEND) else {}
            for name, value in written.items():
                spec = op.spec.fields.get(name)
                if spec is not None and spec.ref in (Ref.CITIZEN, Ref.LEAD) and value:
                    ids.add(value)
        self.places = load_places(self.db, ids)
        self.shares = load_shares(self.db, [place.citizen_id for place in self.places.values()])

    def shared(self, place: Place) -> Place:
        return place.with_shares(self.shares)

    def authorize(self, op: Op) -> Place:
        """Return the record's place (after the op) if the user may apply `op`, else raise."""
        spec = op.spec
        self.check_references(op, spec)
        place = self.places.get(op.record_id)
        if place is not None and (place.entity != op.entity or place.municipality_id != self.user.municipality_id):
            # Another kind of record, or another municipality's: say no more than "taken"/"not found".
            if op.kind == CREATE:
                raise OpRejected("conflicting_create", field="record_id")
            raise OpRejected("record_not_found", field="record_id")
        if place is None:
            if op.kind != CREATE:
                raise OpRejected("record_not_found", field="record_id")
            place = self.new_place(op)
        elif op.kind == CREATE:
            self.check_recreate(op, place)
        written = op.fields_written()
        allowed = scope.writable_fields(self.viewer, self.shared(place))
        if allowed is None:
            raise OpRejected("forbidden", "op", "record_id")
        denied = sorted(written - allowed)
        if denied:
            raise OpRejected("forbidden", "field", denied[0], label=spec.fields[denied[0]].title)
        if op.kind == SET and op.field == spec.owner:
            moved = self.moved(spec, place, op.value)
            if scope.writable_fields(self.viewer, self.shared(moved)) is None:
                raise OpRejected("forbidden", "move_team", op.field)
            place = moved
        elif op.kind == SET and op.field == spec.link:
            place = dataclasses.replace(place, citizen_id=op.value)
        if op.kind == AMEND and spec.fields[op.field].kind == Kind.ANSWERS:
            created = self.created_values(op.record_id)
            check_answers(created["form"], op.value, self.now, created.get("version"))
        if meetings.checks_consents(op):
            meetings.check_consents(self, op, place)
            place = place_of(op.entity, op.record_id, {**self.created_values(op.record_id), op.field: op.value}
                             if op.kind == AMEND else op.value, place.municipality_id, place)
        return place

    @staticmethod
    def moved(spec: EntitySpec, place: Place, owner: str) -> Place:
        """The place after the record's owner (a citizen's team) changes."""
        if spec.fields[spec.owner].ref == Ref.TEAM:
            return dataclasses.replace(place, team_id=owner)
        return dataclasses.replace(place, org_id=owner)

    def check_recreate(self, op: Op, place: Place) -> None:
        """A second `create` of an existing record (two phones recording the same consent,
        a resend with a new op id) may not move it or change what is immutable."""
        if self.new_place(op).scope_columns() != place.scope_columns():
            raise OpRejected("conflicting_create", field="record_id")
        stored = self.created_values(op.record_id)
        for name, spec in op.spec.fields.items():
            if spec.merge == Merge.IMMUTABLE and name in op.value and op.value[name] != stored.get(name):
                raise OpRejected("conflicting_create", "immutable", name, label=spec.title)

    def created_values(self, record_id: str) -> dict:
        created = next((a for a in self.accepted if a.record_id == record_id and a.kind == CREATE), None)
        if created is not None:
            return created.value
        return self.db.get(RecordSnapshot, record_id).state["fields"]

    def new_place(self, op: Op) -> Place:
        spec = op.spec
        if spec.parent:
            parent = self.check_citizen(op.value[spec.parent], spec.parent)
        else:
            parent = self.check_lead(op.value[spec.under], spec.under) if spec.under else None
        return place_of(op.entity, op.record_id, op.value, self.user.municipality_id, parent)

    def check_references(self, op: Op, spec: EntitySpec) -> None:
        """Every reference written points at something in the writer's municipality: a
        team, an organisation, a citizen the writer may see (a parent is checked as the
        place is made)."""
        written = op.value if op.kind == CREATE else {op.field: op.value} if op.kind == SET else {}
        for name, value in written.items():
            field = spec.fields[name]
            if field.ref is None or value is None or name in (spec.parent, spec.under):
                continue
            if field.ref == Ref.TEAM:
                self.check_team(value, name, field.title)
            elif field.ref == Ref.ORGANISATION:
                self.check_org(value, name, field.title)
            elif field.ref == Ref.CITIZEN:
                self.check_visible_citizen(value, name)
            elif field.ref == Ref.USER:
                self.check_user(value, name, field.title)
            elif field.ref == Ref.LEAD:
                self.check_lead(value, name)

    def check_org(self, org_id: str, field: str, label: str) -> Organisation:
        org = self.orgs.get(org_id)
        if org is None:
            raise OpRejected("invalid_value", "unknown_org", field, label=label)
        return org

    def check_team(self, org_id: str, field: str, label: str) -> None:
        if self.check_org(org_id, field, label).kind != "rusmiddelcenter":
            raise OpRejected("invalid_value", "not_team", field, label=label)

    def check_citizen(self, citizen_id: str, field: str) -> Place:
        parent = self.places.get(citizen_id)
        if parent is None or not ENTITIES[parent.entity].is_citizen or parent.municipality_id != self.user.municipality_id:
            raise OpRejected("record_not_found", "citizen", field)
        return parent

    def check_user(self, user_id: str, field: str, label: str) -> None:
        """A user of the writer's municipality (a lead's claim names who took it)."""
        if self._users is None:
            self._users = set(self.db.exec(select(User.id).where(User.municipality_id == self.user.municipality_id)).all())
        if user_id not in self._users:
            raise OpRejected("invalid_value", "unknown_user", field, label=label)

    def check_lead(self, lead_id: str, field: str) -> Place:
        place = self.places.get(lead_id)
        if place is None or place.entity != "lead" or place.municipality_id != self.user.municipality_id:
            raise OpRejected("record_not_found", field=field)
        return place

    def check_visible_citizen(self, citizen_id: str, field: str) -> Place:
        """A lead may only be linked to a citizen the linking worker may see."""
        parent = self.check_citizen(citizen_id, field)
        if scope.visible_fields(self.viewer, self.shared(parent)) is None:
            raise OpRejected("forbidden", "link_citizen", field)
        return parent

    def accept(self, op: Op, place: Place) -> None:
        self.accepted.append(op)
        self.places[op.record_id] = place
