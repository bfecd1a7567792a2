"""End-to-end fixtures: a real server (support.server: `python -m server`, temp SQLite, demo
mode) per test module, serving a private copy of pwa/dist, and Debian's chromium driven by
Playwright.

- `server` (module): `.url` (http://localhost:<port>), `.db_path`, `.dist` (the served copy),
  `.api(username)` → an httpx.Client logged in as that demo user, `.restart()`; the rest of
  `support.ServerProcess` (`.log_text()`, `.kill()`, ...) as well.
- `browser` (module): headless /usr/bin/chromium via pytest-playwright's `playwright` fixture.
- `new_context(...)`: a fresh browser context (closed after the test) with the app's test
  hooks (`window.__brobygger`) switched on.
Every test in this folder is marked `e2e`; the folder is skipped when chromium is missing.
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import httpx
import pytest
from e2e_helpers import CHROMIUM, CHROMIUM_ARGS, TEST_HOOKS
from support.app import sqlite_url
from support.login import PASSWORD
from support.server import ServerProcess

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "pwa" / "dist"


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)


def ensure_dist() -> Path:
    """The built app; built here when missing and node is available (make test builds it first)."""
    if not (DIST / "index.html").is_file():
        if shutil.which("npm") is None:
            pytest.skip("pwa/dist is missing and npm is not installed: run `make pwa`")
        subprocess.run(["npm", "install", "--no-audit", "--no-fund"], cwd=ROOT / "pwa", check=True, capture_output=True)
        subprocess.run(["npm", "run", "build"], cwd=ROOT / "pwa", check=True, capture_output=True)
    return DIST


class LiveServer(ServerProcess):
    """The demo server on `workdir/brobygger.db`, serving `workdir/dist`."""

    def __init__(self, workdir: Path):
        super().__init__(
            workdir,
            database_url=sqlite_url(Path(workdir) / "brobygger.db"),
            # "localhost", not 127.0.0.1, in `url`: WebAuthn needs a domain as relying-party id.
            public_host="localhost",
            settings={
                "demo_mode": True,
                "pwa_dir": str(Path(workdir) / "dist"),
                "secret_key": "e2e-secret",
                "login_attempts_per_window": 1000,
            },
        )

    @property
    def dist(self) -> Path:
        return self.workdir / "dist"

    def api(self, username: str, password: str = PASSWORD) -> httpx.Client:
        return self.client(username, password)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.skip("needs /usr/bin/chromium (make chromium)")
    dist = ensure_dist()
    workdir = tmp_path_factory.mktemp("e2e-server")
    shutil.copytree(dist, workdir / "dist")
    live = LiveServer(workdir)
    live.start()
    yield live
    live.close()


@pytest.fixture(scope="module")
def browser(playwright):
    if not Path(CHROMIUM).exists():
        pytest.skip("needs /usr/bin/chromium (make chromium)")
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def new_context(browser):
    contexts = []

    def make(**kwargs):
        kwargs.setdefault("locale", "da-DK")
        kwargs.setdefault("timezone_id", "Europe/Copenhagen")
        kwargs.setdefault("viewport", {"width": 400, "height": 800})
        context = browser.new_context(**kwargs)
        context.add_init_script(TEST_HOOKS)
        context.set_default_timeout(20000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
