"""The contact log as the work is done (issue 12), on the phone and offline: a behandler logs
a phone call made together with the citizen, in the evening of a weekday, with practical
help given — "uden for almindelig arbejdstid" is ticked from the time, the joint call is
asked only for a call — the timeline shows it, a correction carries the new fields, and the
kontaktskema løbende pre-fill counts the joint call where the two were (not as "Telefon
eller sms"). Online, the server has the fields. The citizen list shows the 14-day rule:
"Venter: N dage" while waiting, and the flag once over the limit. axe finds nothing on the
contact screen at 390 px (and with the text at 200 %)."""
from __future__ import annotations

from e2e_helpers import PHONE, local_date, login_and_setup, phone_session, server_records, sync_now, wait_synced
from playwright.sync_api import expect
from test_forms_offline import accessible, checked

from sync.derive import loebende_prefill

NOTE = "Ringede sammen til sagsbehandleren om enkeltydelse"


def _weekday_before_today(page) -> str:
    """The latest day before today that is Monday–Friday (the phone's calendar)."""
    for back in range(1, 8):
        day = local_date(page, -back)
        if page.evaluate("(day) => new Date(`${day}T12:00:00`).getDay()", day) not in (0, 6):
            return day
    raise AssertionError("no weekday in the last week")


def _new_citizen(page, server, initials: str, *, phase_2: bool) -> tuple[str, str]:
    page.goto(server.url + "/#/ny-borger")
    page.locator("#citizen-form [name=initials]").fill(initials)
    code = page.locator("#citizen-form [name=code]").input_value()
    if phase_2:
        page.get_by_label("Fase 2 – Fremskudt behandling").check()
        page.get_by_label("Behandlingsplanen er ikke lavet endnu").check()
    page.locator("#citizen-form [name=identified_on]").fill(local_date(page, -30))
    page.get_by_role("button", name="Opret borger").click()
    expect(page.get_by_text("Borgeren er oprettet.")).to_be_visible()
    return code, page.evaluate("() => decodeURIComponent(location.hash.split('/')[2])")


def _list_row(page, server, code: str):
    page.goto(server.url + "/#/")
    page.get_by_label("Søg på initialer eller kode").fill(code)
    return page.locator("#results a.row").filter(has_text=code)


def test_a_joint_call_outside_hours_with_practical_help_offline(server, new_context):
    context, page, errors = phone_session(server, new_context)
    context.set_offline(True)
    code, citizen_id = _new_citizen(page, server, "KW", phase_2=True)

    page.get_by_role("link", name="Log kontakt").click()
    form = page.locator("#contact-form")
    hours = form.get_by_label("Uden for almindelig arbejdstid")
    joint = form.get_by_label("Fælles opkald med borgeren til stede")
    expect(joint).to_be_hidden()  # in person: no call to ask about
    form.get_by_label("Kort note").fill(NOTE)
    form.locator("[name=channel]").select_option("phone")
    expect(joint).to_be_visible()
    joint.check()
    day = _weekday_before_today(page)
    time = form.locator("[name=occurred_at]")
    time.fill(f"{day}T10:00")
    expect(hours).not_to_be_checked()
    time.fill(f"{day}T18:30")
    expect(hours).to_be_checked()  # after 16:00 on a weekday: ticked for the behandler
    form.get_by_label("e-Boks og breve").check()
    form.get_by_label("Følgeskab", exact=True).check()
    accessible(page, "log kontakt: telefon, fælles opkald, uden for arbejdstid")
    page.get_by_role("button", name="Gem kontakt").click()
    expect(page.get_by_text("Kontakten er gemt.")).to_be_visible()
    entry = page.locator("ol.timeline li").filter(has_text=NOTE)
    expect(entry).to_contain_text("Telefon")
    expect(entry).to_contain_text("Praktisk hjælp: e-Boks og breve, Følgeskab")
    expect(entry).to_contain_text("Uden for almindelig arbejdstid · Fælles opkald med borgeren til stede")

    # A correction opens with the new fields as logged and carries only what changed.
    entry.get_by_role("link", name="Ret").click()
    expect(hours).to_be_checked()
    expect(joint).to_be_checked()
    expect(form.get_by_label("Følgeskab", exact=True)).to_be_checked()
    form.get_by_label("Følgeskab", exact=True).uncheck()
    page.get_by_role("button", name="Gem rettelse").click()
    expect(page.get_by_text("Kontakten er rettet.")).to_be_visible()
    pending = page.evaluate("() => window.__brobygger.store.state.outbox.map(e => e.op)")
    assert [(op["kind"], op.get("field"), op.get("value")) for op in pending if op["entity"] == "contact" and op["kind"] == "amend"] == [
        ("amend", "help_given", ["eboks_letters"])
    ]
    expect(entry).to_contain_text("Praktisk hjælp: e-Boks og breve")
    expect(entry).not_to_contain_text("Følgeskab")

    # Kontaktskema løbende: the joint call counts at home, where the two of them were.
    contact = {"id": "k", "fields": {"occurred_at": f"{day}T18:30:00+01:00", "kind": "contact", "place": "own_home",
                                      "channel": "phone", "joint_call": True}}
    expected = loebende_prefill([contact], {"phase": "phase_2", "plan_date": None}, local_date(page, -30), local_date(page))
    assert expected["main_place"] == "own_home"
    assert loebende_prefill([{**contact, "fields": {**contact["fields"], "joint_call": False}}], {}, day, day)["main_place"] == "phone"
    page.locator('[data-fill="kontakt_loebende"]').click()
    expect(page.locator("#prefill-note")).to_contain_text("1 kontakter og kontaktforsøg, heraf 1 kontakter")
    assert checked(page, "main_place") == "own_home"

    # Online: the server has the fields as corrected.
    context.set_offline(False)
    sync_now(page)
    wait_synced(page)
    records = server_records(server.api("behandler"))
    logged = next(r for r in records.values() if r["entity"] == "contact" and r["fields"].get("citizen_id") == citizen_id)
    assert logged["fields"]["channel"] == "phone" and logged["fields"]["place"] == "own_home"
    assert logged["fields"]["outside_hours"] is True and logged["fields"]["joint_call"] is True
    assert logged["fields"]["help_given"] == ["eboks_letters"]
    assert logged["original"]["help_given"] == ["eboks_letters", "escort"]
    assert not errors, errors


def test_the_citizen_list_shows_the_wait_and_the_14_day_flag(server, new_context):
    context = new_context(viewport=PHONE)
    page = context.new_page()
    login_and_setup(page, server.url, "behandler")
    context.set_offline(True)
    code, _ = _new_citizen(page, server, "KV", phase_2=False)

    # Asked 5 days ago, still waiting: the days show, no flag.
    page.locator("#edit-request").click()
    page.locator("#request-form [name=requested_on]").fill(local_date(page, -5))
    page.get_by_role("button", name="Gem anmodning").click()
    expect(page.get_by_text("Anmodningen er gemt, og borgeren er på venteliste.")).to_be_visible()
    row = _list_row(page, server, code)
    expect(row).to_contain_text("Venter: 5 dage")
    expect(row).not_to_contain_text("Over 14 dage fra anmodning")

    # The request was 20 days ago: over the limit, in words (not colour only).
    row.click()
    page.locator("#edit-request").click()
    page.locator("#request-form [name=requested_on]").fill(local_date(page, -20))
    page.get_by_role("button", name="Gem anmodning").click()
    expect(page.get_by_text("Anmodningsdatoen er gemt.")).to_be_visible()
    row = _list_row(page, server, code)
    expect(row.locator(".tag.danger")).to_have_text("Over 14 dage fra anmodning")
    expect(row).to_contain_text("Venter: 20 dage")
    accessible(page, "mine borgere med 14-dages-flag")

    # Started (phase 2) after 20 days: no longer waiting, the flag stays.
    row.click()
    page.get_by_role("link", name="Skift fase").click()
    page.get_by_label("Fase 2 – Fremskudt behandling").check()
    page.locator("#phase-form [name=date]").fill(local_date(page))
    page.locator("#phase-form [name=plan_date]").fill(local_date(page))
    page.get_by_role("button", name="Gem fase").click()
    expect(page.get_by_text("Fasen er gemt")).to_be_visible()
    row = _list_row(page, server, code)
    expect(row.locator(".tag.danger")).to_have_text("Over 14 dage fra anmodning")
    expect(row).not_to_contain_text("Venter:")
