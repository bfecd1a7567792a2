"""Deciding one pushed op at a time: is it well-formed, from this device, and may this
user make this change to this record now? `Batch` keeps what earlier ops of the same
push established (records they created, teams they moved), so a batch may create a
citizen and then its course.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from sqlmodel import Session, select

from schemas.accounts import Organisation, User
from schemas.entities import AMEND, ARCHIVE, CREATE, ENTITIES, SET, UNARCHIVE, VOID
from schemas.fields import Merge
from schemas.forms import check_answers
from schemas.oplog import RecordSnapshot
from server.auth.sessions import viewer_of
from server.core.clock import ServerClock
from server.sync.places import load_places, load_shares, sharing_citizen, to_place
from sync import scope
from sync.ops import Op, OpRejected, parse


class Batch:
    """State of one push while its ops are checked one by one, in order."""

    def __init__(self, db: Session, user: User, device_id: str | None, clock: ServerClock):
        self.db, self.user, self.device_id, self.clock = db, user, device_id, clock
        self.viewer = viewer_of(user)
        self.now_ms = clock.now_ms()
        self.orgs = {
            org.id: org for org in db.exec(select(Organisation).where(Organisation.municipality_id == user.municipality_id))
        }
        self.places: dict[str, dict] = {}
        self.shares: dict[str, frozenset] = {}
        self.accepted: list[Op] = []
        self.rejected: list[tuple[object, OpRejected]] = []

    # -- checking ---------------------------------------------------------------
    def parse_all(self, raw_ops: list) -> list[tuple[object, Op | OpRejected]]:
        out = []
        for raw in raw_ops:
            try:
                op = parse(raw, now_ms=self.now_ms, max_drift_ms=self.clock.max_drift_ms)
                if self.device_id is not None and op.device_id != self.device_id:
                    raise OpRejected("device_mismatch", "Ændringens device_id er ikke den enhed, der sender.", "device_id")
                out.append((raw, dataclasses.replace(op, user_id=self.user.id)))
            except OpRejected as error:
                out.append((raw, error))
        return out

    def preload(self, ops: Iterable[Op]) -> None:
        ids: set[str] = set()
        for op in ops:
            ids.add(op.record_id)
            if op.kind == CREATE and "citizen_id" in op.value:
                ids.add(op.value["citizen_id"])
            elif op.field == "citizen_id":
                ids.add(op.value)
        self.places = load_places(self.db, ids)
        citizens = [sharing_citizen(rid, place) for rid, place in self.places.items()]
        self.shares = load_shares(self.db, [c for c in citizens if c])

    def authorize(self, op: Op) -> dict:
        """Return the record's place if the user may apply `op`, else raise OpRejected."""
        place = self.places.get(op.record_id)
        if place is not None and (place["entity"] != op.entity or place["municipality_id"] != self.user.municipality_id):
            # Another kind of record, or another municipality's: say no more than "taken"/"not found".
            if op.kind == CREATE:
                raise OpRejected("conflicting_create", "Id'et er allerede i brug. Opret oplysningen med et nyt id.", "record_id")
            raise OpRejected("record_not_found", "Oplysningen findes ikke på serveren. Opret den først.", "record_id")
        if place is None:
            if op.kind != CREATE:
                raise OpRejected("record_not_found", "Oplysningen findes ikke på serveren. Opret den først.", "record_id")
            place = self.new_place(op)
        elif op.kind == CREATE:
            self.check_recreate(op, place)
        written = self.fields_written(op)
        allowed = scope.writable_fields(self.viewer, to_place(op.record_id, place, self.shares))
        if allowed is None:
            raise OpRejected("forbidden", "Du har ikke ret til at ændre denne oplysning. Ændringen er gemt til gennemsyn hos projektlederen.", "record_id")
        denied = sorted(written - allowed)
        if denied:
            raise OpRejected("forbidden", f"Du har ikke ret til at ændre feltet '{denied[0]}'.", denied[0])
        if op.kind == SET and op.entity == "citizen" and op.field == "team_id":
            self.check_team(op.value)
            moved = {**place, "team_id": op.value}
            if scope.writable_fields(self.viewer, to_place(op.record_id, moved, self.shares)) is None:
                raise OpRejected("forbidden", "Du kan ikke flytte borgeren til et team, du ikke selv har adgang til.", "team_id")
        if op.entity == "lead" and op.kind == SET and op.field == "citizen_id":
            self.check_visible_citizen(op.value, "citizen_id")
        if op.entity == "form_response" and op.kind == AMEND and op.field == "answers":
            self.check_amended_answers(op)
        return place

    def check_recreate(self, op: Op, place: dict) -> None:
        """A second `create` of an existing record (two phones recording the same consent,
        a resend with a new op id) may not move it or change what is immutable."""
        again = self.new_place(op)
        if any(again.get(key) != place.get(key) for key in ("municipality_id", "team_id", "org_id", "citizen_id")):
            raise OpRejected("conflicting_create", "Id'et er allerede i brug af en anden oplysning. Opret den med et nyt id.", "record_id")
        stored = self.created_values(op.record_id)
        for name, spec in ENTITIES[op.entity].fields.items():
            if spec.merge == Merge.IMMUTABLE and name in op.value and op.value[name] != stored.get(name):
                raise OpRejected("conflicting_create", f"Feltet '{name}' kan ikke ændres, når oplysningen er oprettet.", name)

    def created_values(self, record_id: str) -> dict:
        created = next((a for a in self.accepted if a.record_id == record_id and a.kind == CREATE), None)
        if created is not None:
            return created.value
        return self.db.get(RecordSnapshot, record_id).state["fields"]

    def check_amended_answers(self, op: Op) -> None:
        """Corrected answers must fit the form of the response they correct."""
        problem = check_answers(self.created_values(op.record_id)["form"], op.value)
        if problem:
            raise OpRejected("invalid_value", problem[1], f"answers.{problem[0]}")

    def fields_written(self, op: Op) -> frozenset[str]:
        if op.kind == CREATE:
            return frozenset(op.value)
        if op.kind in (ARCHIVE, UNARCHIVE):
            return frozenset({"archived"})
        if op.kind == VOID:
            return frozenset()
        return frozenset({op.field})

    def new_place(self, op: Op) -> dict:
        value, municipality = op.value, self.user.municipality_id
        if op.entity == "citizen":
            self.check_team(value["team_id"])
            return {"entity": "citizen", "municipality_id": municipality, "team_id": value["team_id"]}
        if op.entity == "lead":
            self.check_org(value["org_id"], "org_id")
            if value.get("citizen_id"):
                self.check_visible_citizen(value["citizen_id"], "citizen_id")
            return {"entity": "lead", "municipality_id": municipality, "org_id": value["org_id"], "citizen_id": value.get("citizen_id")}
        parent = self.check_citizen(value["citizen_id"], "citizen_id")
        if op.entity == "consent":
            self.check_org(value["recipient_org_id"], "recipient_org_id")
        return {"entity": op.entity, "municipality_id": parent["municipality_id"], "team_id": parent["team_id"], "citizen_id": value["citizen_id"]}

    def check_org(self, org_id: str, field: str) -> Organisation:
        org = self.orgs.get(org_id)
        if org is None:
            raise OpRejected("invalid_value", "Organisationen findes ikke i din kommune.", field)
        return org

    def check_team(self, org_id: str) -> None:
        if self.check_org(org_id, "team_id").kind != "rusmiddelcenter":
            raise OpRejected("invalid_value", "Borgerens team skal være et team i rusmiddelcentret.", "team_id")

    def check_citizen(self, citizen_id: str, field: str) -> dict:
        parent = self.places.get(citizen_id)
        if parent is None or parent["entity"] != "citizen" or parent["municipality_id"] != self.user.municipality_id:
            raise OpRejected("record_not_found", "Borgeren findes ikke (endnu) på serveren.", field)
        return parent

    def check_visible_citizen(self, citizen_id: str, field: str) -> dict:
        """A lead may only be linked to a citizen the linking worker may see."""
        parent = self.check_citizen(citizen_id, field)
        if scope.visible_fields(self.viewer, to_place(citizen_id, parent, self.shares)) is None:
            raise OpRejected("forbidden", "Du har ikke adgang til den borger, du vil knytte henvendelsen til.", field)
        return parent

    def accept(self, op: Op, place: dict) -> None:
        self.accepted.append(op)
        if op.record_id not in self.places:
            self.places[op.record_id] = place
        if op.kind == SET and op.entity == "citizen" and op.field == "team_id":
            self.places[op.record_id] = {**self.places[op.record_id], "team_id": op.value}
