"""Scope rules: who receives which records and fields, who may write what, and that
`project()` cuts hidden fields out of every part of a record state. The properties over
generated viewers and records (no identity leaks; the server's SQL pre-filter agrees with
these rules) are in test_scope_properties.py."""
from __future__ import annotations

import json

import pytest
from scope_factories import (
    IDENTITY_SHARING_PURPOSES,
    OTHER_MUNI,
    TEAM,
    OTHER_TEAM,
    PARTNER,
    OTHER_PARTNER,
    ALL_FIELDS,
    IDENTIFYING,
    PURPOSES,
    ROLES_CODES,
    viewer,
    place,
)
from sync_factories import initial_value, value_pool
from sync_history import History

from schemas.entities import AMEND, ARCHIVE, ENTITIES, SET
from sync.merge import record_state
from sync.scope import (
    CITIZEN_RECORDS,
    LEAD_REFERRER_FIELDS,
    PARTNER_ENTITIES,
    PARTNER_VIEWS,
    SHARED_CITIZEN_FIELDS,
    Place,
    project,
    visible_fields,
    writable_fields,
)


def test_identifying_fields_are_declared():
    """The properties below rely on the specs marking identity; make sure they do."""
    assert {"initials", "name", "cpr", "phone", "address_note"} <= IDENTIFYING["citizen"]
    assert "note" in IDENTIFYING["contact"]
    assert set(ROLES_CODES) == {"behandler", "frivillig", "projektleder", "admin"}




# ----------------------------------------------------------------------------- projektleder
@pytest.mark.parametrize("entity", sorted(ENTITIES))
def test_projektleder_sees_and_writes_everything_in_own_municipality_only(entity):
    pl = viewer("projektleder", "org-admin-office")
    for p in (place(entity), place(entity, team=OTHER_TEAM, org=OTHER_PARTNER), place(entity, team=None, org=None)):
        assert visible_fields(pl, p) == ALL_FIELDS[entity]
        assert writable_fields(pl, p) == ALL_FIELDS[entity]
        elsewhere = Place(p.entity, OTHER_MUNI, p.team_id, p.org_id, p.shares)
        assert visible_fields(pl, elsewhere) is None
        assert writable_fields(pl, elsewhere) is None


# ----------------------------------------------------------------------------- behandler
@pytest.mark.parametrize("entity", sorted(CITIZEN_RECORDS))
def test_behandler_sees_citizen_records_of_own_team_only(entity):
    b = viewer("behandler", TEAM)
    assert visible_fields(b, place(entity)) == ALL_FIELDS[entity]
    assert writable_fields(b, place(entity)) == ALL_FIELDS[entity]
    for p in (place(entity, team=OTHER_TEAM), place(entity, team=None), place(entity, muni=OTHER_MUNI)):
        assert visible_fields(b, p) is None
        assert writable_fields(b, p) is None
    # a consent shared with the behandler's organisation does not widen a behandler's scope
    shared = place(entity, team=OTHER_TEAM, shares={(TEAM, "share_with_partner")})
    assert visible_fields(b, shared) is None


def test_behandler_sees_leads_of_own_municipality():
    b = viewer("behandler", TEAM)
    for org in (PARTNER, OTHER_PARTNER, None):
        assert visible_fields(b, place("lead", team=None, org=org)) == ALL_FIELDS["lead"]
        assert writable_fields(b, place("lead", team=None, org=org)) == ALL_FIELDS["lead"]
    assert visible_fields(b, place("lead", muni=OTHER_MUNI)) is None


# ----------------------------------------------------------------------------- frivillig
def test_frivillig_sees_own_leads_without_citizen_id_or_outcome():
    f = viewer("frivillig", PARTNER)
    seen = visible_fields(f, place("lead", team=None))
    assert seen == LEAD_REFERRER_FIELDS
    assert "citizen_id" not in seen and "outcome" not in seen
    # nothing of the pipeline: who claimed it, the link, how it was resolved, when
    pipeline = {"citizen_id", "outcome", "team_seen_on", "claimed_by", "resolution", "resolved_on"}
    assert ALL_FIELDS["lead"] - seen == pipeline
    assert writable_fields(f, place("lead", team=None)) == LEAD_REFERRER_FIELDS
    assert visible_fields(f, place("lead", org=OTHER_PARTNER)) is None
    assert writable_fields(f, place("lead", org=OTHER_PARTNER)) is None
    assert visible_fields(f, place("lead", muni=OTHER_MUNI)) is None


@pytest.mark.parametrize("purpose", PURPOSES)
def test_what_a_frivillig_sees_of_its_lead_does_not_depend_on_any_consent(purpose):
    """A consent of the linked citizen must not change the referrer's view of the lead: a
    view that changed with the citizen's consent would tie the lead to that citizen."""
    f = viewer("frivillig", PARTNER)
    for shares in ({(PARTNER, purpose)}, {(OTHER_PARTNER, purpose)}, set()):
        assert visible_fields(f, place("lead", shares=shares)) == LEAD_REFERRER_FIELDS
        # never writes the outcome or the link to a citizen
        assert writable_fields(f, place("lead", shares=shares)) == LEAD_REFERRER_FIELDS


@pytest.mark.parametrize("purpose", PURPOSES)
def test_frivillig_sees_a_citizen_only_with_a_live_share_consent_naming_its_org(purpose):
    f = viewer("frivillig", PARTNER)
    assert visible_fields(f, place("citizen")) is None
    assert visible_fields(f, place("citizen", shares={(OTHER_PARTNER, purpose)})) is None
    seen = visible_fields(f, place("citizen", shares={(PARTNER, purpose)}))
    if purpose in IDENTITY_SHARING_PURPOSES:
        assert seen == PARTNER_VIEWS[purpose]["citizen"]
        assert not seen & {"cpr", "address_note", "team_id", "birth_year", "sex", "children_in_home"}
    else:
        assert seen is None
    assert writable_fields(f, place("citizen", shares={(PARTNER, purpose)})) is None
    # the consent must also be in the frivillig's municipality
    assert visible_fields(f, place("citizen", muni=OTHER_MUNI, shares={(PARTNER, purpose)})) is None


@pytest.mark.parametrize("entity", sorted(set(ENTITIES) - PARTNER_ENTITIES - {"lead"}))
def test_frivillig_never_sees_contacts_consents_forms_attempts_or_the_visibility_log(entity):
    f = viewer("frivillig", PARTNER)
    shares = {(PARTNER, p) for p in PURPOSES}
    for p in (place(entity, shares=shares), place(entity, team=PARTNER, shares=shares), place(entity)):
        assert visible_fields(f, p) is None
        assert writable_fields(f, p) is None


@pytest.mark.parametrize("purpose", PURPOSES)
def test_a_meeting_purpose_shows_the_phase_and_the_meetings_the_partner_attended(purpose):
    f = viewer("frivillig", PARTNER)
    shares = {(PARTNER, purpose)}
    view = PARTNER_VIEWS.get(purpose, {})
    assert visible_fields(f, place("course", shares=shares)) == view.get("course")
    if "course" in view:
        assert view["course"] == {"citizen_id", "phase"}
    attended = place("meeting", shares=shares, attendees={(PARTNER, purpose)})
    assert visible_fields(f, attended) == view.get("meeting")
    # not a meeting it did not attend, nor one it attended under another purpose
    assert visible_fields(f, place("meeting", shares=shares)) is None
    assert visible_fields(f, place("meeting", shares=shares, attendees={(OTHER_PARTNER, purpose)})) is None
    other = "network_meeting" if purpose != "network_meeting" else "coordination_meeting"
    assert visible_fields(f, place("meeting", shares=shares, attendees={(PARTNER, other)})) is None
    # and never once the consent is gone
    assert visible_fields(f, place("meeting", attendees={(PARTNER, purpose)})) is None
    for entity in ("course", "meeting"):
        assert writable_fields(f, place(entity, shares=shares, attendees={(PARTNER, purpose)})) is None


def test_the_partner_table_names_only_fields_that_exist():
    for purpose, view in PARTNER_VIEWS.items():
        assert purpose in PURPOSES
        for entity, fields in view.items():
            assert fields and fields <= ALL_FIELDS[entity], (purpose, entity)
            assert not fields & {"cpr", "address_note", "team_id", "birth_year", "sex"}


def test_shared_citizen_fields_are_citizen_fields_without_cpr_or_address():
    assert SHARED_CITIZEN_FIELDS <= ALL_FIELDS["citizen"]
    assert not SHARED_CITIZEN_FIELDS & {"cpr", "address_note"}


# ----------------------------------------------------------------------------- admin and others
@pytest.mark.parametrize("entity", sorted(ENTITIES))
@pytest.mark.parametrize("role", ["admin", "unknown-role", ""])
def test_admin_and_unknown_roles_see_nothing(entity, role):
    v = viewer(role, TEAM)
    shares = {(TEAM, p) for p in PURPOSES}
    for p in (place(entity), place(entity, team=TEAM, org=TEAM, shares=shares)):
        assert visible_fields(v, p) is None
        assert writable_fields(v, p) is None


@pytest.mark.parametrize("role", ROLES_CODES)
def test_writable_is_never_wider_than_visible(role):
    """A device may not write what it may not read (checked over a grid of places)."""
    orgs = [TEAM, PARTNER, OTHER_PARTNER, None]
    for entity in ENTITIES:
        for team in orgs:
            for org in orgs:
                for shares in (frozenset(), frozenset({(PARTNER, "share_with_partner")}),
                               frozenset({(PARTNER, "status_to_referrer")})):
                    for v in (viewer(role, TEAM), viewer(role, PARTNER)):
                        p = place(entity, team=team, org=org, shares=shares)
                        w, r = writable_fields(v, p), visible_fields(v, p)
                        if w is not None:
                            assert r is not None and w <= r


# ----------------------------------------------------------------------------- project()
def rich_state(entity: str, salt: str = "") -> dict:
    """A real merged state with every field written, concurrent LWW edits (also_edited),
    a multi-value conflict where the entity has one, amendments for append-only entries,
    and an archive: every part `project` must cut."""
    h = History(entity, [0, 0], create_value=initial_value(ENTITIES[entity]))
    spec = ENTITIES[entity]
    kind = AMEND if spec.append_only else SET
    for f in spec.fields.values():
        if spec.writable(f.name) is None:
            continue
        pool = value_pool(f)
        h.write(0, kind, f.name, pool[1 % len(pool)])
        h.write(1, kind, f.name, pool[2 % len(pool)])  # concurrent: conflict or also_edited
    if "archived" in spec.fields:
        h.write(0, ARCHIVE, None, None)
    return record_state(entity, h.all_ops())


def mentioned_fields(state: dict) -> set[str]:
    names = set(state["fields"]) | set(state["heads"]) | set(state["history"])
    names |= {c["field"] for c in state["conflicts"]} | {e["field"] for e in state["also_edited"]}
    return names - {"granted"}


@pytest.mark.parametrize("entity", sorted(ENTITIES))
def test_project_with_all_fields_is_the_state(entity):
    state = rich_state(entity)
    assert project(state, ALL_FIELDS[entity]) == state


@pytest.mark.parametrize("entity", sorted(ENTITIES))
def test_project_removes_hidden_fields_everywhere(entity):
    state = rich_state(entity)
    # every part of the state is populated, so the test is not vacuous
    assert state["heads"] and (state["also_edited"] or state["history"])
    fields = sorted(ALL_FIELDS[entity])
    for keep in (frozenset(), frozenset(fields[: len(fields) // 2]), frozenset(fields[1:]), frozenset(fields[::2])):
        out = project(state, keep)
        assert mentioned_fields(out) <= keep
        assert out["partial"] is True
        for gone in ("original", "amendments", "void", "created_by"):
            assert gone not in out
        # what stays is untouched
        for name in keep & set(state["fields"]):
            assert out["fields"][name] == state["fields"][name]
        # and the input is not mutated
        assert "partial" not in state


def test_project_cuts_a_conflict_on_a_hidden_field():
    state = rich_state("course")
    assert {c["field"] for c in state["conflicts"]} >= {"phase"}
    out = project(state, ALL_FIELDS["course"] - {"phase"})
    assert "phase" not in {c["field"] for c in out["conflicts"]}
    assert "phase" not in out["history"] and "phase" not in out["heads"]


CONFIDENTIAL = {name: frozenset(f for f, spec in e.fields.items() if spec.confidential) for name, e in ENTITIES.items()}


@pytest.mark.parametrize("entity", sorted(e for e, fields in CONFIDENTIAL.items() if fields))
@pytest.mark.parametrize("role", ["frivillig", "admin"])
def test_confidential_fields_reach_only_the_team_and_the_projektleder(entity, role):
    """Children in the home and the safety note: every consent live, every attendance, and a
    partner or volunteer still never receives them (nor may write them)."""
    assert {"children_in_home", "children_count", "safety_note", "safety_flags"} <= CONFIDENTIAL["citizen"]
    everything = {(org, purpose) for org in (PARTNER, OTHER_PARTNER) for purpose in PURPOSES}
    for org in (PARTNER, OTHER_PARTNER, TEAM):
        p = place(entity, shares=everything, attendees=everything)
        for rule in (visible_fields, writable_fields):
            assert not ((rule(viewer(role, org), p) or frozenset()) & CONFIDENTIAL[entity])
    for role_here, org in (("behandler", TEAM), ("projektleder", "org-admin-office")):
        assert visible_fields(viewer(role_here, org), place(entity)) >= CONFIDENTIAL[entity]


def test_project_of_a_shared_citizen_shows_only_the_shared_fields():
    f = viewer("frivillig", PARTNER)
    p = place("citizen", shares={(PARTNER, "share_with_partner")})
    out = project(rich_state("citizen"), visible_fields(f, p))
    assert mentioned_fields(out) <= SHARED_CITIZEN_FIELDS
    text = json.dumps(out)
    for name in ("cpr", "address_note"):
        assert f'"{name}"' not in text
