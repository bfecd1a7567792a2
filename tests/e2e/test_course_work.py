"""The course as practitioners work it (issue 12), on the phone and offline: a behandler
registers a citizen, records the day the citizen asked for treatment (on the venteliste
from then), moves the citizen to phase 2 with a behandlingsplan 18 days later — the 14-day
flag shows while waiting and stays after the late start — and records the safety note
(shown first on the citizen page) and the children in the home. Online, the server has it
all, and the office register flags the course. axe finds nothing on any new screen at
390 px and with the text at 200 %."""
from __future__ import annotations

from e2e_helpers import local_date, phone_session, server_records, sync_now, wait_synced
from playwright.sync_api import expect
from test_forms_offline import accessible


def test_request_waiting_list_phase_2_and_the_14_day_flag_offline(server, new_context):
    context, page, errors = phone_session(server, new_context)
    context.set_offline(True)

    requested, started = local_date(page, -20), local_date(page, -2)
    page.goto(server.url + "/#/ny-borger")
    page.locator("#citizen-form [name=initials]").fill("QW")
    code = page.locator("#citizen-form [name=code]").input_value()
    page.locator("#citizen-form [name=identified_on]").fill(local_date(page, -25))
    page.get_by_role("button", name="Opret borger").click()
    expect(page.get_by_text("Borgeren er oprettet.")).to_be_visible()
    expect(page.locator("#wait")).to_contain_text("Ingen dato for, hvornår borgeren bad om behandling.")
    expect(page.locator("#over-14")).to_have_count(0)

    # The request, 20 days ago: on the venteliste from then, and over the 14 days.
    page.locator("#edit-request").click()
    page.locator("#request-form [name=requested_on]").fill(requested)
    expect(page.get_by_label("Sæt borgeren på venteliste fra denne dato")).to_be_checked()
    accessible(page, "anmodning")
    page.get_by_role("button", name="Gem anmodning").click()
    expect(page.get_by_text("Anmodningen er gemt, og borgeren er på venteliste.")).to_be_visible()
    expect(page.locator("#phase-h + p")).to_contain_text("Venteliste")
    expect(page.locator("#wait")).to_contain_text("har ventet 20 dage")
    expect(page.locator("#over-14")).to_be_visible()
    accessible(page, "borger på venteliste")

    # Phase 2 with a behandlingsplan 18 days after the request: the flag stays.
    page.get_by_role("link", name="Skift fase").click()
    page.get_by_label("Fase 2 – Fremskudt behandling").check()
    page.locator("#phase-form [name=date]").fill(started)
    page.locator("#phase-form [name=plan_date]").fill(started)
    page.get_by_role("button", name="Gem fase").click()
    expect(page.get_by_text("Fasen er gemt")).to_be_visible()
    expect(page.locator("#wait")).to_contain_text("startede efter 18 dage")
    expect(page.locator("#over-14")).to_be_visible()

    # The behandlingsplan's goals, in the citizen's own words; one corrected later.
    for wording in ("Jeg vil kunne stå op om morgenen", "Mere struktur på dagen"):
        page.locator("#add-goal").click()
        page.locator("#goal-form [name=wording]").fill(wording)
        page.locator("#goal-form [name=set_on]").fill(started)
        accessible(page, "nyt mål")
        page.get_by_role("button", name="Gem mål").click()
        expect(page.get_by_text("Målet er gemt.")).to_be_visible()
    goals = page.locator("#goals li[data-goal]")
    expect(goals).to_have_count(2)
    expect(goals.nth(0)).to_contain_text("Jeg vil kunne stå op om morgenen")
    goals.nth(1).get_by_role("link", name="Ret målet").click()
    page.locator("#goal-form [name=wording]").fill("Mere struktur på dagen, fx faste måltider")
    page.get_by_label("Godt på vej").check()
    page.get_by_role("button", name="Gem mål").click()
    expect(page.get_by_text("Målet er rettet.")).to_be_visible()
    expect(goals.nth(1)).to_contain_text("Mere struktur på dagen, fx faste måltider")
    expect(goals.nth(1)).to_contain_text("Godt på vej")

    # Safety before a visit: shown at the top of the page.
    page.locator("#safety-add").click()
    page.get_by_label("Kun to medarbejdere").check()
    page.locator("#safety-form [name=safety_note]").fill("Ring først")
    accessible(page, "sikkerhed")
    page.get_by_role("button", name="Gem sikkerhedsnote").click()
    expect(page.get_by_text("Sikkerhedsnoten er gemt.")).to_be_visible()
    expect(page.locator("#safety")).to_contain_text("Kun to medarbejdere")
    expect(page.locator("#safety")).to_contain_text("Ring først")

    # Children in the home.
    page.locator("#edit-children").click()
    form = page.locator("#children-form")
    form.locator('[data-field="children_in_home"]').get_by_label("Ja", exact=True).check()
    form.locator("[name=children_count]").fill("2")
    form.get_by_label("6–12 år").check()
    form.locator("[name=notify_duty_told_on]").fill(requested)
    accessible(page, "børn i hjemmet")
    page.get_by_role("button", name="Gem", exact=True).click()
    expect(page.get_by_text("Oplysningerne om børn i hjemmet er gemt.")).to_be_visible()
    expect(page.locator("#children")).to_contain_text("6–12 år")
    accessible(page, "borger med sikkerhed og børn")

    # Online: the server has it all, and the office register flags the course.
    context.set_offline(False)
    sync_now(page)
    wait_synced(page)
    api = server.api("behandler")
    records = server_records(api)
    citizen = next(r for r in records.values() if r["entity"] == "citizen" and r["fields"].get("code") == code)
    assert citizen["fields"]["safety_flags"] == ["two_staff"] and citizen["fields"]["safety_note"] == "Ring først"
    assert citizen["fields"]["children_in_home"] == "yes" and citizen["fields"]["children_count"] == 2
    assert citizen["fields"]["children_age_bands"] == ["6_12"]
    course = next(r for r in records.values() if r["entity"] == "course" and r["fields"].get("citizen_id") == citizen["id"])
    assert course["fields"]["requested_on"] == requested and course["fields"]["started_on"] == started
    assert [w["value"]["phase"] for w in course["history"]["phase"]] == ["phase_1", "waiting_list", "phase_2"]
    goals = sorted((r for r in records.values() if r["entity"] == "goal" and r["fields"]["citizen_id"] == citizen["id"]),
                   key=lambda r: r["fields"]["wording"])
    assert [(g["fields"]["wording"], g["fields"]["status"]) for g in goals] == [
        ("Jeg vil kunne stå op om morgenen", "active"), ("Mere struktur på dagen, fx faste måltider", "progress")]
    assert [w["value"] for w in goals[1]["history"]["wording"]] == ["Mere struktur på dagen", "Mere struktur på dagen, fx faste måltider"]
    row = next(r for r in api.get("/api/register", params={"code": code}).json()["citizens"] if r["id"] == code)
    assert row["over_14_days"] is True and row["requested_on"] == requested
    assert not errors, errors
