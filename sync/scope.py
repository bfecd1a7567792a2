"""Scope rules: who may see which records and fields, and who may change what.

One table of rules (`SCOPE_RULES`), read by both `visible_fields` (what a device
receives) and `writable_fields` (what the server accepts). The server's SQL pre-filter
must agree with these functions; tests/sync/test_scope.py checks that it does.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from schemas.entities import CHILD_ENTITIES, CITIZEN, ENTITIES
from schemas.enums import IDENTITY_SHARING_PURPOSES
from schemas.fields import Ref

CITIZEN_RECORDS = frozenset({CITIZEN, *CHILD_ENTITIES})
# What a partner organisation may see of a citizen who consented to share with it.
SHARED_CITIZEN_FIELDS = frozenset({"code", "initials", "name", "phone"})
# What a referrer sees of its own leads: never which citizen a lead became, nor the
# behandler's outcome code — its stage (sync.derive.lead_stage) is sent instead. It does
# not depend on any consent of the citizen: nothing a referrer receives may change when
# that citizen's consents change, or the change would tie the lead to the citizen.
LEAD_REFERRER_FIELDS = frozenset(ENTITIES["lead"].fields) - {"citizen_id", "outcome"}

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

    def shared_with(self, org_id: str, purposes: frozenset[str]) -> bool:
        return any(org == org_id and purpose in purposes for org, purpose in self.shares)

    def with_shares(self, shares: dict[str, frozenset]) -> Place:
        """The place with the live consents of its citizen (`shares`: citizen → pairs)."""
        return replace(self, shares=shares.get(self.citizen_id, frozenset()) if self.citizen_id else frozenset())

    def scope_columns(self) -> dict:
        """The columns the server stores (a citizen's own id is not stored as its citizen_id)."""
        citizen = None if ENTITIES[self.entity].is_citizen else self.citizen_id
        return {"entity": self.entity, "municipality_id": self.municipality_id, "team_id": self.team_id,
                "org_id": self.org_id, "citizen_id": citizen}

    def to_json(self) -> dict:
        return {**self.scope_columns(), "citizen_id": self.citizen_id, "shares": sorted([list(pair) for pair in self.shares])}

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
                   shares=frozenset(tuple(pair) for pair in data.get("shares", [])))


def place_of(entity: str, record_id: str, fields: dict, municipality_id: str, parent: Place | None = None) -> Place:
    """Where a record with these fields sits. A child record (course, contact, …) sits
    with its citizen (`parent`): same municipality and team."""
    spec = ENTITIES[entity]
    owner = fields.get(spec.owner) if spec.owner else None
    owner_is_team = spec.owner is not None and spec.fields[spec.owner].ref == Ref.TEAM
    if spec.parent:
        assert parent is not None, "a child record needs its citizen's place"
        return Place(entity=entity, municipality_id=parent.municipality_id, team_id=parent.team_id,
                     citizen_id=fields.get(spec.parent))
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


def _shared_citizen(viewer: Viewer, place: Place):
    return SHARED_CITIZEN_FIELDS if place.shared_with(viewer.org_id, IDENTITY_SHARING_PURPOSES) else None


SCOPE_RULES: dict[str, dict[str, tuple]] = {
    "projektleder": {entity: (_municipality, _municipality) for entity in ENTITIES},
    "behandler": {
        **{entity: (_own_team, _own_team) for entity in CITIZEN_RECORDS},
        "lead": (_municipality, _municipality),
    },
    "frivillig": {
        "citizen": (_shared_citizen, _nothing),
        "lead": (_own_lead, _own_lead_write),
    },
    "admin": {},  # administrators manage accounts and devices, never citizen data
}


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
    out["conflicts"] = [c for c in state["conflicts"] if c["field"] in keep]
    # Who else edited, and when the record was made or changed, is the team's business.
    out["also_edited"] = [
        {k: v for k, v in c.items() if k not in ("user_id", "device_id", "hlc")}
        for c in state["also_edited"] if c["field"] in keep
    ]
    out["history"] = {k: v for k, v in state["history"].items() if k in keep}
    for key in ("original", "amendments", "void", "created_by", "created_hlc", "updated_hlc"):
        out.pop(key, None)
    out["partial"] = True
    return out
