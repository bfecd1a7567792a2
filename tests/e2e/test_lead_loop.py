"""The lead loop closed (issue 13), on three phones: a volunteer of Værestedet Havnen notes a
lead offline and syncs; a behandler claims it and links it to a new citizen; the volunteer
reads "I kontakt" and nothing that identifies the citizen. The citizen's consent to share
with Varmestuen Nordlys makes the citizen appear on a Nordlys phone; a coordination meeting
with Nordlys is refused while the citizen has not consented to it; with that consent the
meeting's minutes reach Nordlys; the withdrawals remove the citizen at Nordlys' next sync.
axe finds nothing on the new screens at 390 px."""
from __future__ import annotations

from e2e_helpers import PHONE, api_device, api_push, login_and_setup, sync_now, unlock, wait_synced
from playwright.sync_api import expect
from sqlmodel import Session, create_engine
from support.app import sqlite_url
from support.world import add_users
from test_accessibility import assert_accessible

from server import demo

NORDLYS = demo.NORDLYS_ID
MISSING = ("Mødet kan ikke gemmes: borgeren har ikke givet samtykke til 'Drøftelse på koordineringsmøde' for "
           "Varmestuen Nordlys. Registrér samtykket, eller fjern Varmestuen Nordlys fra mødet, og gem igen.")


def _add_partner_user(server) -> None:
    """A frivillig of Varmestuen Nordlys: the partner organisation the citizen consents to."""
    engine = create_engine(sqlite_url(server.db_path))
    try:
        with Session(engine) as db:
            add_users(db, {"frivillig_nordlys": ("frivillig", NORDLYS)})
            db.commit()
    finally:
        engine.dispose()


def _sync(page) -> None:
    sync_now(page)
    wait_synced(page)


def _consent(page, citizen_id: str, purpose: str, *, withdraw: bool = False) -> None:
    base = page.url.split("#")[0]
    if withdraw:
        consent_id = page.evaluate(
            "([c, p, o]) => window.__brobygger.store.derivedId('consent', {citizen_id: c, purpose: p, recipient_org_id: o})",
            [citizen_id, purpose, NORDLYS],
        )
        page.goto(f"{base}#/borger/{citizen_id}/samtykke/{consent_id}")
        page.get_by_role("button", name="Træk samtykket tilbage").click()
        expect(page.get_by_text("Samtykket er trukket tilbage.")).to_be_visible()
        return
    page.goto(f"{base}#/borger/{citizen_id}/samtykke")
    page.locator(f"#consent-form [name=purpose][value={purpose}]").check()
    page.locator("#consent-form [name=recipient_org_id]").select_option(NORDLYS)
    page.get_by_role("button", name="Gem samtykke").click()
    expect(page.get_by_text("Samtykket er registreret (Varmestuen Nordlys).")).to_be_visible()


def _meeting(page, citizen_id: str, minutes: str) -> None:
    page.goto(f"{page.url.split('#')[0]}#/borger/{citizen_id}/nyt-moede")
    expect(page.get_by_role("heading", name="Nyt møde – LK")).to_be_visible()
    page.get_by_label("Varmestuen Nordlys", exact=True).check()
    page.get_by_label("Kort referat (valgfrit)").fill(minutes)
    page.get_by_role("button", name="Gem møde").click()


def test_the_lead_loop_on_three_phones(server, new_context):
    _add_partner_user(server)
    volunteer_context = new_context(viewport=PHONE)
    volunteer = volunteer_context.new_page()
    login_and_setup(volunteer, server.url, "frivillig")
    behandler = new_context(viewport=PHONE).new_page()
    login_and_setup(behandler, server.url, "behandler")
    partner = new_context(viewport=PHONE).new_page()
    login_and_setup(partner, server.url, "frivillig_nordlys")

    # The volunteer notes a lead offline; it waits on the phone, then syncs.
    volunteer_context.set_offline(True)
    volunteer.goto(server.url + "/#/ny-henvisning")
    volunteer.locator("#lead-form [name=place_type][value=street]").check()
    volunteer.locator("#lead-form [name=area]").fill("Kanalen ved broen")
    volunteer.locator("#lead-form [name=age_band]").select_option("33_49")
    volunteer.locator("#lead-form [name=sex][value=male]").check()
    volunteer.get_by_role("button", name="Gem henvisning").click()
    expect(volunteer.get_by_text("Henvisningen er gemt. Tak!")).to_be_visible()
    assert volunteer.evaluate("() => window.__brobygger.info().outbox") == 1
    lead_id = volunteer.evaluate("() => window.__brobygger.store.state.outbox[0].op.record_id")
    volunteer_context.set_offline(False)
    _sync(volunteer)
    expect(volunteer.get_by_text("Status: Modtaget").first).to_be_visible()
    assert_accessible(volunteer, "volunteer's leads")

    # The behandler sees it (its age in days), claims it and links it to a new citizen.
    _sync(behandler)
    behandler.goto(f"{server.url}/#/henvisning/{lead_id}")
    expect(behandler.locator("#lead-facts")).to_contain_text("Kanalen ved broen")
    expect(behandler.locator("#lead-facts")).to_contain_text("set i dag")
    assert_accessible(behandler, "the lead")
    behandler.get_by_role("button", name="Tag henvisningen").click()
    expect(behandler.get_by_text("Du har taget henvisningen.")).to_be_visible()
    behandler.get_by_role("link", name="Kobl til ny borger").click()
    form = behandler.locator("#link-new-form")
    expect(form.locator("[name=sex][value=male]")).to_be_checked()  # pre-filled from the lead
    expect(form.locator("[name=first_seen_place]")).to_have_value("public_space")
    assert form.locator("[name=birth_year]").input_value() != ""
    assert_accessible(behandler, "link to a new citizen")
    form.locator("[name=initials]").fill("LK")
    form.locator("[name=code]").fill("LEAD-1")
    behandler.get_by_role("button", name="Opret og kobl").click()
    expect(behandler.get_by_text("Borgeren er oprettet, og henvisningen er koblet til borgeren.")).to_be_visible()
    citizen_id = behandler.evaluate("(id) => window.__brobygger.store.state.leads.get(id).fields.citizen_id", lead_id)
    assert citizen_id
    _sync(behandler)

    # The volunteer reads "I kontakt", and nothing of the citizen.
    _sync(volunteer)
    volunteer.goto(server.url + "/#/")
    expect(volunteer.get_by_text("Status: I kontakt").first).to_be_visible()
    lead = volunteer.evaluate("(id) => window.__brobygger.store.state.leads.get(id)", lead_id)
    assert lead["stage"] == "in_contact"
    assert "citizen_id" not in lead["fields"] and "claimed_by" not in lead["fields"] and "resolution" not in lead["fields"]
    held = volunteer.evaluate("() => JSON.stringify([...window.__brobygger.store.state.leads.values()])")
    assert citizen_id not in held and "LEAD-1" not in held
    assert not volunteer.evaluate("(id) => window.__brobygger.store.state.summary.has(id)", citizen_id)
    assert "LEAD-1" not in volunteer.locator("main").text_content()

    # Consent to share with Nordlys: the citizen appears on Nordlys' phone, with the fields
    # that consent reveals (code and initials; no phase, no team, no lead).
    _consent(behandler, citizen_id, "share_with_partner")
    _sync(behandler)
    _sync(partner)
    partner.goto(server.url + "/#/samtykker")
    card = partner.locator("#partner-citizens li.partner-citizen").filter(has_text="LEAD-1")
    expect(card.get_by_role("heading", name="LK · LEAD-1")).to_be_visible()
    expect(card.locator("dt")).to_have_text(["Kode", "Initialer"])
    assert_accessible(partner, "partner's citizens")

    # A coordination meeting with Nordlys, without the citizen's consent to it: refused.
    _meeting(behandler, citizen_id, "Aftalt at Nordlys tilbyder et bad.")
    expect(behandler.locator("#meeting-form [data-field=orgs] .error")).to_have_text(MISSING)
    assert_accessible(behandler, "meeting refused")
    assert behandler.evaluate("() => window.__brobygger.info().outbox") == 0

    # With that consent the meeting is saved, and its minutes reach Nordlys.
    _consent(behandler, citizen_id, "coordination_meeting")
    _meeting(behandler, citizen_id, "Aftalt at Nordlys tilbyder et bad.")
    expect(behandler.get_by_text("Mødet er gemt.")).to_be_visible()
    meeting_id = behandler.url.split("#/moede/")[1]
    _sync(behandler)
    assert behandler.evaluate("() => window.__brobygger.store.state.rejected.length") == 0
    _sync(partner)
    partner.goto(server.url + "/#/samtykker")
    expect(card.locator("dt")).to_have_text(["Kode", "Initialer", "Fase"])
    card.get_by_role("link", name="Koordineringsmøde").click()
    expect(partner.locator("#meeting-facts")).to_contain_text("Aftalt at Nordlys tilbyder et bad.")
    assert_accessible(partner, "meeting minutes")

    # Both consents withdrawn: the citizen leaves Nordlys' phone at its next sync.
    _consent(behandler, citizen_id, "share_with_partner", withdraw=True)
    _consent(behandler, citizen_id, "coordination_meeting", withdraw=True)
    _sync(behandler)
    _sync(partner)
    partner.goto(server.url + "/#/samtykker")
    expect(partner.locator("#partner-citizens")).not_to_contain_text("LEAD-1")
    assert not partner.evaluate("(id) => window.__brobygger.store.state.summary.has(id)", citizen_id)
    assert partner.evaluate("async (id) => (await window.__brobygger.store.snapshot(id)) === null", meeting_id)
    partner.goto(f"{server.url}/#/moede/{meeting_id}")
    expect(partner.get_by_role("heading", name="Mødet findes ikke på telefonen")).to_be_visible()


def test_two_claims_made_apart_are_a_conflict_the_behandler_settles(server, new_context):
    other = server.api("behandler2")
    leads = other.get("/api/leads").json()["leads"]
    lead = next(l for l in leads if l["stage"] == "received" and not l["fields"].get("claimed_by"))
    page = new_context(viewport=PHONE).new_page()
    login_and_setup(page, server.url, "behandler")
    page.goto(f"{server.url}/#/henvisning/{lead['id']}")
    expect(page.get_by_role("button", name="Tag henvisningen")).to_be_visible()
    # Bea claims it on her phone while Bo's phone has not heard of it; then Bo claims it.
    api_push(other, api_device(other), {"entity": "lead", "record_id": lead["id"], "kind": "set", "field": "claimed_by",
                                        "value": demo.user_id("behandler2")})
    page.get_by_role("button", name="Tag henvisningen").click()
    expect(page.get_by_text("Du har taget henvisningen.")).to_be_visible()
    _sync(page)
    page.goto(f"{server.url}/#/henvisning/{lead['id']}")
    block = page.get_by_role("region", name="Konflikt")
    expect(block).to_contain_text("To behandlere har taget henvisningen")
    expect(block.locator("label")).to_have_count(2)
    assert_accessible(page, "lead conflict")
    block.get_by_label("Bea Behandler", exact=False).check()
    block.get_by_role("button", name="Gem valgt værdi").click()
    expect(page.get_by_text("Konflikten er løst.")).to_be_visible()
    _sync(page)
    page.goto(f"{server.url}/#/henvisning/{lead['id']}")
    expect(page.get_by_role("region", name="Konflikt")).to_have_count(0)
    expect(page.locator("#lead-facts")).to_contain_text("Bea Behandler")


def test_attempts_closure_meetings_and_visibility_on_the_phone(server, new_context):
    worker = server.api("behandler2")
    lead = next(l for l in worker.get("/api/leads").json()["leads"] if l["stage"] == "received")
    page = new_context(viewport=PHONE).new_page()
    login_and_setup(page, server.url, "behandler")
    base = f"{server.url}/#/henvisning/{lead['id']}"
    page.goto(base)
    page.get_by_role("link", name="Registrér kontaktforsøg").click()
    assert_accessible(page, "contact attempt")
    page.locator("#attempt-form [name=result][value=talked]").check()
    page.get_by_role("button", name="Gem kontaktforsøg").click()
    expect(page.get_by_text("Kontaktforsøget er gemt.")).to_be_visible()
    expect(page.locator("#lead-facts")).to_contain_text("I kontakt")
    expect(page.locator("#lead-attempts li")).to_have_count(1)
    page.get_by_role("link", name="Kobl til kendt borger").click()
    assert_accessible(page, "link to a known citizen")
    page.goto(base)
    page.get_by_role("link", name="Afslut henvisningen").click()
    assert_accessible(page, "close the lead")
    page.locator("#close-form [name=reason][value=declines]").check()
    page.get_by_role("button", name="Afslut henvisningen").click()
    expect(page.get_by_text("Henvisningen er afsluttet.")).to_be_visible()
    expect(page.locator("#lead-facts")).to_contain_text("Afsluttet: ønsker ikke kontakt")
    _sync(page)
    assert next(l for l in worker.get("/api/leads").json()["leads"] if l["id"] == lead["id"])["stage"] == "closed"

    page.goto(server.url + "/#/moeder")
    assert_accessible(page, "meetings: choose a citizen")
    page.locator("#meeting-citizen-form [name=citizen]").select_option(index=1)
    page.get_by_role("button", name="Vis borgerens møder").click()
    expect(page.get_by_role("link", name="Nyt møde")).to_be_visible()
    assert_accessible(page, "a citizen's meetings")
    page.get_by_role("link", name="Nyt møde").click()
    assert_accessible(page, "new meeting")

    page.goto(server.url + "/#/synlighed")
    page.get_by_role("link", name="Registrér synlighedsarbejde").click()
    assert_accessible(page, "new visibility work")
    page.locator("#visibility-form [name=partners][value=police]").check()
    page.locator("#visibility-form [name=reached]").fill("12")
    page.get_by_role("button", name="Gem", exact=True).click()
    expect(page.get_by_text("Synlighedsarbejdet er gemt.")).to_be_visible()
    expect(page.locator("#visibility-log")).to_contain_text("12 personer nået")
    assert_accessible(page, "visibility log")
    _sync(page)
    assert page.evaluate("() => window.__brobygger.store.state.rejected.length") == 0
    page.reload()
    unlock(page)
    page.goto(server.url + "/#/synlighed")
    expect(page.locator("#visibility-log")).to_contain_text("Mødt: Politi · 12 personer nået")
