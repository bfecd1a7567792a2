"""Everything a user may see, pulled page by page through GET /api/sync/pull (records by id,
evictions applied): the expectation of a test computed from the data, not from the demo's
counts. `pull_all` for an httpx.AsyncClient, `pull_all_sync` for an httpx.Client."""
from __future__ import annotations

from typing import Any

import httpx

MAX_PAGES = 10_000


def _params(cursor: int, limit: int, device_id: str | None) -> dict[str, Any]:
    params: dict[str, Any] = {"cursor": cursor, "limit": limit}
    if device_id is not None:
        params["device_id"] = device_id
    return params


def _apply(records: dict[str, dict], response: httpx.Response) -> dict:
    assert response.status_code == 200, f"pull: {response.status_code} {response.text[:300]}"
    page = response.json()
    for record in page["records"]:
        records[record["id"]] = record
    for record_id in page["evict"]:
        records.pop(record_id, None)
    return page


async def pull_all(client: httpx.AsyncClient, device_id: str | None = None, limit: int = 1000) -> dict[str, dict]:
    records: dict[str, dict] = {}
    cursor = 0
    for _ in range(MAX_PAGES):
        page = _apply(records, await client.get("/api/sync/pull", params=_params(cursor, limit, device_id)))
        cursor = page["next_cursor"]
        if not page["has_more"]:
            return records
    raise AssertionError(f"pull did not finish in {MAX_PAGES} pages")


def pull_all_sync(client: httpx.Client, device_id: str | None = None, limit: int = 1000) -> dict[str, dict]:
    records: dict[str, dict] = {}
    cursor = 0
    for _ in range(MAX_PAGES):
        page = _apply(records, client.get("/api/sync/pull", params=_params(cursor, limit, device_id)))
        cursor = page["next_cursor"]
        if not page["has_more"]:
            return records
    raise AssertionError(f"pull did not finish in {MAX_PAGES} pages")
