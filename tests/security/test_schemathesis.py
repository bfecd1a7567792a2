"""Schemathesis over the OpenAPI schema: every route, called as every role with a real
session (and without one), with generated — also invalid — parameters and bodies.

Every response must be below 500 and match what the schema documents (status code,
content type, body shape). Examples per route: SCHEMATHESIS_EXAMPLES (8 in `make test`;
`make soak` runs more). Sessions are made fresh for every example (a generated
`DELETE /api/session` or a deactivation must not leave the next example logged out).
"""
from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import text
from sqlmodel import Session, select

from schemas.accounts import User
from server.app import create_app
from server.auth.authz import ANONYMOUS, ROLES, ROUTES
from server.auth.sessions import COOKIE, start_session
from server.settings import Settings

SOAK = os.environ.get("HYPOTHESIS_PROFILE") == "soak"
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "60" if SOAK else "8"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
USERNAMES = {"behandler": "behandler", "frivillig": "frivillig", "projektleder": "projektleder", "admin": "admin"}


def _fuzzed_app():
    """A demo app on its own SQLite file, built when the module is collected: the schema
    must exist before the tests are made (schemathesis's lazy loader does not run on
    pytest 9)."""
    folder = Path(tempfile.mkdtemp(prefix="brobygger-fuzz-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    app = create_app(Settings(
        database_url=f"sqlite:///{folder}/fuzz.db", demo_mode=True, secret_key="fuzz-secret", pwa_dir=str(folder / "no-pwa"),
        login_attempts_per_window=10_000, push_quota_bytes=10**12, push_quota_bytes_per_day=10**12,
    ))
    atexit.register(app.state.engine.dispose)
    return app


FUZZED_APP = _fuzzed_app()


def fresh_sessions(app) -> dict[str, str]:
    """A new session cookie per role, every user active and every device usable again."""
    with Session(app.state.engine) as db:
        db.execute(text("UPDATE user SET active = 1"))
        db.execute(text("UPDATE device SET revoked_at = NULL, revoked_by = NULL"))
        users = {u.username: u for u in db.exec(select(User).where(User.username.in_(list(USERNAMES.values()))))}
        tokens = {role: start_session(db, app.state.settings, users[name]) for role, name in USERNAMES.items()}
        db.commit()
    return tokens


def callers(case) -> list[str]:
    """Who calls this operation: every role and anonymous; a login only anonymously (the
    session does not change what it does, and each try costs an argon2 hash)."""
    key = f"{case.method.upper()} {case.path}"
    if key == "POST /api/session":
        return [ANONYMOUS]
    if key not in ROUTES:  # a method the route does not have (405)
        return [ANONYMOUS, "behandler"]
    return [ANONYMOUS, *ROLES]


schema = schemathesis.openapi.from_asgi("/api/openapi.json", FUZZED_APP)


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_route_fails_or_breaks_its_schema_for_any_role(case):
    tokens = fresh_sessions(FUZZED_APP)
    for caller in callers(case):
        cookies = {} if caller == ANONYMOUS else {COOKIE: tokens[caller]}
        response = case.call(cookies=cookies)
        case.validate_response(response, checks=CHECKS)
