"""Budgets of the phone app, printed as figure, goal and ratio (figure / goal; ≤ 1 is within).

    .venv/bin/python bench/pwa_budget.py [--citizens 10000] [--contacts 20] [--throttle 4]

1. App shell JS + CSS, gzipped (goal ≤ 100 KB).
2. With N citizens (each with a course and M contacts) in the encrypted local store and
   the CPU throttled (CDP Emulation.setCPUThrottlingRate): offline cold start to the
   unlock screen, unlock → usable list, the passphrase KDF on its own (goal < 1 s for
   start + list), and search per keystroke (goal < 100 ms).
3. Local storage used for that store (navigator.storage.estimate()).
Needs pwa/dist (make pwa) and /usr/bin/chromium. Starts its own demo server on a temp DB.
"""
from __future__ import annotations

import argparse
import gzip
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

from sync import hlc

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "pwa" / "dist"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PASSPHRASE = "grøn kaffe på havnen"


def row(name: str, figure: float, goal: float, unit: str) -> None:
    print(f"{name:<48} {figure:>10.1f} {unit:<3} goal {goal:>8.1f} {unit:<3} ratio {figure / goal:5.2f}")


def shell_size() -> None:
    total = 0
    for path in sorted((DIST / "assets").iterdir()):
        size = len(gzip.compress(path.read_bytes(), 9))
        total += size
        print(f"  {path.name:<30} {path.stat().st_size / 1024:7.1f} KB raw {size / 1024:7.1f} KB gzip")
    for name in ("index.html", "sw.js"):
        data = (DIST / name).read_bytes()
        print(f"  {name:<30} {len(data) / 1024:7.1f} KB raw {len(gzip.compress(data, 9)) / 1024:7.1f} KB gzip (not counted)")
    row("app shell JS+CSS gzipped", total / 1024, 100, "KB")


def start_server(workdir: Path) -> tuple[subprocess.Popen, int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "BROBYGGER_DEMO_MODE": "true", "BROBYGGER_DATABASE_URL": f"sqlite:///{workdir}/bench.db",
           "BROBYGGER_PWA_DIR": str(DIST), "BROBYGGER_SECRET_KEY": "bench"}
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory", "server.app:create_app", "--port", str(port)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(600):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc, port
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("server did not start")


# Writes N citizens with a course and M contacts each through the app's own pull path
# (encrypt every record, one IndexedDB transaction per page with the cursor).
# `stamps[i]`: the i-th HLC, encoded by sync.hlc in Python (`seed_stamps`), never by hand here.
SEED = """async ([n, m, stamps]) => {
  const B = window.__brobygger, s = B.store;
  const meta = await s.syncMeta();
  const team = s.state.user.organisation_id;
  const hlc = (i) => stamps[i];
  const snap = (entity, id, fields, i) => ({entity, id, fields, heads: {}, conflicts: [], also_edited: [], history: {},
    archived: false, flagged: false, created_by: null, created_hlc: hlc(i), updated_hlc: hlc(i)});
  const letters = 'ABCDEFGHJKLMNOPRSTUVWXYZÆØ';
  let page = [], written = 0;
  const flush = async () => { await s.applyPull({records: page, evict: [], next_cursor: meta.cursor, has_more: true}); written += page.length; page = []; };
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const cid = crypto.randomUUID();
    page.push(snap('citizen', cid, {code: 'BEN-' + String(i).padStart(5, '0'), team_id: team,
      initials: letters[i % 26] + letters[(i * 7) % 26], name: 'Borger nummer ' + i}, i));
    page.push(snap('course', crypto.randomUUID(), {citizen_id: cid, phase: {phase: ['phase_1', 'phase_2', 'phase_3'][i % 3], date: '2026-01-01'},
      identified_on: '2025-12-01'}, i));
    for (let j = 0; j < m; j++) {
      const day = String(1 + (j % 28)).padStart(2, '0');
      page.push(snap('contact', crypto.randomUUID(), {citizen_id: cid, occurred_at: `2026-10-${day}T10:${String(j % 60).padStart(2, '0')}:00+01:00`,
        kind: j % 4 ? 'contact' : 'attempt', place: 'own_home', channel: 'in_person', actors: ['behandler_fremskudt'],
        note: 'Samtale om dagen i dag og aftaler for næste uge. Borgeren virkede mere rolig end sidst.'}, j));
    }
    if (page.length >= 4000) await flush();
  }
  if (page.length) await flush();
  return {written, seconds: (performance.now() - t0) / 1000};
}"""


def seed_stamps(count: int) -> list[str]:
    """HLCs for the seeded snapshots: now, counters 0, 1, … (node "bench")."""
    now = int(time.time() * 1000)
    return [hlc.HLC(now, i % hlc.MAX_COUNTER, "bench").encode() for i in range(count)]


KDF = """async () => {
  const t0 = performance.now();
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const base = await crypto.subtle.importKey('raw', new TextEncoder().encode('grøn kaffe på havnen'), 'PBKDF2', false, ['deriveBits']);
  await crypto.subtle.deriveBits({name: 'PBKDF2', hash: 'SHA-256', salt, iterations: 600000}, base, 256);
  return performance.now() - t0;
}"""

UNLOCK_TO_LIST = """async (pass) => {
  const input = document.querySelector('#unlock-form [name=passphrase]');
  input.value = pass;
  const t0 = performance.now();
  document.querySelector('#unlock-submit').click();
  await new Promise((resolve) => {
    const check = () => document.querySelector('#results a.row') ? resolve() : requestAnimationFrame(check);
    check();
  });
  await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
  return performance.now() - t0;
}"""

SEARCH = """async (queries) => {
  const input = document.getElementById('search');
  const times = [];
  for (const q of queries) {
    const t0 = performance.now();
    input.value = q;
    input.dispatchEvent(new Event('input', {bubbles: true}));
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));  // rendered and painted
    times.push(performance.now() - t0);
  }
  return times;
}"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--citizens", type=int, default=10000)
    parser.add_argument("--contacts", type=int, default=20)
    parser.add_argument("--throttle", type=float, default=4)
    args = parser.parse_args()
    if not (DIST / "index.html").exists():
        raise SystemExit("pwa/dist is missing: run `make pwa`")
    print("== App shell")
    shell_size()

    workdir = Path(tempfile.mkdtemp(prefix="pwa-bench-"))
    proc, port = start_server(workdir)
    url = f"http://localhost:{port}"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            context = browser.new_context(locale="da-DK", timezone_id="Europe/Copenhagen", viewport={"width": 400, "height": 800})
            # The app exposes its measuring hooks only to a harness that asks for them.
            context.add_init_script("window.__BROBYGGER_TEST__ = true;")
            page = context.new_page()
            page.goto(url + "/")
            page.locator("#login-form [name=username]").fill("behandler")
            page.locator("#login-form [name=password]").fill("demo")
            page.locator("#login-submit").click()
            page.locator("#setup-form [name=passphrase]").fill(PASSPHRASE)
            page.locator("#setup-form [name=repeat]").fill(PASSPHRASE)
            page.get_by_role("button", name="Brug adgangssætning").click()
            page.wait_for_function("() => window.__brobygger.info().mode === 'app' && window.__brobygger.info().lastSuccess", timeout=60000)
            page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=60000)
            page.evaluate("() => window.__brobygger.setIdleSeconds(3600)")
            print(f"\n== Seeding {args.citizens} citizens x {args.contacts} contacts (through the app's encrypted pull path)")
            stamps = seed_stamps(max(args.citizens, args.contacts))
            seeded = page.evaluate(SEED, [args.citizens, args.contacts, stamps])
            print(f"  {seeded['written']} records written in {seeded['seconds']:.1f} s")
            usage = page.evaluate("async () => (await navigator.storage.estimate()).usage")
            context.set_offline(True)
            page.close()

            print(f"\n== Offline cold start, CPU throttled {args.throttle:g}x")
            starts, unlocks, kdfs, searches = [], [], [], []
            for _ in range(3):
                page = context.new_page()
                cdp = context.new_cdp_session(page)
                cdp.send("Emulation.setCPUThrottlingRate", {"rate": args.throttle})
                page.goto(url + "/")
                page.wait_for_selector("#unlock-form")
                # ms from navigation start to the first screen rendered (measured in the page)
                starts.append(page.evaluate("() => window.__brobygger.firstScreenAt"))
                kdfs.append(page.evaluate(KDF))
                unlocks.append(page.evaluate(UNLOCK_TO_LIST, PASSPHRASE))
                page.wait_for_timeout(1000)  # let the post-unlock work (sync attempt, persistence) settle
                searches += page.evaluate(SEARCH, ["B", "BE", "BEN", "BEN-", "BEN-0", "BEN-00", "BEN-004", "BEN-0042", "", "A", "AB", "ABX"])
                page.close()
            start, unlock, kdf = statistics.median(starts), statistics.median(unlocks), statistics.median(kdfs)
            row("cold start to unlock screen (median of 3)", start, 1000, "ms")
            row("unlock (incl. KDF) to usable list", unlock, 1000, "ms")
            print(f"  of which PBKDF2-SHA256 600k (measured alone): {kdf:.0f} ms")
            row("cold start + unlock to list, minus KDF", start + unlock - kdf, 1000, "ms")
            row("search per keystroke (max)", max(searches), 100, "ms")
            print(f"  search per keystroke: median {statistics.median(searches):.1f} ms, p90 {sorted(searches)[int(len(searches) * 0.9)]:.1f} ms over {len(searches)} keystrokes")
            print("  " + " ".join(f"{t:.0f}" for t in searches))
            row("local storage (navigator.storage.estimate)", usage / 1048576, 200, "MB")
            print(f"  = {usage / (args.citizens * (args.contacts + 2)):.0f} bytes per record; goal 200 MB is our own budget for a phone")
            browser.close()
    finally:
        proc.terminate()
        proc.wait(10)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
