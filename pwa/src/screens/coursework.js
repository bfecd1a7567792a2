// The course as practitioners work it (issue 12): the safety note read before a visit, the
// request date with the 14-day rule, and children in the home. The safety and children
// fields are `confidential` in the schema: only the team and the projektleder receive
// them, and none of this is part of self-fill (selffill.js shows only the form).
import * as sync from "../sync.js";
import * as store from "../store.js";
import { SCHEMA, field, fieldLabel, options } from "../schema.js";
import { check, take } from "../validate.js";
import { startWait } from "../derive.js";
import { uuid4 } from "../crypto.js";
import { h, label, fmtDate, textField, radioGroup, checkboxGroup, checkField, readForm, showErrors, autosave, draftNotice, today } from "../ui.js";
import { loadCitizen, notFound } from "./citizens.js";
import { save } from "./forms.js";

const LIMIT = SCHEMA.derive.start_within_days;
const SAFETY_FIELDS = ["safety_flags", "safety_note"];
const CHILD_FIELDS = ["children_in_home", "children_count", "children_age_bands", "children_offers_on", "notify_duty_told_on", "notification_on", "notification_by"];
const CHILD_DATES = ["children_offers_on", "notify_duty_told_on", "notification_on"];
const cit = (name) => fieldLabel("citizen", name);
const pageOf = (id) => `#/borger/${encodeURIComponent(id)}`;
const back = (id) => h("p", {}, h("a", { href: pageOf(id) }, "‹ Tilbage til borgeren"));
const same = (a, b) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
const days = (n) => `${n} ${n === 1 ? "dag" : "dage"}`;

/** Before a visit: who must go and how. At the top of the citizen page. */
export function safetyCard(citizenId, citizen) {
  const f = citizen.fields;
  const flags = f.safety_flags || [];
  const edit = `${pageOf(citizenId)}/sikkerhed`;
  if (!flags.length && !f.safety_note) {
    return h("p", { id: "safety-none" }, h("a", { href: edit, id: "safety-add" }, "Tilføj sikkerhedsnote før besøg"));
  }
  return h(
    "section",
    { class: "banner warning", id: "safety", "aria-labelledby": "safety-h" },
    h("h2", { id: "safety-h" }, "Før besøg: sikkerhed"),
    flags.length ? h("ul", {}, flags.map((code) => h("li", {}, h("strong", {}, label(options("citizen", "safety_flags"), code))))) : null,
    f.safety_note ? h("p", { class: "note" }, f.safety_note) : null,
    h("a", { class: "button small secondary", href: edit }, "Ret sikkerhedsnoten"),
  );
}

/** The day the citizen asked for treatment and the 14-day rule (derive.startWait). */
export function waitCard(citizenId, course) {
  const wait = startWait(course, today());
  const edit = h("a", { class: "button small secondary", href: `${pageOf(citizenId)}/anmodning`, id: "edit-request" }, wait.requested_on ? "Ret anmodningsdatoen" : "Skriv anmodningsdato");
  let text;
  if (!wait.requested_on) text = h("p", {}, "Ingen dato for, hvornår borgeren bad om behandling.");
  else if (wait.waiting) text = h("p", {}, `Bad om behandling ${fmtDate(wait.requested_on)} – har ventet ${days(wait.days)}.`);
  else text = h("p", {}, `Bad om behandling ${fmtDate(wait.requested_on)} – ${course?.fields.started_on ? `startede efter ${days(wait.days)}` : `afsluttet efter ${days(wait.days)} uden start`}.`);
  return h(
    "section",
    { class: "card", "aria-labelledby": "wait-h", id: "wait" },
    h("h2", { id: "wait-h" }, "Anmodning om behandling"),
    text,
    wait.over_limit
      ? h(
          "p",
          { class: "notice warning", id: "over-14" },
          h("strong", {}, `Over ${LIMIT} dage. `),
          `Behandlingen skal starte senest ${LIMIT} dage efter, at borgeren har bedt om den (serviceloven).`,
        )
      : null,
    edit,
  );
}

/** Children in the home, for the team only. */
export function childrenCard(citizenId, citizen) {
  const f = citizen.fields;
  // Paragraphs, not a two-column list: the labels are long words that must wrap at 200 % text.
  const fact = (name, value) => (value == null || value === "" ? null : h("p", {}, h("strong", {}, `${cit(name)}: `), value));
  const bands = (f.children_age_bands || []).map((c) => label(options("citizen", "children_age_bands"), c)).join(", ");
  const known = CHILD_FIELDS.some((name) => f[name] != null && !same(f[name], []));
  return h(
    "section",
    { class: "card", "aria-labelledby": "children-h", id: "children" },
    h("h2", { id: "children-h" }, cit("children_in_home")),
    known
      ? h(
          "div",
          { class: "children-facts" },
          fact("children_in_home", f.children_in_home ? label(options("citizen", "children_in_home"), f.children_in_home) : null),
          fact("children_count", Number.isInteger(f.children_count) ? String(f.children_count) : null),
          fact("children_age_bands", bands),
          CHILD_DATES.map((name) => fact(name, f[name] ? fmtDate(f[name]) : null)),
          fact("notification_by", f.notification_by),
        )
      : h("p", {}, "Ikke afdækket endnu. Spørg, om der er børn i hjemmet."),
    h("p", { class: "muted" }, "Kun teamet og projektlederen ser dette."),
    h("a", { class: "button small secondary", href: `${pageOf(citizenId)}/boern`, id: "edit-children" }, "Ret børn i hjemmet"),
  );
}

/** `set` ops for the fields whose value changed (or is in conflict: saving settles it). */
export async function changedOps(record, values) {
  const ops = [];
  for (const [name, value] of Object.entries(values)) {
    const conflicted = (record.conflicts || []).some((c) => c.field === name);
    if (!conflicted && same(record.fields[name], value)) continue;
    ops.push({ entity: record.entity, record_id: record.id, kind: "set", field: name, value, seen: await store.seenFor(record.id, name) });
  }
  return ops;
}

function screen(title, citizenId, intro, draft, form, formId, button) {
  return {
    title,
    body: [back(citizenId), h("h1", {}, title), intro, draftNotice(draft.restored), form],
    actions: [h("button", { type: "submit", form: formId, class: "button primary", id: `save-${formId}` }, button)],
  };
}

async function finish(app, citizenId, ops, message) {
  sync.soon();
  app.go(pageOf(citizenId), ops.length ? message : "Ingen ændringer at gemme.");
}

// ---------------------------------------------------------------- request date
export async function requestScreen(app, citizenId) {
  const { citizen, course } = await loadCitizen(citizenId);
  if (!citizen) return notFound();
  const cf = course?.fields || {};
  const started = !!(cf.started_on || cf.ended_on);
  const form = h("form", { novalidate: true, id: "request-form" });
  form.append(
    textField({ name: "requested_on", label: fieldLabel("course", "requested_on"), type: "date", value: cf.requested_on || today(), max: today(), required: true, hint: `Datoen, hvor borgeren bad om behandling. Behandlingen skal starte senest ${LIMIT} dage efter.` }),
    started || cf.phase?.phase === "waiting_list" ? null : checkField({ name: "waiting", label: "Sæt borgeren på venteliste fra denne dato", checked: true }),
  );
  const seenPhase = course ? await store.seenFor(course.id, "phase") : [];
  const draft = await autosave(form, `request:${citizenId}`);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const v = readForm(form);
    const errors = {};
    const requested = take(errors, "requested_on", check("course", "requested_on", v.requested_on, { required: true }));
    if (!showErrors(form, errors)) return;
    const phase = v.waiting?.length ? { phase: "waiting_list", date: requested } : null;
    let ops;
    if (!course) {
      ops = [{ entity: "course", record_id: uuid4(), kind: "create", value: { citizen_id: citizenId, requested_on: requested, ...(phase ? { phase } : {}) } }];
    } else {
      ops = await changedOps(course, { requested_on: requested });
      if (phase) ops.push({ entity: "course", record_id: course.id, kind: "set", field: "phase", value: phase, seen: seenPhase });
    }
    if (!(await save(app, () => draft.commit(ops)))) return;
    await finish(app, citizenId, ops, phase ? "Anmodningen er gemt, og borgeren er på venteliste." : "Anmodningsdatoen er gemt.");
  });
  return screen("Anmodning om behandling", citizenId, null, draft, form, "request-form", "Gem anmodning");
}

// ---------------------------------------------------------------- safety note
export async function safetyScreen(app, citizenId) {
  const { citizen } = await loadCitizen(citizenId);
  if (!citizen) return notFound();
  const f = citizen.fields;
  const form = h(
    "form",
    { novalidate: true, id: "safety-form" },
    checkboxGroup({ name: "safety_flags", legend: cit("safety_flags"), options: options("citizen", "safety_flags"), value: f.safety_flags || [] }),
    textField({ name: "safety_note", label: `${cit("safety_note")} (valgfrit)`, value: f.safety_note || "", rows: 3, maxlength: field("citizen", "safety_note").max_length, hint: "Kort: det, en kollega skal vide før et besøg. Vises aldrig for samarbejdspartnere." }),
  );
  const draft = await autosave(form, `safety:${citizenId}`);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const v = readForm(form);
    const errors = {};
    const values = {};
    for (const name of SAFETY_FIELDS) values[name] = take(errors, name, check("citizen", name, v[name]));
    if (!values.safety_flags) values.safety_flags = f.safety_flags ? [] : null;
    if (!showErrors(form, errors)) return;
    const ops = await changedOps(citizen, values);
    if (!(await save(app, () => draft.commit(ops)))) return;
    await finish(app, citizenId, ops, "Sikkerhedsnoten er gemt.");
  });
  return screen("Sikkerhed før besøg", citizenId, null, draft, form, "safety-form", "Gem sikkerhedsnote");
}

// ---------------------------------------------------------------- children in the home
export async function childrenScreen(app, citizenId) {
  const { citizen } = await loadCitizen(citizenId);
  if (!citizen) return notFound();
  const f = citizen.fields;
  const date = (name, hint) => textField({ name, label: `${cit(name)} (dato)`, type: "date", value: f[name] || "", max: today(), hint });
  const form = h(
    "form",
    { novalidate: true, id: "children-form" },
    radioGroup({ name: "children_in_home", legend: cit("children_in_home"), options: options("citizen", "children_in_home"), value: f.children_in_home || "" }),
    textField({ name: "children_count", label: `${cit("children_count")} (valgfrit)`, value: Number.isInteger(f.children_count) ? String(f.children_count) : "", inputmode: "numeric", maxlength: 2 }),
    checkboxGroup({ name: "children_age_bands", legend: `${cit("children_age_bands")} (valgfrit)`, options: options("citizen", "children_age_bands"), value: f.children_age_bands || [] }),
    date("children_offers_on"),
    date("notify_duty_told_on", "Fortæl åbent om underretningspligten fra start."),
    date("notification_on"),
    textField({ name: "notification_by", label: `${cit("notification_by")} (valgfrit)`, value: f.notification_by || "", maxlength: field("citizen", "notification_by").max_length }),
  );
  const draft = await autosave(form, `children:${citizenId}`);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const v = readForm(form);
    const errors = {};
    const values = {};
    for (const name of CHILD_FIELDS) values[name] = take(errors, name, check("citizen", name, v[name]));
    if (!values.children_age_bands && !f.children_age_bands) values.children_age_bands = null;
    else if (!values.children_age_bands) values.children_age_bands = [];
    if (!showErrors(form, errors)) return;
    const ops = await changedOps(citizen, values);
    if (!(await save(app, () => draft.commit(ops)))) return;
    await finish(app, citizenId, ops, "Oplysningerne om børn i hjemmet er gemt.");
  });
  const intro = h("p", {}, "Afdæk systematisk, om borgeren har børn. Kun teamet og projektlederen ser det; i rapporter og eksport indgår det kun som antal.");
  return screen("Børn i hjemmet", citizenId, intro, draft, form, "children-form", "Gem");
}
