// One lead as a behandler works it (offline): seen by the team, claimed, contact attempts,
// then linked to a citizen (a new one pre-filled from the lead, or a known one) or closed
// with a reason. Claims and resolutions are multi-value on the server (schemas/records.py
// `Lead`): two made offline come back as a conflict, shown here to be settled.
import * as store from "../store.js";
import * as sync from "../sync.js";
import { SCHEMA, list, field, fieldLabel, options } from "../schema.js";
import { check, take } from "../validate.js";
import { leadStage, leadAgeDays } from "../derive.js";
import { uuid4 } from "../crypto.js";
import { h, label, fmtDate, fmtDateTime, textField, selectField, radioGroup, readForm, showErrors, autosave, draftNotice, today, nowLocal, localToIso } from "../ui.js";
import { who, when, fieldValueText } from "./citizens.js";
import { newCode } from "./newcitizen.js";

const LINKS = new Set(SCHEMA.derive.lead_links);
const CLOSINGS = options("lead", "resolution").filter(([code]) => !LINKS.has(code));
const FIRST_SEEN = SCHEMA.derive.first_seen_of_lead_place;
const opt = (name, code) => label(options("lead", name), code);
const leadHash = (id) => `#/henvisning/${encodeURIComponent(id)}`;

/** The lead's local view and its contact attempts, or null when the phone does not hold it. */
async function loadLead(id) {
  const lead = store.state.leads.get(id);
  if (!lead || lead.archived) return null;
  const attempts = (await store.leadAttempts()).filter((a) => a.fields.lead_id === id && !a.voided);
  return { lead, attempts };
}

function notFound() {
  return { title: "Henvisning", body: [back(), h("h1", {}, "Henvisningen findes ikke på telefonen")] };
}
const back = (id) => h("p", {}, h("a", { href: id ? leadHash(id) : "#/henvisninger" }, id ? "‹ Tilbage til henvisningen" : "‹ Henvisninger"));

/** Commit the ops; a change that arrived meanwhile (a pull) draws the screen again instead. */
async function save(app, commit) {
  try {
    return await commit();
  } catch (error) {
    if (!(error instanceof store.StaleView)) throw error;
    app.go(location.hash, "Henvisningen er ændret på en anden telefon, mens du havde skærmen åben. Se ændringen, og prøv igen.", "warning");
    return null;
  }
}

async function saved(app, id, message) {
  sync.soon();
  app.go(leadHash(id), message);
}

/** "Set for 3 dage siden": the lead's age, counted from the day the person was seen. */
export function ageText(lead) {
  const days = leadAgeDays(lead, today());
  return days === 0 ? "Set i dag" : days === 1 ? "Set for 1 dag siden" : `Set for ${days} dage siden`;
}

/** The lead's stage or outcome, as the team reads it. */
export function statusText(lead, attempts) {
  if (lead.fields.resolution) return opt("resolution", lead.fields.resolution);
  return label(list("LEAD_STAGES"), leadStage(lead, attempts));
}

// ---------------------------------------------------------------- the lead
export async function leadScreen(app, id) {
  const loaded = await loadLead(id);
  if (!loaded) return notFound();
  const { lead, attempts } = loaded;
  const f = lead.fields;
  const me = store.state.user.id;
  const conflicts = (lead.conflicts || []).filter((c) => c.values?.length > 1);
  const resolved = !!f.resolution || conflicts.some((c) => c.field === "resolution");
  const seen = { team_seen_on: await store.seenFor(id, "team_seen_on"), claimed_by: await store.seenFor(id, "claimed_by") };
  const act = async (fieldName, value, message) => {
    const op = { entity: "lead", record_id: id, kind: "set", field: fieldName, value, seen: seen[fieldName] };
    if (await save(app, () => store.commit([op]))) await saved(app, id, message);
  };
  const facts = [
    [fieldLabel("lead", "seen_on"), `${fmtDate(f.seen_on)} (${ageText(lead).toLowerCase()})`],
    [fieldLabel("lead", "place_type"), opt("place_type", f.place_type)],
    [fieldLabel("lead", "area"), f.area],
    [fieldLabel("lead", "age_band"), f.age_band && opt("age_band", f.age_band)],
    [fieldLabel("lead", "sex"), f.sex && opt("sex", f.sex)],
    [fieldLabel("lead", "concerns"), (f.concerns || []).map((c) => opt("concerns", c)).join(", ")],
    ["Status", statusText(lead, attempts)],
    [fieldLabel("lead", "team_seen_on"), f.team_seen_on && fmtDate(f.team_seen_on)],
    [fieldLabel("lead", "claimed_by"), f.claimed_by && who(f.claimed_by, lead)],
    [fieldLabel("lead", "resolved_on"), f.resolved_on && fmtDate(f.resolved_on)],
  ].filter(([, value]) => value);
  return {
    title: "Henvisning",
    // A pull can bring a claim or resolution made elsewhere (a conflict): show it at once.
    live: (what) => what === "pull" && store.state.leads.get(id) !== lead && app.render(),
    body: [
      back(),
      h("h1", {}, "Henvisning"),
      lead.pending ? h("p", { class: "tag" }, "Ikke sendt") : null,
      conflicts.map((c) => conflictBlock(app, lead, c)),
      h("dl", { class: "facts", id: "lead-facts" }, facts.map(([term, value]) => [h("dt", {}, term), h("dd", {}, value)])),
      f.citizen_id ? h("p", {}, h("a", { href: `#/borger/${encodeURIComponent(f.citizen_id)}` }, "Åbn borgeren")) : null,
      h("h2", {}, "Kontaktforsøg"),
      attempts.length
        ? h(
            "ul",
            { class: "items", id: "lead-attempts" },
            attempts
              .sort((a, b) => (b.fields.occurred_at || "").localeCompare(a.fields.occurred_at || ""))
              .map((a) => h("li", {}, h("strong", {}, fmtDateTime(a.fields.occurred_at)), ` · ${label(options("lead_attempt", "result"), a.fields.result)}`,
                a.fields.place_type ? ` · ${label(options("lead_attempt", "place_type"), a.fields.place_type)}` : "")),
          )
        : h("p", {}, "Ingen kontaktforsøg endnu."),
    ],
    actions: [
      f.team_seen_on ? null : h("button", { type: "button", class: "button secondary", id: "lead-seen", onclick: () => act("team_seen_on", today(), "Henvisningen er markeret som set.") }, "Markér som set"),
      f.claimed_by === me && !conflicts.some((c) => c.field === "claimed_by") ? null
        : h("button", { type: "button", class: "button secondary", id: "lead-claim", onclick: () => act("claimed_by", me, "Du har taget henvisningen.") }, "Tag henvisningen"),
      h("a", { class: "button secondary", href: `${leadHash(id)}/forsoeg` }, "Registrér kontaktforsøg"),
      resolved ? null : h("a", { class: "button primary", href: `${leadHash(id)}/ny-borger` }, "Kobl til ny borger"),
      resolved ? null : h("a", { class: "button secondary", href: `${leadHash(id)}/kendt-borger` }, "Kobl til kendt borger"),
      resolved ? null : h("a", { class: "button secondary", href: `${leadHash(id)}/afslut` }, "Afslut henvisningen"),
    ],
  };
}

/** A field written in two places without either knowing the other: choose the right value. */
function conflictBlock(app, lead, conflict) {
  const name = conflict.field;
  const text = name === "claimed_by"
    ? "To behandlere har taget henvisningen, uden at den ene kendte til den anden. Vælg, hvem der har den."
    : `${fieldLabel("lead", name)} blev sat to steder, uden at den ene kendte til den anden. Vælg den rigtige værdi.`;
  const valueText = (value) => (name === "claimed_by" ? who(value, lead) : name === "citizen_id" ? "En borger" : fieldValueText("lead", name, value));
  const form = h(
    "form",
    { novalidate: true, id: `conflict-${name}` },
    radioGroup({
      name: "choice",
      legend: `Hvilken værdi er rigtig for ${fieldLabel("lead", name).toLowerCase()}?`,
      options: conflict.values.map((v) => [v.op_id, `${valueText(v.value)} – ${who(v.user_id, lead)}, ${when(v.hlc)}`]),
      value: "",
    }),
    h("button", { type: "submit", class: "button primary" }, "Gem valgt værdi"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const choice = readForm(form).choice;
    if (!showErrors(form, choice ? {} : { choice: "Vælg den værdi, der er rigtig." })) return;
    const chosen = conflict.values.find((v) => v.op_id === choice);
    const seen = [...new Set([...(await store.seenFor(lead.id, name)), ...conflict.values.map((v) => v.op_id)])];
    const op = { entity: "lead", record_id: lead.id, kind: "set", field: name, value: chosen.value, seen };
    if (await save(app, () => store.commit([op]))) await saved(app, lead.id, "Konflikten er løst. Dit valg sendes til de andre telefoner.");
  });
  return h("section", { class: "notice warning", "aria-label": "Konflikt" }, h("h2", {}, "Konflikt"), h("p", {}, text), form);
}

// ---------------------------------------------------------------- a contact attempt
export async function attemptScreen(app, id) {
  if (!(await loadLead(id))) return notFound();
  const spec = (name) => field("lead_attempt", name);
  const form = h(
    "form",
    { novalidate: true, id: "attempt-form" },
    textField({ name: "occurred_at", label: spec("occurred_at").label, type: "datetime-local", value: nowLocal(), required: true }),
    radioGroup({ name: "result", legend: spec("result").label, options: spec("result").options, value: "" }),
    selectField({ name: "place_type", label: `${spec("place_type").label} (valgfrit)`, options: spec("place_type").options, empty: "Vælg sted" }),
  );
  const draft = await autosave(form, `lead-attempt:${id}`);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const v = readForm(form);
    const errors = {};
    const at = take(errors, "occurred_at", check("lead_attempt", "occurred_at", v.occurred_at ? localToIso(v.occurred_at) || "" : ""));
    const result = take(errors, "result", check("lead_attempt", "result", v.result));
    if (!showErrors(form, errors)) return;
    const value = { lead_id: id, occurred_at: at, result };
    if (v.place_type) value.place_type = v.place_type;
    if (await save(app, () => draft.commit([{ entity: "lead_attempt", record_id: uuid4(), kind: "create", value }]))) await saved(app, id, "Kontaktforsøget er gemt.");
  });
  return {
    title: "Kontaktforsøg",
    body: [back(id), h("h1", {}, "Kontaktforsøg"), draftNotice(draft.restored), form],
    actions: [h("button", { type: "submit", form: "attempt-form", class: "button primary" }, "Gem kontaktforsøg")],
  };
}

// ---------------------------------------------------------------- linked or closed
/** The lead's resolution as ops: the citizen (when linked), the resolution and its date. */
async function resolutionOps(id, resolution, citizenId = null) {
  const set = async (name, value) => ({ entity: "lead", record_id: id, kind: "set", field: name, value, seen: await store.seenFor(id, name) });
  return [...(citizenId ? [await set("citizen_id", citizenId)] : []), await set("resolution", resolution), await set("resolved_on", today())];
}

// A lead's age band as a suggested birth year: the middle of the band (a suggestion the
// behandler corrects; "Ved ikke" suggests nothing).
function birthYearOf(ageBand) {
  const m = /^(\d+)_(\d+|plus)$/.exec(ageBand || "");
  if (!m) return "";
  const low = Number(m[1]);
  const high = m[2] === "plus" ? low + 10 : Number(m[2]);
  return String(new Date().getFullYear() - Math.round((low + high) / 2));
}

export async function linkNewScreen(app, id) {
  const loaded = await loadLead(id);
  if (!loaded) return notFound();
  const f = loaded.lead.fields;
  const c = (name) => field("citizen", name);
  const form = h(
    "form",
    { novalidate: true, id: "link-new-form" },
    textField({ name: "initials", label: c("initials").label, required: true, upper: true, maxlength: c("initials").max_length, hint: "Fx AB. Bruges til at finde borgeren." }),
    textField({ name: "code", label: c("code").label, value: newCode(), required: true, upper: true, maxlength: c("code").max_length, hint: `Borgerens pseudonyme kode. ${c("code").pattern_hint}.` }),
    textField({
      name: "birth_year", label: `${c("birth_year").label} (valgfrit)`, value: birthYearOf(f.age_band), inputmode: "numeric", maxlength: 4,
      hint: f.age_band && f.age_band !== "unknown" ? `Skønnet ud fra henvisningen (${opt("age_band", f.age_band)}). Ret det, hvis du ved bedre.` : null,
    }),
    radioGroup({ name: "sex", legend: `${c("sex").label} (valgfrit)`, options: c("sex").options, value: f.sex || "" }),
    selectField({ name: "first_seen_place", label: `${fieldLabel("course", "first_seen_place")} (valgfrit)`, options: options("course", "first_seen_place"), value: FIRST_SEEN[f.place_type] || "", empty: "Vælg sted" }),
  );
  const draft = await autosave(form, `lead-link-new:${id}`);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const v = readForm(form);
    const errors = {};
    const initials = take(errors, "initials", check("citizen", "initials", v.initials.toUpperCase()));
    const code = take(errors, "code", check("citizen", "code", v.code.toUpperCase()));
    if (code && [...store.state.summary.values()].some((row) => row.code === code)) errors.code = "Koden er allerede brugt af en anden borger på telefonen. Vælg en anden.";
    const birthYear = take(errors, "birth_year", check("citizen", "birth_year", v.birth_year));
    if (!showErrors(form, errors)) return;
    const citizenId = uuid4();
    const citizen = { code, team_id: store.state.user.organisation_id, initials };
    if (birthYear !== null) citizen.birth_year = birthYear;
    if (v.sex) citizen.sex = v.sex;
    const course = { citizen_id: citizenId, identified_on: today(), phase: { phase: "phase_1", date: today() } };
    if (v.first_seen_place) course.first_seen_place = v.first_seen_place;
    const ops = [
      { entity: "citizen", record_id: citizenId, kind: "create", value: citizen },
      { entity: "course", record_id: uuid4(), kind: "create", value: course },
      ...(await resolutionOps(id, "link_new", citizenId)),
    ];
    if (!(await save(app, () => draft.commit(ops)))) return;
    sync.soon();
    app.go(`#/borger/${citizenId}`, "Borgeren er oprettet, og henvisningen er koblet til borgeren.");
  });
  return {
    title: "Kobl til ny borger",
    body: [back(id), h("h1", {}, "Kobl til ny borger"), h("p", {}, "Borgeren oprettes i fase 1 med oplysningerne fra henvisningen. Den, der henviste, ser kun, at henvisningen er i kontakt."), draftNotice(draft.restored), form],
    actions: [h("button", { type: "submit", form: "link-new-form", class: "button primary" }, "Opret og kobl")],
  };
}

export async function linkExistingScreen(app, id) {
  if (!(await loadLead(id))) return notFound();
  const rows = store.citizenList();
  const form = h(
    "form",
    { novalidate: true, id: "link-existing-form" },
    rows.length
      ? selectField({ name: "citizen", label: "Borger", options: rows.map((r) => [r.id, `${r.initials} · ${r.code}`]), required: true, empty: "Vælg borger" })
      : h("p", {}, "Der er ingen borgere på telefonen."),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const v = readForm(form);
    if (!showErrors(form, v.citizen ? {} : { citizen: "Vælg den borger, henvisningen handler om." })) return;
    if (await save(app, async () => store.commit(await resolutionOps(id, "link_existing", v.citizen)))) await saved(app, id, "Henvisningen er koblet til borgeren.");
  });
  return {
    title: "Kobl til kendt borger",
    body: [back(id), h("h1", {}, "Kobl til kendt borger"), form],
    actions: [h("button", { type: "submit", form: "link-existing-form", class: "button primary" }, "Kobl til borgeren")],
  };
}

export async function closeScreen(app, id) {
  if (!(await loadLead(id))) return notFound();
  const form = h("form", { novalidate: true, id: "close-form" }, radioGroup({ name: "reason", legend: "Hvorfor afsluttes henvisningen?", options: CLOSINGS, value: "" }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const v = readForm(form);
    if (!showErrors(form, v.reason ? {} : { reason: "Vælg en årsag." })) return;
    if (await save(app, async () => store.commit(await resolutionOps(id, v.reason)))) await saved(app, id, "Henvisningen er afsluttet.");
  });
  return {
    title: "Afslut henvisningen",
    body: [back(id), h("h1", {}, "Afslut henvisningen"), form],
    actions: [h("button", { type: "submit", form: "close-form", class: "button primary" }, "Afslut henvisningen")],
  };
}
