// "Mine borgere" (search, filter, sorted by last contact) and what the citizen screens
// share: loading a citizen's views, how a value and a person are shown.
import * as store from "../store.js";
import { SCHEMA, list, field, fieldLabel } from "../schema.js";
import { currentCourse, citizenStatus, startWait } from "../derive.js";
import { waitInputs } from "../views.js";
import { wallOf } from "../hlc.js";
import { h, fill, label, fmtDate, fmtDateTime, today } from "../ui.js";
import { currentSchedule, dueTags } from "./formsdue.js";

const PAGE_ROWS = 30; // a phone screen shows ~12; more on request (keeps each keystroke cheap)
const listState = { query: "", phase: "", limit: PAGE_ROWS };
const PHASES = list("PHASES");

/** Forget the search (it can hold initials) when the app locks. */
export function resetList() {
  Object.assign(listState, { query: "", phase: "", limit: PAGE_ROWS });
}

export function phaseText(value) {
  if (!value) return "Ingen fase registreret";
  return `${label(PHASES, value.phase)} (fra ${fmtDate(value.date)})`;
}

/** A field's value as the worker reads it: option labels, a phase with its date. */
export function fieldValueText(entityName, name, value) {
  const spec = field(entityName, name);
  if (spec.kind === "phase_event") return phaseText(value);
  if (spec.options) return Array.isArray(value) ? value.map((v) => label(spec.options, v)).join(", ") : label(spec.options, value);
  if (value && typeof value === "object") return JSON.stringify(value);
  return String(value ?? "");
}

export function who(userId, snap) {
  const me = store.state.user;
  if (userId && me && userId === me.id) return `${me.display_name || me.username} (dig)`;
  const names = snap?.user_names;
  const name = (names && !Array.isArray(names) ? names[userId] : null) || store.state.users[userId];
  return name || "En kollega";
}

export const when = (hlc) => fmtDateTime(wallOf(hlc));

/** The tags of a list row: what needs the worker's attention (forms due, the wait: computed now). */
function rowTags(row, schedule, day) {
  const wait = startWait(waitInputs(row), day);
  return [
    wait.over_limit ? h("span", { class: "tag danger" }, `Over ${SCHEMA.derive.start_within_days} dage fra anmodning`) : null,
    wait.waiting ? h("span", { class: "tag" }, `Venter: ${wait.days} ${wait.days === 1 ? "dag" : "dage"}`) : null,
    row.conflicts.length ? h("span", { class: "tag danger" }, "Konflikt") : null,
    row.duplicate ? h("span", { class: "tag danger" }, "Samme kode to gange") : null,
    row.plan_missing ? h("span", { class: "tag" }, "Behandlingsplan mangler") : null,
    dueTags(row, schedule, day),
    row.pending ? h("span", { class: "tag" }, "Ikke sendt") : null,
  ];
}

function phaseShort(row) {
  if (row.ended) return "Afsluttet";
  return row.phase ? label(PHASES, row.phase).split(" – ")[0] : "Ingen fase";
}

export async function listScreen() {
  const schedule = await currentSchedule();
  const results = h("div", { id: "results", "aria-live": "polite" });
  const draw = () => {
    const rows = store.citizenList(listState);
    const shown = rows.slice(0, listState.limit);
    const day = today();
    const count =
      rows.length > shown.length
        ? `Viser ${shown.length} af ${rows.length} borgere. Søg for at finde flere.`
        : rows.length === 1
          ? "1 borger"
          : `${rows.length} borgere`;
    fill(
      results,
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
                phaseShort(row),
                " · ",
                row.last_contact ? `Sidste kontakt ${fmtDateTime(row.last_contact)}` : "Ingen kontakter",
              ),
              rowTags(row, schedule, day),
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
    PHASES.map(([code, text]) => h("option", { value: code, selected: code === listState.phase }, text)),
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
        h("div", { class: "field" }, h("label", { for: "phase-filter" }, fieldLabel("course", "phase")), phase),
      ),
      results,
      store.state.user?.role !== "frivillig" ? h("p", {}, h("a", { href: "#/henvisninger" }, "Henvisninger fra samarbejdspartnere")) : null,
      store.state.user?.role !== "frivillig" ? h("p", {}, h("a", { href: "#/moeder" }, "Koordinerings- og netværksmøder")) : null,
      store.state.user?.role !== "frivillig" ? h("p", {}, h("a", { href: "#/synlighed" }, "Synlighedsarbejde")) : null,
    ],
    actions: [h("a", { class: "button primary", href: "#/ny-borger" }, "Ny borger")],
    live: (what) => ["pull", "local", "push", "sync"].includes(what) && draw(),
  };
}

/** A citizen's local views, the citizen, its current course and the course status (derive.js). */
export async function loadCitizen(id) {
  const views = await store.citizenViews(id);
  const citizen = views.find((v) => v.entity === "citizen");
  const courses = views.filter((v) => v.entity === "course");
  return { views, citizen, course: currentCourse(courses), status: citizenStatus(courses) };
}

export const notFound = () => ({
  title: "Ikke fundet",
  body: [h("h1", {}, "Borgeren findes ikke på telefonen"), h("p", {}, h("a", { href: "#/" }, "Tilbage til Mine borgere"))],
});

/** Codes other citizens on this phone have (a new or corrected code must not clash). */
export function codesInUse(exceptId = null) {
  const codes = new Set();
  for (const row of store.state.summary.values()) if (row.id !== exceptId && !row.archived && row.code) codes.add(row.code);
  return codes;
}
