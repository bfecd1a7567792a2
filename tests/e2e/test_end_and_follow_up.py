"""Ending a course on the phone and the follow-up after it (issue 12), offline: a behandler
ends a course as completed 35 days back, is reminded of the follow-up consent, gives it,
sees the 1-month follow-up overdue on the citizen page, and fills it. Online, the server
has the response with round 1 and the course's end. axe finds nothing on the new screen at
390 px and with the text at 200 %."""
from __future__ import annotations

from e2e_helpers import local_date, phone_session, server_records, sync_now, wait_synced
from playwright.sync_api import expect
from test_forms_offline import accessible, choose, next_step


def test_end_a_course_as_completed_and_fill_its_follow_up_offline(server, new_context):
    context, page, errors = phone_session(server, new_context)
    context.set_offline(True)

    ended = local_date(page, -35)  # so the 1-month follow-up is due (overdue) today
    page.goto(server.url + "/#/ny-borger")
    page.locator("#citizen-form [name=initials]").fill("EF")
    code = page.locator("#citizen-form [name=code]").input_value()
    page.locator("#citizen-form [name=identified_on]").fill(local_date(page, -200))
    page.get_by_label("Fase 2 – Fremskudt behandling").check()
    page.get_by_label("Behandlingsplanen er ikke lavet endnu").check()
    page.get_by_role("button", name="Opret borger").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(code)
    expect(page.locator('[data-fill="opfoelgning"]')).to_have_count(0)  # no follow-up for a running course

    # End the course: the screen says plainly what does not end a course.
    page.locator("#end-course").click()
    expect(page.locator("#end-explicit")).to_contain_text("Et udeblevet møde eller et tilbagefald afslutter ikke forløbet.")
    accessible(page, "afslut forløb")
    form = page.locator("#end-form")
    form.locator("[name=ended_on]").fill(ended)
    page.get_by_role("button", name="Afslut forløbet").click()  # no reason, no phase: told next to the fields
    expect(form.locator('[data-field="end_reason"] .error')).to_be_visible()
    form.get_by_label("Behandler kan ikke få kontakt").check()
    expect(page.locator("#follow-up-reminder")).to_have_count(0)  # an interruption is not followed up
    form.get_by_label("Stoffri / reduceret forbrug / færdigbehandlet").check()
    expect(page.locator("#follow-up-reminder")).to_contain_text("samtykke til opfølgende kontakt")
    form.locator('[data-field="phase_at_end"]').get_by_label("Fase 2 – Fremskudt behandling").check()
    form.locator("[name=destination]").select_option("ordinary_drug_treatment")
    accessible(page, "afslut forløb, gennemført")
    page.get_by_role("button", name="Afslut forløbet").click()
    expect(page.get_by_text("Forløbet er afsluttet")).to_be_visible()
    # Completed, but no consent yet: nothing due, and why.
    expect(page.locator("#follow-up-note")).to_contain_text("Ingen opfølgning: borgeren har ikke givet samtykke til opfølgende kontakt.")
    expect(page.locator('#due-list [data-form]')).to_have_count(0)

    # The consent to follow-up contact, from the end screen's reminder.
    page.locator("#end-course").click()
    page.locator("#follow-up-consent").click()
    consent = page.locator("#consent-form")
    # The reminder asks for the follow-up consent, to the own team.
    expect(consent.get_by_label("Opfølgende kontakt efter afsluttet behandling")).to_be_checked()
    expect(consent.locator("[name=recipient_org_id] option:checked")).to_have_text("Eget team")
    consent.locator("[name=date]").fill(ended)
    page.get_by_role("button", name="Gem samtykke").click()
    expect(page.get_by_text("Samtykket er registreret")).to_be_visible()

    # Round 1, a month after the end: overdue; nothing else is due for the ended course.
    due = page.locator("#due-list [data-form]")
    expect(due).to_have_count(1)
    expect(due.first).to_have_attribute("data-form", "opfoelgning")
    expect(due.first).to_contain_text("runde 1")
    expect(due.first).to_contain_text("Overskredet")
    accessible(page, "borger med opfølgning")
    expect(page.locator("[data-fill]")).to_have_count(1)  # the ended course offers only its follow-up

    # Fill it: not reached hides the rest; reached asks housing, work, network and use.
    page.locator('[data-fill="opfoelgning"]').click()
    choose(page, "reached", "Ja")
    next_step(page)
    choose(page, "housing", "Egen bolig")
    choose(page, "occupation", "Uddannelse")
    choose(page, "network", "Delvist")
    choose(page, "use", "Mindre end før")
    accessible(page, "opfølgning")
    next_step(page)
    expect(page.get_by_text("Opfølgning efter afsluttet forløb er gemt.")).to_be_visible()
    expect(page.locator("#due-list [data-form]")).to_have_count(0)
    expect(page.locator("#follow-up-note")).to_contain_text("Næste opfølgning (runde 2)")

    # Online: the server has the end and the follow-up with round 1.
    context.set_offline(False)
    sync_now(page)
    wait_synced(page)
    records = server_records(server.api("behandler"))
    citizen = next(r for r in records.values() if r["entity"] == "citizen" and r["fields"].get("code") == code)
    course = next(r for r in records.values() if r["entity"] == "course" and r["fields"].get("citizen_id") == citizen["id"])
    assert (course["fields"]["ended_on"], course["fields"]["end_reason"], course["fields"]["phase_at_end"], course["fields"]["destination"]) == (
        ended, "drug_free_or_reduced", "phase_2", "ordinary_drug_treatment")
    [response] = [r for r in records.values() if r["entity"] == "form_response" and r["fields"]["citizen_id"] == citizen["id"]]
    assert response["fields"]["form"] == "opfoelgning" and response["fields"]["round"] == 1
    assert response["fields"]["answers"] == {"reached": "yes", "housing": "own_home", "occupation": "education", "network": "partly", "use": "less"}
    detail = server.api("behandler").get(f"/api/citizens/{citizen['id']}").json()
    assert detail["due"] == [] and [r["round"] for r in detail["follow_up"]["rounds"]] == [2]
    assert not errors, errors
