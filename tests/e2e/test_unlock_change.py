"""Changing how the phone is unlocked ("Skift oplåsning"): the current secret must be
proven first (a wrong one counts toward the wipe, as on the unlock screen), then a new
passphrase or fingerprint/face. Only the data key's wrapping changes: the outbox and
drafts survive, the old secret stops working, and the pending change lands once."""
from __future__ import annotations

from e2e_helpers import (
    PASSPHRASE,
    add_fingerprint_authenticator,
    info,
    log_contact,
    login,
    login_and_setup,
    open_citizen,
    server_ops,
    unlock,
    wait_for_sw,
    wait_mode,
    wait_synced,
)
from playwright.sync_api import expect
from test_accessibility import assert_accessible

NEW = "blå cykel ved søen"
NOTE = "Kontakt logget før skift af adgangssætning"
DRAFT = "Halv kladde under skiftet"
SLOT = """async () => { const s = await window.__brobygger.store.keyslot();
  return {method: s.method, iterations: s.iterations || null, salt: Array.from(s.salt), wrapped: Array.from(s.wrapped)}; }"""
FAILED = "async () => await window.__brobygger.store.getMeta('failed_unlocks')"


def _change_form(page):
    page.goto(page.url.split("#")[0] + "#/synk")
    page.get_by_role("link", name="Skift oplåsning").click()
    expect(page.get_by_role("heading", name="Skift oplåsning")).to_be_visible()


def _fill(page, current: str | None, new: str, repeat: str | None = None) -> None:
    form = page.locator("#unlock-change-form")
    if current is not None:
        form.locator("[name=current]").fill(current)
    form.locator("[name=passphrase]").fill(new)
    form.locator("[name=repeat]").fill(new if repeat is None else repeat)


def _field_error(page, name: str):
    return page.locator(f"#unlock-change-form [data-field={name}] .error")


def test_change_passphrase_keeps_outbox_and_drafts(server, new_context):
    context = new_context()
    page = context.new_page()
    login_and_setup(page, server.url, "behandler")
    citizen = page.evaluate("() => [...window.__brobygger.store.state.summary.values()].sort((a, b) => a.code.localeCompare(b.code))[0]")
    context.set_offline(True)

    # A pending change and a half-typed draft, both encrypted with the data key.
    open_citizen(page, citizen["code"])
    log_contact(page, NOTE)
    page.get_by_role("link", name="Log kontakt").click()
    page.get_by_label("Kort note").fill(DRAFT)
    page.wait_for_timeout(600)  # autosaved after 250 ms
    assert info(page)["pending"] == 1
    before = page.evaluate(SLOT)

    _change_form(page)
    assert_accessible(page, "change unlock")
    page.get_by_role("button", name="Skift adgangssætning").click()
    expect(_field_error(page, "current")).to_have_text("Skriv din nuværende adgangssætning.")
    expect(_field_error(page, "passphrase")).to_contain_text("mindst 10 tegn")
    assert_accessible(page, "change unlock with errors")

    # Typos in the new passphrase are caught before anything is tried (no attempt counted).
    _fill(page, PASSPHRASE, NEW, repeat="blå cykel ved søen!")
    page.get_by_role("button", name="Skift adgangssætning").click()
    expect(_field_error(page, "repeat")).to_have_text("De to adgangssætninger er ikke ens.")
    _fill(page, PASSPHRASE, "12345678901")
    page.get_by_role("button", name="Skift adgangssætning").click()
    expect(_field_error(page, "passphrase")).to_contain_text("Brug ikke kun tal")
    assert not page.evaluate(FAILED)

    # A wrong current passphrase counts toward the wipe, exactly like the unlock screen.
    _fill(page, "forkert gæt nummer x", NEW)
    page.get_by_role("button", name="Skift adgangssætning").click()
    expect(_field_error(page, "current")).to_have_text("Forkert adgangssætning. 4 forsøg tilbage, før alle data på telefonen slettes.")
    assert page.evaluate(FAILED) == 1
    assert page.evaluate(SLOT) == before
    assert_accessible(page, "change unlock with a wrong passphrase")

    _fill(page, PASSPHRASE, NEW)
    page.get_by_role("button", name="Skift adgangssætning").click()
    expect(page.get_by_text("Adgangssætningen er skiftet.")).to_be_visible()
    expect(page.get_by_role("heading", name="Synkronisering")).to_be_visible()
    assert page.evaluate(FAILED) == 0
    after = page.evaluate(SLOT)
    assert after["method"] == "passphrase" and after["iterations"] >= 600000
    assert after["salt"] != before["salt"] and after["wrapped"] != before["wrapped"]

    # Locked: the old passphrase no longer opens the phone, the new one does.
    page.evaluate("() => window.__brobygger.lock()")
    expect(page.get_by_role("heading", name="Lås op")).to_be_visible()
    page.locator("#unlock-form [name=passphrase]").fill(PASSPHRASE)
    page.locator("#unlock-submit").click()
    expect(page.locator("#unlock-form .form-error")).to_contain_text("4 forsøg tilbage")
    unlock(page, NEW)
    page.reload()  # and after a cold start, offline
    unlock(page, NEW)
    assert info(page)["pending"] == 1
    open_citizen(page, citizen["code"])
    expect(page.locator("ol.timeline")).to_contain_text(NOTE)
    page.get_by_role("link", name="Log kontakt").click()
    expect(page.get_by_text("Din kladde er gendannet")).to_be_visible()
    expect(page.get_by_label("Kort note")).to_have_value(DRAFT)

    context.set_offline(False)
    wait_synced(page)
    bodies = [op["body"] for op in server_ops(server.db_path)]
    creates = [b for b in bodies if b["kind"] == "create" and (b["value"] or {}).get("note") == NOTE]
    assert len(creates) == 1


def test_switch_between_fingerprint_and_passphrase(server, new_context):
    context = new_context()
    page = context.new_page()
    add_fingerprint_authenticator(context, page)
    login(page, server.url, "behandler2")
    page.locator("#setup-form [name=passphrase]").fill(PASSPHRASE)
    page.locator("#setup-form [name=repeat]").fill(PASSPHRASE)
    page.get_by_role("button", name="Brug adgangssætning").click()
    wait_mode(page, "app")
    wait_for_sw(page)
    wait_synced(page)
    citizens = info(page)["citizens"]

    # Passphrase → fingerprint/face: the current passphrase is the proof.
    _change_form(page)
    page.get_by_role("button", name="Skift til fingeraftryk eller ansigt").click()
    expect(_field_error(page, "current")).to_have_text("Skriv din nuværende adgangssætning.")
    page.locator("#unlock-change-form").get_by_label("Nuværende adgangssætning").fill(PASSPHRASE)
    page.get_by_role("button", name="Skift til fingeraftryk eller ansigt").click()
    expect(page.get_by_text("Telefonen låses nu op med fingeraftryk eller ansigt.")).to_be_visible()
    assert page.evaluate(SLOT)["method"] == "prf"
    page.reload()
    page.get_by_role("button", name="Lås op med fingeraftryk eller ansigt").click()
    wait_mode(page, "app")
    assert info(page)["citizens"] == citizens

    # Fingerprint/face → passphrase: the fingerprint is the proof.
    _change_form(page)
    assert_accessible(page, "change unlock (fingerprint)")
    _fill(page, None, NEW)
    page.get_by_role("button", name="Skift til adgangssætning").click()
    expect(page.get_by_text("Adgangssætningen er skiftet.")).to_be_visible()
    assert page.evaluate(SLOT)["method"] == "passphrase"
    page.reload()
    unlock(page, NEW)
    assert info(page)["citizens"] == citizens
