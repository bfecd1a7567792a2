"""The administration in Chromium, on the demo server: an administrator creates a user, the
user opens the one-time link, chooses a password, logs in for the first time, changes the
password and logs in on a phone; a team change makes the phone evict what its user may no
longer see and refuse the change it made offline; the project lead re-applies that change
from the quarantine page, and the phone's "Kræver handling" list follows. axe finds no
violations on any administration page."""
from __future__ import annotations

import re

from axe_playwright_python.sync_playwright import Axe
from e2e_helpers import info, log_contact, login, open_citizen, setup_passphrase, sync_now, wait_for_sw, wait_synced
from playwright.sync_api import Page, expect

from server import demo

DESK = {"width": 1280, "height": 900}
axe = Axe()


def assert_accessible(page: Page, what: str) -> None:
    results = axe.run(page)
    assert results.violations_count == 0, f"{what}: {results.generate_report()}"


def office_login(page: Page, url: str, username: str, password: str = "demo") -> None:
    page.goto(url + "/kontor/login")
    page.get_by_label("Brugernavn").fill(username)
    page.get_by_label("Adgangskode").fill(password)
    page.get_by_role("button", name="Log ind").click()
    expect(page.get_by_role("heading", name="Kontoret")).to_be_visible()


def test_a_new_user_from_invitation_to_first_login_and_password_change(server, new_context):
    admin = new_context(viewport=DESK).new_page()
    office_login(admin, server.url, "admin")
    admin.get_by_role("link", name="Administration").first.click()
    expect(admin.get_by_role("heading", name="Administration")).to_be_visible()
    assert_accessible(admin, "administration")
    admin.get_by_role("link", name="Brugere").click()
    assert_accessible(admin, "brugere")
    admin.get_by_role("link", name="Ny bruger").click()
    assert_accessible(admin, "ny bruger")
    admin.get_by_label("Brugernavn").fill("ea.eriksen")
    admin.get_by_label("Navn", exact=True).fill("Ea Eriksen")
    admin.get_by_label("Rolle").select_option("behandler")
    admin.get_by_label("Organisation").select_option(demo.TEAM_ID)
    admin.get_by_role("button", name="Opret bruger og lav invitationslink").click()
    expect(admin.get_by_role("heading", name="Bruger oprettet")).to_be_visible()
    assert_accessible(admin, "invitationslink")
    link = admin.locator("#invitation-link").inner_text().strip()
    assert re.fullmatch(r"http://localhost:\d+/kontor/adgangskode/[A-Za-z0-9_-]{40,}", link), link

    # The new user, on her own phone: the link, her password, her first login.
    phone_context = new_context()
    person = phone_context.new_page()
    person.goto(link)
    expect(person.get_by_role("heading", name="Vælg adgangskode")).to_be_visible()
    assert_accessible(person, "vælg adgangskode")
    person.get_by_label("Ny adgangskode").fill("kort")
    person.get_by_label("Gentag adgangskoden").fill("kort")
    person.get_by_role("button", name="Gem adgangskode").click()
    expect(person.locator("#f-password-error")).to_contain_text("Adgangskoden skal være mindst 10 tegn")
    assert_accessible(person, "vælg adgangskode med fejl")
    person.get_by_label("Ny adgangskode").fill("første kode til ea")
    person.get_by_label("Gentag adgangskoden").fill("første kode til ea")
    person.get_by_role("button", name="Gem adgangskode").click()
    expect(person.get_by_role("heading", name="Adgangskoden er gemt")).to_be_visible()
    assert_accessible(person, "adgangskoden er gemt")
    person.goto(link)
    expect(person.get_by_text("Linket er allerede brugt, udløbet eller ugyldigt")).to_be_visible()

    office_login(person, server.url, "ea.eriksen", "første kode til ea")
    person.goto(server.url + "/kontor/konto")
    assert_accessible(person, "min konto")
    person.get_by_label("Nuværende adgangskode").fill("første kode til ea")
    person.get_by_label("Ny adgangskode").fill("eas egen hemmelige kode")
    person.get_by_label("Gentag den nye adgangskode").fill("eas egen hemmelige kode")
    person.get_by_role("button", name="Skift adgangskode").click()
    expect(person.get_by_text("Din adgangskode er skiftet")).to_be_visible()

    # And the phone app, with the password she chose.
    phone = new_context().new_page()
    login(phone, server.url, "ea.eriksen", "eas egen hemmelige kode")
    setup_passphrase(phone)
    wait_for_sw(phone)
    wait_synced(phone)

    # The administrator sees her and her phone, under the name the phone was given.
    admin.goto(server.url + "/kontor/admin/brugere")
    row = admin.get_by_role("row", name=re.compile("Ea Eriksen"))
    expect(row).to_contain_text("Valgt")
    admin.goto(server.url + "/kontor/admin/enheder")
    expect(admin.get_by_role("row", name=re.compile("Telefon – Ea Eriksen"))).to_be_visible()
    assert_accessible(admin, "telefoner")
    admin.goto(server.url + "/kontor/admin/organisationer")
    assert_accessible(admin, "teams og partnere")


def test_a_team_change_and_the_quarantine_as_the_phone_sees_them(server, new_context):
    # Bo works offline on a citizen of his team.
    context = new_context()
    phone = context.new_page()
    login(phone, server.url, "behandler")
    setup_passphrase(phone)
    wait_for_sw(phone)
    wait_synced(phone)
    citizens_before = info(phone)["citizens"]
    assert citizens_before > 0
    open_citizen(phone, "BRO-")
    code = phone.locator("main h1 .code").inner_text()
    context.set_offline(True)
    log_contact(phone, "Mødt ved havnen.")

    # Meanwhile the administrator moves Bo to a new team.
    admin = new_context(viewport=DESK).new_page()
    office_login(admin, server.url, "admin")
    admin.goto(server.url + "/kontor/admin/organisationer")
    admin.locator("#new-name").fill("Team Nord")
    admin.locator("#new-kind").select_option("rusmiddelcenter")
    admin.get_by_role("button", name="Opret").click()
    expect(admin.get_by_text("Organisationen er oprettet.")).to_be_visible()
    admin.goto(f"{server.url}/kontor/admin/brugere/{demo.user_id('behandler')}")
    assert_accessible(admin, "bruger")
    admin.get_by_label("Organisation").select_option(label="Team Nord (Rusmiddelcenter (fremskudt team))")
    admin.get_by_role("button", name="Gem ændringer").click()
    expect(admin.get_by_text("Brugerens telefoner sletter ved næste synkronisering")).to_be_visible()

    # Back online: the offline contact is refused (no longer his team), the old team's
    # citizens leave the phone, and the change waits under "Kræver handling".
    context.set_offline(False)
    sync_now(phone)
    phone.wait_for_function("() => { const i = window.__brobygger.info(); return i.rejected === 1 && !i.syncing && i.citizens === 0; }")
    phone.goto(server.url + "/#/synk")
    expect(phone.get_by_text("Kræver handling (1)")).to_be_visible()

    # The project lead finds it, with the reason and the phone, and writes it again.
    lead = new_context(viewport=DESK).new_page()
    office_login(lead, server.url, "projektleder")
    lead.goto(server.url + "/kontor/admin/karantaene")
    assert_accessible(lead, "afviste ændringer")
    row = lead.get_by_role("row", name=re.compile("Bo Behandler"))
    expect(row).to_contain_text("Kontakt: Oprettelse")
    expect(row).to_contain_text("Du har ikke ret til at ændre denne oplysning")
    row.get_by_role("link").click()
    expect(lead.get_by_role("heading", name=re.compile("Afvist ændring"))).to_be_visible()
    assert_accessible(lead, "afvist ændring")
    lead.get_by_role("button", name="Skriv ændringen igen").click()
    expect(lead.get_by_text("Ændringen er skrevet igen som en ny ændring fra dig")).to_be_visible()
    assert_accessible(lead, "afvist ændring, skrevet igen")

    # Bo's phone learns it at its next sync: the list is empty, and says why.
    sync_now(phone)
    expect(phone.get_by_text("Kræver handling (0)")).to_be_visible()
    expect(phone.locator("#resolved-by-lead")).to_contain_text("Projektlederen har behandlet 1 afvist ændring")
    assert info(phone)["rejected"] == 0

    # The log: who looked at and changed this citizen, with names.
    lead.goto(server.url + "/kontor/admin/log")
    lead.get_by_label("Borgerens kode").fill(code)
    lead.get_by_role("button", name="Vis").click()
    expect(lead.locator("tbody")).to_contain_text("Pia Projektleder")
    expect(lead.locator("tbody")).to_contain_text("Bo Behandler")
    assert_accessible(lead, "log")
