"""End-to-end fixtures: a real server (subprocess, temp SQLite, demo mode) per test module,
serving a private copy of pwa/dist, and Debian's chromium driven by Playwright.

- `server` (module): `.url` (http://localhost:<port>), `.db_path`, `.dist` (the served copy),
  `.api(username)` → an httpx.Client logged in as that demo user, `.restart()`.
- `browser` (module): headless /usr/bin/chromium via pytest-playwright's `playwright` fixture.
- `new_context(...)`: a fresh browser context (closed after the test) with the app's test
  hooks (`window.__brobygger`) switched on.
Every test in this folder is marked `e2e`; the folder is skipped when chromium is missing.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from e2e_helpers import CHROMIUM, CHROMIUM_ARGS, TEST_HOOKS

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "pwa" / "dist"


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_dist() -> Path:
    """The built app; built here when missing and node is available (make test builds it first)."""
    if not (DIST / "index.html").is_file():
        if shutil.which("npm") is None:
            pytest.skip("pwa/dist is missing and npm is not installed: run `make pwa`")
        subprocess.run(["npm", "install", "--no-audit", "--no-fund"], cwd=ROOT / "pwa", check=True, capture_output=True)
        subprocess.run(["npm", "run", "build"], cwd=ROOT / "pwa", check=True, capture_output=True)
    return DIST


@dataclass
class LiveServer:
    workdir: Path
    port: int = field(default_factory=_free_port)
    proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        # "localhost", not 127.0.0.1: WebAuthn needs a domain as relying-party id.
        return f"http://localhost:{self.port}"

    @property
    def db_path(self) -> Path:
        return self.workdir / "brobygger.db"

    @property
    def dist(self) -> Path:
        return self.workdir / "dist"

    def start(self) -> None:
        env = {
            **os.environ,
            "BROBYGGER_DEMO_MODE": "true",
            "BROBYGGER_DATABASE_URL": f"sqlite:///{self.db_path}",
            "BROBYGGER_PWA_DIR": str(self.dist),
            "BROBYGGER_SECRET_KEY": "e2e-secret",
            "BROBYGGER_LOGIN_ATTEMPTS_PER_WINDOW": "1000",
        }
        self.log = open(self.workdir / "server.log", "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "server.app:create_app", "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {(self.workdir / 'server.log').read_text()[-2000:]}")
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("server did not start within 60 s")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.proc = None
        self.log.close()

    def restart(self) -> None:
        self.stop()
        self.start()

    def api(self, username: str, password: str = "demo") -> httpx.Client:
        client = httpx.Client(base_url=f"http://127.0.0.1:{self.port}", timeout=30)
        response = client.post("/api/session", json={"username": username, "password": password})
        assert response.status_code == 200, response.text
        return client


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
    live.stop()


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
