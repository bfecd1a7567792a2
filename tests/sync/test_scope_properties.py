"""Scope properties over generated viewers, places and records: no identifying field
reaches a frivillig without a live consent that reveals it (sentinel values written in the
create, a concurrent edit and an amendment), and the server's SQL pre-filter agrees with
the pure rules of sync/scope.py. The rules role by role are in test_scope.py."""
from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scope_factories import (
    IDENTITY_SHARING_PURPOSES,
    MUNI,
    OTHER_MUNI,
    TEAM,
    PARTNER,
    OTHER_PARTNER,
    ALL_FIELDS,
    IDENTIFYING,
    PURPOSES,
    ROLES_CODES,
    viewer,
    place,
)
from sync_factories import examples, initial_value, uid
from sync_history import History

from schemas.entities import AMEND, ENTITIES, SET
from sync.merge import record_state
from sync.scope import (
    LEAD_REFERRER_FIELDS,
    PARTNER_ENTITIES,
    PARTNER_VIEWS,
    Place,
    Viewer,
    project,
    visible_fields,
)


# ----------------------------------------------------------------------------- property: no identity leaks
SENTINELS = {
    ("citizen", "initials"): "QXJ",
    ("citizen", "name"): "Sentinel Navnesen",
    ("citizen", "cpr"): "311299-9871",
    ("citizen", "phone"): "+45 98 76 54 32",
    ("citizen", "address_note"): "Sentinelvej 13, kælderen",
    ("citizen", "notification_by"): "SENTINEL underretter",
    ("citizen", "safety_note"): "SENTINEL sikkerhed",
    ("contact", "note"): "SENTINEL kontaktnotat",
    ("meeting", "status_since_last"): "SENTINEL status",
    ("meeting", "agreements"): "SENTINEL aftaler",
    ("meeting", "next_steps"): "SENTINEL næste",
    ("meeting", "who_does_what"): "SENTINEL hvem",
    ("meeting", "minutes"): "SENTINEL referat",
    ("goal", "wording"): "SENTINEL mål",
}
LEAD_CITIZEN = uid("sentinel-linked-citizen")


def sentinel_state(entity: str) -> dict:
    """A record whose identifying values (and a lead's linked citizen) are unique strings,
    written in the create, in a concurrent edit (also_edited) and in an amendment."""
    spec = ENTITIES[entity]
    value = initial_value(spec)
    for (e, name), text in SENTINELS.items():
        if e == entity:
            value[name] = text
    assert {n for (e, n) in SENTINELS if e == entity} == IDENTIFYING[entity], "a new identifying field needs a sentinel"
    if entity == "lead":
        value["citizen_id"] = LEAD_CITIZEN
    h = History(entity, [0, 0], create_value=value)
    kind = AMEND if spec.append_only else SET
    for (e, name), text in SENTINELS.items():
        if e == entity:
            # two concurrent edits that both carry the sentinel: one wins, one is "also edited"
            h.write(0, kind, name, text + "0")
            h.write(1, kind, name, text + "1")
    if entity == "lead":
        h.write(1, SET, "citizen_id", LEAD_CITIZEN)
    return record_state(entity, h.all_ops())


SENTINEL_STATES = {entity: sentinel_state(entity) for entity in ENTITIES}

orgs = st.sampled_from([TEAM, PARTNER, OTHER_PARTNER])
# Biased towards the interesting cases: frivillige, citizens and leads, the same
# municipality, and consents for the sharing purposes.
purposes = st.sampled_from(sorted(IDENTITY_SHARING_PURPOSES)) | st.sampled_from(PURPOSES)
places = st.builds(
    Place,
    entity=st.sampled_from(["citizen", "lead"]) | st.sampled_from(sorted(ENTITIES)),
    municipality_id=st.sampled_from([MUNI, MUNI, MUNI, OTHER_MUNI]),
    team_id=st.none() | orgs,
    org_id=st.none() | orgs,
    shares=st.frozensets(st.tuples(orgs, purposes), max_size=4),
    attendees=st.frozensets(st.tuples(orgs, purposes), max_size=3),
)
viewers = st.builds(
    Viewer,
    user_id=st.just("u"),
    role=st.just("frivillig") | st.sampled_from(ROLES_CODES),
    org_id=orgs,
    municipality_id=st.sampled_from([MUNI, MUNI, MUNI, OTHER_MUNI]),
)


@settings(max_examples=examples(300))
@given(viewers, places)
def test_no_identifying_field_reaches_a_frivillig_without_a_live_consent_that_reveals_it(v, p):
    fields = visible_fields(v, p)
    if fields is None:
        return  # the device never receives the record
    out = json.dumps(project(SENTINEL_STATES[p.entity], fields), ensure_ascii=False)
    if v.role == "projektleder":
        assert v.municipality_id == p.municipality_id
    if v.role == "behandler" and p.entity not in ("lead", "lead_attempt"):
        assert p.team_id == v.org_id
    if v.role != "frivillig":
        assert v.role in ("projektleder", "behandler")
        return
    # What the live consents naming the frivillig's organisation reveal (a meeting: only
    # under a consent it attended with), and nothing else.
    revealed: set[str] = set()
    for org, purpose in p.shares:
        view = PARTNER_VIEWS.get(purpose, {}).get(p.entity)
        if org == v.org_id and view and (p.entity != "meeting" or (org, purpose) in p.attendees):
            revealed |= view
    for (entity, name), text in SENTINELS.items():
        if entity == p.entity and text in out:
            assert name in revealed, f"{entity}.{name} reached a frivillig without a consent revealing it"
    for name in IDENTIFYING[p.entity] - revealed:
        assert f'"{name}"' not in out
    assert p.entity in ("lead", *PARTNER_ENTITIES)
    if p.entity == "lead":
        assert LEAD_CITIZEN not in out, "a lead's linked citizen reached the referrer"
        assert p.org_id == v.org_id
        assert fields == LEAD_REFERRER_FIELDS
    else:
        assert fields <= revealed and v.municipality_id == p.municipality_id


def test_the_sentinels_do_reach_someone_allowed():
    """Guard against a vacuous property: a projektleder sees every sentinel."""
    for entity, state in SENTINEL_STATES.items():
        out = json.dumps(project(state, ALL_FIELDS[entity]), ensure_ascii=False)
        for (e, _), text in SENTINELS.items():
            if e == entity:
                assert text in out
        if entity == "lead":
            assert LEAD_CITIZEN in out
    shared = project(
        SENTINEL_STATES["citizen"],
        visible_fields(viewer("frivillig", PARTNER), place("citizen", shares={(PARTNER, "share_with_partner")})),
    )
    assert SENTINELS[("citizen", "initials")] in json.dumps(shared, ensure_ascii=False)


# ----------------------------------------------------------------------------- the server's SQL pre-filter
# sync/scope.py promises that the server's SQL pre-filter (server.sync.pull.scope_filter)
# selects exactly the records for which visible_fields(...) is not None.
records_rows = st.lists(
    st.fixed_dictionaries(
        {
            "entity": st.sampled_from(["citizen", "lead"]) | st.sampled_from(sorted(ENTITIES)),
            "municipality_id": st.sampled_from([MUNI, MUNI, OTHER_MUNI]),
            "team_id": st.none() | orgs,
            "org_id": st.none() | orgs,
            "citizen_id": st.none() | st.sampled_from(["rec-0", "rec-1", "cit-x"]),
        }
    ),
    min_size=1,
    max_size=6,
)
share_rows = st.frozensets(st.tuples(st.sampled_from(["rec-0", "rec-1", "rec-2", "cit-x"]), orgs, purposes), max_size=6)
attendance_rows = st.frozensets(st.tuples(st.sampled_from(["rec-0", "rec-1", "rec-2", "rec-3"]), orgs, purposes), max_size=6)


@pytest.fixture(scope="module")
def scope_db():
    sqlmodel = pytest.importorskip("sqlmodel")
    from schemas.oplog import Attendance, RecordSnapshot, Share

    engine = sqlmodel.create_engine("sqlite://")
    sqlmodel.SQLModel.metadata.create_all(engine, tables=[RecordSnapshot.__table__, Share.__table__, Attendance.__table__])
    return engine


ALL_VIEWERS = [
    Viewer(f"u-{role}-{org}-{muni}", role, org, muni)
    for role in ROLES_CODES
    for org in (TEAM, PARTNER, OTHER_PARTNER)
    for muni in (MUNI, OTHER_MUNI)
]


@settings(max_examples=examples(100), deadline=None)
@given(records_rows, share_rows, attendance_rows)
def test_the_server_sql_prefilter_agrees_with_visible_fields(scope_db, rows, shares, attendance):
    from sqlmodel import Session, delete, select

    from schemas.oplog import Attendance, RecordSnapshot, Share
    from server.sync.places import with_shares
    from server.sync.pull import scope_filter

    with Session(scope_db) as db:
        db.exec(delete(RecordSnapshot))
        db.exec(delete(Share))
        db.exec(delete(Attendance))
        for i, row in enumerate(rows):
            db.add(RecordSnapshot(id=f"rec-{i}", last_seq=i, state={}, **row))
        for citizen, org, purpose in shares:
            db.add(Share(citizen_id=citizen, org_id=org, purpose=purpose))
        for record, org, purpose in attendance:
            db.add(Attendance(record_id=record, org_id=org, purpose=purpose))
        db.flush()
        places = {f"rec-{i}": row for i, row in enumerate(rows)}
        places = with_shares(db, {rid: Place.from_columns(p, rid) for rid, p in places.items()})
        for v in ALL_VIEWERS:
            selected = set(db.exec(select(RecordSnapshot.id).where(scope_filter(v))).all())
            expected = {rid for rid, p in places.items() if visible_fields(v, p) is not None}
            assert selected == expected, v
        db.rollback()
