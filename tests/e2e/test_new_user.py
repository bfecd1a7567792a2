"""What a new user ran into, one test each: a stray "null" under the list, a sync card that
did not follow the sync, selects cut off at 390 px, initials in lower case and the birth
year not shown, future dates accepted, every phone named "Brobygger på Linux", phase 2
without a behandlingsplan. (Duplicate codes: test_duplicate_codes.py.)"""
from __future__ import annotations

import re

from e2e_helpers import (
    local_date,
    log_contact,
    login,
    login_and_setup,
    open_citizen,
    server_records,
    setup_passphrase,
    wait_for_sw,
    wait_synced,
)
from playwright.sync_api import expect

FUTURE = "'{}' ligger i fremtiden. Ret datoen eller tidspunktet (går telefonens ur forkert?)."
PLAN_ASK = "Skriv datoen for behandlingsplanen, eller markér, at den ikke er lavet endnu."

# Every select on the screen: does its widest option fit in the box (minus the arrow)?
CUT_SELECTS = """() => {
  const ctx = document.createElement('canvas').getContext('2d');
  const out = [];
  for (const s of document.querySelectorAll('main select')) {
    const cs = getComputedStyle(s);
    ctx.font = cs.font;
    const room = s.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight) - 24;
    for (const o of s.options) {
      const need = ctx.measureText(o.text).width;
      if (need > room) out.push(`${s.name || s.id}: "${o.text}" needs ${Math.round(need)} px, has ${Math.round(room)}`);
    }
  }
  if (document.documentElement.scrollWidth > document.documentElement.clientWidth) out.push('the page scrolls sideways');
  return out;
}"""


def _error(page, form: str, name: str):
    return page.locator(f"#{form} [data-field={name}] .error")


def _phone(server, new_context, **kwargs):
    page = new_context(**kwargs).new_page()
    login_and_setup(page, server.url, "behandler")
    return page


def test_no_stray_text_under_a_short_list(server, new_context):
    page = _phone(server, new_context)
    page.locator("#phase-filter").select_option("phase_3")  # fewer rows than a page: no "Vis flere"
    expect(page.locator("#results .count")).to_have_text(re.compile(r"^\d+ borger(e)?$"))
    assert "null" not in page.locator("#results").text_content()


def test_selects_fit_on_a_390px_phone(server, new_context):
    page = _phone(server, new_context, viewport={"width": 390, "height": 844})
    assert page.evaluate(CUT_SELECTS) == [], "list"
    citizen = page.evaluate("() => [...window.__brobygger.store.state.summary.values()][0]")
    open_citizen(page, citizen["code"])
    page.get_by_role("link", name="Registrér samtykke").click()
    expect(page.get_by_label("Videregivelse af oplysninger til samarbejdspartner")).to_be_checked()
    assert page.evaluate(CUT_SELECTS) == [], "consent"
    page.goto(server.url + "/#/ny-borger")
    expect(page.get_by_role("heading", name="Ny borger")).to_be_visible()
    assert page.evaluate(CUT_SELECTS) == [], "new citizen"


def test_sync_card_follows_the_sync_without_a_reload(server, new_context):
    context = new_context()
    page = context.new_page()
    login_and_setup(page, server.url, "behandler")
    citizen = page.evaluate("() => [...window.__brobygger.store.state.summary.values()][0]")
    context.set_offline(True)
    open_citizen(page, citizen["code"])
    log_contact(page, "Set ved havnen")
    page.goto(server.url + "/#/synk")
    expect(page.locator("#pending-count")).to_have_text("1")
    connection = page.locator("#main dl.facts dt:text-is('Forbindelse') + dd")
    expect(connection).to_contain_text("Offline")
    context.set_offline(False)
    expect(page.locator("#pending-count")).to_have_text("0", timeout=20000)
    expect(connection).to_have_text("Online")
    expect(page.get_by_role("heading", name="Synkronisering")).to_be_focused()  # drawn in place


def test_the_worker_names_the_phone_at_set_up(server, new_context):
    page = new_context().new_page()
    login(page, server.url, "behandler2")
    display = page.evaluate("() => window.__brobygger.store.state.user.display_name")
    name = page.locator("#device-form [name=device_name]")
    expect(name).to_have_value(f"Telefon – {display}")
    name.fill("Annas arbejdstelefon")
    setup_passphrase(page)
    wait_for_sw(page)
    wait_synced(page)
    devices = server.api("behandler2").get("/api/devices").json()["devices"]
    assert "Annas arbejdstelefon" in [d["name"] for d in devices]
    page.goto(server.url + "/#/synk")
    expect(page.locator("#device-name")).to_have_text("Annas arbejdstelefon")


def test_initials_upper_case_and_the_birth_year_shown(server, new_context):
    page = _phone(server, new_context)
    page.goto(server.url + "/#/ny-borger")
    form = page.locator("#citizen-form")
    form.locator("[name=initials]").press_sequentially("æb")
    expect(form.locator("[name=initials]")).to_have_value("ÆB")
    form.locator("[name=code]").fill("")
    form.locator("[name=code]").press_sequentially("bro-qq7a")
    expect(form.locator("[name=code]")).to_have_value("BRO-QQ7A")
    form.locator("[name=birth_year]").fill("1985")
    page.get_by_role("button", name="Opret borger").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("ÆB BRO-QQ7A")
    age = int(local_date(page)[:4]) - 1985
    expect(page.locator("#person-facts dt")).to_have_text("Fødselsår")
    expect(page.locator("#person-facts dd")).to_have_text(f"1985 (ca. {age} år)")
    wait_synced(page)
    records = server_records(server.api("behandler"))
    mine = next(r for r in records.values() if r["entity"] == "citizen" and r["fields"]["code"] == "BRO-QQ7A")
    assert mine["fields"]["initials"] == "ÆB" and mine["fields"]["birth_year"] == 1985


def test_no_domain_date_in_the_future(server, new_context):
    page = _phone(server, new_context)
    tomorrow = local_date(page, 1)
    page.goto(server.url + "/#/ny-borger")
    page.locator("#citizen-form [name=initials]").fill("FD")
    page.locator("#citizen-form [name=identified_on]").fill(tomorrow)
    page.get_by_role("button", name="Opret borger").click()
    expect(_error(page, "citizen-form", "identified_on")).to_have_text(FUTURE.format("Identificeret"))

    citizen = page.evaluate("() => [...window.__brobygger.store.state.summary.values()].find(r => r.course_id)")
    open_citizen(page, citizen["code"])
    citizen_url = page.url
    page.get_by_role("link", name="Skift fase").click()
    page.get_by_label("Fase 2 – Fremskudt behandling").check()
    page.locator("#phase-form [name=date]").fill(tomorrow)
    page.locator("#phase-form [name=plan_date]").fill(tomorrow)
    page.get_by_role("button", name="Gem fase").click()
    expect(_error(page, "phase-form", "date")).to_have_text(FUTURE.format("Dato for fasen"))
    expect(_error(page, "phase-form", "plan_date")).to_have_text(FUTURE.format("Behandlingsplan"))

    page.goto(citizen_url)
    page.get_by_role("link", name="Registrér samtykke").click()
    page.locator("#consent-form [name=date]").fill(tomorrow)
    page.get_by_role("button", name="Gem samtykke").click()
    expect(_error(page, "consent-form", "date")).to_have_text(FUTURE.format("Dato"))
    page.goto(citizen_url)
    page.get_by_role("link", name="Log kontakt").click()
    page.locator("#contact-form [name=occurred_at]").fill(f"{tomorrow}T10:00")
    page.get_by_role("button", name="Gem kontakt").click()
    expect(_error(page, "contact-form", "occurred_at")).to_have_text(FUTURE.format("Tidspunkt"))
    page.goto(server.url + "/#/ny-henvisning")
    page.locator("#lead-form [name=seen_on]").fill(tomorrow)
    page.get_by_role("button", name="Gem henvisning").click()
    expect(_error(page, "lead-form", "seen_on")).to_have_text(FUTURE.format("Dato"))
    assert page.evaluate("() => window.__brobygger.info().outbox") == 0, "nothing was saved"


def test_phase_2_asks_for_the_behandlingsplan(server, new_context):
    page = _phone(server, new_context)
    today = local_date(page)
    # A new citizen in phase 2: the plan is asked for; "ikke lavet endnu" is an answer.
    page.goto(server.url + "/#/ny-borger")
    page.locator("#citizen-form [name=initials]").fill("PL")
    code = page.locator("#citizen-form [name=code]").input_value()
    expect(page.locator("#plan-block")).to_be_hidden()
    page.get_by_label("Fase 2 – Fremskudt behandling").check()
    expect(page.locator("#plan-block")).to_be_visible()
    page.get_by_role("button", name="Opret borger").click()
    expect(_error(page, "citizen-form", "plan_date")).to_have_text(PLAN_ASK)
    page.get_by_label("Behandlingsplanen er ikke lavet endnu").check()
    expect(page.locator("#citizen-form [name=plan_date]")).to_be_disabled()
    page.get_by_role("button", name="Opret borger").click()
    expect(page.locator("#plan-missing")).to_contain_text("Behandlingsplan mangler")
    citizen_url = page.url
    page.goto(server.url + "/#/")
    page.get_by_label("Søg på initialer eller kode").fill(code)
    expect(page.locator("#results a.row .tag", has_text="Behandlingsplan mangler")).to_be_visible()

    # The phase form asks again until a date is given; then the flag goes.
    page.goto(citizen_url)
    page.get_by_role("link", name="Skift fase").click()
    expect(page.locator("#plan-block")).to_be_visible()
    page.get_by_role("button", name="Gem fase").click()
    expect(_error(page, "phase-form", "plan_date")).to_have_text(PLAN_ASK)
    page.locator("#phase-form [name=plan_date]").fill(today)
    page.get_by_role("button", name="Gem fase").click()
    expect(page.get_by_text("Fasen er gemt")).to_be_visible()
    expect(page.locator("#plan-missing")).to_have_count(0)
    page.goto(server.url + "/#/")
    page.get_by_label("Søg på initialer eller kode").fill(code)
    expect(page.locator("#results a.row")).to_have_count(1)
    expect(page.locator("#results a.row .tag", has_text="Behandlingsplan mangler")).to_have_count(0)

    wait_synced(page)
    records = server_records(server.api("behandler"))
    mine = next(r for r in records.values() if r["entity"] == "citizen" and r["fields"]["code"] == code)
    course = next(r for r in records.values() if r["entity"] == "course" and r["fields"]["citizen_id"] == mine["id"])
    assert course["fields"]["phase"]["phase"] == "phase_2" and course["fields"]["plan_date"] == today
    assert course["fields"]["started_on"] == today
