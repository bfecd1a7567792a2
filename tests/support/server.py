"""A real server process for tests: `python -m server` (what `make run` starts) on a free
loopback port, configured only through the environment.

    server = ServerProcess(workdir, database_url=url, settings={"demo_mode": True})
    server.start()                       # waits for GET /healthz; raises with the log tail
    api = server.client("behandler")     # httpx.Client logged in (support.login)
    server.restart(); server.kill(); server.stop(); server.close()

- `settings` are `server.settings.Settings` fields, passed as `BROBYGGER_<NAME>`; no
  `BROBYGGER_*` variable of the calling environment leaks into the server.
- `env` adds or overrides raw environment variables (`PYTHONFAULTHANDLER`, ...).
- Several processes on one database: one `ServerProcess` each, with its own `name` (its
  log file) and port, the same `database_url` (PostgreSQL; SQLite runs one process).
- The port stays the same across `restart()`, so URLs and clients keep working; stdout and
  stderr of every run are appended to `workdir/<name>.log` (`log_text()`).
- `kill()` is SIGKILL, for crash tests; `stop()` is SIGTERM (SIGKILL after a timeout).
- Clients made by `client()`/`async_client()` are closed by `close()` (or leaving `with`).
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import httpx

from support.app import SECRET_KEY, sqlite_url
from support.login import PASSWORD, SignedIn, login, login_sync, sign_in, sign_in_sync

ROOT = Path(__file__).resolve().parents[2]
SERVER = (sys.executable, "-m", "server")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class ServerProcess:
    def __init__(self, workdir: Path, *, database_url: str | None = None, settings: Mapping[str, Any] | None = None,
                 env: Mapping[str, str] | None = None, name: str = "server", port: int | None = None,
                 public_host: str = "127.0.0.1", command: Sequence[str] = SERVER, startup_timeout: float = 90):
        """`database_url` defaults to a SQLite file `workdir/<name>.db`. `public_host` is the
        host in `url` (e.g. "localhost" for a browser: WebAuthn needs a domain); API clients
        always talk to 127.0.0.1."""
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.name = name
        self.database_url = database_url or sqlite_url(self.workdir / f"{name}.db")
        self.settings = {"secret_key": SECRET_KEY, **(settings or {})}
        self.extra_env = dict(env or {})
        self.port = port or free_port()
        self.public_host = public_host
        self.command = list(command)
        self.startup_timeout = startup_timeout
        self.log_path = self.workdir / f"{name}.log"
        self.proc: subprocess.Popen | None = None
        self._clients: list[httpx.Client | httpx.AsyncClient] = []

    # -- where ---------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://{self.public_host}:{self.port}"

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def db_path(self) -> Path:
        """The SQLite file (only for a SQLite `database_url`)."""
        assert self.database_url.startswith("sqlite:///"), self.database_url
        return Path(self.database_url.removeprefix("sqlite:///"))

    @property
    def env(self) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if not key.startswith("BROBYGGER_")}
        env.update({f"BROBYGGER_{key.upper()}": _env_value(value) for key, value in self.settings.items()})
        env["BROBYGGER_DATABASE_URL"] = self.database_url
        env.update(HOST="127.0.0.1", PORT=str(self.port), PYTHONUNBUFFERED="1")
        env.update(self.extra_env)
        return env

    # -- lifecycle -----------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self) -> ServerProcess:
        assert not self.running, f"{self.name} is already running"
        with open(self.log_path, "ab") as log:
            started = time.strftime("%H:%M:%S")
            log.write(f"\n--- {started}: {' '.join(self.command)} on port {self.port}\n".encode())
            log.flush()
            self.proc = subprocess.Popen(self.command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        try:
            self.wait_healthy()
        except BaseException:
            self._end(signal.SIGKILL, 10)
            raise
        return self

    def wait_healthy(self, timeout: float | None = None) -> None:
        """Until GET /healthz answers 200; raises (with the log's tail) if the process exits
        or the time runs out."""
        timeout = timeout or self.startup_timeout
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.running:
                raise RuntimeError(f"{self.name} exited ({self.proc and self.proc.returncode}):\n{self.log_tail()}")
            try:
                if httpx.get(f"{self.api_url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not answer /healthz within {timeout} s:\n{self.log_tail()}")

    def stop(self, timeout: float = 15) -> None:
        """SIGTERM (a clean shutdown), SIGKILL if it takes longer than `timeout`."""
        self._end(signal.SIGTERM, timeout)

    def kill(self) -> None:
        """SIGKILL: the process dies at once, as in a crash or a power cut."""
        self._end(signal.SIGKILL, 15)

    def restart(self) -> None:
        self.stop()
        self.start()

    def close(self) -> None:
        """Stop the process and close every client made here."""
        self.stop()
        for client in self._clients:
            if isinstance(client, httpx.Client):
                client.close()
        self._clients = [c for c in self._clients if isinstance(c, httpx.AsyncClient)]

    async def aclose(self) -> None:
        for client in self._clients:
            if isinstance(client, httpx.AsyncClient):
                await client.aclose()
        self.close()

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    def _end(self, sig: int, timeout: float) -> None:
        if self.running:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout)
        self.proc = None

    # -- logs ----------------------------------------------------------------------
    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def log_tail(self, chars: int = 3000) -> str:
        return self.log_text()[-chars:]

    # -- clients -------------------------------------------------------------------
    def client(self, username: str | None = None, password: str = PASSWORD, timeout: float = 30) -> httpx.Client:
        """An httpx.Client on the server, logged in as `username` (None: not logged in)."""
        client = httpx.Client(base_url=self.api_url, timeout=timeout)
        self._clients.append(client)
        if username is not None:
            try:
                login_sync(client, username, password)
            except httpx.ConnectError as refused:  # say why: the process and its log
                state = "running" if self.running else f"exited ({self.proc and self.proc.returncode})"
                raise RuntimeError(f"{self.name} on port {self.port} refused the login; it is {state}:\n{self.log_tail()}") from refused
        return client

    def phone(self, username: str, password: str = PASSWORD, **device: Any) -> tuple[httpx.Client, SignedIn]:
        """A logged-in client with a registered device (`sign_in_sync` options)."""
        client = self.client()
        return client, sign_in_sync(client, username, password, **device)

    async def async_client(self, username: str | None = None, password: str = PASSWORD,
                           timeout: float = 30) -> httpx.AsyncClient:
        client = httpx.AsyncClient(base_url=self.api_url, timeout=timeout)
        self._clients.append(client)
        if username is not None:
            await login(client, username, password)
        return client

    async def async_phone(self, username: str, password: str = PASSWORD,
                          **device: Any) -> tuple[httpx.AsyncClient, SignedIn]:
        client = await self.async_client()
        return client, await sign_in(client, username, password, **device)
