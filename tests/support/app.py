"""In-process apps for tests: settings with test defaults, an app on a SQLite file, an
`httpx.AsyncClient` talking to it through ASGI, and plain sqlite3 access to its file."""
from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from server.app import create_app
from server.settings import Settings

SECRET_KEY = "test-secret"  # session tokens are hashed with it: a copied database keeps working
BASE_URL = "http://testserver"


def sqlite_url(path: Path | str) -> str:
    return f"sqlite:///{path}"


def app_settings(**overrides: Any) -> Settings:
    """Settings for a test app: demo mode off, a fixed secret, no PWA build served."""
    overrides.setdefault("demo_mode", False)
    overrides.setdefault("secret_key", SECRET_KEY)
    overrides.setdefault("pwa_dir", "/nonexistent/pwa-dist")
    return Settings(**overrides)


def make_app(database: Path | str, **overrides: Any) -> FastAPI:
    """An app on the SQLite file `database` (a path) or on `database` (a URL). Dispose its
    engine when done (`app.state.engine.dispose()`)."""
    url = database if isinstance(database, str) and "://" in database else sqlite_url(database)
    return create_app(app_settings(database_url=url, **overrides))


def asgi_client(app: FastAPI) -> httpx.AsyncClient:
    """A client of the app in this process; each client keeps its own session cookie."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL)


def db_path(app: FastAPI) -> Path:
    """The SQLite file of an app."""
    url = app.state.settings.database_url
    assert url.startswith("sqlite:///"), url
    return Path(url.removeprefix("sqlite:///"))


def sql(path: Path | str | FastAPI) -> sqlite3.Connection:
    """A plain connection to a SQLite file (or an app's), autocommit, waiting for writers."""
    if isinstance(path, FastAPI):
        path = db_path(path)
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    connection.execute("PRAGMA busy_timeout=30000")
    return connection


def sql_rows(path: Path | str | FastAPI, query: str, *args: Any) -> list[tuple]:
    connection = sql(path)
    try:
        return connection.execute(query, args).fetchall()
    finally:
        connection.close()


def copy_database(source: Path, target: Path) -> Path:
    """Copy a SQLite file with its WAL (if any): a private database for one test."""
    shutil.copyfile(source, target)
    for suffix in ("-wal", "-shm"):
        if Path(f"{source}{suffix}").exists():
            shutil.copyfile(f"{source}{suffix}", f"{target}{suffix}")
    return target
