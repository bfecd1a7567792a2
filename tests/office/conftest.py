"""Office-test fixtures: `office_world` = an empty municipality (support.world layout: two
teams, partners, a second municipality) with the users the report tests push as and read as;
no demo data, so every number is the fixture's own."""
from __future__ import annotations

import pytest
from support.world import M2_TEAM, OTHER_TEAM, PARTNER, TEAM, new_world

USERS = {
    "behandler_a": ("behandler", TEAM),
    "behandler_b": ("behandler", OTHER_TEAM),
    "lead": ("projektleder", TEAM),
    "frivillig_a": ("frivillig", PARTNER),
    "admin_a": ("admin", TEAM),
    "lead_m2": ("projektleder", M2_TEAM),
    "behandler_m2": ("behandler", M2_TEAM),
}


@pytest.fixture
def office_world(tmp_path, client_for):
    world = new_world(tmp_path, users=USERS)
    world.new_client = client_for
    yield world
    world.close()
