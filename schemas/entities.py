"""The registry of synced entities: their tables, fields and relations.

An entity's relations are data, read by the server and the phone alike (schemas.export):
- `parent`: the field naming the citizen a child record belongs to (course, contact,
  consent, form response). A child sits where its citizen sits (team, shares).
- `owner`: the field naming the organisation that owns the record: the citizen's team,
  the lead's referring organisation.
- `link`: a reference that is not a parent: a lead's citizen, set by a behandler and
  never shown to the referrer.
- `id_rule`: how every device derives the same id for the same thing (a consent per
  citizen, purpose and recipient), so that two phones recording it write one record.
- `under`: the field naming a record that is not a citizen which this one sits with (a
  contact attempt's lead): same municipality, seen by whoever sees that record's kind.
- `attendance`: the field listing the organisations that took part (a meeting's
  attendees) and the consent purpose each relies on, per value of another field (the
  meeting's kind): an attending partner sees the record while that consent is live.
A team-owned record (the visibility log) has an `owner` that refers to a team.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from schemas.fields import FieldSpec, Merge, field_specs
from schemas.enums import MEETING_CONSENT_PURPOSE
from schemas.records import (
    Citizen, CitizenIdentity, Consent, Contact, Course, FormResponse, Goal, Lead, LeadAttempt, Meeting, VisibilityWork,
)

# Operation kinds a client may send.
CREATE, SET, AMEND, VOID, ARCHIVE, UNARCHIVE = "create", "set", "amend", "void", "archive", "unarchive"
OP_KINDS = frozenset({CREATE, SET, AMEND, VOID, ARCHIVE, UNARCHIVE})
CITIZEN = "citizen"  # the root of the citizen records: its consents decide who else sees them


@dataclass(frozen=True)
class IdRule:
    """A record id derived from field values: uuid5(namespace, "v1|v2|…")."""

    namespace: str
    fields: tuple[str, ...]

    def derive(self, values: dict) -> str:
        return str(uuid.uuid5(uuid.UUID(self.namespace), "|".join(str(values[name]) for name in self.fields)))


@dataclass(frozen=True)
class Attendance:
    """Who took part: `field` lists {"org_id", …}; each relies on the consent purpose
    `purposes[value of by]` (a coordination meeting: coordination_meeting)."""

    field: str
    by: str
    purposes: dict[str, str]

    def pairs(self, fields: dict, team_id: str | None = None) -> frozenset[tuple[str, str]]:
        """(org_id, purpose) of every attending organisation other than the owning team."""
        purpose = self.purposes.get(fields.get(self.by))
        attendees = fields.get(self.field) or []
        if purpose is None or not isinstance(attendees, list):
            return frozenset()
        return frozenset(
            (item["org_id"], purpose) for item in attendees
            if isinstance(item, dict) and isinstance(item.get("org_id"), str) and item["org_id"] != team_id
        )


@dataclass(frozen=True)
class EntitySpec:
    name: str
    label: str  # Danish
    tables: tuple[type, ...]
    fields: dict[str, FieldSpec]
    append_only: bool = False  # contacts and form responses: amend/void, never set
    parent: str | None = None
    owner: str | None = None
    link: str | None = None
    id_rule: IdRule | None = None
    under: str | None = None
    attendance: Attendance | None = None

    @property
    def op_kinds(self) -> frozenset[str]:
        if self.append_only:
            return frozenset({CREATE, AMEND, VOID})
        kinds = {CREATE, SET}
        if "archived" in self.fields:
            kinds |= {ARCHIVE, UNARCHIVE}
        return frozenset(kinds)

    @property
    def is_citizen(self) -> bool:
        return self.name == CITIZEN

    def writable(self, field: str) -> FieldSpec | None:
        """The spec of a field a `set`/`amend` op may write, else None."""
        spec = self.fields.get(field)
        if spec is None or spec.merge in (Merge.IMMUTABLE, Merge.ARCHIVE):
            return None
        return spec

    def citizen_of(self, record_id: str, fields: dict) -> str | None:
        """The citizen whose consents decide who else may see this record."""
        if self.is_citizen:
            return record_id
        name = self.parent or self.link
        return fields.get(name) if name else None


def _entity(name: str, label: str, *tables: type, **relations) -> EntitySpec:
    fields: dict[str, FieldSpec] = {}
    for table in tables:
        fields.update(field_specs(table))
    spec = EntitySpec(name=name, label=label, tables=tables, fields=fields, **relations)
    attendance = (spec.attendance.field, spec.attendance.by) if spec.attendance else ()
    for relation in (spec.parent, spec.owner, spec.link, spec.under, *attendance, *(spec.id_rule.fields if spec.id_rule else ())):
        assert relation is None or relation in fields, (name, relation)
    return spec


CONSENT_ID = IdRule("6f1c3a2e-5b8d-4c1e-9a7f-2d4b6e8c0a13", ("citizen_id", "purpose", "recipient_org_id"))

ENTITIES: dict[str, EntitySpec] = {
    spec.name: spec
    for spec in (
        _entity(CITIZEN, "Borger", Citizen, CitizenIdentity, owner="team_id"),
        _entity("course", "Forløb", Course, parent="citizen_id"),
        _entity("contact", "Kontakt", Contact, append_only=True, parent="citizen_id"),
        _entity("consent", "Samtykke", Consent, parent="citizen_id", id_rule=CONSENT_ID),
        _entity("lead", "Henvisning", Lead, owner="org_id", link="citizen_id"),
        _entity("form_response", "Skema", FormResponse, append_only=True, parent="citizen_id"),
        _entity("lead_attempt", "Kontaktforsøg (henvisning)", LeadAttempt, append_only=True, under="lead_id"),
        _entity("meeting", "Møde", Meeting, append_only=True, parent="citizen_id",
                attendance=Attendance("attendees", "kind", MEETING_CONSENT_PURPOSE)),
        _entity("visibility", "Synlighedsarbejde", VisibilityWork, owner="team_id"),
        _entity("goal", "Mål", Goal, parent="citizen_id"),
    )
}
CHILD_ENTITIES = frozenset(name for name, spec in ENTITIES.items() if spec.parent)
