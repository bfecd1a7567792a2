"""Pull paging: pages never lose or repeat records, and `remaining` counts what is to come."""
from __future__ import annotations


async def test_pages_cover_everything_once_and_count_down(app, client, login, register_device):
    await login(client, "projektleder")
    device = await register_device(client)
    everything = (await client.get("/api/sync/pull", params={"cursor": 0, "limit": 5000, "device_id": device})).json()
    total = len(everything["records"])
    assert total > 100 and everything["remaining"] == 0 and not everything["has_more"]

    seen, cursor, pages = [], 0, 0
    while True:
        page = (await client.get("/api/sync/pull", params={"cursor": cursor, "limit": 37, "device_id": device})).json()
        seen += [record["id"] for record in page["records"]]
        assert len(seen) + page["remaining"] == total
        assert page["has_more"] == (page["remaining"] > 0)
        cursor, pages = page["next_cursor"], pages + 1
        if not page["has_more"]:
            break
    assert pages > 1
    assert sorted(seen) == sorted(record["id"] for record in everything["records"])
    assert cursor == everything["next_cursor"]
