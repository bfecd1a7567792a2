"""World set-up for the authorization matrix (tests/api/test_authz_matrix.py, route × role)
and its scope boundaries (tests/api/test_authz_scope.py): the administration's targets, API
tokens of both municipalities, and the CSRF token an office form of a caller carries."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlmodel import Session, select

from schemas.accounts import ApiToken, User
from server.auth.authz import ANONYMOUS
from server.auth.sessions import COOKIE
from server.office import csrf


def add_admin_targets(world) -> None:
    """The administration's targets: quarantine row ids (one per municipality, and one a
    project lead can re-apply), a one-time link, a citizen's code, the teams."""
    from support.world import M2_TEAM, TEAM

    from server.auth import accounts
    from server.sync.push import apply_ops

    def row_of(op_id: str) -> str:
        return str(world.rows("SELECT id FROM quarantine WHERE op_id = ?", op_id)[0][0])

    with Session(world.app.state.engine) as db:
        behandler = db.exec(select(User).where(User.username == "behandler")).one()
        raw = {"op_id": str(uuid.uuid4()), "device_id": "matrix", "hlc": world.app.state.clock.tick("matrix").encode(),
               "entity": "citizen", "record_id": world.ids["citizen_shared"], "kind": "set", "field": "initials", "value": 1,
               "seen": []}
        [result] = apply_ops(db, user=behandler, device_id=None, raw_ops=[raw], clock=world.app.state.clock)
        assert result["status"] == "rejected", result
        link = accounts.issue_link(db, world.app.state.settings, db.exec(select(User).where(User.username == "behandler2")).one(),
                                   "invite", by=None)
        db.commit()
    world.ids.update(
        quarantine_row_own=row_of(world.ids["quarantined_own_municipality"]),
        quarantine_row_other_municipality=row_of(world.ids["quarantined_other_municipality"]),
        quarantine_row_fixable=row_of(raw["op_id"]), link=link, org_own=TEAM, org_other_municipality=M2_TEAM,
        citizen_shared_code=world.rows("SELECT code FROM citizen WHERE id = ?", world.ids["citizen_shared"])[0][0],
    )


def office_csrf(world, client, role: str) -> str:
    """The CSRF token an office form of this caller carries (server.office.csrf)."""
    settings = world.app.state.settings
    if role == ANONYMOUS:
        client.cookies.set(csrf.NONCE_COOKIE, "matrix-nonce")
        return csrf.token_for(settings, nonce="matrix-nonce")
    return csrf.token_for(settings, session_cookie=client.cookies.get(COOKIE))


def add_api_tokens(world) -> None:
    """An API token of each municipality (world.ids "token_own_municipality" / "…_other_…")."""
    with Session(world.app.state.engine) as db:
        for name, username in (("token_own_municipality", "projektleder"), ("token_other_municipality", "projektleder_m2")):
            user = db.exec(select(User).where(User.username == username)).one()
            world.ids[name] = str(uuid.uuid4())
            db.add(ApiToken(id=world.ids[name], token_hash=f"matrix-{name}", municipality_id=user.municipality_id, name=name,
                            created_at=datetime.now(UTC), created_by=user.id))
        db.commit()
    world.ids.update(report_known="fig-4-11", report_unknown="fig-9-99")
    add_admin_targets(world)
