// App entry: service worker, local store, idle lock, rendering the screen routes.js picks.
import * as store from "./store.js";
import * as sync from "./sync.js";
import * as api from "./api.js";
import { h, flushDraft, clearActiveDraft } from "./ui.js";
import { resetList } from "./screens/citizens.js";
import { badge } from "./screens/settings.js";
import { pick } from "./routes.js";

/* global __BUILD_TAG__ */
const BUILD_TAG = __BUILD_TAG__;
document.documentElement.dataset.build = BUILD_TAG || "base";

const norm = (hash) => (hash && hash !== "#" ? hash : "#/");

const app = {
  mode: "boot", // login | setup | unlock | app | admin
  notice: null, // a one-time message for the next screen {text, hash, tone}; never citizen data
  updateReady: null,
  go(hash, notice, tone = "info") {
    if (notice) app.notice = { text: notice, hash: norm(hash), tone };
    if (norm(location.hash) === norm(hash)) render();
    else location.hash = hash;
  },
  render: () => render(),
  async loggedIn(user) {
    await store.setUser(user);
    app.mode = "setup";
    render();
  },
  async unlocked() {
    app.mode = "app";
    touch();
    requestPersistence();
    render();
    sync.syncNow("unlock");
  },
  lockNow: () => lockNow(),
  // "Giv telefonen til borgeren" (screens/selffill.js): while the citizen fills the
  // progressionsskema nothing else is shown; leaving locks the app (the behandler unlocks).
  selfFill: null, // {citizenId, view: null | "pause" | "done"}
  startSelfFill(citizenId) {
    app.selfFill = { citizenId, view: null };
    app.mode = "selffill";
    render();
  },
  pauseSelfFill: () => ((app.selfFill.view = "pause"), render()),
  resumeSelfFill: () => ((app.selfFill.view = null), render()),
  endSelfFill() {
    history.replaceState(null, "", `#/borger/${encodeURIComponent(app.selfFill.citizenId)}`);
    lockNow();
  },
  async wiped(reason) {
    clearActiveDraft();
    const messages = {
      logout: "Du er logget ud. Alle data er slettet fra telefonen.",
      wrong_unlocks: "For mange forkerte forsøg. Alle data på telefonen er slettet af sikkerhedshensyn. Log ind igen.",
      revoked: "Denne telefon er spærret af en administrator. Alle data på telefonen er slettet.",
    };
    app.notice = { text: messages[reason] || "Data på telefonen er slettet.", hash: "#/" };
    await store.open(storeEvents);
    await registerServiceWorker();
    app.mode = "login";
    location.hash = "#/";
    render();
  },
};

// ---------------------------------------------------------------- rendering
const root = document.getElementById("app");
let lastPath = null;
let current = null;

function bannerRegion() {
  const banners = h("div", { class: "banners" });
  if (app.updateReady) {
    banners.append(
      h(
        "div",
        { class: "banner info", role: "status" },
        h("p", {}, "En ny version af appen er klar. Dine data og ændringer bliver bevaret."),
        h("button", { type: "button", class: "button secondary", onclick: app.updateReady }, "Opdater nu"),
      ),
    );
  }
  if (app.mode === "app" && sync.status.needsLogin && location.hash !== "#/log-ind") {
    banners.append(
      h(
        "div",
        { class: "banner warning", role: "alert" },
        h("p", {}, "Du skal logge ind igen for at synkronisere. Dine ændringer er gemt på telefonen."),
        h("a", { class: "button secondary", href: "#/log-ind" }, "Log ind igen"),
      ),
    );
  }
  if (app.notice && app.notice.hash === norm(location.hash)) {
    const warning = app.notice.tone === "warning";
    banners.append(h("div", { class: `banner ${warning ? "warning" : "info"}`, role: warning ? "alert" : "status" }, h("p", {}, app.notice.text)));
  }
  return banners;
}

function shell(screen) {
  root.classList.toggle("selffill", app.mode === "selffill");
  if (app.mode === "selffill") {
    // The citizen's screen: no way to the behandler's data (no menu, no links, no sync badge).
    const main = h("main", { id: "main", tabindex: "-1" }, screen.body);
    const nav = screen.actions?.length ? h("nav", { class: "actions", "aria-label": "Handlinger" }, screen.actions) : null;
    return [h("header", { class: "top" }, h("span", { class: "brand" }, "Spørgsmål til dig")), main, nav];
  }
  const header = h(
    "header",
    { class: "top" },
    h("a", { class: "brand", href: "#/" }, "Brobygger"),
    app.mode === "app" ? badge() : null,
  );
  const banners = bannerRegion();
  const main = h("main", { id: "main", tabindex: "-1" }, screen.body);
  const nav = screen.actions && screen.actions.length ? h("nav", { class: "actions", "aria-label": "Handlinger" }, screen.actions) : null;
  return [header, banners, main, nav];
}

let renderSeq = 0;
async function render() {
  const seq = ++renderSeq;
  let screen;
  try {
    screen = await pick(app);
  } catch (error) {
    console.error(error);
    screen = { title: "Fejl", body: [h("h1", { tabindex: "-1" }, "Der skete en fejl"), h("p", {}, String(error.message || error))] };
  }
  if (seq !== renderSeq) return; // a newer render started meanwhile
  const focusKey = document.activeElement?.dataset?.focusKey;
  current = screen;
  // Titles are fixed per screen (never citizen data): they end up in the browser's history.
  document.title = screen.title ? `${screen.title} – Brobygger` : "Brobygger";
  root.replaceChildren(...shell(screen).filter(Boolean));
  const path = `${app.mode}${location.hash}`;
  if (path !== lastPath || screen.focusHeading) {
    const heading = root.querySelector("main h1");
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus();
    }
  }
  else if (focusKey) root.querySelector(`[data-focus-key="${CSS.escape(focusKey)}"]`)?.focus();
  lastPath = path;
  if (hooks && !hooks.firstScreenAt && app.mode !== "boot") hooks.firstScreenAt = performance.now();
  performance.mark(`brobygger:rendered:${app.mode}`);
  if (screen.mounted) screen.mounted();
}

/** Update what follows the sync state: the badge, and the screen if it asks (screen.live). */
function refreshLive(what) {
  if (app.mode !== "app") return;
  const old = root.querySelector(".syncbadge");
  if (old) old.replaceWith(badge());
  const oldBanners = root.querySelector(".banners");
  const fresh = bannerRegion();
  if (oldBanners && oldBanners.textContent !== fresh.textContent) oldBanners.replaceWith(fresh); // e.g. "Log ind igen"
  if (current && current.live) current.live(what);
}

// ---------------------------------------------------------------- idle lock
let lastActivity = Date.now();
let hiddenAt = null;
function touch() {
  lastActivity = Date.now();
}
async function lockNow() {
  if (!store.isUnlocked()) return;
  await flushDraft(); // nothing typed is lost: the draft is saved (encrypted) first
  // Drop everything decrypted that lives outside the store: the open form, the search
  // text, and a notice about what was just saved (the lock screen shows none of it).
  clearActiveDraft();
  resetList();
  app.notice = null;
  app.selfFill = null; // the citizen's mode ends: the behandler unlocks into the app
  if (app.mode === "selffill") app.mode = "unlock";
  await store.lock();
  app.mode = "unlock";
  render();
}
function installIdleWatch() {
  for (const type of ["pointerdown", "keydown", "input", "touchstart", "wheel"]) {
    window.addEventListener(type, touch, { passive: true, capture: true });
  }
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") hiddenAt = Date.now();
    else {
      if (hiddenAt && Date.now() - hiddenAt > store.state.settings.idleSeconds * 1000) lockNow();
      hiddenAt = null;
    }
  });
  setInterval(() => {
    if (store.isUnlocked() && Date.now() - lastActivity > store.state.settings.idleSeconds * 1000) lockNow();
  }, 1000);
}

// ---------------------------------------------------------------- service worker
let reloading = false;
async function registerServiceWorker() {
  if (!("serviceWorker" in navigator)) return;
  try {
    const reg = await navigator.serviceWorker.register("/sw.js");
    const offer = () => {
      if (!reg.waiting || !navigator.serviceWorker.controller) return;
      app.updateReady = async () => {
        await flushDraft();
        reloading = true;
        reg.waiting.postMessage({ type: "SKIP_WAITING" });
      };
      render();
    };
    offer();
    reg.addEventListener("updatefound", () => {
      const worker = reg.installing;
      if (worker) worker.addEventListener("statechange", () => worker.state === "installed" && offer());
    });
  } catch (error) {
    console.warn("service worker registration failed", error);
  }
}
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (reloading) location.reload();
  });
}

// A newer version of the app (another window) wants to upgrade the local store: save the
// open form's draft, let db.js close the connection, then reload into the new version.
const storeEvents = {
  beforeClose: () => flushDraft(),
  closed() {
    app.notice = { text: "En ny version af appen har opdateret det lokale lager. Genindlæser …", hash: norm(location.hash) };
    render();
    setTimeout(() => location.reload(), 200);
  },
};

async function requestPersistence() {
  try {
    if (navigator.storage?.persist && !(await navigator.storage.persisted())) {
      const granted = await navigator.storage.persist();
      await store.putMeta("persist_requested", { granted, at: new Date().toISOString() });
    }
  } catch {}
}

async function revoked() {
  await store.wipe("revoked");
  await app.wiped("revoked");
}

// ---------------------------------------------------------------- boot
/** The server's one-time mark that this browser just logged in with the municipality's
 * identity provider (server/api/oidc.py, FRESH_COOKIE); read once, then removed. */
function freshProviderLogin() {
  const fresh = document.cookie.split("; ").includes("brobygger_fresh_login=1");
  if (fresh) document.cookie = "brobygger_fresh_login=; Max-Age=0; Path=/; SameSite=Lax";
  return fresh;
}

async function boot() {
  performance.mark("brobygger:boot");
  registerServiceWorker(); // not awaited: an update check must not delay an offline start
  await store.open(storeEvents);
  performance.mark("brobygger:store-open");
  installIdleWatch();
  store.subscribe((what) => {
    if (what === "locked" || what === "wiped") return;
    refreshLive(what);
  });
  sync.start({ revoked });
  window.addEventListener("hashchange", () => {
    if (app.notice && app.notice.hash !== norm(location.hash)) app.notice = null;
    render();
  });
  const wipedReason = sessionStorage.getItem("brobygger.wiped");
  if (wipedReason) sessionStorage.removeItem("brobygger.wiped");
  if (store.state.user && (await store.hasKeyslot())) app.mode = "unlock";
  else if (store.state.user) {
    // Logged in before but no key yet (closed during set-up): the server session decides.
    try {
      await api.currentSession();
      app.mode = "setup";
    } catch {
      app.mode = "login";
    }
  } else if (freshProviderLogin()) {
    // Back from the municipality's login (OpenID Connect) with a new session: carry on as
    // after a password login. (Only then: a session that outlived a wipe never resumes.)
    try {
      const { user } = await api.currentSession();
      await store.setUser(user);
      app.mode = "setup";
    } catch {
      app.mode = "login";
    }
  } else app.mode = "login";
  render();
}

// Hooks for the end-to-end tests and benchmarks (tests/e2e, bench/pwa_budget.py), only
// when the test harness set window.__BROBYGGER_TEST__ before the app started (Playwright's
// addInitScript; no page script runs before this bundle under the CSP). Never otherwise.
let hooks = null;
if (window.__BROBYGGER_TEST__ === true) {
  hooks = window.__brobygger = {
    store,
    sync,
    app,
    setIdleSeconds: (s) => store.saveSettings({ idleSeconds: s }),
    lock: () => lockNow(),
    info: () => ({
      mode: app.mode,
      build: BUILD_TAG || "base",
      unlocked: store.isUnlocked(),
      pending: store.isUnlocked() ? store.pendingCount() : null,
      outbox: store.state.outbox.length,
      rejected: store.state.rejected.length,
      citizens: store.state.summary.size,
      syncing: sync.status.running,
      lastError: sync.status.lastError,
      lastSuccess: sync.status.lastSuccess,
    }),
  };
}

// One running instance per phone: two windows would each hold the key, an outbox copy and
// drafts, and a logout in one could wipe what the other has not saved. A second window
// says so and starts by itself once the first one closes.
function start() {
  const run = () => {
    boot();
    return new Promise(() => {}); // hold the lock while this window lives
  };
  if (!navigator.locks) return boot();
  navigator.locks.request("brobygger", { ifAvailable: true }, (lock) => {
    if (lock) return run();
    app.mode = "elsewhere";
    document.title = "Brobygger";
    root.replaceChildren(
      h(
        "main",
        { id: "main" },
        h("h1", {}, "Brobygger er åben i et andet vindue"),
        h("p", {}, "Appen kan kun være åben ét sted ad gangen, så ingen ændringer går tabt. Brug det andet vindue, eller luk det – så åbner appen her af sig selv."),
      ),
    );
    navigator.locks.request("brobygger", run);
  });
}

start();
