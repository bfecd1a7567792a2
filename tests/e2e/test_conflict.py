"""Two phones change the same citizen's phase while offline. Both come online: the
conflict shows on both with both values, who and when; one resolves it; both converge."""
from __future__ import annotations

from e2e_helpers import login_and_setup, open_citizen, sync_now, unlock, wait_synced
from playwright.sync_api import expect


def _set_phase(page, label: str, date: str) -> None:
    page.get_by_role("link", name="Skift fase").click()
    page.get_by_label(label).check()
    page.locator("#phase-form [name=date]").fill(date)
    plan_later = page.get_by_label("Behandlingsplanen er ikke lavet endnu")
    if plan_later.is_visible():  # phase 2 and 3 ask for the behandlingsplan: not made yet
        plan_later.check()
    page.get_by_role("button", name="Gem fase").click()
    expect(page.get_by_text("Fasen er gemt")).to_be_visible()


def _phase(page, citizen_id: str) -> dict:
    return page.evaluate(
        "async (id) => { const vs = await window.__brobygger.store.citizenViews(id);"
        " const c = vs.find(v => v.entity === 'course'); return {phase: c.fields.phase, conflicts: c.conflicts}; }",
        citizen_id,
    )


def test_concurrent_phase_change_is_a_visible_conflict_and_converges(server, new_context):
    bo_ctx, bea_ctx = new_context(), new_context()
    bo, bea = bo_ctx.new_page(), bea_ctx.new_page()
    login_and_setup(bo, server.url, "behandler")
    login_and_setup(bea, server.url, "behandler2")
    citizen = bo.evaluate(
        "() => [...window.__brobygger.store.state.summary.values()].filter(r => r.phase === 'phase_1')"
        ".sort((a, b) => b.code.localeCompare(a.code))[0]"
    )

    bo_ctx.set_offline(True)
    bea_ctx.set_offline(True)
    open_citizen(bo, citizen["code"])
    _set_phase(bo, "Fase 2 – Fremskudt behandling", "2026-11-21")
    open_citizen(bea, citizen["code"])
    _set_phase(bea, "Fase 3 – Brobygning", "2026-11-22")

    bo_ctx.set_offline(False)
    wait_synced(bo)
    bea_ctx.set_offline(False)
    wait_synced(bea)
    sync_now(bo)
    wait_synced(bo)

    for page in (bo, bea):
        page.reload()

        unlock(page)
        open_citizen(page, citizen["code"])
        banner = page.get_by_role("alert").filter(has_text="Konflikt")
        expect(banner).to_be_visible()
        expect(banner).to_contain_text("Fase 2 – Fremskudt behandling (fra 21.11.2026)")
        expect(banner).to_contain_text("Fase 3 – Brobygning (fra 22.11.2026)")
        expect(banner).to_contain_text("Bo Behandler")
        expect(banner).to_contain_text("Bea Behandler")
        expect(banner).to_contain_text("(dig)")
        expect(banner).to_contain_text(" kl. ")

    # Bea resolves: she picks Bo's value.
    bea.get_by_role("link", name="Løs konflikten").click()
    bea.get_by_label("Fase 2 – Fremskudt behandling (fra 21.11.2026)", exact=False).check()
    bea.get_by_role("button", name="Gem valgt værdi").click()
    expect(bea.get_by_text("Konflikten er løst.")).to_be_visible()
    expect(bea.get_by_role("alert").filter(has_text="Konflikt: ")).to_have_count(0)
    sync_now(bea)
    wait_synced(bea)
    sync_now(bo)
    wait_synced(bo)

    bo_state, bea_state = _phase(bo, citizen["id"]), _phase(bea, citizen["id"])
    assert bo_state == bea_state
    assert bo_state["conflicts"] == []
    assert bo_state["phase"] == {"phase": "phase_2", "date": "2026-11-21"}
    bo.reload()

    unlock(bo)
    open_citizen(bo, citizen["code"])
    expect(bo.get_by_role("alert").filter(has_text="Konflikt: ")).to_have_count(0)
    expect(bo.locator("main .big")).to_contain_text("Fase 2 – Fremskudt behandling")
