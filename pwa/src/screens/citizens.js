// "Mine borgere" (search, filter, sorted by last contact), the citizen page, new citizen.
import * as store from "../store.js";
import * as sync from "../sync.js";
import * as L from "../labels.gen.js";
import { uuid4, randomBytes } from "../crypto.js";
import { wallOf } from "../hlc.js";
import { h, label, fmtDate, fmtDateTime, textField, selectField, radioGroup, readForm, showErrors, autosave, draftNotice, today } from "../ui.js";

const PAGE_ROWS = 30; // a phone screen shows ~12; more on request (keeps each keystroke cheap)
const listState = { query: "", phase: "", limit: PAGE_ROWS };

/** Forget the search (it can hold initials) when the app locks. */
export function resetList() {
  Object.assign(listState, { query: "", phase: "", limit: PAGE_ROWS });
}

export function phaseText(value) {
  if (!value) return "Ingen fase registreret";
  return `${label(L.PHASES, value.phase)} (fra ${fmtDate(value.date)})`;
}

export function fieldValueText(field, value) {
  if (field === "phase") return phaseText(value);
  if (field === "end_reason") return label(L.END_REASONS, value);
  if (field === "phase_at_end") return label(L.PHASES, value);
  if (field === "destination") return label(L.DESTINATIONS, value);
  if (value && typeof value === "object") return JSON.stringify(value);
  return String(value ?? "");
}

export const FIELD_NAMES = { phase: "Fase", end_reason: "Afslutningsårsag", phase_at_end: "Fase ved afslutning", destination: "Overgår til" };

export function who(userId, snap) {
  const me = store.state.user;
  if (userId && me && userId === me.id) return `${me.display_name || me.username} (dig)`;
  const names = snap?.user_names;
  const name = (names && !Array.isArray(names) ? names[userId] : null) || store.state.users[userId];
  return name || "En kollega";
}

export const when = (hlc) => fmtDateTime(wallOf(hlc));

export function listScreen() {
  const results = h("div", { id: "results", "aria-live": "polite" });
  const draw = () => {
    const rows = store.citizenList(listState);
    const shown = rows.slice(0, listState.limit);
    const count =
      rows.length > shown.length
        ? `Viser ${shown.length} af ${rows.length} borgere. Søg for at finde flere.`
        : rows.length === 1
          ? "1 borger"
          : `${rows.length} borgere`;
    results.replaceChildren(
      h("p", { class: "count", role: "status" }, store.state.summary.size ? count : "Ingen borgere på telefonen endnu."),
      h(
        "ul",
        { class: "rows" },
        shown.map((row) =>
          h(
            "li",
            {},
            h(
              "a",
              { class: "row", href: `#/borger/${encodeURIComponent(row.id)}`, "data-focus-key": `row-${row.id}` },
              h("span", { class: "row-main" }, h("strong", {}, row.initials || "?"), " ", h("span", { class: "code" }, row.code)),
              h(
                "span",
                { class: "row-sub" },
                row.phase ? label(L.PHASES, row.phase).split(" – ")[0] : "Ingen fase",
                " · ",
                row.last_contact ? `Sidste kontakt ${fmtDateTime(row.last_contact)}` : "Ingen kontakter",
              ),
              row.conflicts.length ? h("span", { class: "tag danger" }, "Konflikt") : null,
              row.pending ? h("span", { class: "tag" }, "Ikke sendt") : null,
            ),
          ),
        ),
      ),
      rows.length > shown.length
        ? h(
            "button",
            {
              type: "button",
              class: "button secondary",
              "data-focus-key": "more",
              onclick: () => {
                listState.limit += PAGE_ROWS;
                draw();
              },
            },
            "Vis flere",
          )
        : null,
    );
  };
  const search = h("input", {
    id: "search",
    type: "search",
    value: listState.query,
    autocomplete: "off",
    spellcheck: "false",
    "data-focus-key": "search",
    oninput: (e) => {
      listState.query = e.target.value;
      listState.limit = PAGE_ROWS;
      draw();
    },
  });
  const phase = h(
    "select",
    {
      id: "phase-filter",
      "data-focus-key": "phase-filter",
      onchange: (e) => {
        listState.phase = e.target.value;
        draw();
      },
    },
    h("option", { value: "" }, "Alle faser"),
    L.PHASES.map(([code, text]) => h("option", { value: code, selected: code === listState.phase }, text)),
  );
  draw();
  return {
    title: "Mine borgere",
    body: [
      h("h1", {}, "Mine borgere"),
      h(
        "div",
        { class: "filters", role: "search" },
        h("div", { class: "field" }, h("label", { for: "search" }, "Søg på initialer eller kode"), search),
        h("div", { class: "field" }, h("label", { for: "phase-filter" }, "Fase"), phase),
      ),
      results,
      store.state.user?.role !== "frivillig" ? h("p", {}, h("a", { href: "#/henvisninger" }, "Henvisninger fra samarbejdspartnere")) : null,
    ],
    actions: [h("a", { class: "button primary", href: "#/ny-borger" }, "Ny borger")],
    live: (what) => ["pull", "local", "push", "sync"].includes(what) && draw(),
  };
}

function currentCourse(views) {
  return views
    .filter((v) => v.entity === "course")
    .sort((a, b) => Number(a.archived) - Number(b.archived) || (b.created_hlc || "").localeCompare(a.created_hlc || ""))[0];
}

export async function loadCitizen(id) {
  const views = await store.citizenViews(id);
  const citizen = views.find((v) => v.entity === "citizen");
  return { views, citizen, course: currentCourse(views) };
}

const notFound = () => ({
  title: "Ikke fundet",
  body: [h("h1", {}, "Borgeren findes ikke på telefonen"), h("p", {}, h("a", { href: "#/" }, "Tilbage til Mine borgere"))],
});

export async function citizenScreen(app, id) {
  const { views, citizen, course } = await loadCitizen(id);
  if (!citizen) return notFound();
  const f = citizen.fields;
  const orgs = (await store.getMeta("organisations")) || [];
  const orgName = (oid) => orgs.find((o) => o.id === oid)?.name || "Ukendt organisation";
  const base = `#/borger/${encodeURIComponent(id)}`;

  const conflicts = views.flatMap((v) => (v.conflicts || []).map((c) => ({ record: v, ...c })));
  const conflictBanner = conflicts.length
    ? h(
        "section",
        { class: "banner danger", role: "alert", "aria-labelledby": "conflict-h" },
        h("h2", { id: "conflict-h" }, "Konflikt: ændret to steder på samme tid"),
        conflicts.map((c) =>
          h(
            "div",
            { class: "conflict" },
            h("p", {}, `${FIELD_NAMES[c.field] || c.field} har flere værdier:`),
            h(
              "ul",
              {},
              c.values.map((v) => h("li", {}, h("strong", {}, fieldValueText(c.field, v.value)), ` – ${who(v.user_id, c.record)}, ${when(v.hlc)}`)),
            ),
            h(
              "a",
              { class: "button secondary", href: `${base}/konflikt/${encodeURIComponent(c.record.id)}/${encodeURIComponent(c.field)}` },
              "Løs konflikten",
            ),
          ),
        ),
      )
    : null;

  const history = [...(course?.history?.phase || [])].sort((a, b) => (b.hlc || "").localeCompare(a.hlc || ""));
  const phaseSection = h(
    "section",
    { class: "card", "aria-labelledby": "phase-h" },
    h("h2", { id: "phase-h" }, "Fase"),
    h("p", { class: "big" }, course ? phaseText(course.fields.phase) : "Ingen fase registreret"),
    h(
      "dl",
      { class: "facts" },
      h("dt", {}, "Behandlingsplan"),
      h("dd", {}, course?.fields.plan_date ? fmtDate(course.fields.plan_date) : "Ikke registreret"),
      h("dt", {}, "Identificeret"),
      h("dd", {}, course?.fields.identified_on ? fmtDate(course.fields.identified_on) : "–"),
      course?.fields.started_on ? [h("dt", {}, "Startet"), h("dd", {}, fmtDate(course.fields.started_on))] : null,
      course?.fields.ended_on ? [h("dt", {}, "Afsluttet"), h("dd", {}, fmtDate(course.fields.ended_on))] : null,
    ),
    history.length
      ? h(
          "details",
          {},
          h("summary", {}, "Fasehistorik"),
          h("ol", { class: "history" }, history.map((e) => h("li", {}, `${phaseText(e.value)} – ${who(e.user_id, course)}, ${when(e.hlc)}`))),
        )
      : null,
  );

  const consents = views.filter((v) => v.entity === "consent");
  const consentSection = h(
    "section",
    { class: "card", "aria-labelledby": "consent-h" },
    h("h2", { id: "consent-h" }, "Samtykker"),
    consents.length
      ? h(
          "ul",
          { class: "items" },
          consents.map((c) => {
            const s = c.fields.state || {};
            const granted = c.fields.granted ?? s.action === "grant";
            return h(
              "li",
              {},
              h("p", {}, h("strong", {}, label(L.CONSENT_PURPOSES, c.fields.purpose)), ` – ${orgName(c.fields.recipient_org_id)}`),
              h(
                "p",
                { class: granted ? "ok" : "muted" },
                granted
                  ? `Givet ${label(L.CONSENT_FORMS, s.form).toLowerCase()} ${fmtDate(s.date)} (${label(L.CONSENT_GIVEN_BY, s.given_by).toLowerCase()})`
                  : `Trukket tilbage ${fmtDate(s.date)}`,
                c.pending ? h("span", { class: "tag" }, "Ikke sendt") : null,
              ),
              h(
                "a",
                { class: "button small secondary", href: `${base}/samtykke/${encodeURIComponent(c.id)}` },
                granted ? "Træk tilbage" : "Registrér nyt samtykke",
              ),
            );
          }),
        )
      : h("p", {}, "Ingen samtykker registreret."),
    h("a", { class: "button secondary", href: `${base}/samtykke` }, "Registrér samtykke"),
  );

  const contacts = views
    .filter((v) => v.entity === "contact")
    .sort((a, b) => Date.parse(b.fields.occurred_at) - Date.parse(a.fields.occurred_at));
  const contactSection = h(
    "section",
    { class: "card", "aria-labelledby": "contacts-h" },
    h("h2", { id: "contacts-h" }, "Kontakter"),
    contacts.length
      ? h(
          "ol",
          { class: "timeline" },
          contacts.map((c) => {
            const x = c.fields;
            return h(
              "li",
              { class: c.voided ? "voided" : null },
              h(
                "p",
                {},
                h("strong", {}, fmtDateTime(x.occurred_at)),
                ` · ${label(L.CONTACT_KINDS, x.kind)}`,
                x.place ? ` · ${label(L.CONTACT_PLACES, x.place)}` : "",
                x.channel ? ` · ${label(L.CHANNELS, x.channel)}` : "",
              ),
              x.actors?.length ? h("p", { class: "muted" }, `Til stede: ${x.actors.map((a) => label(L.ACTORS, a)).join(", ")}`) : null,
              x.note ? h("p", { class: "note" }, x.note) : null,
              c.voided ? h("p", { class: "muted" }, `Annulleret${c.void?.reason ? `: ${c.void.reason}` : ""}`) : null,
              amendedTag(c),
              c.pending ? h("span", { class: "tag" }, "Ikke sendt") : null,
              c.voided
                ? null
                : h(
                    "div",
                    { class: "row-buttons" },
                    h(
                      "a",
                      { class: "button small secondary", href: `${base}/kontakt/${encodeURIComponent(c.id)}`, "aria-label": `Ret kontakten ${fmtDateTime(x.occurred_at)}` },
                      "Ret",
                    ),
                    voidButton(app, c),
                  ),
            );
          }),
        )
      : h("p", {}, "Ingen kontakter endnu."),
  );

  return {
    title: "Borger", // never initials or code: titles end up in the browser's history files
    body: [
      h("p", {}, h("a", { href: "#/" }, "‹ Mine borgere")),
      h("h1", {}, h("span", {}, f.initials || "?"), " ", h("span", { class: "code" }, f.code || "")),
      f.name ? h("p", {}, f.name) : null,
      citizen.archived ? h("p", { class: "notice" }, "Borgeren er arkiveret.") : null,
      conflictBanner,
      phaseSection,
      consentSection,
      contactSection,
    ],
    actions: [
      h("a", { class: "button primary", href: `${base}/kontakt`, id: "log-contact" }, "Log kontakt"),
      h("a", { class: "button secondary", href: `${base}/fase` }, "Skift fase"),
    ],
    live: (what) => ["pull", "push"].includes(what) && app.render(),
  };
}

/** "Rettet": the contact shows corrected values; the original stays in the log. Pulled
 * snapshots list `amendments` (not in a partial view); own unsent ones come from views.js. */
function amendedTag(contact) {
  const last = contact.amendments?.at(-1);
  if (!last) return null;
  return h("span", { class: "tag", title: `Rettet af ${who(last.user_id, contact)}, ${when(last.hlc)}` }, "Rettet");
}

/** Contacts are append-only: a wrong entry is voided (it stays readable, struck through). */
function voidButton(app, contact) {
  let armed = false;
  return h(
    "button",
    {
      type: "button",
      class: "button small secondary",
      "data-focus-key": `void-${contact.id}`,
      onclick: async (event) => {
        if (!armed) {
          armed = true;
          event.target.textContent = "Bekræft: annullér kontakten";
          return;
        }
        await store.commit([{ entity: "contact", record_id: contact.id, kind: "void", value: { reason: "Registreret ved en fejl" } }]);
        sync.soon();
        app.render();
      },
    },
    "Annullér",
  );
}

// ---------------------------------------------------------------- new citizen
const CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"; // no 0/O, 1/I
export function newCode() {
  const taken = new Set([...store.state.summary.values()].map((r) => r.code));
  for (;;) {
    const code = "BRO-" + Array.from(randomBytes(4), (b) => CODE_ALPHABET[b % CODE_ALPHABET.length]).join("");
    if (!taken.has(code)) return code;
  }
}

export async function newCitizenScreen(app) {
  const form = h(
    "form",
    { novalidate: true, id: "citizen-form" },
    textField({ name: "initials", label: "Initialer", required: true, maxlength: 12, hint: "Fx AB. Bruges til at finde borgeren." }),
    textField({ name: "code", label: "Kode", value: newCode(), required: true, maxlength: 12, hint: "Borgerens pseudonyme kode. 4–12 tegn: A–Z, 0–9 og bindestreg." }),
    textField({ name: "name", label: "Navn (valgfrit)", maxlength: 120 }),
    textField({ name: "birth_year", label: "Fødselsår (valgfrit)", inputmode: "numeric", maxlength: 4 }),
    radioGroup({ name: "phase", legend: "Fase", options: L.PHASES, value: "phase_1" }),
    textField({ name: "identified_on", label: "Identificeret dato", type: "date", value: today(), required: true }),
    selectField({ name: "first_seen_place", label: "Hvor blev borgeren mødt første gang? (valgfrit)", options: L.FIRST_SEEN_PLACES, empty: "Vælg sted" }),
  );
  const draft = await autosave(form, "new-citizen");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const v = readForm(form);
    const errors = {};
    const code = v.code.trim().toUpperCase();
    const initials = v.initials.trim();
    if (!initials) errors.initials = "Skriv borgerens initialer.";
    else if (initials.length > 12) errors.initials = "Initialer må højst være 12 tegn.";
    if (!/^[A-Z0-9-]{4,12}$/.test(code)) errors.code = "Koden skal være 4–12 tegn og kun indeholde A–Z, 0–9 og bindestreg.";
    else if ([...store.state.summary.values()].some((r) => r.code === code)) errors.code = "Koden er allerede brugt. Vælg en anden.";
    let birthYear = null;
    if (v.birth_year.trim()) {
      birthYear = Number(v.birth_year.trim());
      if (!Number.isInteger(birthYear) || birthYear < 1900 || birthYear > 2015) errors.birth_year = "Fødselsår skal være et årstal mellem 1900 og 2015.";
    }
    if (!/^\d{4}-\d{2}-\d{2}$/.test(v.identified_on)) errors.identified_on = "Vælg en gyldig dato.";
    if (!v.phase) errors.phase = "Vælg en fase.";
    if (!showErrors(form, errors)) return;
    const citizenId = uuid4();
    const courseId = uuid4();
    const citizen = { code, team_id: store.state.user.organisation_id, initials };
    if (v.name.trim()) citizen.name = v.name.trim();
    if (birthYear) citizen.birth_year = birthYear;
    const course = { citizen_id: citizenId, identified_on: v.identified_on, phase: { phase: v.phase, date: v.identified_on } };
    if (v.first_seen_place) course.first_seen_place = v.first_seen_place;
    if (v.phase === "phase_2") course.started_on = v.identified_on;
    const saved = await draft.commit([
      { entity: "citizen", record_id: citizenId, kind: "create", value: citizen },
      { entity: "course", record_id: courseId, kind: "create", value: course },
    ]);
    if (!saved) return;
    sync.soon();
    app.go(`#/borger/${citizenId}`, "Borgeren er oprettet."); // no initials or code in notices
  });
  return {
    title: "Ny borger",
    body: [h("p", {}, h("a", { href: "#/" }, "‹ Mine borgere")), h("h1", {}, "Ny borger"), draftNotice(draft.restored), form],
    actions: [h("button", { type: "submit", form: "citizen-form", class: "button primary" }, "Opret borger")],
  };
}
