"""Pull paging: pages never lose or repeat records, and `remaining` counts what is to come."""
from __future__ import annotations


async def _pages(client, device: str, limit: int) -> tuple[list[str], int, int]:
    """Pull from cursor 0 with pages of `limit`, checking the count-down on every page:
    (record ids in order, pages, final cursor)."""
    seen, cursor, pages, total = [], 0, 0, None
    while True:
        page = (await client.get("/api/sync/pull", params={"cursor": cursor, "limit": limit, "device_id": device})).json()
        seen += [record["id"] for record in page["records"]]
        total = len(seen) + page["remaining"] if total is None else total
        assert len(seen) + page["remaining"] == total
        assert page["has_more"] == (page["remaining"] > 0)
        cursor, pages = page["next_cursor"], pages + 1
        if not page["has_more"]:
            return seen, pages, cursor


async def test_pages_cover_everything_once_and_count_down(app, client, login, register_device):
    await login(client, "projektleder")
    device = await register_device(client)
    everything, _, final_cursor = await _pages(client, device, app.state.settings.max_pull_limit)
    total = len(everything)
    assert total >= 10 and len(set(everything)) == total
    limit = max(1, total // 10)  # about ten pages, whatever the demo's size

    seen, pages, cursor = await _pages(client, device, limit)
    assert pages >= 10
    assert sorted(seen) == sorted(everything)
    assert cursor == final_cursor
