"""The office in Chromium: a projektleder logs in with the form, opens every page and every
report of the catalogue; axe finds no violations anywhere; the office works with script
switched off; the print stylesheet drops the menu and forms (a page prints to PDF); a
behandler's register is the own team's."""
from __future__ import annotations

import re

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from server.office.catalogue import REPORTS

axe = Axe()
DESK = {"width": 1366, "height": 900}


def assert_accessible(page, screen: str) -> None:
    results = axe.run(page)
    assert results.violations_count == 0, f"{screen}: {results.generate_report()}"


def office_login(page, url: str, username: str) -> None:
    page.goto(url + "/kontor/deltagere")  # not logged in: the login form, then back here
    expect(page.get_by_role("heading", name="Log ind på kontoret")).to_be_visible()
    page.get_by_label("Brugernavn").fill(username)
    page.get_by_label("Adgangskode").fill("demo")
    page.get_by_role("button", name="Log ind").click()
    expect(page.get_by_role("heading", name="Deltagerliste")).to_be_visible()


def test_every_office_page_and_report_has_no_axe_violations(server, new_context):
    context = new_context(viewport=DESK)
    page = context.new_page()
    console = []
    page.on("console", lambda message: console.append(message.text) if message.type == "error" else None)
    page.goto(server.url + "/kontor/login")
    assert_accessible(page, "login")
    page.get_by_label("Brugernavn").fill("projektleder")
    page.get_by_label("Adgangskode").fill("forkert")
    page.get_by_role("button", name="Log ind").click()
    expect(page.get_by_text("Forkert brugernavn eller adgangskode.")).to_be_visible()
    assert_accessible(page, "login with an error")
    office_login(page, server.url, "projektleder")
    assert_accessible(page, "register")
    page.get_by_role("link", name="Sortér efter Identifikationsdato").click()
    expect(page.locator("th[aria-sort=ascending]")).to_contain_text("Identifikationsdato")
    page.get_by_label("Fase", exact=True).select_option("phase_2")
    page.get_by_role("button", name="Vis").click()
    expect(page).to_have_url(re.compile(r"phase=phase_2"))
    assert_accessible(page, "register, filtered and sorted")
    page.locator("table a[href^='/kontor/deltagere/']").first.click()
    expect(page.get_by_role("heading", name="Fasehistorik")).to_be_visible()
    assert_accessible(page, "register row")

    for path, heading in (("/kontor/", "Kontoret"), ("/kontor/svar", "Besvarelser"), ("/kontor/rapporter", "Rapporter"),
                          ("/kontor/eksport", "Eksport og API")):
        page.goto(server.url + path)
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        assert_accessible(page, path)
    overdue = page.goto(server.url + "/kontor/svar/udestaaende")
    assert overdue.status == 200
    assert_accessible(page, "overdue list")

    page.goto(server.url + "/kontor/eksport")
    page.get_by_label("Navn på nøglen").fill("Power BI")
    page.get_by_role("button", name="Lav en ny API-nøgle").click()
    expect(page.get_by_text("Nøglen er lavet")).to_be_visible()
    assert_accessible(page, "exports with a new token")

    for report in REPORTS.values():
        page.goto(f"{server.url}/kontor/rapporter/{report.id}?from=2020-01-01")
        expect(page.get_by_role("heading", name=report.title)).to_be_visible()
        assert page.locator("table").count() >= 1, report.id
        assert_accessible(page, report.id)
    page.goto(f"{server.url}/kontor/rapporter/fig-4-13?panel=1")
    expect(page.get_by_text("Kun borgere, der har besvaret skemaet ved alle besvarelser 1–4.")).to_be_visible()
    page.goto(server.url + "/kontor/rapporter/findes-ikke")
    expect(page.get_by_role("heading", name="Det gik ikke")).to_be_visible()
    assert_accessible(page, "404 page")
    assert not [m for m in console if "Content Security Policy" in m], console


def test_the_office_works_with_script_switched_off(server, new_context):
    page = new_context(viewport=DESK, java_script_enabled=False).new_page()
    office_login(page, server.url, "projektleder")
    page.get_by_role("link", name="Sortér efter ID (kode)").click()
    expect(page.locator("th[aria-sort=descending]")).to_contain_text("ID (kode)")
    page.goto(server.url + "/kontor/rapporter/fig-4-11")
    expect(page.locator("figure.office-chart img")).to_be_visible()
    page.goto(server.url + "/kontor/eksport")
    page.get_by_label("Navn på nøglen").fill("Uden script")
    page.get_by_role("button", name="Lav en ny API-nøgle").click()
    expect(page.get_by_text("Nøglen er lavet")).to_be_visible()


def test_a_report_prints_without_menu_and_forms(server, new_context):
    page = new_context(viewport=DESK).new_page()
    office_login(page, server.url, "projektleder")
    page.goto(server.url + "/kontor/rapporter/fig-4-6")
    chart = page.locator("figure.office-chart img")
    expect(chart).to_be_visible()
    assert page.evaluate("(img) => img.naturalWidth", chart.element_handle()) > 0  # the SVG renders under the CSP
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Hovedmenu")).to_be_hidden()
    expect(page.locator("form.office-filters")).to_be_hidden()
    expect(page.locator("table").first).to_be_visible()
    pdf = page.pdf(format="A4")
    assert pdf[:4] == b"%PDF" and len(pdf) > 10_000


def test_a_behandler_sees_the_own_team_and_no_reports(server, new_context):
    page = new_context(viewport=DESK).new_page()
    office_login(page, server.url, "behandler")
    expect(page.get_by_text("Dit teams borgere")).to_be_visible()
    menu = page.get_by_role("navigation", name="Hovedmenu")
    expect(menu.get_by_role("link", name="Deltagerliste")).to_be_visible()
    expect(menu.get_by_role("link", name="Rapporter")).to_have_count(0)
    response = page.goto(server.url + "/kontor/rapporter/fig-4-11")
    assert response.status == 403
    expect(page.get_by_text("Du har ikke adgang til dette.")).to_be_visible()
