"""server/core/fairness.py: one caller's requests run at most `limit` at a time; the rest
wait without holding anything, and another caller's request is not stuck behind them."""
from __future__ import annotations

import asyncio

import httpx

from server.auth.sessions import COOKIE
from server.core.fairness import PerCallerLimit


async def test_one_callers_flood_waits_its_turn_and_others_pass():
    running: dict[str, int] = {}
    peak: dict[str, int] = {}
    release = asyncio.Event()

    async def app(scope, receive, send):  # the downstream app: holds the flood until released
        who = dict(scope["headers"]).get(b"x-who", b"?").decode()
        running[who] = running.get(who, 0) + 1
        peak[who] = max(peak.get(who, 0), running[who])
        if who == "flood":
            await release.wait()
        running[who] -= 1
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    limited = PerCallerLimit(app, limit=3)
    transport = httpx.ASGITransport(app=limited)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        flood = [asyncio.create_task(client.get("/", headers={"x-who": "flood", "cookie": f"{COOKIE}=aaa"}))
                 for _ in range(20)]
        await asyncio.sleep(0.05)
        assert running["flood"] == 3  # the other 17 wait at the gate
        other = await asyncio.wait_for(client.get("/", headers={"x-who": "other", "cookie": f"{COOKIE}=bbb"}), 1)
        assert other.status_code == 200
        release.set()
        assert {r.status_code for r in await asyncio.gather(*flood)} == {200}
    assert peak["flood"] == 3 and limited._gates == {}  # every caller forgotten when idle
