"""What every test folder shares (importable as `support`: pyproject's pytest `pythonpath`).

- `support.app`: in-process apps (`make_app`, `app_settings`), `asgi_client(app)`, sqlite3
  access (`db_path`, `sql`, `sql_rows`), `copy_database`.
- `support.login`: `login` / `register_device` / `sign_in` for an httpx.AsyncClient and
  their `_sync` twins for an httpx.Client; `PASSWORD` of every test user.
- `support.world`: the layout (municipalities, teams, partners) with constant ids, users
  on both sides of every boundary, `new_world` and `build_world` → `World`.
- `support.server`: `ServerProcess`, a real `python -m server` on a free loopback port.
- `support.pull`: `pull_all(client)` → every record the user may see, by id (and `_sync`).
- `support.hlc`: `hlc_text(wall_ms, counter, node)`, `hlc_now(node)`: the HLC wire format.
"""
from support.app import asgi_client, copy_database, db_path, make_app, sql, sql_rows
from support.hlc import hlc_now, hlc_text, now_ms
from support.login import (
    PASSWORD,
    SignedIn,
    login,
    login_sync,
    register_device,
    register_device_sync,
    sign_in,
    sign_in_sync,
)
from support.pull import pull_all, pull_all_sync
from support.server import ServerProcess, free_port
from support.world import World, WorldTemplate, build_world, new_world

__all__ = [
    "PASSWORD", "ServerProcess", "SignedIn", "World", "WorldTemplate", "asgi_client", "build_world", "copy_database",
    "db_path", "free_port", "hlc_now", "hlc_text", "login", "login_sync", "make_app", "new_world", "now_ms",
    "pull_all", "pull_all_sync", "register_device", "register_device_sync", "sign_in", "sign_in_sync", "sql", "sql_rows",
]
