"""Fixtures of the installation tests: a real OpenID Connect provider on loopback.

`identity_provider(accounts, redirect_uris)` starts panva's `oidc-provider` (npm; installed
into tests/installation/oidc_provider on first use, like the PWA build) as a real process
on a free 127.0.0.1 port and returns its issuer URL, client id and secret. Its login form
takes any password; `accounts` maps a login name to the claims the provider tells about it.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from support import free_port

PROVIDER_DIR = Path(__file__).parent / "oidc_provider"
CLIENT_ID, CLIENT_SECRET = "brobygger-test", "test-client-secret-0123456789"


def _installed() -> None:
    if (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
        return
    if shutil.which("npm") is None:
        pytest.skip("needs npm for the OpenID Connect provider (oidc-provider)")
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=PROVIDER_DIR, check=True, capture_output=True, timeout=600)


class Provider:
    def __init__(self, port: int, process: subprocess.Popen):
        self.port, self.process = port, process
        self.issuer = f"http://127.0.0.1:{port}"
        self.client_id, self.client_secret = CLIENT_ID, CLIENT_SECRET

    def settings(self, **extra) -> dict:
        return {"oidc_issuer": self.issuer, "oidc_client_id": self.client_id, "oidc_client_secret": self.client_secret, **extra}


@pytest.fixture
def identity_provider(tmp_path):
    started: list[Provider] = []

    def start(accounts: dict[str, dict], redirect_uris: list[str]) -> Provider:
        _installed()
        port = free_port()
        config = {"port": port, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "redirect_uris": redirect_uris,
                  "accounts": accounts}
        log = tmp_path / f"oidc-provider-{port}.log"
        with open(log, "wb") as out:
            process = subprocess.Popen(["node", "provider.mjs", json.dumps(config)], cwd=PROVIDER_DIR, stdout=out,
                                       stderr=subprocess.STDOUT)
        provider = Provider(port, process)
        started.append(provider)
        deadline = time.monotonic() + 30
        while "ready " not in log.read_text(errors="replace"):  # it prints "ready <issuer>" once it listens
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the OpenID Connect provider did not start:\n{log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.05)
        return provider

    yield start
    for provider in started:
        provider.process.terminate()
        try:
            provider.process.wait(10)
        except subprocess.TimeoutExpired:
            provider.process.kill()
            provider.process.wait(10)


# --- the authorization world (support.world), for the administration pages ---------------

@pytest.fixture(scope="session")
def world_template(tmp_path_factory, demo_database):
    from support.world import build_world

    return build_world(tmp_path_factory.mktemp("world"), base=demo_database)


@pytest.fixture
def world(world_template, tmp_path, app_factory, client_for):
    """A fresh copy of the world (support.world): `world.app`, `world.ids`, `world.client(username)`."""
    return world_template.open(tmp_path, app_factory=app_factory, new_client=client_for)
