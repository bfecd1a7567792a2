"""Fixtures shared by every test package.

- `app_factory(**settings_overrides)` → a FastAPI app on its own SQLite file in tmp_path
  (demo mode off unless you pass `demo_mode=True`; pass `database_url=` to reuse a file).
- `app` → a demo app (demo data loaded, users behandler/behandler2/frivillig/projektleder/admin,
  password "demo").
- `client` → an `httpx.AsyncClient` talking to `app` in-process; `client_for(app)` makes more
  (one per user: each client keeps its own session cookie).
- `login(client, username, password="demo")` → the logged-in user dict (asserts 200).
- `register_device(client, name="Testtelefon")` → a new device id of the client's user.

Hypothesis profiles: "ci" (default) and "soak" (`make soak`), chosen by $HYPOTHESIS_PROFILE.
"""
from __future__ import annotations

import itertools
import os
import shutil
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from server.app import create_app
from server.settings import Settings

hypothesis_settings.register_profile("ci", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.register_profile("soak", max_examples=5000, deadline=None, suppress_health_check=list(HealthCheck))
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

BASE_URL = "http://testserver"


@pytest.fixture
def app_factory(tmp_path):
    """Make apps on real SQLite files in tmp_path; their engines are disposed afterwards."""
    apps = []
    numbers = itertools.count(1)

    def make(**overrides):
        overrides.setdefault("database_url", f"sqlite:///{tmp_path}/brobygger-{next(numbers)}.db")
        overrides.setdefault("demo_mode", False)
        overrides.setdefault("secret_key", "test-secret")
        overrides.setdefault("pwa_dir", str(tmp_path / "no-pwa"))
        app = create_app(Settings(**overrides))
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.state.engine.dispose()


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory) -> Path:
    """A demo database built once per test session; `app` works on a copy of it."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    app = create_app(Settings(database_url=f"sqlite:///{path}", demo_mode=True, secret_key="test-secret"))
    app.state.engine.dispose()  # closes the WAL: the file alone is the whole database
    return path


@pytest.fixture
def app(app_factory, demo_database, tmp_path):
    copy = tmp_path / "demo-copy.db"
    shutil.copyfile(demo_database, copy)
    return app_factory(demo_mode=True, database_url=f"sqlite:///{copy}")


@pytest.fixture
async def client_for():
    """`client_for(app)` → a new AsyncClient for that app (closed after the test)."""
    clients = []

    def make(app) -> httpx.AsyncClient:
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL)
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


@pytest.fixture
async def client(app, client_for):
    return client_for(app)


async def _login(client: httpx.AsyncClient, username: str, password: str = "demo") -> dict:
    response = await client.post("/api/session", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return response.json()["user"]


async def _register_device(client: httpx.AsyncClient, name: str = "Testtelefon") -> str:
    response = await client.post("/api/devices", json={"name": name})
    assert response.status_code == 201, response.text
    return response.json()["device_id"]


@pytest.fixture
def login():
    return _login


@pytest.fixture
def register_device():
    return _register_device
