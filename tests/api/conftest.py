"""API-test fixtures: `world` = demo data plus the other side of every boundary (support.world)."""
from __future__ import annotations

import pytest
from support.world import build_world


@pytest.fixture(scope="session")
def world_template(tmp_path_factory, demo_database):
    return build_world(tmp_path_factory.mktemp("world"), base=demo_database)


@pytest.fixture
def world(world_template, tmp_path, app_factory, client_for):
    """A fresh copy of the world: `world.app`, `world.ids[name]` for the named records, and
    `world.client(username)` → a client already logged in as that user ("anonymous": not)."""
    return world_template.open(tmp_path, app_factory=app_factory, new_client=client_for)
