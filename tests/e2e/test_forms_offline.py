"""The evaluation's forms on the phone, offline (issue 11): the behandler fills kontaktskema
start for a new citizen, then a kontaktskema løbende pre-filled from the contacts logged,
hands the phone over and the citizen fills the progressionsskema (two items skipped,
paused, resumed, finished, "min udvikling"); a reload offline keeps everything; online the
server has every response exactly once with its round and occasion. axe finds nothing on
any new screen, at 390 px and with the text at 200 %. Also: a paper form, a draft on an old
version moved to the newest, and a response read back."""
from __future__ import annotations

import re

from axe_playwright_python.sync_playwright import Axe
from e2e_helpers import PHONE, info, local_date, login_and_setup, phone_session, server_ops, sync_now, unlock, wait_synced
from playwright.sync_api import expect

from schemas.forms import FORMS
from sync.derive import loebende_prefill, round_of

axe = Axe()


def accessible(page, screen: str) -> None:
    """axe finds nothing, at 390 px and with the text at 200 % (and nothing overflows sideways then)."""
    page.wait_for_timeout(100)
    results = axe.run(page)
    assert results.violations_count == 0, f"{screen}: {results.generate_report()}"
    # Text zoom: the root font size doubled (the app's text is in rem). Set through the CSSOM,
    # which the app's CSP allows (it forbids style attributes in markup).
    page.evaluate("() => { document.documentElement.style.fontSize = '200%'; }")
    try:
        page.wait_for_timeout(100)
        zoomed = axe.run(page)
        assert zoomed.violations_count == 0, f"{screen} at 200 % text: {zoomed.generate_report()}"
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        wide = page.evaluate("""() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
            .slice(0, 5).map(e => `${e.tagName}.${e.className}#${e.id}: ${Math.round(e.getBoundingClientRect().right)} ${(e.textContent || '').slice(0, 40)}`)
            .concat([...document.querySelectorAll('*')].filter(e => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'visible').slice(0, 5).map(e => `scroll ${e.tagName}.${e.className}#${e.id} ${e.scrollWidth}/${e.clientWidth}`))
            .concat((() => { const out = []; const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT); let n;
                while ((n = w.nextNode())) { const r = document.createRange(); r.selectNodeContents(n); const b = r.getBoundingClientRect();
                  if (b.right > window.innerWidth + 1) out.push(`text ${n.parentElement.tagName}.${n.parentElement.className} ${Math.round(b.right)} ${n.textContent.slice(0, 30)}`); }
                return out.slice(0, 5); })())
            .concat([`doc ${document.documentElement.scrollWidth} body ${document.body.scrollWidth} inner ${window.innerWidth}`])""")
        assert overflow <= 1, f"{screen} at 200 % text scrolls sideways by {overflow}px: {wide}"
        # The bottom bar is fixed (no part of the page's width): its buttons must fit too.
        cut = page.evaluate("() => [...document.querySelectorAll('nav.actions > *')].filter(b => b.getBoundingClientRect().right > window.innerWidth + 1).map(b => b.textContent)")
        assert not cut, f"{screen} at 200 % text: the bottom bar cuts {cut}"
    finally:
        page.evaluate("() => { document.documentElement.style.fontSize = ''; }")


def log_contact_at(page, day: str, *, attempt: bool = False, place: str = "Eget hjem") -> None:
    page.get_by_role("link", name="Log kontakt").click()
    page.get_by_label("Kort note").fill("Kontakt" if not attempt else "Forsøg")
    if attempt:
        page.get_by_label("Kontaktforsøg").check()
    page.locator("#contact-form").get_by_label(place, exact=True).check()
    page.locator("#contact-form [name=occurred_at]").fill(f"{day}T10:00")
    page.get_by_role("button", name="Gem kontakt").click()
    expect(page.get_by_text("Kontaktforsøget er gemt." if attempt else "Kontakten er gemt.")).to_be_visible()


def choose(page, key: str, label: str) -> None:
    page.locator(f'#qform [data-field="{key}"]').get_by_label(label, exact=True).check()


def checked(page, key: str) -> str | None:
    return page.evaluate("(key) => document.querySelector(`#qform input[name='${key}']:checked`)?.value ?? null", key)


def next_step(page) -> None:
    page.locator("#step-next").click()


def test_forms_offline_from_kontaktskema_start_to_the_citizens_own_answers(server, new_context):
    context, page, errors = phone_session(server, new_context)
    schedule = server.api("behandler").get("/api/schedule").json()
    context.set_offline(True)

    # A new citizen, enrolled (phase 2) 30 days ago: kontaktskema start is overdue.
    enrolled = local_date(page, -30)
    page.goto(server.url + "/#/ny-borger")
    page.locator("#citizen-form [name=initials]").fill("QF")
    code = page.locator("#citizen-form [name=code]").input_value()
    page.get_by_label("Fase 2 – Fremskudt behandling").check()
    page.get_by_label("Behandlingsplanen er ikke lavet endnu").check()
    page.locator("#citizen-form [name=identified_on]").fill(enrolled)
    page.get_by_role("button", name="Opret borger").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(code)
    citizen_id = page.evaluate("() => decodeURIComponent(location.hash.split('/')[2])")
    start_due = page.locator('#due-list [data-form="kontakt_start"]')
    expect(start_due).to_contain_text("Overskredet")
    expect(page.locator('#due-list [data-form="kontakt_loebende"]').filter(has_text="Skal udfyldes senest")).to_have_count(1)
    accessible(page, "citizen page with forms due")
    page.goto(server.url + "/#/")
    page.get_by_label("Søg på initialer eller kode").fill(code)
    row = page.locator("#results a.row").filter(has_text=code)
    expect(row.locator(".tag.danger")).to_contain_text("overskredet")  # kontaktskema start (and maybe last round's løbende)
    accessible(page, "citizen list with forms due")
    row.click()

    # Kontaktskema start, in four short steps; "which other services" only after "Ja".
    page.locator('[data-fill="kontakt_start"]').click()
    expect(page.locator("#step-progress")).to_have_text("Trin 1 af 4")
    accessible(page, "kontaktskema start, step 1")
    next_step(page)  # nothing chosen: the catalogue's message next to the field
    expect(page.locator('[data-field="sex"] .error')).to_have_text("Besvar spørgsmålet: Køn")
    accessible(page, "kontaktskema start with errors")
    choose(page, "sex", "Kvinde")
    choose(page, "age_band", "26–32 år")
    next_step(page)
    choose(page, "first_seen_place", "Eget hjem")
    # "Øvrige" asks who, in a few words (version 3's free text).
    expect(page.locator('[data-q="spotted_by_other"]')).to_be_hidden()
    choose(page, "spotted_by", "Øvrige")
    expect(page.locator('[data-q="spotted_by_other"]')).to_be_visible()
    page.locator("#qform [name=spotted_by_other]").fill("  En nabo ")
    page.locator('#qform [data-field="actors_first_contact"]').get_by_label("Behandler (fremskudt)").check()
    accessible(page, "kontaktskema start, step 2 (twelve actors)")
    next_step(page)
    choose(page, "attachment", "Hidtil ukendt")
    choose(page, "substitution", "Ingen substitutionsbehandling")
    next_step(page)
    expect(page.locator('[data-q="other_services"]')).to_be_hidden()
    choose(page, "other_services_any", "Ja")
    expect(page.locator('[data-q="other_services"]')).to_be_visible()
    page.locator('#qform [data-field="other_services"]').get_by_label("Bostøtte").check()
    expect(page.locator("#step-next")).to_have_text("Gem skema")
    accessible(page, "kontaktskema start, last step")
    next_step(page)
    expect(page.get_by_text("Kontaktskema start er gemt.")).to_be_visible()
    expect(page.locator('#due-list [data-form="kontakt_start"]')).to_have_count(0)

    # Contacts of the period: four at home, three attempts in the street.
    days = {"contacts": [-27, -20, -13, -6], "attempts": [-24, -17, -10]}
    for offset in days["contacts"]:
        log_contact_at(page, local_date(page, offset))
    for offset in days["attempts"]:
        log_contact_at(page, local_date(page, offset), attempt=True, place="Gaden / offentligt rum")

    # Kontaktskema løbende, pre-filled from exactly those contacts.
    today = local_date(page)
    contacts = [{"id": f"c{o}", "fields": {"occurred_at": f"{local_date(page, o)}T10:00:00+01:00", "kind": "contact", "place": "own_home", "channel": "in_person"}} for o in days["contacts"]]
    contacts += [{"id": f"a{o}", "fields": {"occurred_at": f"{local_date(page, o)}T10:00:00+01:00", "kind": "attempt", "place": "street", "channel": "in_person"}} for o in days["attempts"]]
    since = enrolled  # the period: since enrolment (less than one cadence ago, no earlier løbende)
    expected = loebende_prefill(contacts, {"phase": "phase_2", "plan_date": None}, since, today)
    assert expected == {"phase": "phase_2", "main_place": "own_home", "attempt_frequency": "several_weekly", "contact_frequency": "weekly", "plan_made": "no"}
    page.locator('[data-fill="kontakt_loebende"]').click()
    expect(page.locator("#prefill-note")).to_contain_text("7 kontakter og kontaktforsøg, heraf 4 kontakter")
    for key in ("phase", "main_place"):
        assert checked(page, key) == expected[key], key
    accessible(page, "kontaktskema løbende, pre-filled")
    next_step(page)
    expect(page.locator("#step-title")).to_have_text("Parathed til brobygning")  # phase 2: readiness is asked
    for key in ("stable_contact", "positive_development", "can_attend", "prepared_transfer", "safe_with_new"):
        choose(page, f"readiness_{key}", "I nogen grad")
    accessible(page, "kontaktskema løbende, readiness")
    next_step(page)
    for key in ("attempt_frequency", "contact_frequency"):
        assert checked(page, key) == expected[key], key
    next_step(page)
    assert checked(page, "plan_made") == expected["plan_made"]
    next_step(page)
    expect(page.get_by_text("Kontaktskema løbende er gemt.")).to_be_visible()

    # The phone is handed over: the citizen answers, skips two, pauses, resumes, finishes.
    page.locator('[data-fill="progression"]').click()
    expect(page.get_by_role("heading", name="Giv telefonen til borgeren")).to_be_visible()
    accessible(page, "hand over")
    page.get_by_label("Borgeren selv").check()
    page.locator("#start-selffill").click()
    expect(page.get_by_role("heading", name="Spørgsmål om, hvordan du har det")).to_be_visible()
    assert page.locator("header a").count() == 0 and page.locator("#sync-badge").count() == 0
    accessible(page, "self-fill intro")
    page.locator("#selffill-start").click()
    skipped = {"recovery_hope", "daily_tidy"}
    paused = False
    answered = 0
    seen: list[str] = []
    while True:
        page.wait_for_function("() => document.querySelector('#selffill-question, #selffill-summary')")
        if page.locator("#selffill-summary").count():
            break
        key = _question_key(page)
        assert key not in seen, f"{key} asked twice"
        seen.append(key)
        if not answered and len(seen) == 1:
            expect(page.locator("#selffill-count")).to_have_text("Spørgsmål 1 af 19")
            accessible(page, "self-fill question")
            page.locator("#selffill-next").click()  # no answer: asked to answer or skip
            expect(page.locator("#selffill-error")).to_have_text("Vælg et svar, eller tryk “Spring over”.")
        if key in skipped:
            page.locator("#selffill-skip").click()
            _wait_past(page, key)
            continue
        if key == "alcohol_frequency":
            page.get_by_label("Slet ikke", exact=True).check()  # no drinking: the drinks questions are not asked
        else:
            page.locator("#selffill-form input[type=radio]").nth(2).check()
        answered += 1
        if answered == 6 and not paused:
            page.locator("#selffill-pause").click()
            expect(page.get_by_role("heading", name="Pause")).to_be_visible()
            accessible(page, "self-fill pause")
            # Nothing of the behandler's data is reachable: any address shows the citizen's screen.
            page.evaluate("() => { location.hash = '#/'; }")
            page.wait_for_timeout(300)
            expect(page.get_by_role("heading", name="Pause")).to_be_visible()
            assert page.locator("#results").count() == 0
            page.go_back()  # nor by the back button
            page.wait_for_timeout(300)
            expect(page.get_by_role("heading", name="Pause")).to_be_visible()
            page.locator("#selffill-resume").click()
            expect(page.locator("#selffill-question")).to_be_visible()
            assert _question_key(page) == key
            paused = True
        page.locator("#selffill-next").click()
        _wait_past(page, key)
    assert answered == 17 and len(seen) == 19
    expect(page.locator("#selffill-summary")).to_have_text("Du har svaret på 17 af 19 spørgsmål.")
    accessible(page, "self-fill end")
    body = page.locator("main").inner_text().lower()
    assert "behandling" not in body and "misbrug" not in body
    page.locator("#selffill-save").click()
    expect(page.get_by_role("heading", name="Min udvikling")).to_be_visible()
    expect(page.locator("#development figure")).to_have_count(3)
    assert page.locator("#development svg[role=img]").count() == 3
    accessible(page, "min udvikling")
    page.locator("#selffill-leave").click()
    unlock(page)  # the way back is the behandler's unlock
    expect(page.get_by_role("heading", level=1)).to_contain_text(code)

    # Reload offline: everything is there.
    page.reload()
    unlock(page)
    page.locator("#responses summary").click()
    expect(page.locator("#responses li")).to_have_count(3)
    expect(page.locator("#responses")).to_contain_text("Progressionsskema")
    assert info(page)["pending"] >= 12
    assert errors == [], errors

    # Online: the server has every response exactly once, with its round and occasion.
    context.set_offline(False)
    sync_now(page)
    wait_synced(page)
    creates = [op for op in server_ops(server.db_path) if op["entity"] == "form_response" and op["body"]["value"] and op["body"]["value"].get("citizen_id") == citizen_id]
    assert sorted(op["body"]["value"]["form"] for op in creates) == ["kontakt_loebende", "kontakt_start", "progression"]
    assert len({op["record_id"] for op in creates}) == 3
    detail = server.api("behandler").get(f"/api/citizens/{citizen_id}").json()
    by_form = {r["fields"]["form"]: r for r in detail["form_responses"]}
    for form, response in by_form.items():
        fields = response["fields"]
        assert fields["version"] == FORMS[form].version
        assert fields["round"] == round_of(schedule, form, today), form
        assert response["occasion"] == 1
    assert by_form["progression"]["fields"]["filled_by"] == "citizen"
    answers = by_form["progression"]["fields"]["answers"]
    assert len(answers) == 17 and not skipped & set(answers) and "drinks_per_occasion" not in answers
    assert by_form["kontakt_loebende"]["fields"]["answers"]["attempt_frequency"] == "several_weekly"
    assert by_form["kontakt_start"]["fields"]["answers"]["other_services"] == ["bostoette"]
    assert by_form["kontakt_start"]["fields"]["answers"]["spotted_by_other"] == "En nabo"
    assert all(d["form"] != "kontakt_start" for d in detail["due"])


def test_paper_form_old_version_draft_and_reading_a_response(server, new_context):
    page = new_context(viewport=PHONE).new_page()
    login_and_setup(page, server.url, "behandler")
    citizen = page.evaluate("() => [...window.__brobygger.store.state.summary.values()].find(r => r.course_id && r.phase === 'phase_2')")
    page.goto(f"{server.url}/#/borger/{citizen['id']}")
    before = {r["id"] for r in server.api("behandler").get(f"/api/citizens/{citizen['id']}").json()["form_responses"]}

    # A paper progressionsskema keyed in afterwards, with its own date and round.
    page.get_by_role("link", name="Indtast papirskema").click()
    accessible(page, "paper: which form")
    page.get_by_role("link", name="Progressionsskema").click()
    expect(page.locator("#step-title")).to_have_text("Om papirskemaet")
    accessible(page, "paper form")
    day = local_date(page, -40)
    page.locator("#qform [name=filled_on]").fill(day)
    page.locator("#qform [name=filled_on]").dispatch_event("change")
    schedule = server.api("behandler").get("/api/schedule").json()
    expect(page.locator("#qform [name=round]")).to_have_value(str(round_of(schedule, "progression", day)))
    page.get_by_label("Borgeren med hjælp").check()
    for step in range(2, 6):  # the citizen skipped everything on the paper but two answers
        next_step(page)
        expect(page.locator("#step-progress")).to_have_text(f"Trin {step} af 5")
        if step == 3:
            choose(page, "wellbeing_personal", "6")
    choose(page, "days_cannabis", "2")
    next_step(page)
    expect(page.get_by_text("Progressionsskema er gemt (udfyldt på papir).")).to_be_visible()
    wait_synced(page)
    detail = server.api("behandler").get(f"/api/citizens/{citizen['id']}").json()
    [paper] = [r for r in detail["form_responses"] if r["id"] not in before]
    fields = paper["fields"]
    assert (fields["on_paper"], fields["filled_on"], fields["filled_by"], fields["round"]) == (True, day, "citizen_helped", round_of(schedule, "progression", day))
    assert fields["answers"] == {"wellbeing_personal": 6, "days_cannabis": 2}

    # A draft on version 1 opens in version 1; moving it says what does not carry over.
    page.evaluate(
        """(id) => window.__brobygger.store.saveDraft(`form:${id}:kontakt_start`,
             {_version: "1", _step: "0", first_seen_place: "own_home", substances: ["hash"], other_services: ["bostoette"]})""",
        citizen["id"],
    )
    page.goto(f"{server.url}/#/borger/{citizen['id']}/skema/kontakt_start")
    expect(page.locator("#version-move")).to_contain_text("Kladden er på version 1 af skemaet")
    expect(page.locator("#not-carried")).to_contain_text("Primære rusmidler")
    expect(page.locator("#not-carried")).to_contain_text("Andre sociale og sundhedsmæssige tilbud")
    assert page.locator("#qform").get_attribute("data-version") == "1"
    accessible(page, "draft on an old version")
    page.locator("#move-version").click()
    latest = FORMS["kontakt_start"].version
    expect(page.get_by_text(f"Kladden er flyttet til version {latest}.")).to_be_visible()
    assert page.locator("#qform").get_attribute("data-version") == str(latest)
    expect(page.locator("#version-move")).to_have_count(0)
    assert checked(page, "first_seen_place") == "own_home"  # what carries over, does

    # A response read back in the version it was answered against.
    page.goto(f"{server.url}/#/borger/{citizen['id']}")
    page.locator("#responses summary").click()
    page.locator("#responses a").first.click()
    expect(page.locator("#response-facts")).to_contain_text("Runde")
    expect(page.locator("#answers dt").first).to_be_visible()
    accessible(page, "a response")


def _wait_past(page, key: str) -> None:
    """Until the screen shows another question (or the end)."""
    page.wait_for_function(
        """(key) => document.querySelector('#selffill-summary') || !document.querySelector(`#selffill-form input[id^="sf-${key}-"]`)""", arg=key)


def _question_key(page) -> str:
    """The key of the question on screen (its choices' ids are sf-<key>-<n>)."""
    return re.sub(r"^sf-(.+)-\d+$", r"\1", page.locator("#selffill-form input").first.get_attribute("id") or "")


def test_the_idle_lock_ends_the_citizens_mode_and_nothing_typed_is_lost(server, new_context):
    page = new_context(viewport=PHONE).new_page()
    login_and_setup(page, server.url, "behandler")
    citizen = page.evaluate("() => [...window.__brobygger.store.state.summary.values()].find(r => r.course_id)")
    page.goto(f"{server.url}/#/borger/{citizen['id']}/selv")
    page.locator("#start-selffill").click()
    page.locator("#selffill-start").click()
    page.locator("#selffill-form input[type=radio]").nth(4).check()
    page.locator("#selffill-next").click()
    expect(page.locator("#selffill-count")).to_have_text("Spørgsmål 2 af 19")
    page.evaluate("() => window.__brobygger.setIdleSeconds(2)")
    expect(page.get_by_role("heading", name="Lås op")).to_be_visible(timeout=10000)
    unlock(page)
    page.evaluate("() => window.__brobygger.setIdleSeconds(300)")
    # The behandler is back in the app (not in the citizen's mode); the answers wait encrypted.
    expect(page.get_by_role("heading", name="Giv telefonen til borgeren")).to_be_visible()
    expect(page.locator("#selffill-resume")).to_contain_text("1 spørgsmål er besvaret")
    page.locator("#start-selffill").click()
    expect(page.locator("#selffill-count")).to_have_text("Spørgsmål 2 af 19")
    page.locator("#selffill-back").click()
    expect(page.locator("#selffill-form input[type=radio]").nth(4)).to_be_checked()
