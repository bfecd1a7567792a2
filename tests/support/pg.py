"""A fresh PostgreSQL database for one test, on the server `make test` starts
(BROBYGGER_TEST_POSTGRES_URL, a role that may create databases); dropped afterwards."""
from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ADMIN_URL = os.environ.get("BROBYGGER_TEST_POSTGRES_URL")
needs_postgres = pytest.mark.skipif(not ADMIN_URL, reason="set BROBYGGER_TEST_POSTGRES_URL (make test does)")


@contextmanager
def fresh_database(prefix: str = "brobygger_test") -> Iterator[str]:
    """The URL of a new, empty database (with its password, for a server process)."""
    if not ADMIN_URL:
        pytest.skip("set BROBYGGER_TEST_POSTGRES_URL (make test does)")
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
