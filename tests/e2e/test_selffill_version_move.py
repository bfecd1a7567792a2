"""A citizen's self-fill draft on an old version of the progressionsskema (issue 11): the
hand-over screen says so and offers the same explicit "flyt til nyeste version" step as the
behandler's drafts (screens/forms_fill.js versionMoveStep), naming the answers that do not
carry over; moved, the citizen goes on in the newest version where they left off. axe finds
nothing on the hand-over screen with the step, at 390 px."""
from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from e2e_helpers import phone_session
from playwright.sync_api import expect

from schemas.forms import FORMS, form_of

axe = Axe()


def test_a_self_fill_draft_on_an_old_version_is_moved_saying_what_does_not_carry_over(server, new_context):
    _, page, errors = phone_session(server, new_context)
    citizen = page.evaluate("() => [...window.__brobygger.store.state.summary.values()].find(r => r.course_id)")
    latest = FORMS["progression"].version
    assert latest > 1
    # A draft the citizen began in version 1: 0 drinks was an answer then (version 2 asks
    # for at least 1, and only after drinking), and the citizen was at that question.
    page.evaluate(
        """(id) => window.__brobygger.store.saveDraft(`selv:${id}`, {version: 1, filled_by: "citizen", at: "drinks_per_occasion",
             answers: {recovery_supported: "3", wellbeing_social: 7, alcohol_frequency: "never", drinks_per_occasion: 0}, skipped: ["recovery_hope"]})""",
        citizen["id"],
    )
    page.goto(f"{server.url}/#/borger/{citizen['id']}/selv")
    expect(page.get_by_role("heading", name="Giv telefonen til borgeren")).to_be_visible()
    step = page.locator("#version-move")
    expect(step).to_contain_text("Kladden er på version 1 af skemaet")
    expect(step).to_contain_text(f"Skemaet er kommet i version {latest}")
    old_label = form_of("progression", 1).question("drinks_per_occasion").label
    expect(page.locator("#not-carried li")).to_have_count(1)
    expect(page.locator("#not-carried")).to_contain_text(old_label)
    expect(page.locator("#selffill-resume")).to_contain_text("4 spørgsmål er besvaret")
    page.wait_for_timeout(100)
    results = axe.run(page)
    assert results.violations_count == 0, results.generate_report()

    page.locator("#move-version").click()
    expect(page.get_by_text(f"Kladden er flyttet til version {latest}.")).to_be_visible()
    expect(page.locator("#version-move")).to_have_count(0)
    expect(page.locator("#selffill-resume")).to_contain_text("3 spørgsmål er besvaret")
    draft = page.evaluate("(id) => window.__brobygger.store.loadDraft(`selv:${id}`)", citizen["id"])
    assert draft["version"] == latest
    assert draft["answers"] == {"recovery_supported": "3", "wellbeing_social": 7, "alcohol_frequency": "never"}
    assert draft["skipped"] == ["recovery_hope"] and draft["filled_by"] == "citizen"

    # The citizen goes on in the newest version, at the first question neither answered nor
    # skipped; no drinking: the two drinks questions are not asked (21 - 2).
    page.locator("#start-selffill").click()
    expect(page.locator("#selffill-count")).to_have_text("Spørgsmål 3 af 19")
    expect(page.locator("#selffill-question")).to_have_text(FORMS["progression"].question("recovery_self_worth").label)
    assert errors == [], errors
