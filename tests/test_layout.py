"""The layout the project was designed with: imports flow one way, schemas ← sync ←
server; the phone app knows the server only over HTTP (no Python imports it, it
imports no Python)."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# package → the first-party packages it may import
ALLOWED = {"schemas": {"schemas"}, "sync": {"schemas", "sync"}, "server": {"schemas", "sync", "server"}}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_imports_flow_one_way():
    first_party = set(ALLOWED) | {"pwa", "tests", "bench"}
    for package, allowed in ALLOWED.items():
        for path in (ROOT / package).rglob("*.py"):
            wrong = (_imports(path) & first_party) - allowed
            assert not wrong, f"{path.relative_to(ROOT)} imports {sorted(wrong)}"


def test_sync_stays_pure():
    """No database, web framework, clock or network in sync/: functions in, values out."""
    forbidden = {"sqlalchemy", "sqlmodel", "fastapi", "starlette", "httpx", "time", "socket", "requests"}
    for path in (ROOT / "sync").rglob("*.py"):
        assert not (_imports(path) & forbidden), f"{path.relative_to(ROOT)} imports {sorted(_imports(path) & forbidden)}"
        assert "datetime.now(" not in path.read_text() and "date.today(" not in path.read_text(), path


def test_the_phone_app_talks_to_the_server_only_through_its_api_module():
    """Every request of the phone app goes through pwa/src/api.js (HTTP, the documented
    protocol); no Python package imports the app's folder (checked above)."""
    for path in (ROOT / "pwa" / "src").rglob("*.js"):
        if path.name != "api.js":
            assert "fetch(" not in path.read_text(encoding="utf-8"), f"{path.relative_to(ROOT)} calls fetch: use api.js"
