"""The schedule page of the office in Chromium (issue 11): the projektleder opens
"Skemaplan" from the menu, gets a Danish error naming the field for a cadence out of range,
sets the cadence, sees it saved, and the API (what the phones fetch) has it; axe finds
nothing on the page, with and without errors. A behandler gets 403."""
from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from schemas.schedule import LABELS

axe = Axe()
DESK = {"width": 1366, "height": 900}


def accessible(page, screen: str) -> None:
    results = axe.run(page)
    assert results.violations_count == 0, f"{screen}: {results.generate_report()}"


def office_login(page, url: str, username: str, then: str) -> None:
    page.goto(url + then)  # not logged in: the login form, then back here
    expect(page.get_by_role("heading", name="Log ind på kontoret")).to_be_visible()
    page.get_by_label("Brugernavn").fill(username)
    page.get_by_label("Adgangskode").fill("demo")
    page.get_by_role("button", name="Log ind").click()


def test_the_projektleder_sets_the_cadence_and_a_behandler_may_not(server, new_context):
    page = new_context(viewport=DESK).new_page()
    office_login(page, server.url, "projektleder", "/kontor/")
    expect(page.get_by_role("heading", name="Kontoret")).to_be_visible()
    page.locator("nav").get_by_role("link", name="Skemaplan").first.click()
    expect(page.get_by_role("heading", name="Skemaplan", exact=True)).to_be_visible()
    expect(page.locator("#rounds-now")).to_contain_text("Progressionsskema")
    accessible(page, "schedule")

    # Out of range: the page again, the field named in Danish, nothing saved.
    before = server.api("projektleder").get("/api/schedule").json()
    page.get_by_label(LABELS["loebende_months"]).fill("30")
    page.get_by_role("button", name="Gem skemaplanen").click()
    expect(page.get_by_text("Skemaplanen er ikke gemt.")).to_be_visible()
    expect(page.locator(".form-error-message")).to_have_count(1)
    expect(page.locator(".form-error-message")).to_contain_text(f"Feltet '{LABELS['loebende_months']}' er for stort (højst 24).")
    expect(page.get_by_label(LABELS["loebende_months"])).to_have_attribute("aria-invalid", "true")
    accessible(page, "schedule with an error")
    assert server.api("projektleder").get("/api/schedule").json() == before

    # The new cadence: saved, shown, and what the phones fetch.
    page.get_by_label(LABELS["loebende_months"]).fill("4")
    page.get_by_label(LABELS["progression_months"]).fill("3")
    page.get_by_label(LABELS["progression_max"]).fill("6")
    page.get_by_role("button", name="Gem skemaplanen").click()
    expect(page.get_by_text("Skemaplanen er gemt.")).to_be_visible()
    expect(page.locator("#schedule-status")).to_contain_text("Senest ændret")
    expect(page.get_by_label(LABELS["loebende_months"])).to_have_value("4")
    accessible(page, "schedule saved")
    saved = server.api("behandler").get("/api/schedule").json()
    assert (saved["loebende_months"], saved["progression_months"], saved["progression_max"]) == (4, 3, 6)
    assert saved["starts_on"] == before["starts_on"] and saved["default"] is False

    # A behandler: not in the menu, and the page answers 403.
    other = new_context(viewport=DESK).new_page()
    office_login(other, server.url, "behandler", "/kontor/")
    expect(other.get_by_role("heading", name="Kontoret")).to_be_visible()
    expect(other.get_by_role("link", name="Skemaplan")).to_have_count(0)
    response = other.goto(server.url + "/kontor/skemaplan")
    assert response.status == 403
    accessible(other, "schedule refused")
