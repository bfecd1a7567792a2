"""A second team, a second partner and a second municipality next to the demo data, so that
authorization tests have something on the other side of every boundary.

Built once per test session (`build_world`) and copied per test (cheap: one small file).
"""
from __future__ import annotations

import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session, select

from schemas.accounts import Device, Municipality, Organisation, User
from schemas.oplog import RecordSnapshot, Share
from server import demo
from server.app import create_app
from server.auth.passwords import hash_password
from server.auth.sessions import start_session, utcnow
from server.settings import Settings
from server.sync.push import apply_ops

M2 = "55555555-5555-4555-8555-555555555555"
OTHER_TEAM = "66666666-6666-4666-8666-666666666666"
M2_TEAM = "77777777-7777-4777-8777-777777777777"
M2_PARTNER = "88888888-8888-4888-8888-888888888888"
DEVICE_OWN = "99999999-9999-4999-8999-999999999991"
DEVICE_M2 = "99999999-9999-4999-8999-999999999992"

# username → (role, organisation, municipality). Demo users are named after their role.
EXTRA_USERS = {
    "behandler_other_team": ("behandler", OTHER_TEAM, demo.MUNICIPALITY_ID),
    "frivillig_other_org": ("frivillig", demo.NORDLYS_ID, demo.MUNICIPALITY_ID),
    "behandler_m2": ("behandler", M2_TEAM, M2),
    "frivillig_m2": ("frivillig", M2_PARTNER, M2),
    "projektleder_m2": ("projektleder", M2_TEAM, M2),
    "admin_m2": ("admin", M2_TEAM, M2),
}


@dataclass
class World:
    path: Path
    ids: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)  # username → session cookie value


def _create(app, db: Session, username: str, entity: str, value: dict) -> str:
    user = db.exec(select(User).where(User.username == username)).one()
    record_id = str(uuid.uuid4())
    raw = {
        "op_id": str(uuid.uuid4()), "device_id": f"test-{username}", "hlc": app.state.clock.tick().encode(),
        "entity": entity, "record_id": record_id, "kind": "create", "field": None, "value": value, "seen": [],
    }
    [result] = apply_ops(db, user=user, device_id=None, raw_ops=[raw], clock=app.state.clock)
    assert result["status"] == "accepted", result
    return record_id


def _quarantine_one(app, db: Session, username: str) -> None:
    user = db.exec(select(User).where(User.username == username)).one()
    raw = {"op_id": str(uuid.uuid4()), "device_id": "x", "hlc": app.state.clock.tick().encode(), "entity": "nonsense",
           "record_id": str(uuid.uuid4()), "kind": "create", "field": None, "value": {}, "seen": []}
    [result] = apply_ops(db, user=user, device_id=None, raw_ops=[raw], clock=app.state.clock)
    assert result["status"] == "rejected"


def build_world(directory: Path) -> World:
    path = directory / "world.db"
    app = create_app(Settings(database_url=f"sqlite:///{path}", demo_mode=True, secret_key="test-secret"))
    world = World(path)
    with Session(app.state.engine) as db:
        db.add(Municipality(id=M2, name="Anden Kommune"))
        db.add(Organisation(id=OTHER_TEAM, municipality_id=demo.MUNICIPALITY_ID, name="Rusmiddelcenter – Andet team", kind="rusmiddelcenter"))
        db.add(Organisation(id=M2_TEAM, municipality_id=M2, name="Anden Kommune – Fremskudt team", kind="rusmiddelcenter"))
        db.add(Organisation(id=M2_PARTNER, municipality_id=M2, name="Anden Kommune – Værested", kind="civil_society"))
        password_hash = hash_password("demo")
        for username, (role, org, municipality) in EXTRA_USERS.items():
            db.add(User(id=str(uuid.uuid5(uuid.NAMESPACE_URL, username)), username=username, display_name=username,
                        password_hash=password_hash, role=role, organisation_id=org, municipality_id=municipality))
        db.flush()
        db.add(Device(id=DEVICE_OWN, user_id=demo.user_id("behandler2"), name="Behandler 2s telefon", created_at=utcnow()))
        db.add(Device(id=DEVICE_M2, user_id=str(uuid.uuid5(uuid.NAMESPACE_URL, "behandler_m2")), name="M2-telefon", created_at=utcnow()))
        db.flush()

        ids = world.ids
        ids["citizen_other_team"] = _create(app, db, "projektleder", "citizen", {"code": "OTH-0001", "team_id": OTHER_TEAM, "initials": "OT"})
        ids["citizen_other_municipality"] = _create(app, db, "behandler_m2", "citizen", {"code": "M2-0001", "team_id": M2_TEAM, "initials": "MT"})
        lead = {"seen_on": "2026-01-05", "place_type": "street"}
        ids["lead_other_municipality"] = _create(app, db, "frivillig_m2", "lead", {"org_id": M2_PARTNER, **lead})
        _quarantine_one(app, db, "behandler")
        _quarantine_one(app, db, "behandler_m2")
        db.commit()

        shared = set(db.exec(select(Share.citizen_id).where(Share.org_id == demo.HAVNEN_ID, Share.purpose == "share_with_partner")))
        citizens = db.exec(select(RecordSnapshot.id).where(RecordSnapshot.entity == "citizen", RecordSnapshot.team_id == demo.TEAM_ID)
                           .order_by(RecordSnapshot.id)).all()
        any_share = set(db.exec(select(Share.citizen_id)))
        ids["citizen_shared"] = sorted(shared)[0]
        ids["citizen_not_shared"] = next(c for c in citizens if c not in any_share)
        leads = db.exec(select(RecordSnapshot).where(RecordSnapshot.entity == "lead").order_by(RecordSnapshot.id)).all()
        ids["lead_havnen"] = next(r.id for r in leads if r.org_id == demo.HAVNEN_ID)
        ids["lead_nordlys"] = next(r.id for r in leads if r.org_id == demo.NORDLYS_ID)
        ids["device_own_municipality"] = DEVICE_OWN
        ids["device_other_municipality"] = DEVICE_M2
        ids["user_own_municipality"] = demo.user_id("behandler2")
        ids["user_other_municipality"] = str(uuid.uuid5(uuid.NAMESPACE_URL, "behandler_m2"))
        # Log everyone in once (argon2 takes ~0.4 s a try); tests present these cookies.
        for user in db.exec(select(User)).all():
            world.tokens[user.username] = start_session(db, app.state.settings, user)
        db.commit()
    app.state.engine.dispose()
    return world


def copy_world(world: World, directory: Path) -> str:
    target = directory / "world-copy.db"
    shutil.copyfile(world.path, target)
    for suffix in ("-wal", "-shm"):
        source = Path(f"{world.path}{suffix}")
        if source.exists():
            shutil.copyfile(source, Path(f"{target}{suffix}"))
    return f"sqlite:///{target}"
