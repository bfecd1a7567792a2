"""API-test fixtures: `world` = demo data plus the other side of every boundary (tests/api/api_world.py)."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from api_world import build_world, copy_world

from server.auth.sessions import COOKIE
from server.auth.authz import ANONYMOUS


@pytest.fixture(scope="session")
def world_template(tmp_path_factory):
    return build_world(tmp_path_factory.mktemp("world"))


@pytest.fixture
def world(world_template, tmp_path, app_factory, client_for):
    """A fresh copy of the world: `world.app`, `world.ids[name]` for the named records, and
    `world.client(username)` → a client already logged in as that user ("anonymous": not)."""
    app = app_factory(database_url=copy_world(world_template, tmp_path), demo_mode=True)

    def client(username: str):
        new = client_for(app)
        if username != ANONYMOUS:
            new.cookies.set(COOKIE, world_template.tokens[username])
        return new

    return SimpleNamespace(app=app, ids=dict(world_template.ids), client=client)
