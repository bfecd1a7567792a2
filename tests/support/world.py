"""The world of the API and sync tests: accounts on both sides of every boundary.

One layout with constant ids, the same in every world: the demo's municipality with the
demo's team (`TEAM`), a second team (`OTHER_TEAM`) and the demo's two partner
organisations (`PARTNER` = Værestedet Havnen, `OTHER_PARTNER` = Varmestuen Nordlys); and a
second municipality (`M2`) with a team and a partner of its own. Every test user's
password is `PASSWORD` (the demo's).

- `new_world(directory, users=..., demo_data=False)` → a `World`: a fresh app on
  `directory/world.db` with the layout and the given users, inserted directly into the
  database. With `demo_data=True` the demo data is there as well (loaded, or copied from `base`).
  The convergence suite uses it without the demo (its own users, an empty op log).
- `build_world(directory, base=None)` → a `WorldTemplate` for the authorization tests:
  the demo plus `BOUNDARY_USERS`, a citizen of the other team, a citizen and a lead of the
  other municipality, devices, a quarantined op per municipality, named record ids picked
  from the data, and a session per user. Built once per test session; `template.open(dir)`
  gives each test a `World` on its own copy (one small file).
- `World`: `.app`, `.ids[name]`, `.user_ids[username]`, `.db_path`, `.sql()`,
  `.client(username)` (already logged in with the template's session; "anonymous": not),
  `await .login(username)` (a real password login), `.close()`.
"""
from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from sqlmodel import Session, select

from schemas.accounts import Device, Municipality, Organisation, User
from schemas.oplog import RecordSnapshot, Share
from server import demo
from server.auth.authz import ANONYMOUS
from server.auth.passwords import hash_password
from server.auth.sessions import COOKIE, start_session, utcnow
from server.sync.push import apply_ops
from support.app import app_settings, asgi_client, copy_database, db_path, make_app, sql, sqlite_url
from support.login import PASSWORD, login

# ------------------------------------------------------------------------------ layout
MUNICIPALITY = demo.MUNICIPALITY_ID
TEAM = demo.TEAM_ID
PARTNER = demo.HAVNEN_ID
OTHER_PARTNER = demo.NORDLYS_ID
OTHER_TEAM = "66666666-6666-4666-8666-666666666666"
M2 = "55555555-5555-4555-8555-555555555555"
M2_TEAM = "77777777-7777-4777-8777-777777777777"
M2_PARTNER = "88888888-8888-4888-8888-888888888888"

MUNICIPALITIES = {MUNICIPALITY: demo.MUNICIPALITY_NAME, M2: "Anden Kommune"}
# id → (municipality, name, kind); the demo's own organisations under the demo's names.
ORGANISATIONS = {
    **{org_id: (MUNICIPALITY, name, kind) for org_id, name, kind in demo.ORGANISATIONS},
    OTHER_TEAM: (MUNICIPALITY, "Rusmiddelcenter – Andet team", "rusmiddelcenter"),
    M2_TEAM: (M2, "Anden Kommune – Fremskudt team", "rusmiddelcenter"),
    M2_PARTNER: (M2, "Anden Kommune – Værested", "civil_society"),
}
assert {TEAM, PARTNER, OTHER_PARTNER} <= set(ORGANISATIONS), "the demo's organisations changed: update the layout"

# username → (role, organisation): next to the demo users (named after their role), a
# behandler of another team, a frivillig of the other partner, users of another municipality.
BOUNDARY_USERS = {
    "behandler_other_team": ("behandler", OTHER_TEAM),
    "frivillig_other_org": ("frivillig", OTHER_PARTNER),
    "behandler_m2": ("behandler", M2_TEAM),
    "frivillig_m2": ("frivillig", M2_PARTNER),
    "projektleder_m2": ("projektleder", M2_TEAM),
    "admin_m2": ("admin", M2_TEAM),
}
DEVICE_OWN = "99999999-9999-4999-8999-999999999991"  # behandler2's phone (own municipality)
DEVICE_M2 = "99999999-9999-4999-8999-999999999992"  # behandler_m2's phone


def user_id(username: str) -> str:
    """The id of a user a world adds (demo users keep `server.demo.user_id`)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, username))


@cache
def password_hash(password: str = PASSWORD) -> str:
    """argon2 is slow on purpose: hash each test password once per process."""
    return hash_password(password)


# ------------------------------------------------------------------------------ world
@dataclass
class World:
    app: FastAPI
    ids: dict[str, str] = field(default_factory=dict)  # named records, devices and users
    user_ids: dict[str, str] = field(default_factory=dict)  # username → user id, every user
    tokens: dict[str, str] = field(default_factory=dict)  # username → session cookie value
    new_client: Callable[[FastAPI], httpx.AsyncClient] = asgi_client

    @property
    def db_path(self) -> Path:
        return db_path(self.app)

    @property
    def max_drift_ms(self) -> int:
        return self.app.state.settings.max_clock_drift_seconds * 1000

    def sql(self):
        """A plain sqlite3 connection to the world's file (autocommit; close it, or use `with`)."""
        return sql(self.db_path)

    def rows(self, query: str, *args: Any) -> list[tuple]:
        connection = self.sql()
        try:
            return connection.execute(query, args).fetchall()
        finally:
            connection.close()

    def client(self, username: str = ANONYMOUS) -> httpx.AsyncClient:
        """A new client, logged in as `username` with its session from the build (argon2 is
        not run per test); "anonymous" gets a client without a session."""
        client = self.new_client(self.app)
        if username != ANONYMOUS:
            client.cookies.set(COOKIE, self.tokens[username])
        return client

    async def login(self, username: str, password: str = PASSWORD) -> httpx.AsyncClient:
        """A new client logged in through POST /api/session."""
        client = self.new_client(self.app)
        await login(client, username, password)
        return client

    def start_sessions(self) -> None:
        """A session for every user (the cookie values land in `tokens`)."""
        with Session(self.app.state.engine) as db:
            for user in db.exec(select(User)).all():
                self.tokens[user.username] = start_session(db, self.app.state.settings, user)
            db.commit()

    def close(self) -> None:
        self.app.state.engine.dispose()  # also closes the WAL: the file alone is the database


def add_layout(db: Session) -> None:
    """The municipalities and organisations of the layout that are not there yet."""
    for municipality_id, name in MUNICIPALITIES.items():
        if db.get(Municipality, municipality_id) is None:
            db.add(Municipality(id=municipality_id, name=name))
    db.flush()
    for org_id, (municipality_id, name, kind) in ORGANISATIONS.items():
        if db.get(Organisation, org_id) is None:
            db.add(Organisation(id=org_id, municipality_id=municipality_id, name=name, kind=kind))
    db.flush()


def add_users(db: Session, users: Mapping[str, tuple[str, str]], password: str = PASSWORD) -> dict[str, str]:
    """Users by username → (role, organisation id of the layout); returns their ids."""
    ids = {}
    for username, (role, org_id) in users.items():
        municipality_id = ORGANISATIONS[org_id][0]
        ids[username] = user_id(username)
        db.add(User(id=ids[username], username=username, display_name=f"Test {username}", password_hash=password_hash(password),
                    role=role, organisation_id=org_id, municipality_id=municipality_id))
    db.flush()
    return ids


def new_world(directory: Path, *, users: Mapping[str, tuple[str, str]] | None = None, demo_data: bool = False,
              base: Path | None = None, **settings: Any) -> World:
    """A fresh app on `directory/world.db`: the layout and `users` (plus, with `demo_data`, the
    demo data; `base` = a database to start from, e.g. a demo database built once)."""
    path = Path(directory) / "world.db"
    if base is not None:
        copy_database(base, path)
    app = make_app(path, demo_mode=demo_data, **settings)
    with Session(app.state.engine) as db:
        add_layout(db)
        add_users(db, users or {})
        db.commit()
        user_ids = {user.username: user.id for user in db.exec(select(User)).all()}
    return World(app, user_ids=user_ids)


# --------------------------------------------------------------- the authorization world
def _create(app: FastAPI, db: Session, username: str, entity: str, value: dict) -> str:
    user = db.exec(select(User).where(User.username == username)).one()
    record_id = str(uuid.uuid4())
    raw = {
        "op_id": str(uuid.uuid4()), "device_id": f"test-{username}", "hlc": app.state.clock.tick(f"test-{username}").encode(),
        "entity": entity, "record_id": record_id, "kind": "create", "field": None, "value": value, "seen": [],
    }
    [result] = apply_ops(db, user=user, device_id=None, raw_ops=[raw], clock=app.state.clock)
    assert result["status"] == "accepted", result
    return record_id


def _quarantine_one(app: FastAPI, db: Session, username: str) -> str:
    user = db.exec(select(User).where(User.username == username)).one()
    raw = {"op_id": str(uuid.uuid4()), "device_id": "x", "hlc": app.state.clock.tick("x").encode(), "entity": "nonsense",
           "record_id": str(uuid.uuid4()), "kind": "create", "field": None, "value": {}, "seen": []}
    [result] = apply_ops(db, user=user, device_id=None, raw_ops=[raw], clock=app.state.clock)
    assert result["status"] == "rejected" and result["error"]["code"] == "unknown_entity", result
    return raw["op_id"]


@dataclass(frozen=True)
class WorldTemplate:
    """A built world on disk; `open` gives a test its own copy."""

    path: Path
    ids: dict[str, str]
    user_ids: dict[str, str]
    tokens: dict[str, str]

    def open(self, directory: Path, *, app_factory: Callable[..., FastAPI] | None = None,
             new_client: Callable[[FastAPI], httpx.AsyncClient] = asgi_client) -> World:
        """A `World` on a copy of the template in `directory`. `app_factory(**settings)` makes
        the app (default: `create_app` with the test settings; the caller disposes it)."""
        copy = copy_database(self.path, Path(directory) / "world-copy.db")
        app_factory = app_factory or (lambda **settings: make_app(settings.pop("database_url"), **settings))
        app = app_factory(database_url=sqlite_url(copy), demo_mode=True, secret_key=app_settings().secret_key)
        return World(app, dict(self.ids), dict(self.user_ids), dict(self.tokens), new_client)


def build_world(directory: Path, base: Path | None = None) -> WorldTemplate:
    """The demo plus the other side of every boundary (see the module docstring)."""
    world = new_world(directory, users=BOUNDARY_USERS, demo_data=True, base=base)
    app, ids = world.app, world.ids
    with Session(app.state.engine) as db:
        db.add(Device(id=DEVICE_OWN, user_id=demo.user_id("behandler2"), name="Behandler 2s telefon", created_at=utcnow()))
        db.add(Device(id=DEVICE_M2, user_id=user_id("behandler_m2"), name="M2-telefon", created_at=utcnow()))
        db.flush()
        ids["citizen_other_team"] = _create(app, db, "projektleder", "citizen", {"code": "OTH-0001", "team_id": OTHER_TEAM, "initials": "OT"})
        ids["citizen_other_municipality"] = _create(app, db, "behandler_m2", "citizen", {"code": "M2-0001", "team_id": M2_TEAM, "initials": "MT"})
        lead = {"seen_on": "2026-01-05", "place_type": "street"}
        ids["lead_other_municipality"] = _create(app, db, "frivillig_m2", "lead", {"org_id": M2_PARTNER, **lead})
        ids["quarantined_own_municipality"] = _quarantine_one(app, db, "behandler")
        ids["quarantined_other_municipality"] = _quarantine_one(app, db, "behandler_m2")
        db.commit()

        # Named records of the demo, picked from the data (not from the demo's counts).
        shared = set(db.exec(select(Share.citizen_id).where(Share.org_id == PARTNER, Share.purpose == "share_with_partner")))
        citizens = db.exec(select(RecordSnapshot.id).where(RecordSnapshot.entity == "citizen", RecordSnapshot.team_id == TEAM)
                           .order_by(RecordSnapshot.id)).all()
        any_share = set(db.exec(select(Share.citizen_id)))
        ids["citizen_shared"] = sorted(shared)[0]
        ids["citizen_not_shared"] = next(c for c in citizens if c not in any_share)
        leads = db.exec(select(RecordSnapshot).where(RecordSnapshot.entity == "lead").order_by(RecordSnapshot.id)).all()
        ids["lead_havnen"] = next(r.id for r in leads if r.org_id == PARTNER)
        ids["lead_nordlys"] = next(r.id for r in leads if r.org_id == OTHER_PARTNER)
    ids["device_own_municipality"] = DEVICE_OWN
    ids["device_other_municipality"] = DEVICE_M2
    ids["user_own_municipality"] = demo.user_id("behandler2")
    ids["user_other_municipality"] = user_id("behandler_m2")
    # Log everyone in once (argon2 takes ~0.4 s a try); tests present these cookies.
    world.start_sessions()
    world.close()
    return WorldTemplate(world.db_path, dict(ids), dict(world.user_ids), dict(world.tokens))
