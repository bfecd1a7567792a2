"""Fixtures of the convergence suite: its own small world (convergence_sim.build_world:
support.world's layout with the users of convergence_sim.USERS, no demo data)."""
from __future__ import annotations

import asyncio
import logging

import pytest
from convergence_sim import build_world


@pytest.fixture
def world(tmp_path):
    """A fresh app on a temp SQLite file with the users of convergence_sim.USERS."""
    world = build_world(tmp_path)
    yield world
    world.close()


@pytest.fixture
def loop():
    """A private event loop for synchronous Hypothesis tests that drive the async clients."""
    loop = asyncio.new_event_loop()
    yield loop
    loop.run_until_complete(loop.shutdown_asyncgens())
    loop.close()


logging.getLogger("httpx").setLevel(logging.WARNING)  # one INFO line per request is noise here
