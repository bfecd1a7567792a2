"""The replication peer of bench/sync_push.py, from Python: PouchDB Server's express-pouchdb
on LevelDB (bench/peer/peer.mjs) as a process on loopback, and PouchDB's replicator
(bench/peer/replicate.mjs) as the client. `npm install` in bench/peer on first use.

    with Peer(workdir) as peer:
        result = peer.push(ops, batch=500)            # {"docs", "seconds", "docs_written"}
        result = peer.pull(batch=500)                 # {"docs", "seconds"}
        peer.push(more, batch=500, database="pull")   # another database on the same peer
"""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Self

from benchkit import ROOT
from support.server import ServerProcess

PEER = ROOT / "bench" / "peer"
NODE = shutil.which("node") or "node"


def install() -> None:
    """npm install in bench/peer unless its packages are there (make bench does it too)."""
    if not (PEER / "node_modules" / "express-pouchdb").is_dir() or not (PEER / "node_modules" / "pouchdb").is_dir():
        subprocess.run(["npm", "install", "--no-audit", "--no-fund"], cwd=PEER, check=True)


def versions() -> str:
    out = []
    for name in ("pouchdb", "express-pouchdb", "leveldown", "pouchdb-adapter-memory", "express"):
        manifest = PEER / "node_modules" / name / "package.json"
        if manifest.exists():
            out.append(f"{name} {json.loads(manifest.read_text())['version']}")
    node = subprocess.run([NODE, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    return f"node {node}, " + ", ".join(out)


class Peer:
    def __init__(self, workdir: Path):
        install()
        self.workdir = Path(workdir)
        self.process = ServerProcess(self.workdir, name="pouchdb-peer", command=(NODE, str(PEER / "peer.mjs")),
                                     env={"PEER_DIR": str(self.workdir / "peer-data")})

    def url(self, database: str) -> str:
        return f"{self.process.api_url}/{database}"

    def __enter__(self) -> Self:
        self.process.start()
        return self

    def __exit__(self, *exc) -> None:
        self.process.close()

    def _run(self, *args: str) -> dict:
        done = subprocess.run([NODE, str(PEER / "replicate.mjs"), *args], capture_output=True, text=True, cwd=self.workdir,
                              check=False)
        if done.returncode != 0:
            raise RuntimeError(f"replicate.mjs {args[0]} failed:\n{done.stderr[-2000:]}\n{self.process.log_tail()}")
        return json.loads(done.stdout.strip().splitlines()[-1])

    def push(self, ops: list[dict], batch: int, database: str = "bench") -> dict:
        """Replicate `ops` (one doc per op, `_id` = op_id) from a new in-memory PouchDB to the
        peer's `database` (made if missing; docs already there are skipped by _revs_diff)."""
        path = self.workdir / f"ops-{len(ops)}.json"
        path.write_text(json.dumps(ops))
        try:
            return self._run("push", str(path), self.url(database), str(batch))
        finally:
            path.unlink()

    def pull(self, batch: int, database: str = "bench") -> dict:
        """A first pull of the peer's `database` into a new in-memory PouchDB."""
        return self._run("pull", self.url(database), str(batch))
