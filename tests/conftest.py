"""Fixtures shared by every test package (the helpers behind them are in tests/support).

- `app_factory(**settings_overrides)` → a FastAPI app on its own SQLite file in tmp_path
  (demo mode off unless you pass `demo_mode=True`; pass `database_url=` to reuse a file).
- `app` → a demo app (demo data loaded, users behandler/behandler2/frivillig/projektleder/admin,
  password "demo"), on a copy of `demo_database`, the demo built once per test session.
- `client` → an `httpx.AsyncClient` talking to `app` in-process; `client_for(app)` makes more
  (one per user: each client keeps its own session cookie).
- `login(client, username, password="demo")` → the logged-in user dict (asserts 200).
- `register_device(client, name="Testtelefon")` → a new device id of the client's user.
  (`support.login`; `support.sign_in` does both and returns the ids.)

Hypothesis profiles: "ci" (default) and "soak" (`make soak`), chosen by $HYPOTHESIS_PROFILE.
"""
from __future__ import annotations

import itertools
import os
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from support.app import app_settings, asgi_client, copy_database, make_app, sqlite_url
from support.login import login as _login
from support.login import register_device as _register_device

from server.app import create_app

hypothesis_settings.register_profile("ci", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.register_profile("soak", max_examples=5000, deadline=None, suppress_health_check=list(HealthCheck))
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def app_factory(tmp_path):
    """Make apps on real SQLite files in tmp_path; their engines are disposed afterwards."""
    apps = []
    numbers = itertools.count(1)

    def make(**overrides):
        overrides.setdefault("database_url", sqlite_url(tmp_path / f"brobygger-{next(numbers)}.db"))
        overrides.setdefault("pwa_dir", str(tmp_path / "no-pwa"))
        app = create_app(app_settings(**overrides))
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.state.engine.dispose()


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory) -> Path:
    """A demo database built once per test session; `app` (and the API tests' world) work on copies."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    make_app(path, demo_mode=True).state.engine.dispose()  # closes the WAL: the file alone is the database
    return path


@pytest.fixture
def app(app_factory, demo_database, tmp_path):
    copy = copy_database(demo_database, tmp_path / "demo-copy.db")
    return app_factory(demo_mode=True, database_url=sqlite_url(copy))


@pytest.fixture
async def client_for():
    """`client_for(app)` → a new AsyncClient for that app (closed after the test)."""
    clients = []

    def make(app) -> httpx.AsyncClient:
        client = asgi_client(app)
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


@pytest.fixture
async def client(app, client_for):
    return client_for(app)


@pytest.fixture
def login():
    return _login


@pytest.fixture
def register_device():
    return _register_device


def pytest_collection_modifyitems(config, items):
    """The browser tests run last: Playwright keeps an event loop running in the main
    thread for the rest of the session, and asyncio tests after it could not start theirs."""
    e2e = Path(__file__).parent / "e2e"
    items.sort(key=lambda item: e2e in Path(str(item.fspath)).parents)
