"""The reports on PostgreSQL: the demo municipality loaded on a fresh PostgreSQL database
gives exactly the same JSON for every report, the same register and the same monitoring
page as the same demo on SQLite (the demo is deterministic for a given day)."""
from __future__ import annotations

import os
import re
import uuid

import pytest
from sqlalchemy import create_engine, make_url, text
from support.app import asgi_client, make_app

from server.office.catalogue import REPORTS

ADMIN_URL = os.environ.get("BROBYGGER_TEST_POSTGRES_URL")
pytestmark = pytest.mark.skipif(not ADMIN_URL, reason="set BROBYGGER_TEST_POSTGRES_URL (make test does)")


@pytest.fixture
def postgres_url():
    name = f"brobygger_office_{uuid.uuid4().hex[:12]}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


async def _login(client) -> None:
    page = await client.get("/kontor/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    response = await client.post("/kontor/login", data={"csrf_token": token, "username": "projektleder", "password": "demo"})
    assert response.status_code == 303


async def test_every_report_is_the_same_on_postgresql_and_sqlite(postgres_url, tmp_path):
    apps = [make_app(postgres_url, demo_mode=True), make_app(tmp_path / "demo.db", demo_mode=True)]
    answers = []
    try:
        for app in apps:
            async with asgi_client(app) as client:
                await _login(client)
                out = {}
                for report_id in REPORTS:
                    response = await client.get(f"/api/reports/{report_id}")
                    assert response.status_code == 200, (app.state.settings.database_url[:10], report_id, response.text[:300])
                    out[report_id] = response.json()
                    assert (await client.get(f"/kontor/rapporter/{report_id}", params={"panel": "1"})).status_code == 200
                register = (await client.get("/api/register")).json()
                out["register"] = sorted(register["citizens"], key=lambda c: c["id"])
                for path in ("/kontor/deltagere?sort=ended_on&dir=desc", "/kontor/svar", "/api/research-export"):
                    assert (await client.get(path)).status_code == 200, path
                answers.append(out)
    finally:
        for app in apps:
            app.state.engine.dispose()
    postgres, sqlite = answers
    assert postgres.keys() == sqlite.keys()
    for key in postgres:
        assert postgres[key] == sqlite[key], key
    assert postgres["fig-4-6"]["series"][0]["n"] > 0 and len(postgres["register"]) == 40
