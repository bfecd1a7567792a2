"""Scope rules: who may see which records and fields, and who may change what.

One table of rules (`SCOPE_RULES`), read by both `visible_fields` (what a device
receives) and `writable_fields` (what the server accepts). The server's SQL pre-filter
must agree with these functions; tests/sync/test_scope_properties.py checks that it does.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from schemas.entities import CHILD_ENTITIES, CITIZEN, ENTITIES
from schemas.fields import Ref

CITIZEN_RECORDS = frozenset({CITIZEN, *CHILD_ENTITIES})

# What a live consent reveals to the recipient organisation's users: consent purpose →
# entity → fields. A partner organisation sees a citizen's record exactly while a consent
# naming it is live for a purpose listed here (server/sync/push.py keeps those consents in
# `share`; a withdrawal evicts the records at the next pull). A meeting is seen only by
# the organisations that attended it, each under the consent it relied on (`attendance`).
# Purposes not listed (participation, status_to_referrer, …) reveal nothing to anyone.
MEETING_PARTNER_FIELDS = frozenset({
    "citizen_id", "kind", "held_on", "duration_minutes", "citizen_present", "attendees",
    "status_since_last", "agreements", "next_steps", "who_does_what", "minutes",
})
PARTNER_VIEWS: dict[str, dict[str, frozenset[str]]] = {
    # "Videregivelse af oplysninger til samarbejdspartner": what the consent form names.
    "share_with_partner": {"citizen": frozenset({"code", "initials", "name", "phone"})},
    # Coordination and network meetings: who it is, the phase, the meetings they attended.
    "coordination_meeting": {
        "citizen": frozenset({"code", "initials"}),
        "course": frozenset({"citizen_id", "phase"}),
        "meeting": MEETING_PARTNER_FIELDS,
    },
    "network_meeting": {
        "citizen": frozenset({"code", "initials"}),
        "course": frozenset({"citizen_id", "phase"}),
        "meeting": MEETING_PARTNER_FIELDS,
    },
}
# Fields only the citizen's team and the projektleder see (`confidential` on the column:
# children in the home, the safety note): no consent ever reveals them to a partner.
CONFIDENTIAL_FIELDS: dict[str, frozenset[str]] = {
    name: frozenset(f for f, spec in entity.fields.items() if spec.confidential) for name, entity in ENTITIES.items()
}
assert all(not (fields & CONFIDENTIAL_FIELDS[entity]) for view in PARTNER_VIEWS.values() for entity, fields in view.items())
# The purposes whose live consents are kept in `share` (they change what someone sees).
SHARING_PURPOSES = frozenset(PARTNER_VIEWS)
# The entities some consent reveals to a partner.
PARTNER_ENTITIES = frozenset(entity for view in PARTNER_VIEWS.values() for entity in view)
# What a partner organisation may see of a citizen who consented to share with it.
SHARED_CITIZEN_FIELDS = PARTNER_VIEWS["share_with_partner"]["citizen"]


def purposes_revealing(entity: str) -> frozenset[str]:
    """The consent purposes that reveal something of `entity` to the recipient."""
    return frozenset(purpose for purpose, view in PARTNER_VIEWS.items() if entity in view)


# What a referrer sees of its own leads: what it wrote itself — never which citizen a lead
# became, who claimed it, its attempts or how it was closed; its stage
# (sync.derive.lead_stage) is sent instead. It does not depend on any consent of the
# citizen: nothing a referrer receives may change when that citizen's consents change, or
# the change would tie the lead to the citizen.
LEAD_REFERRER_FIELDS = frozenset({"org_id", "seen_on", "place_type", "area", "age_band", "sex", "concerns", "archived"})
assert LEAD_REFERRER_FIELDS <= frozenset(ENTITIES["lead"].fields)

# (role, entity) pairs delivered as a whole set on every pull's last page, without
# sequence numbers, instead of in the cursor stream: a volunteer's own leads. A lead in
# the stream would carry the seq of the push that linked it — the same push that may make
# the citizen appear to the volunteer's organisation.
DELIVERED_AS_SET = frozenset({("frivillig", "lead")})


@dataclass(frozen=True)
class Viewer:
    user_id: str
    role: str
    org_id: str
    municipality_id: str


@dataclass(frozen=True)
class Place:
    """Where a record sits: its entity and the facts that decide who may see it.

    Built in one place, `place_of` (from a record's fields) or `Place.from_columns` (from
    the scope columns the server stores); `shares` are added for a decision.
    """

    entity: str
    municipality_id: str
    team_id: str | None = None  # the team that owns the citizen (citizen records)
    org_id: str | None = None  # the organisation that noted a lead
    # The citizen whose consents decide who else sees the record: the citizen itself,
    # a child's citizen, a lead's linked citizen.
    citizen_id: str | None = None
    # (org_id, purpose) pairs of live consents of the record's citizen
    shares: frozenset[tuple[str, str]] = field(default_factory=frozenset)
    # (org_id, purpose) of the organisations that attended (a meeting) and the consent
    # purpose each relied on; stored in `attendance` (server/sync/meetings.py)
    attendees: frozenset[tuple[str, str]] = field(default_factory=frozenset)

    def shared_with(self, org_id: str, purposes: frozenset[str]) -> bool:
        return any(org == org_id and purpose in purposes for org, purpose in self.shares)

    def with_shares(self, shares: dict[str, frozenset], attendance: dict[str, frozenset] | None = None,
                    record_id: str | None = None) -> Place:
        """The place with the live consents of its citizen (`shares`: citizen → pairs) and,
        for a record with attendance, who attended (`attendance`: record id → pairs)."""
        place = replace(self, shares=shares.get(self.citizen_id, frozenset()) if self.citizen_id else frozenset())
        if attendance is not None and record_id is not None and ENTITIES[self.entity].attendance:
            place = replace(place, attendees=attendance.get(record_id, frozenset()))
        return place

    def scope_columns(self) -> dict:
        """The columns the server stores (a citizen's own id is not stored as its citizen_id)."""
        citizen = None if ENTITIES[self.entity].is_citizen else self.citizen_id
        return {"entity": self.entity, "municipality_id": self.municipality_id, "team_id": self.team_id,
                "org_id": self.org_id, "citizen_id": citizen}

    def to_json(self) -> dict:
        out = {**self.scope_columns(), "citizen_id": self.citizen_id, "shares": sorted([list(pair) for pair in self.shares])}
        if self.attendees:
            out["attendees"] = sorted([list(pair) for pair in self.attendees])
        return out

    @classmethod
    def from_columns(cls, row, record_id: str | None = None) -> Place:
        """From a row (or dict) with the scope columns. A citizen's own id is its sharing citizen."""
        get = row.get if isinstance(row, dict) else lambda key: getattr(row, key)
        entity = get("entity")
        citizen = get("citizen_id")
        if ENTITIES[entity].is_citizen:
            citizen = record_id or get("id")
        return cls(entity=entity, municipality_id=get("municipality_id"), team_id=get("team_id"),
                   org_id=get("org_id"), citizen_id=citizen)

    @classmethod
    def from_json(cls, data: dict) -> Place:
        """From `to_json` (scope_changes.old_place); older rows lack a citizen's own id,
        which only matters for its shares, and those are stored with it."""
        return cls(entity=data["entity"], municipality_id=data["municipality_id"], team_id=data.get("team_id"),
                   org_id=data.get("org_id"), citizen_id=data.get("citizen_id"),
                   shares=frozenset(tuple(pair) for pair in data.get("shares", [])),
                   attendees=frozenset(tuple(pair) for pair in data.get("attendees", [])))


def place_of(entity: str, record_id: str, fields: dict, municipality_id: str, parent: Place | None = None) -> Place:
    """Where a record with these fields sits. A child record (course, contact, meeting …)
    sits with its citizen (`parent`): same municipality and team, and a meeting with the
    organisations that attended it. A record `under` another (a lead's contact attempt)
    sits in that record's municipality, tied to no citizen and no organisation."""
    spec = ENTITIES[entity]
    owner = fields.get(spec.owner) if spec.owner else None
    owner_is_team = spec.owner is not None and spec.fields[spec.owner].ref == Ref.TEAM
    if spec.parent:
        assert parent is not None, "a child record needs its citizen's place"
        attendees = spec.attendance.pairs(fields, parent.team_id) if spec.attendance else frozenset()
        return Place(entity=entity, municipality_id=parent.municipality_id, team_id=parent.team_id,
                     citizen_id=fields.get(spec.parent), attendees=attendees)
    if spec.under:
        assert parent is not None, "a record under another needs that record's place"
        return Place(entity=entity, municipality_id=parent.municipality_id)
    return Place(
        entity=entity,
        municipality_id=municipality_id,
        team_id=owner if owner_is_team else None,
        org_id=owner if spec.owner and not owner_is_team else None,
        citizen_id=record_id if spec.is_citizen else (fields.get(spec.link) if spec.link else None),
    )


ALL = "all"

# role → entity → (rule for reading, rule for writing). A rule is a function of
# (viewer, place) returning the visible/writable field names, ALL, or None.
def _own_team(viewer: Viewer, place: Place):
    return ALL if place.team_id == viewer.org_id else None


def _municipality(viewer: Viewer, place: Place):
    return ALL


def _nothing(viewer: Viewer, place: Place):
    return None


def _own_lead(viewer: Viewer, place: Place):
    return LEAD_REFERRER_FIELDS if place.org_id == viewer.org_id else None


def _own_lead_write(viewer: Viewer, place: Place):
    return LEAD_REFERRER_FIELDS if place.org_id == viewer.org_id else None


def _partner(viewer: Viewer, place: Place):
    """What the live consents naming the viewer's organisation reveal (PARTNER_VIEWS); a
    record with attendance only to an organisation that attended under that consent."""
    fields: set[str] = set()
    needs_attendance = ENTITIES[place.entity].attendance is not None
    for org, purpose in place.shares:
        view = PARTNER_VIEWS.get(purpose, {}).get(place.entity) if org == viewer.org_id else None
        if view is not None and (not needs_attendance or (org, purpose) in place.attendees):
            fields |= view
    return frozenset(fields) or None


# Records no citizen owns: the leads and their attempts (the municipality's), the
# visibility log (a team's).
LEAD_RECORDS = frozenset(name for name, spec in ENTITIES.items() if name == "lead" or spec.under)
TEAM_RECORDS = frozenset(
    name for name, spec in ENTITIES.items()
    if not spec.parent and not spec.is_citizen and spec.owner and spec.fields[spec.owner].ref == Ref.TEAM
)

SCOPE_RULES: dict[str, dict[str, tuple]] = {
    "projektleder": {entity: (_municipality, _municipality) for entity in ENTITIES},
    "behandler": {
        **{entity: (_own_team, _own_team) for entity in CITIZEN_RECORDS | TEAM_RECORDS},
        **{entity: (_municipality, _municipality) for entity in LEAD_RECORDS},
    },
    "frivillig": {
        **{entity: (_partner, _nothing) for entity in PARTNER_ENTITIES},
        "lead": (_own_lead, _own_lead_write),
    },
    "admin": {},  # administrators manage accounts and devices, never citizen data
}
# The read rule of each role and entity by name, for the server's SQL pre-filter
# (server/sync/pull.py builds one SQL condition per name; tests check they agree).
RULE_NAMES = {_own_team: "own_team", _municipality: "municipality", _nothing: "nothing", _own_lead: "own_lead",
              _partner: "partner"}


def read_rules(role: str) -> dict[str, str]:
    """entity → the name of the role's read rule for it."""
    return {entity: RULE_NAMES[rules[0]] for entity, rules in SCOPE_RULES.get(role, {}).items()}


def sees_entity(role: str, entity: str) -> bool:
    """Whether the role may see records of this entity at all (some of them)."""
    return entity in SCOPE_RULES.get(role, {})


def _apply(rule_index: int, viewer: Viewer, place: Place, entity_fields: frozenset[str]) -> frozenset[str] | None:
    if viewer.municipality_id != place.municipality_id:
        return None
    rules = SCOPE_RULES.get(viewer.role, {}).get(place.entity)
    if rules is None:
        return None
    result = rules[rule_index](viewer, place)
    if result is None:
        return None
    return entity_fields if result == ALL else frozenset(result)


def visible_fields(viewer: Viewer, place: Place) -> frozenset[str] | None:
    """The fields of the record the viewer may receive, or None if not the record at all."""
    return _apply(0, viewer, place, frozenset(ENTITIES[place.entity].fields))


def writable_fields(viewer: Viewer, place: Place) -> frozenset[str] | None:
    """The fields the viewer may write on the record, or None if not at all."""
    return _apply(1, viewer, place, frozenset(ENTITIES[place.entity].fields))


def project(state: dict, fields: frozenset[str]) -> dict:
    """The part of a record state the viewer may see: fields, heads, conflicts, history."""
    entity_fields = frozenset(ENTITIES[state["entity"]].fields)
    if fields >= entity_fields:
        return state
    keep = fields | {"granted"}
    out = {**state}
    out["fields"] = {k: v for k, v in state["fields"].items() if k in keep}
    out["heads"] = {k: v for k, v in state["heads"].items() if k in keep}
    # Who else edited, and when the record was made or changed, is the team's business.
    out["conflicts"] = [
        {**c, "values": [_anonymous(value) for value in c["values"]]} for c in state["conflicts"] if c["field"] in keep
    ]
    out["also_edited"] = [_anonymous(c) for c in state["also_edited"] if c["field"] in keep]
    out["history"] = {k: [_anonymous(write) for write in v] for k, v in state["history"].items() if k in keep}
    for key in ("original", "amendments", "void", "created_by", "created_hlc", "updated_hlc"):
        out.pop(key, None)
    out["partial"] = True
    return out


def _anonymous(write: dict) -> dict:
    return {k: v for k, v in write.items() if k not in ("user_id", "device_id", "hlc")}
