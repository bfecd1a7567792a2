"""The world of the scope tests (tests/sync/test_scope.py and test_scope_properties.py):
municipalities, teams and partners, the fields by kind, and builders of viewers and places.
Derived from the specs in `schemas.entities.ENTITIES`. Not a test module."""
from __future__ import annotations

from schemas.entities import ENTITIES
from schemas.enums import CONSENT_PURPOSES, ROLES, codes
from sync.scope import PARTNER_VIEWS, Place, Viewer

IDENTITY_SHARING_PURPOSES = frozenset(p for p, view in PARTNER_VIEWS.items() if "citizen" in view)

MUNI, OTHER_MUNI = "muni-a", "muni-b"
TEAM, OTHER_TEAM = "org-team", "org-team-2"
PARTNER, OTHER_PARTNER = "org-partner", "org-partner-2"
ALL_FIELDS = {name: frozenset(spec.fields) for name, spec in ENTITIES.items()}
IDENTIFYING = {name: frozenset(f.name for f in spec.fields.values() if f.identifying) for name, spec in ENTITIES.items()}
PURPOSES = sorted(codes(CONSENT_PURPOSES))


def viewer(role: str, org: str, muni: str = MUNI) -> Viewer:
    return Viewer(user_id=f"u-{role}-{org}", role=role, org_id=org, municipality_id=muni)


def place(entity: str, muni: str = MUNI, team: str | None = TEAM, org: str | None = PARTNER, shares=(), attendees=()) -> Place:
    return Place(entity=entity, municipality_id=muni, team_id=team, org_id=org, shares=frozenset(shares),
                 attendees=frozenset(attendees))

ROLES_CODES = sorted(codes(ROLES))
