"""Fixtures of the convergence suite, self-contained (no dependency on tests/conftest.py)."""
from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
for path in (str(ROOT), str(HERE)):
    if path not in sys.path:
        sys.path.insert(0, path)

from convergence_sim import build_world


@pytest.fixture
def world(tmp_path):
    """A fresh app on a temp SQLite file with the users of convergence_sim.USERS."""
    world = build_world(tmp_path)
    yield world
    world.app.state.engine.dispose()


@pytest.fixture
def loop():
    """A private event loop for synchronous Hypothesis tests that drive the async clients."""
    loop = asyncio.new_event_loop()
    yield loop
    loop.run_until_complete(loop.shutdown_asyncgens())
    loop.close()


logging.getLogger("httpx").setLevel(logging.WARNING)  # one INFO line per request is noise here
