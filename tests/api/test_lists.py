"""The paged lists walk the register tables with the scope filter on the register's own
columns: it must select exactly what the filter on the snapshots selects (which
tests/api/test_scope_sql.py checks against the pure scope rules), for every role."""
from __future__ import annotations

import pytest
from sqlmodel import Session, select
from support.world import BOUNDARY_USERS

from schemas.accounts import User
from schemas.oplog import RecordSnapshot as R
from schemas.records import Citizen, Lead
from server.auth.sessions import viewer_of
from server.sync.pull import scope_filter

USERNAMES = ["behandler", "frivillig", "projektleder", "admin", *BOUNDARY_USERS]


@pytest.mark.parametrize("username", USERNAMES)
def test_the_register_scope_filter_selects_what_the_snapshot_filter_selects(world, username):
    with Session(world.app.state.engine) as db:
        viewer = viewer_of(db.exec(select(User).where(User.username == username)).one())
        for table, entity in ((Citizen, "citizen"), (Lead, "lead")):
            on_register = set(db.exec(select(table.id).where(scope_filter(viewer, table, entity))))
            on_snapshots = set(db.exec(select(R.id).where(R.entity == entity, scope_filter(viewer))))
            assert on_register == on_snapshots, (username, entity)
            if username in ("projektleder", "behandler") or (username == "frivillig" and entity == "lead"):
                assert on_register, (username, entity)  # the check sees something
