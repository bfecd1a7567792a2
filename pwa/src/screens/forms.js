// Forms on a citizen: log contact, change phase, consent, resolve a conflict.
// Every form autosaves an encrypted draft; errors are shown next to the field, in the
// words of the error catalogue (validate.js).
import * as store from "../store.js";
import * as sync from "../sync.js";
import { SCHEMA, list, field, fieldLabel, fieldsWhere, options } from "../schema.js";
import { check, take } from "../validate.js";
import { needsPlan } from "../derive.js";
import { isGranted } from "../views.js";
import { uuid4 } from "../crypto.js";
import { h, label, fmtDate, textField, selectField, radioGroup, checkboxGroup, checkField, readForm, showErrors, autosave, draftNotice, today, nowLocal, localToIso, isoToLocal } from "../ui.js";
import { loadCitizen, notFound, phaseText, fieldValueText, who, when } from "./citizens.js";
import { contactWorkFields, contactWorkValues } from "./contactwork.js";

const back = (id) => h("p", {}, h("a", { href: `#/borger/${encodeURIComponent(id)}` }, "‹ Tilbage til borgeren"));

async function done(app, citizenId, message) {
  sync.soon();
  app.go(`#/borger/${encodeURIComponent(citizenId)}`, message);
}

/**
 * Save a screen's ops. Their `seen` was taken when the screen was drawn; if the record
 * changed since (a pull), the screen is drawn again with the new values and a warning,
 * and the worker's input stays (the draft). Returns the ops, or null when not saved.
 */
export async function save(app, commit) {
  try {
    return await commit();
  } catch (error) {
    if (!(error instanceof store.StaleView)) throw error;
    app.go(location.hash, "Borgerens oplysninger er ændret på en anden telefon, mens du havde skærmen åben. Se de nye oplysninger, og gem igen.", "warning");
    return null;
  }
}

// ---------------------------------------------------------------- contact
// Contacts are append-only: every field that can be corrected has merge "append".
const AMENDABLE = fieldsWhere("contact", (s) => s.merge === "append");
const spec = (name) => field("contact", name);

/** Log a contact, or correct one (`contactId`): a correction adds `amend` ops for the
 * fields that changed; the contact itself is append-only and is never overwritten. */
export async function contactScreen(app, citizenId, contactId = null) {
  const { citizen, views } = await loadCitizen(citizenId);
  if (!citizen) return notFound();
  const contact = contactId ? views.find((v) => v.id === contactId && v.entity === "contact" && !v.voided) : null;
  if (contactId && !contact) return contactGone(citizenId);
  const was = contact ? contact.fields : { kind: "contact", place: "own_home", channel: "in_person", actors: ["behandler_fremskudt"] };
  const form = h("form", { novalidate: true, id: "contact-form" });
  const work = contactWorkFields(form, contact ? was : null);
  form.append(
    textField({ name: "note", label: spec("note").label, rows: 4, maxlength: spec("note").max_length, hint: "Skriv kun det nødvendige.", value: was.note ?? "" }),
    radioGroup({ name: "kind", legend: spec("kind").label, options: spec("kind").options, value: was.kind }),
    radioGroup({ name: "place", legend: spec("place").label, options: spec("place").options, value: was.place ?? "" }),
    selectField({ name: "channel", label: spec("channel").label, options: spec("channel").options, value: was.channel ?? "", empty: was.channel ? undefined : "Ikke angivet" }),
    work.joint,
    textField({ name: "occurred_at", label: spec("occurred_at").label, type: "datetime-local", value: contact ? isoToLocal(was.occurred_at) : nowLocal(), required: true }),
    work.hours,
    checkboxGroup({ name: "actors", legend: spec("actors").label, options: spec("actors").options, value: was.actors || [] }),
    checkboxGroup({ name: "activities", legend: `${spec("activities").label} (valgfrit)`, options: spec("activities").options, value: was.activities || [] }),
    work.help,
  );
  // A correction has seen the fields as shown now (checked again when saving).
  const seen = {};
  if (contact) for (const name of AMENDABLE) seen[name] = await store.seenFor(contact.id, name);
  const draft = await autosave(form, contact ? `contact:${citizenId}:${contact.id}` : `contact:${citizenId}`);
  work.start(draft.restored);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const v = readForm(form);
    if (!showErrors(form, contactErrors(v))) return;
    if (contact) {
      const ops = amendOps(contact, v, seen);
      if (!(await save(app, () => draft.commit(ops)))) return;
      return done(app, citizenId, ops.length ? "Kontakten er rettet." : "Ingen ændringer at gemme.");
    }
    const value = { citizen_id: citizenId, ...contactValues(v, null) };
    for (const key of Object.keys(value)) if (value[key] === null) delete value[key];
    if (!(await draft.commit([{ entity: "contact", record_id: uuid4(), kind: "create", value }]))) return;
    await done(app, citizenId, v.kind === "attempt" ? "Kontaktforsøget er gemt." : "Kontakten er gemt.");
  });
  const title = contact ? "Ret kontakt" : "Log kontakt";
  return {
    title,
    body: [
      back(citizenId),
      h("h1", {}, `${title} – ${citizen.fields.initials}`),
      contact ? h("p", {}, "Den oprindelige registrering bevares. Din rettelse gemmes sammen med den, og kun de felter, du ændrer, bliver rettet.") : null,
      draftNotice(draft.restored),
      form,
    ],
    actions: [h("button", { type: "submit", form: "contact-form", class: "button primary", id: "save-contact" }, contact ? "Gem rettelse" : "Gem kontakt")],
  };
}

function contactErrors(v) {
  const errors = {};
  take(errors, "occurred_at", check("contact", "occurred_at", v.occurred_at ? localToIso(v.occurred_at) || "" : ""));
  for (const name of ["kind", "note"]) take(errors, name, check("contact", name, v[name]));
  return errors;
}

// The amendable fields this form has a control for (a field added to the schema but not
// to the form is never "corrected" to empty).
const onForm = (v) => AMENDABLE.filter((name) => name in v);

/** The form as field values; empty = null. An unchanged time keeps its stored text exactly. */
function contactValues(v, was) {
  const out = {};
  const work = contactWorkValues(v);
  for (const name of onForm(v)) {
    const kind = spec(name).kind;
    if (name in work) out[name] = work[name];
    else if (kind === "datetime") out[name] = was && v[name] === isoToLocal(was[name]) ? was[name] : localToIso(v[name]);
    else if (kind === "codes") out[name] = v[name].length ? [...v[name]].sort() : null;
    else if (kind === "text") out[name] = v[name].trim() || null;
    else out[name] = v[name] || null;
  }
  return out;
}

// Compare as the server stores values: code lists sorted, empty text or list = not given, and
// an unticked box = not given (an older contact without the box is not "corrected" to false).
const norm = (x) => (Array.isArray(x) ? (x.length ? JSON.stringify([...x].sort()) : "null") : JSON.stringify(x === "" || x === undefined || x === false ? null : x));

function amendOps(contact, v, seen) {
  const now = contactValues(v, contact.fields);
  return onForm(v)
    .filter((name) => norm(now[name]) !== norm(contact.fields[name]))
    .map((name) => ({ entity: "contact", record_id: contact.id, kind: "amend", field: name, value: now[name], seen: seen[name] }));
}

const contactGone = (citizenId) => ({
  title: "Ikke fundet",
  body: [back(citizenId), h("h1", {}, "Kontakten findes ikke"), h("p", {}, "Den er annulleret eller ikke længere på telefonen.")],
});

// ---------------------------------------------------------------- behandlingsplan
/**
 * The behandlingsplan of a phase that has one (SCHEMA.derive.plan_phases): its date, or
 * "ikke lavet endnu" (the course then shows "Behandlingsplan mangler"). Shown, and asked
 * for, only while such a phase is chosen in `form`'s radio group `phase`.
 * Returns {element, update(), read(values) → {value, error}}.
 */
export function planBlock(form, { value = "", hasPlan = false } = {}) {
  const date = textField({
    name: "plan_date",
    label: fieldLabel("course", "plan_date"),
    type: "date",
    value,
    max: today(),
    hint: "Dato for behandlingsplanen (SEL § 101, stk. 8). Den markerer fase 2.",
  });
  const later = hasPlan ? null : checkField({ name: "plan_later", label: "Behandlingsplanen er ikke lavet endnu" });
  const element = h("div", { class: "plan", id: "plan-block" }, h("p", { class: "plan-ask" }, "Fasen har en behandlingsplan. Skriv datoen for planen, eller markér, at den ikke er lavet endnu."), date, later);
  const input = date.querySelector("input");
  const laterBox = later?.querySelector("input");
  const update = () => {
    element.hidden = !needsPlan(readForm(form).phase);
    input.disabled = !!laterBox?.checked;
  };
  form.addEventListener("change", update);
  return {
    element,
    update,
    read(v) {
      if (!needsPlan(v.phase) || (later && v.plan_later?.length)) return { value: null, error: null };
      if (!v.plan_date && later) return { value: null, error: "Skriv datoen for behandlingsplanen, eller markér, at den ikke er lavet endnu." };
      return check("course", "plan_date", v.plan_date);
    },
  };
}

// ---------------------------------------------------------------- phase
export async function phaseScreen(app, citizenId) {
  const { citizen, course } = await loadCitizen(citizenId);
  if (!citizen) return notFound();
  const current = course?.fields.phase;
  const draftKey = `phase:${citizenId}`;
  const form = h("form", { novalidate: true, id: "phase-form" });
  const plan = planBlock(form, { value: course?.fields.plan_date || "", hasPlan: !!course?.fields.plan_date });
  form.append(
    radioGroup({ name: "phase", legend: "Ny fase", options: list("PHASES"), value: current?.phase || "phase_1" }),
    textField({ name: "date", label: "Dato for fasen", type: "date", value: today(), max: today(), required: true }),
    plan.element,
  );
  // What the worker sees now is what the change has seen (checked again when saving).
  const seen = {};
  if (course) for (const name of ["phase", "plan_date", "started_on"]) seen[name] = await store.seenFor(course.id, name);
  const draft = await autosave(form, draftKey);
  plan.update();
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const v = readForm(form);
    const errors = {};
    if (!v.phase) errors.phase = "Vælg en fase.";
    take(errors, "date", check("course", "phase", v.date, { required: true, label: "Dato for fasen" }));
    const planDate = take(errors, "plan_date", plan.read(v));
    if (!showErrors(form, errors)) return;
    const phase = { phase: v.phase, date: v.date };
    const ops = [];
    if (!course) {
      const value = { citizen_id: citizenId, phase };
      if (planDate) value.plan_date = planDate;
      if (v.phase === "phase_2") value.started_on = v.date;
      ops.push({ entity: "course", record_id: uuid4(), kind: "create", value });
    } else {
      const conflicted = (course.conflicts || []).some((c) => c.field === "phase");
      if (conflicted || !current || current.phase !== phase.phase || current.date !== phase.date) {
        ops.push({ entity: "course", record_id: course.id, kind: "set", field: "phase", value: phase, seen: seen.phase });
      }
      if (planDate && planDate !== (course.fields.plan_date || null)) {
        ops.push({ entity: "course", record_id: course.id, kind: "set", field: "plan_date", value: planDate, seen: seen.plan_date });
      }
      if (v.phase === "phase_2" && !course.fields.started_on) {
        ops.push({ entity: "course", record_id: course.id, kind: "set", field: "started_on", value: v.date, seen: seen.started_on });
      }
    }
    if (!(await save(app, () => draft.commit(ops)))) return;
    await done(app, citizenId, ops.length ? `Fasen er gemt: ${label(list("PHASES"), v.phase)}.` : "Ingen ændringer at gemme.");
  });
  const conflict = (course?.conflicts || []).find((c) => c.field === "phase");
  return {
    title: "Skift fase",
    body: [
      back(citizenId),
      h("h1", {}, `Skift fase – ${citizen.fields.initials}`),
      h("p", {}, `Nu: ${course ? phaseText(current) : "Ingen fase registreret"}`),
      conflict ? h("p", { class: "notice warning" }, "Fasen er i konflikt. Når du gemmer en fase her, løser du konflikten.") : null,
      draftNotice(draft.restored),
      form,
    ],
    actions: [h("button", { type: "submit", form: "phase-form", class: "button primary", id: "save-phase" }, "Gem fase")],
  };
}

// ---------------------------------------------------------------- consent
export async function consentScreen(app, citizenId, consentId, purposeAsked = null) {
  const { citizen, views } = await loadCitizen(citizenId);
  if (!citizen) return notFound();
  // The own team first: participation, follow-up and SMS reminders are consents to the team itself.
  const own = store.state.user.organisation_id;
  const listed = (await store.getMeta("organisations")) || [];
  const orgs = [
    ...listed.filter((o) => o.id === own).map((o) => ({ ...o, name: "Eget team" })), // short: the select fits 390 px
    ...listed.filter((o) => o.id !== own),
  ];
  const existing = consentId ? views.find((v) => v.id === consentId && v.entity === "consent") : null;
  const granted = existing ? isGranted(existing) : false;
  const action = existing && granted ? "withdraw" : "grant";
  const draftKey = `consent:${citizenId}:${consentId || "new"}`;
  const orgName = (oid) => orgs.find((o) => o.id === oid)?.name || "Ukendt organisation";
  const purposes = options("consent", "purpose");
  const purpose0 = purposes.some(([code]) => code === purposeAsked) ? purposeAsked : "share_with_partner";
  const toTeam = SCHEMA.derive.team_consent_purposes.includes(purpose0);

  const form = h("form", { novalidate: true, id: "consent-form" });
  if (existing) {
    form.append(
      h(
        "dl",
        { class: "facts" },
        h("dt", {}, fieldLabel("consent", "purpose")),
        h("dd", {}, label(purposes, existing.fields.purpose)),
        h("dt", {}, "Modtager"),
        h("dd", {}, orgName(existing.fields.recipient_org_id)),
      ),
    );
  } else {
    form.append(
      // Radio buttons, not a select: the purposes are long and must be readable on a phone.
      radioGroup({ name: "purpose", legend: fieldLabel("consent", "purpose"), options: purposes, value: purpose0 }),
      orgs.length
        ? selectField({ name: "recipient_org_id", label: fieldLabel("consent", "recipient_org_id"), options: orgs.map((o) => [o.id, o.name]), value: toTeam ? own : "", required: true, empty: "Vælg organisation" })
        : h("p", { class: "notice warning" }, "Listen over organisationer er ikke hentet endnu. Gå online og synkronisér, og prøv igen."),
    );
  }
  form.append(
    radioGroup({ name: "form", legend: action === "withdraw" ? "Hvordan blev samtykket trukket tilbage?" : "Samtykkets form", options: list("CONSENT_FORMS"), value: "oral" }),
    radioGroup({ name: "given_by", legend: action === "withdraw" ? "Trukket tilbage af" : "Givet af", options: list("CONSENT_GIVEN_BY"), value: "citizen" }),
    textField({ name: "date", label: "Dato", type: "date", value: today(), max: today(), required: true }),
  );
  // The consent events the worker sees now are what a change here has seen (withdrawal wins
  // unless the granting worker knew of it).
  const seen = new Map();
  for (const c of views) if (c.entity === "consent") seen.set(c.id, await store.seenFor(c.id, "state"));
  const draft = await autosave(form, draftKey);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const v = readForm(form);
    const errors = {};
    const purpose = existing ? existing.fields.purpose : take(errors, "purpose", check("consent", "purpose", v.purpose));
    const recipient = existing ? existing.fields.recipient_org_id : v.recipient_org_id;
    if (!existing && !recipient) errors.recipient_org_id = "Vælg hvilken organisation samtykket gælder.";
    take(errors, "date", check("consent", "state", v.date, { required: true, label: "Dato" }));
    if (!v.form) errors.form = "Vælg mundtligt eller skriftligt.";
    if (!v.given_by) errors.given_by = "Vælg hvem.";
    if (!showErrors(form, errors)) return;
    const state = { action, form: v.form, given_by: v.given_by, date: v.date };
    const id = existing ? existing.id : await store.derivedId("consent", { citizen_id: citizenId, purpose, recipient_org_id: recipient });
    const known = existing || views.find((x) => x.id === id);
    const op = known
      ? { entity: "consent", record_id: id, kind: "set", field: "state", value: state, seen: seen.get(id) }
      : { entity: "consent", record_id: id, kind: "create", value: { citizen_id: citizenId, purpose, recipient_org_id: recipient, state } };
    if (!(await save(app, () => draft.commit([op])))) return;
    await done(app, citizenId, action === "withdraw" ? "Samtykket er trukket tilbage." : `Samtykket er registreret (${orgName(recipient)}).`);
  });
  return {
    title: action === "withdraw" ? "Træk samtykke tilbage" : "Registrér samtykke",
    body: [
      back(citizenId),
      h("h1", {}, action === "withdraw" ? "Træk samtykke tilbage" : "Registrér samtykke"),
      existing && !granted ? h("p", {}, `Samtykket blev trukket tilbage ${fmtDate(existing.fields.state?.date)}. Her registrerer du et nyt samtykke.`) : null,
      draftNotice(draft.restored),
      form,
    ],
    actions: [
      h(
        "button",
        { type: "submit", form: "consent-form", class: `button ${action === "withdraw" ? "danger" : "primary"}`, id: "save-consent" },
        action === "withdraw" ? "Træk samtykket tilbage" : "Gem samtykke",
      ),
    ],
  };
}

// ---------------------------------------------------------------- conflict
export async function conflictScreen(app, citizenId, recordId, name) {
  const { citizen, views } = await loadCitizen(citizenId);
  const record = views.find((v) => v.id === recordId);
  const conflict = record?.conflicts?.find((c) => c.field === name);
  if (!citizen || !record) return notFound();
  if (!conflict) {
    return {
      title: "Konflikt løst",
      body: [back(citizenId), h("h1", {}, "Konflikten er løst"), h("p", {}, "Der er ikke længere flere værdier for dette felt.")],
    };
  }
  const fieldText = fieldLabel(record.entity, name);
  const choices = conflict.values.map((v) => [v.op_id, `${fieldValueText(record.entity, name, v.value)} – ${who(v.user_id, record)}, ${when(v.hlc)}`]);
  // Choosing a value settles the values shown here, and only those.
  const seen = [...new Set([...(await store.seenFor(recordId, name)), ...conflict.values.map((x) => x.op_id)])];
  const form = h(
    "form",
    { novalidate: true, id: "conflict-form" },
    radioGroup({ name: "choice", legend: `Hvilken værdi er rigtig for ${fieldText.toLowerCase()}?`, options: choices, value: "" }),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const v = readForm(form);
    if (!showErrors(form, v.choice ? {} : { choice: "Vælg den værdi, der er rigtig." })) return;
    const chosen = conflict.values.find((x) => x.op_id === v.choice);
    if (!(await save(app, () => store.commit([{ entity: record.entity, record_id: recordId, kind: "set", field: name, value: chosen.value, seen }])))) return;
    await done(app, citizenId, "Konflikten er løst. Dit valg sendes til de andre telefoner.");
  });
  return {
    title: "Løs konflikt",
    body: [
      back(citizenId),
      h("h1", {}, "Løs konflikt"),
      h("p", {}, `${fieldText} for ${citizen.fields.initials} blev ændret to steder, uden at den ene kendte til den anden. Vælg den rigtige værdi.`),
      form,
    ],
    actions: [h("button", { type: "submit", form: "conflict-form", class: "button primary", id: "resolve" }, "Gem valgt værdi")],
  };
}
