// Sync status ("Synkronisering"), changes that need attention, security settings,
// and logout (refused while changes are not on the server yet).
import * as api from "../api.js";
import * as store from "../store.js";
import * as sync from "../sync.js";
import { h, fill, fmtDateTime, fmtAge, label } from "../ui.js";
import { SCHEMA, list, fieldLabel } from "../schema.js";

const KIND_NAMES = { create: "oprettet", set: "ændret", amend: "rettet", void: "annulleret", archive: "arkiveret", unarchive: "genåbnet" };

/** The header badge: pending changes until the server has them, and first-sync progress. */
export function badge() {
  const pending = store.isUnlocked() ? store.pendingCount() : 0;
  const s = sync.status;
  let text;
  let tone = "ok";
  if (s.running && s.firstSync) text = "Henter data …";
  else if (pending) {
    text = `${pending} ${pending === 1 ? "ændring venter" : "ændringer venter"}`;
    tone = "pending";
  } else if (s.running) text = "Synkroniserer …";
  else if (!s.online) {
    text = "Offline";
    tone = "pending";
  } else if (s.lastError) {
    text = "Synkroniseringsfejl";
    tone = "error";
  } else text = "Alt er sendt";
  if (store.state.rejected.length) tone = "error";
  const wrap = h(
    "div",
    { class: "syncbadge" },
    h("a", { href: "#/synk", class: `badge ${tone}`, id: "sync-badge", "data-pending": String(pending) }, text, store.state.rejected.length ? ` · ${store.state.rejected.length} kræver handling` : ""),
  );
  if (s.firstSync) {
    const { received, remaining } = s.firstSync;
    const total = remaining === undefined ? null : received + remaining;
    const attrs = { "aria-label": `Første synkronisering: ${received}${total ? ` af ${total}` : ""} poster hentet` };
    if (total) Object.assign(attrs, { max: String(total), value: String(received) });
    wrap.append(h("progress", attrs));
  }
  return wrap;
}

function describeOp(op) {
  const entity = SCHEMA.entities[op.entity]?.label || op.entity;
  return `${entity} ${KIND_NAMES[op.kind] || op.kind}${op.field ? ` (${fieldLabel(op.entity, op.field).toLowerCase()})` : ""}`;
}

/** The status card's facts, drawn again whenever the sync state changes (no reload). */
async function statusFacts() {
  const meta = await store.syncMeta();
  const s = sync.status;
  const pending = store.pendingCount();
  const oldest = store.oldestPendingAt();
  return [
    h(
      "dl",
      { class: "facts" },
      h("dt", {}, "Venter på at blive sendt"),
      h("dd", { id: "pending-count" }, String(pending)),
      h("dt", {}, "Ældste ikke-sendte ændring"),
      h("dd", {}, oldest ? `${fmtAge(Date.now() - oldest)} siden` : "–"),
      h("dt", {}, "Sidst synkroniseret"),
      h("dd", { id: "last-sync" }, meta.last_success ? fmtDateTime(meta.last_success) : "Aldrig"),
      h("dt", {}, "Forbindelse"),
      h("dd", { id: "connection" }, s.online ? "Online" : "Offline – ændringer gemmes på telefonen"),
      s.lastError ? [h("dt", {}, "Fejl"), h("dd", { class: "error-text" }, s.lastError.message)] : null,
    ),
    s.firstSync ? h("p", {}, `Henter data: ${s.firstSync.received} poster`) : null,
  ];
}

export async function syncScreen(app) {
  const user = store.state.user;
  const persisted = navigator.storage?.persisted ? await navigator.storage.persisted() : false;
  const estimate = navigator.storage?.estimate ? await navigator.storage.estimate() : null;
  const message = h("p", { class: "form-error", role: "alert", tabindex: "-1", hidden: true, id: "settings-msg" });
  const say = (text) => {
    message.textContent = text;
    message.hidden = false;
    message.focus();
  };

  const rejectedItems = () => store.state.rejected.map((r) => {
    let confirmDrop = false;
    return h(
      "li",
      {},
      h("p", {}, h("strong", {}, describeOp(r.op)), ` – ${fmtDateTime(r.at)}`),
      h("p", { class: "error-text" }, r.error?.message || "Serveren afviste ændringen."),
      h(
        "div",
        { class: "row-buttons" },
        h("button", { type: "button", class: "button small secondary", onclick: async () => (await store.retryRejected(r.op_id), sync.soon(), app.render()) }, "Prøv igen"),
        h(
          "button",
          {
            type: "button",
            class: "button small danger",
            onclick: async (e) => {
              if (!confirmDrop) {
                confirmDrop = true;
                e.target.textContent = "Bekræft: kassér ændringen";
                return;
              }
              await store.dropRejected(r.op_id);
              app.render();
            },
          },
          "Kassér",
        ),
      ),
    );
  });

  const idle = h(
    "select",
    {
      id: "idle",
      onchange: async (e) => {
        await store.saveSettings({ idleSeconds: Number(e.target.value) });
      },
    },
    [60, 120, 300, 600, 900, 1800].map((sec) => h("option", { value: String(sec), selected: sec === store.state.settings.idleSeconds }, `${sec / 60} min.`)),
    [60, 120, 300, 600, 900, 1800].includes(store.state.settings.idleSeconds)
      ? null
      : h("option", { value: String(store.state.settings.idleSeconds), selected: true }, `${store.state.settings.idleSeconds} sek.`),
  );

  // Logout deletes everything on the phone: count from IndexedDB what would be lost.
  // Unsent or rejected changes: refused. Drafts: a warning, and a second tap to go ahead.
  let draftsConfirmed = false;
  const logout = async () => {
    const { pending: waiting, rejected: stuck, drafts } = await store.localCounts();
    if (waiting || stuck) {
      say(
        waiting
          ? `Du kan ikke logge ud endnu: ${waiting} ${waiting === 1 ? "ændring er" : "ændringer er"} ikke sendt til serveren. Gå online og synkronisér først – ellers går de tabt.`
          : "Du kan ikke logge ud endnu: nogle ændringer kræver handling. Løs dem først under \"Kræver handling\".",
      );
      return;
    }
    if (drafts && !draftsConfirmed) {
      draftsConfirmed = true;
      say(
        `Du har ${drafts === 1 ? "en kladde" : `${drafts} kladder`}, som ikke er gemt (en formular, du ikke har gemt færdig). Kladder bliver slettet, når du logger ud. Åbn og gem ${drafts === 1 ? "den" : "dem"} først, eller tryk på "Log ud og slet data på telefonen" igen for at slette ${drafts === 1 ? "den" : "dem"}.`,
      );
      return;
    }
    try {
      await api.logout();
    } catch {}
    await store.wipe("logout");
    await app.wiped("logout");
  };

  // Status and "Kræver handling" follow the sync as it happens: drawn again in place, so
  // focus and the rest of the screen stay where they are.
  const status = h("div", { id: "sync-status" }, await statusFacts());
  const rejectedCard = h("section", { class: "card", "aria-labelledby": "rej-h" });
  let shownRejected = null;
  const drawRejected = () => {
    const ids = store.state.rejected.map((r) => r.op_id).join(",");
    if (ids === shownRejected) return; // unchanged: keep a half-confirmed "Kassér"
    shownRejected = ids;
    const items = rejectedItems();
    fill(
      rejectedCard,
      h("h2", { id: "rej-h" }, `Kræver handling (${items.length})`),
      items.length ? h("ul", { class: "items", id: "rejected" }, items) : h("p", {}, "Ingen ændringer er afvist."),
      store.state.resolvedByLead
        ? h("p", { id: "resolved-by-lead" }, `Projektlederen har behandlet ${store.state.resolvedByLead} afvist${store.state.resolvedByLead === 1 ? "" : "e"} ændring${store.state.resolvedByLead === 1 ? "" : "er"} og fjernet ${store.state.resolvedByLead === 1 ? "den" : "dem"} fra listen.`)
        : null,
    );
  };
  drawRejected();
  let drawing = 0;
  const live = async () => {
    const mine = ++drawing;
    const facts = await statusFacts();
    if (mine !== drawing || !status.isConnected) return; // a newer update, or another screen
    fill(status, facts);
    drawRejected();
  };

  return {
    title: "Synkronisering og indstillinger",
    body: [
      h("p", {}, h("a", { href: "#/" }, "‹ Forside")),
      h("h1", {}, "Synkronisering"),
      message,
      h("section", { class: "card", "aria-labelledby": "sync-h" }, h("h2", { id: "sync-h" }, "Status"), status),
      rejectedCard,
      h(
        "section",
        { class: "card", "aria-labelledby": "sec-h" },
        h("h2", { id: "sec-h" }, "Sikkerhed"),
        h("div", { class: "field" }, h("label", { for: "idle" }, "Lås automatisk efter"), idle),
        h(
          "dl",
          { class: "facts" },
          h("dt", {}, "Beskyttet lager"),
          h("dd", { id: "persisted" }, persisted ? "Ja – browseren sletter ikke data af sig selv" : "Nej – browseren kan rydde data ved pladsmangel"),
          estimate ? [h("dt", {}, "Plads brugt"), h("dd", {}, `${(estimate.usage / 1048576).toFixed(1)} MB`)] : null,
          h("dt", {}, "Oplåsning"),
          h("dd", {}, (await store.keyslot())?.method === "prf" ? "Fingeraftryk eller ansigt" : "Adgangssætning"),
        ),
        h(
          "div",
          { class: "row-buttons" },
          h("a", { class: "button secondary", href: "#/synk/oplaasning", id: "change-unlock" }, "Skift oplåsning"),
          h("button", { type: "button", class: "button secondary", onclick: () => app.lockNow() }, "Lås nu"),
        ),
      ),
      h(
        "section",
        { class: "card", "aria-labelledby": "acc-h" },
        h("h2", { id: "acc-h" }, "Konto"),
        h("p", {}, `${user.display_name || user.username} · ${label(list("ROLES"), user.role)}${user.organisation_name ? ` · ${user.organisation_name}` : ""}`),
        h("dl", { class: "facts" }, h("dt", {}, "Telefonens navn"), h("dd", { id: "device-name" }, await sync.currentDeviceName())),
        h("button", { type: "button", class: "button danger", id: "logout", onclick: logout }, "Log ud og slet data på telefonen"),
      ),
    ],
    actions: [
      h(
        "button",
        { type: "button", class: "button primary", id: "sync-now", onclick: async () => (await sync.syncNow("manual"), app.render()) },
        "Synkronisér nu",
      ),
    ],
    live: (what) => ["push", "pull", "sync", "local", "rejected"].includes(what) && live(),
  };
}
