"""The schema is owned by alembic: old databases upgrade to head and keep their data."""
from __future__ import annotations

import sqlite3

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlmodel import SQLModel
from support import db_path

from server.auth.passwords import hash_password
from server.core.db import alembic_config, make_engine, migrate

MUNICIPALITY = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
ORGANISATION = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"
USER = "cccccccc-cccc-4ccc-8ccc-cccccccccccc"


def heads(engine) -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config(engine)).get_heads())


async def test_database_at_0001_upgrades_to_head_and_keeps_data(tmp_path, app_factory, client_for, login):
    url = f"sqlite:///{tmp_path}/old.db"
    engine = make_engine(url)
    migrate(engine, "0001")
    with engine.begin() as connection:
        assert connection.execute(text("select version_num from alembic_version")).scalar() == "0001"
        connection.execute(text("insert into municipality (id, name) values (:id, 'Gammel Kommune')"), {"id": MUNICIPALITY})
        connection.execute(
            text("insert into organisation (id, municipality_id, name, kind) values (:id, :m, 'Gammelt team', 'rusmiddelcenter')"),
            {"id": ORGANISATION, "m": MUNICIPALITY},
        )
        connection.execute(
            text(
                "insert into user (id, username, display_name, password_hash, role, organisation_id, municipality_id,"
                " active, is_demo, scope_epoch) values (:id, 'gammel', 'Gammel Bruger', :pw, 'behandler', :o, :m, 1, 0, 1)"
            ),
            {"id": USER, "pw": hash_password("hemmelig-kode"), "o": ORGANISATION, "m": MUNICIPALITY},
        )
    expected_heads = heads(engine)
    engine.dispose()

    app = app_factory(database_url=url)
    with app.state.engine.connect() as connection:
        assert set(connection.execute(text("select version_num from alembic_version")).scalars()) == expected_heads
        assert connection.execute(text("select username from user")).scalars().all() == ["gammel"]
    user = await login(client_for(app), "gammel", "hemmelig-kode")
    assert user["organisation_name"] == "Gammelt team"


def test_models_match_the_migrations(tmp_path):
    """A model change without a migration fails here: write the next revision."""
    engine = make_engine(f"sqlite:///{tmp_path}/head.db")
    migrate(engine)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    engine.dispose()
    assert diff == []


def test_sqlite_runs_in_wal_mode(app_factory):
    app = app_factory()
    with sqlite3.connect(db_path(app)) as connection:  # a fresh connection sees the file's mode
        assert connection.execute("pragma journal_mode").fetchone()[0] == "wal"
    with app.state.engine.connect() as connection:
        assert connection.execute(text("pragma foreign_keys")).scalar() == 1
