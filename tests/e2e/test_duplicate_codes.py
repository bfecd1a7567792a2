"""Two live citizens of one municipality with the same code (registered twice, offline):
the server flags both (`derived.duplicate_code`), the phone shows it on the list row and
the citizen page, and the worker resolves it with "Ret koden" or "Arkivér – registreret
to gange"; the server then unflags the other one too."""
from __future__ import annotations

from e2e_helpers import api_citizens, login_and_setup, server_records, sync_now, wait_synced
from playwright.sync_api import expect

TAKEN = "Koden er allerede brugt af en anden borger på telefonen. Vælg en anden."
TAG = "Samme kode to gange"


def _rows(page, code: str):
    page.goto(page.url.split("#")[0] + "#/")
    page.get_by_label("Søg på initialer eller kode").fill(code)
    return page.locator("#results a.row")


def _flagged(api, ids) -> list[bool]:
    records = server_records(api)
    return [bool((records[i].get("derived") or {}).get("duplicate_code")) for i in ids]


def test_a_duplicate_code_is_shown_and_resolved_on_the_phone(server, new_context):
    page = new_context().new_page()
    login_and_setup(page, server.url, "behandler")
    api = server.api("behandler")
    team = page.evaluate("() => window.__brobygger.store.state.user.organisation_id")
    first, second = api_citizens(api, team, ("DUP-0001", "DA"), ("DUP-0001", "DB"))
    third, fourth = api_citizens(api, team, ("DUP-0002", "DC"), ("DUP-0002", "DD"))
    assert _flagged(api, [first, second, third, fourth]) == [True] * 4
    sync_now(page)
    wait_synced(page)

    rows = _rows(page, "DUP-0001")
    expect(rows).to_have_count(2)
    expect(rows.locator(".tag", has_text=TAG)).to_have_count(2)

    # "Ret koden": checked by the code field's spec and against the codes on the phone.
    page.goto(f"{server.url}/#/borger/{first}")
    banner = page.locator("#duplicate")
    expect(banner).to_contain_text("En anden borger i kommunen har også koden DUP-0001")
    expect(banner.get_by_role("link", name="Se den anden registrering (DB DUP-0001)")).to_be_visible()
    banner.get_by_role("link", name="Ret koden").click()
    expect(page.get_by_role("heading", name="Ret koden")).to_be_visible()
    code = page.locator("#code-form [name=code]")
    error = page.locator("#code-form [data-field=code] .error")
    code.fill("dup-0002")
    page.get_by_role("button", name="Gem ny kode").click()
    expect(error).to_have_text(TAKEN)
    code.fill("x")
    page.get_by_role("button", name="Gem ny kode").click()
    expect(error).to_have_text("'Ny kode' har ikke det rigtige format (4–12 tegn: A–Z, 0–9 og bindestreg).")
    code.fill("DUP-0001")
    page.get_by_role("button", name="Gem ny kode").click()
    expect(error).to_have_text("Det er den samme kode som nu. Skriv en ny kode.")
    code.fill("DUP-0003")
    page.get_by_role("button", name="Gem ny kode").click()
    expect(page.get_by_text("Koden er rettet.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("DA DUP-0003")
    expect(page.locator("#duplicate")).to_have_count(0)

    # "Arkivér – registreret to gange": two taps; the citizen leaves the list.
    page.goto(f"{server.url}/#/borger/{third}")
    archive = page.locator("#duplicate").get_by_role("button", name="Arkivér – registreret to gange")
    archive.click()
    page.locator("#duplicate").get_by_role("button", name="Bekræft: arkivér borgeren").click()
    expect(page.get_by_text("Borgeren er arkiveret.")).to_be_visible()
    expect(page.get_by_role("heading", name="Mine borgere")).to_be_visible()

    # On the server: the code changed, the duplicate archived, and the others unflagged.
    wait_synced(page)
    records = server_records(api)
    assert records[first]["fields"]["code"] == "DUP-0003"
    assert records[third]["archived"] is True
    assert _flagged(api, [first, second, fourth]) == [False] * 3
    sync_now(page)
    wait_synced(page)
    rows = _rows(page, "DUP-000")
    expect(rows).to_have_count(3)
    expect(rows.locator(".tag", has_text=TAG)).to_have_count(0)

    # A new citizen may not take a code the phone already knows.
    page.goto(server.url + "/#/ny-borger")
    page.locator("#citizen-form [name=initials]").fill("DE")
    page.locator("#citizen-form [name=code]").fill("DUP-0003")
    page.get_by_role("button", name="Opret borger").click()
    expect(page.locator("#citizen-form [data-field=code] .error")).to_have_text(TAKEN)
