"""Correcting a logged contact ("Ret"): the contact form opens with the contact's values,
saving adds `amend` ops for the changed fields only (the log stays append-only), drafts
work per contact, the timeline shows the corrected values with "Rettet", and the
correction reaches the server exactly once and another phone after sync."""
from __future__ import annotations

from e2e_helpers import log_contact, login_and_setup, open_citizen, server_ops, server_records, unlock, wait_synced
from playwright.sync_api import expect
from test_accessibility import assert_accessible

FIRST = "Mødt ved kiosken, ville ikke snakke"
FIXED = "Mødt på værestedet, aftalt ny tid torsdag"


def _citizen(page) -> dict:
    return page.evaluate("() => [...window.__brobygger.store.state.summary.values()].sort((a, b) => b.code.localeCompare(a.code))[0]")


def _entry(page, text: str):
    return page.locator("ol.timeline li").filter(has_text=text)


def test_amended_contact_syncs_once_and_reaches_another_phone(server, new_context):
    context = new_context()
    page = context.new_page()
    login_and_setup(page, server.url, "behandler")
    citizen = _citizen(page)
    open_citizen(page, citizen["code"])
    log_contact(page, FIRST)
    wait_synced(page)  # the contact is on the server; the correction is made offline
    contact_id = page.evaluate(
        "async ([cid, note]) => (await window.__brobygger.store.citizenViews(cid)).find(v => v.fields.note === note).id",
        [citizen["id"], FIRST],
    )

    context.set_offline(True)
    _entry(page, FIRST).get_by_role("link", name="Ret").click()
    expect(page.get_by_role("heading", name="Ret kontakt")).to_be_visible()
    expect(page).to_have_title("Ret kontakt – Brobygger")
    expect(page.get_by_label("Kort note")).to_have_value(FIRST)
    expect(page.get_by_label("Eget hjem")).to_be_checked()
    assert_accessible(page, "amend contact")

    # The half-made correction is a draft of this contact: it survives a reload offline.
    page.get_by_label("Kort note").fill(FIXED)
    page.get_by_label("Værested", exact=True).check()
    page.wait_for_timeout(600)
    page.reload()
    unlock(page)
    expect(page.get_by_text("Din kladde er gendannet")).to_be_visible()
    expect(page.get_by_label("Kort note")).to_have_value(FIXED)
    expect(page.get_by_label("Værested", exact=True)).to_be_checked()
    # A new contact for the same citizen has its own (empty) draft.
    page.goto(f"{server.url}/#/borger/{citizen['id']}/kontakt")
    expect(page.get_by_label("Kort note")).to_have_value("")
    page.go_back()
    expect(page.get_by_label("Kort note")).to_have_value(FIXED)

    time_field = page.locator("#contact-form [name=occurred_at]")
    original_time = time_field.input_value()
    time_field.fill("2999-01-01T10:00")
    page.get_by_role("button", name="Gem rettelse").click()
    expect(page.locator("#contact-form [data-field=occurred_at] .error")).to_have_text(
        "'Tidspunkt' ligger i fremtiden. Ret datoen eller tidspunktet (går telefonens ur forkert?)."
    )  # the error catalogue's message, as the server would say it
    assert_accessible(page, "amend contact with errors")
    time_field.fill(original_time)  # unchanged again: no amend of the time
    page.get_by_role("button", name="Gem rettelse").click()
    expect(page.get_by_text("Kontakten er rettet.")).to_be_visible()
    entry = _entry(page, FIXED)
    expect(entry).to_contain_text("Værested")
    expect(entry.locator(".tag", has_text="Rettet")).to_be_visible()
    expect(page.get_by_text(FIRST)).to_have_count(0)
    pending = page.evaluate("() => window.__brobygger.store.state.outbox.map(e => e.op)")
    assert sorted((op["kind"], op["field"]) for op in pending) == [("amend", "note"), ("amend", "place")]

    # Still there after a cold start offline.
    page.reload()
    unlock(page)
    open_citizen(page, citizen["code"])
    expect(_entry(page, FIXED).locator(".tag", has_text="Rettet")).to_be_visible()
    expect(page.get_by_text(FIRST)).to_have_count(0)

    context.set_offline(False)
    wait_synced(page)
    amends = [op["body"] for op in server_ops(server.db_path) if op["record_id"] == contact_id and op["body"]["kind"] == "amend"]
    assert sorted((b["field"], b["value"]) for b in amends) == [("note", FIXED), ("place", "dropin")]
    record = server_records(server.api("behandler"))[contact_id]
    assert record["fields"]["note"] == FIXED and record["fields"]["place"] == "dropin"
    assert record["original"]["note"] == FIRST
    assert len(record["amendments"]) == 2
    # The pulled snapshot (no own ops left) shows the same.
    expect(_entry(page, FIXED).locator(".tag", has_text="Rettet")).to_be_visible()

    other = new_context().new_page()
    login_and_setup(other, server.url, "behandler2")
    open_citizen(other, citizen["code"])
    expect(_entry(other, FIXED)).to_contain_text("Værested")
    expect(_entry(other, FIXED).locator(".tag", has_text="Rettet")).to_be_visible()
    expect(other.get_by_text(FIRST)).to_have_count(0)
