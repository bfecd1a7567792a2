"""What a real server process trusts (defect 8 of the attacker's review): without
BROBYGGER_TRUSTED_PROXIES, X-Forwarded-For from any peer is ignored, so the login limit
cannot be dodged by inventing addresses; NaN in a push on PostgreSQL is refused per op
instead of failing the batch."""
from __future__ import annotations

import json
import uuid

from sqlalchemy import create_engine, text
from support import ServerProcess, hlc_now
from support.pg import fresh_database, needs_postgres


def test_a_spoofed_forwarded_for_does_not_move_the_login_limit(tmp_path):
    """One address, ten invented X-Forwarded-For addresses: all count as the peer's."""
    with ServerProcess(tmp_path, settings={"demo_mode": True, "login_attempts_per_window": 1}) as server:
        client = server.client()
        statuses = [
            client.post("/api/session", json={"username": f"x{n}", "password": "no"},
                        headers={"x-forwarded-for": f"198.51.100.{n}"}).status_code
            for n in range(11)
        ]
        assert statuses[:10] == [401] * 10 and statuses[10] == 429


@needs_postgres
def test_nan_is_refused_per_op_on_postgresql(tmp_path):
    with fresh_database("brobygger_nan") as url:
        with ServerProcess(tmp_path, database_url=url, settings={"demo_mode": True}) as server:
            client, signed = server.phone("behandler")
            device = signed.device_id
            good = {"op_id": str(uuid.uuid4()), "device_id": device, "hlc": hlc_now(device), "entity": "citizen",
                    "record_id": str(uuid.uuid4()), "kind": "create", "field": None, "seen": [],
                    "value": {"code": "PGN-0001", "team_id": "22222222-2222-4222-8222-222222222222", "initials": "PN"}}
            bad = {**good, "op_id": str(uuid.uuid4()), "record_id": str(uuid.uuid4()), "value": {"code": "NANHERE"}}
            body = json.dumps({"device_id": device, "ops": [bad, good]}).replace('"NANHERE"', "NaN")
            response = client.post("/api/sync/push", content=body, headers={"content-type": "application/json"})
            assert response.status_code == 200, response.text
            assert [r["status"] for r in response.json()["results"]] == ["rejected", "accepted"]
        engine = create_engine(url)
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM quarantine WHERE op_id = :i"), {"i": bad["op_id"]}).scalar() == 1
        engine.dispose()
