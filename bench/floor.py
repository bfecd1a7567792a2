"""The floor of bench/sync_push.py: a bare FastAPI app whose one route does only what no
sync endpoint can skip — read the JSON body and `executemany` the ops into SQLite — served
the way ours is (uvicorn on loopback, a sync route on a worker thread).

Per op: parse (as part of the body), encode the op back to JSON, one row in `ops`
(`INSERT OR IGNORE`, `op_id UNIQUE`), one result in the answer; one transaction per
request (WAL, synchronous=NORMAL: the app's pragmas). No validation, no rights, no merge,
no snapshot, no audit.

`python bench/floor.py` with HOST, PORT and BROBYGGER_DATABASE_URL (sqlite:///FILE) in
the environment, as tests/support's `ServerProcess` starts a server.
"""
from __future__ import annotations

import json
import os
import sqlite3
import threading

import uvicorn
from fastapi import Depends, FastAPI, Request


def create_floor(path: str) -> FastAPI:
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute(
        "CREATE TABLE IF NOT EXISTS ops (seq INTEGER PRIMARY KEY AUTOINCREMENT, op_id TEXT NOT NULL UNIQUE,"
        " entity TEXT, record_id TEXT, device_id TEXT, hlc TEXT, body TEXT)"
    )
    lock = threading.Lock()
    app = FastAPI()

    async def raw_body(request: Request) -> bytes:
        return await request.body()

    @app.get("/healthz")
    def healthz() -> dict:
        return {"ok": True}

    @app.post("/push")
    def push(raw: bytes = Depends(raw_body)) -> dict:
        ops = json.loads(raw)["ops"]
        rows = [(op["op_id"], op["entity"], op["record_id"], op["device_id"], op["hlc"],
                 json.dumps(op, separators=(",", ":"))) for op in ops]
        with lock:
            connection.execute("BEGIN")
            connection.executemany(
                "INSERT OR IGNORE INTO ops (op_id, entity, record_id, device_id, hlc, body) VALUES (?, ?, ?, ?, ?, ?)", rows)
            connection.execute("COMMIT")
        return {"results": [{"op_id": op["op_id"], "status": "accepted", "error": None} for op in ops]}

    @app.get("/count")
    def count() -> dict:
        return {"ops": connection.execute("SELECT count(*) FROM ops").fetchone()[0]}

    return app


if __name__ == "__main__":
    url = os.environ["BROBYGGER_DATABASE_URL"]
    assert url.startswith("sqlite:///"), "the floor is SQLite only"
    uvicorn.run(create_floor(url.removeprefix("sqlite:///")), host=os.environ.get("HOST", "127.0.0.1"),
                port=int(os.environ.get("PORT", "8001")), access_log=False, log_level="warning")
