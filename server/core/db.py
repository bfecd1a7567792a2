"""Database engine and sessions. SQLite (WAL) by default, PostgreSQL via the URL.

The schema is owned by alembic: `migrate(engine)` upgrades any older database to head.
"""
from __future__ import annotations

import json
from pathlib import Path

import orjson
from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import create_engine

import schemas.accounts  # noqa: F401  (register tables on SQLModel.metadata)
import schemas.oplog  # noqa: F401
import schemas.records  # noqa: F401
import schemas.schedule  # noqa: F401

MIGRATIONS = Path(__file__).parents[1] / "migrations"


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
        # hide_parameters: SQL errors must not carry citizen data into logs.
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, hide_parameters=True,
                               json_serializer=dumps_json, json_deserializer=orjson.loads)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, hide_parameters=True, json_serializer=dumps_json,
                         json_deserializer=orjson.loads)


def dumps_json(value) -> str:
    """JSON columns through orjson (snapshots, op bodies: the push's hottest encoding);
    what orjson cannot write (an integer beyond 64 bits in a quarantined op) takes the
    standard library's path."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return json.dumps(value, ensure_ascii=False)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")  # durable across app crashes in WAL mode
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    # Checkpoints leave the commit: a push paid for copying the WAL back into the database
    # while it held the push lock. `checkpoint` runs after a push or pull has answered; the
    # automatic one stays only as a bound (10,000 pages ≈ 40 MB) for other writes.
    cursor.execute("PRAGMA wal_autocheckpoint=10000")
    cursor.close()


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine, revision: str = "heads") -> None:
    """Upgrade to `revision`; by default every head (parallel work may add branches before
    a merge revision joins them)."""
    command.upgrade(alembic_config(engine), revision)


WAL_CHECKPOINT_BYTES = 8 * 1024 * 1024


def checkpoint(engine: Engine) -> None:
    """Copy the WAL back into a SQLite database once it has grown past 8 MB — outside
    any push lock, after the push that grew it has answered (a background task), in
    PASSIVE mode (it never waits for readers). Nothing to do on PostgreSQL."""
    if engine.dialect.name != "sqlite" or not engine.url.database or engine.url.database == ":memory:":
        return
    wal = Path(f"{engine.url.database}-wal")
    try:
        if wal.stat().st_size < WAL_CHECKPOINT_BYTES:
            return
    except FileNotFoundError:
        return
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")

