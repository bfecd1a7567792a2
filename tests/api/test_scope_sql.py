"""The pull's SQL pre-filter (server.sync.pull.scope_filter) selects exactly the records
that the pure scope rules (sync.scope.visible_fields) let a viewer see."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete
from sqlmodel import Session, select

from schemas.oplog import Attendance, RecordSnapshot, Share
from server.core.db import make_engine, migrate
from server.sync.pull import scope_filter
from sync.scope import Place, Viewer, visible_fields

MUNICIPALITIES = ["m1", "m2"]
ORGS = ["team-a", "team-b", "partner-x", "partner-y"]
PURPOSES = ["share_with_partner", "status_to_referrer", "participation", "coordination_meeting", "network_meeting"]
ROLES = ["behandler", "frivillig", "projektleder", "admin"]
ENTITIES = ["citizen", "course", "contact", "consent", "form_response", "lead", "meeting", "lead_attempt", "visibility"]

citizen_ids = st.sampled_from([f"c{i}" for i in range(6)])


@st.composite
def records(draw):
    rows = []
    for index in range(draw(st.integers(1, 12))):
        entity = draw(st.sampled_from(ENTITIES))
        record_id = draw(citizen_ids) if entity == "citizen" else f"r{index}"
        rows.append(
            {
                "id": record_id,
                "entity": entity,
                "municipality_id": draw(st.sampled_from(MUNICIPALITIES)),
                "team_id": draw(st.sampled_from(ORGS[:2])) if entity not in ("lead", "lead_attempt") else None,
                "org_id": draw(st.sampled_from(ORGS)) if entity == "lead" else None,
                "citizen_id": None if entity in ("citizen", "lead_attempt", "visibility") else draw(st.none() | citizen_ids),
                "last_seq": index + 1,
                "state": {},
            }
        )
    unique = {row["id"]: row for row in rows}
    return list(unique.values())


shares = st.lists(st.tuples(citizen_ids, st.sampled_from(ORGS), st.sampled_from(PURPOSES)), max_size=8, unique=True)
attendance = st.lists(st.tuples(st.sampled_from([f"r{i}" for i in range(12)]), st.sampled_from(ORGS), st.sampled_from(PURPOSES)),
                      max_size=8, unique=True)
viewers = st.builds(
    Viewer, user_id=st.just("u"), role=st.sampled_from(ROLES), org_id=st.sampled_from(ORGS),
    municipality_id=st.sampled_from(MUNICIPALITIES),
)


def test_sql_filter_agrees_with_scope_rules(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/scope.db")
    migrate(engine)

    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(rows=records(), share_rows=shares, attendance_rows=attendance, viewer=viewers)
    def check(rows, share_rows, attendance_rows, viewer):
        with Session(engine) as db:
            db.execute(delete(RecordSnapshot))
            db.execute(delete(Share))
            db.execute(delete(Attendance))
            db.add_all(RecordSnapshot(**row) for row in rows)
            db.add_all(Share(citizen_id=c, org_id=o, purpose=p) for c, o, p in share_rows)
            db.add_all(Attendance(record_id=r, org_id=o, purpose=p) for r, o, p in attendance_rows)
            db.commit()
            selected = set(db.exec(select(RecordSnapshot.id).where(scope_filter(viewer))).all())
        share_map: dict[str, set] = {}
        for citizen, org, purpose in share_rows:
            share_map.setdefault(citizen, set()).add((org, purpose))
        attended: dict[str, set] = {}
        for record, org, purpose in attendance_rows:
            attended.setdefault(record, set()).add((org, purpose))
        frozen = {k: frozenset(v) for k, v in share_map.items()}
        attended_frozen = {k: frozenset(v) for k, v in attended.items()}
        expected = {
            row["id"]
            for row in rows
            if visible_fields(viewer, Place.from_columns(row, row["id"]).with_shares(frozen, attended_frozen, row["id"])) is not None
        }
        assert selected == expected

    check()
