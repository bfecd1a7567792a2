// Forms on a citizen: log contact, change phase, consent, resolve a conflict.
// Every form autosaves an encrypted draft; errors are shown next to the field.
import * as store from "../store.js";
import * as sync from "../sync.js";
import * as L from "../labels.gen.js";
import { uuid4 } from "../crypto.js";
import { h, label, fmtDate, textField, selectField, radioGroup, checkboxGroup, readForm, showErrors, autosave, draftNotice, today, nowLocal, localToIso, isoToLocal } from "../ui.js";
import { loadCitizen, phaseText, fieldValueText, FIELD_NAMES, who, when } from "./citizens.js";

const back = (id) => h("p", {}, h("a", { href: `#/borger/${encodeURIComponent(id)}` }, "‹ Tilbage til borgeren"));
const notFound = () => ({ title: "Ikke fundet", body: [h("h1", {}, "Borgeren findes ikke på telefonen"), h("p", {}, h("a", { href: "#/" }, "Mine borgere"))] });
const isDate = (s) => /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(s));

async function done(app, citizenId, message) {
  sync.soon();
  app.go(`#/borger/${encodeURIComponent(citizenId)}`, message);
}

/**
 * Save a screen's ops. Their `seen` was taken when the screen was drawn; if the record
 * changed since (a pull), the screen is drawn again with the new values and a warning,
 * and the worker's input stays (the draft). Returns the ops, or null when not saved.
 */
async function save(app, commit) {
  try {
    return await commit();
  } catch (error) {
    if (!(error instanceof store.StaleView)) throw error;
    app.go(location.hash, "Borgerens oplysninger er ændret på en anden telefon, mens du havde skærmen åben. Se de nye oplysninger, og gem igen.", "warning");
    return null;
  }
}

// ---------------------------------------------------------------- contact
/** Log a contact, or correct one (`contactId`): a correction adds `amend` ops for the
 * fields that changed; the contact itself is append-only and is never overwritten. */
export async function contactScreen(app, citizenId, contactId = null) {
  const { citizen, views } = await loadCitizen(citizenId);
  if (!citizen) return notFound();
  const contact = contactId ? views.find((v) => v.id === contactId && v.entity === "contact" && !v.voided) : null;
  if (contactId && !contact) return contactGone(citizenId);
  const was = contact ? contact.fields : { kind: "contact", place: "own_home", channel: "in_person", actors: ["behandler_fremskudt"] };
  const form = h(
    "form",
    { novalidate: true, id: "contact-form" },
    textField({ name: "note", label: "Kort note", rows: 4, maxlength: 2000, hint: "Skriv kun det nødvendige.", value: was.note ?? "" }),
    radioGroup({ name: "kind", legend: "Type", options: L.CONTACT_KINDS, value: was.kind }),
    radioGroup({ name: "place", legend: "Sted", options: L.CONTACT_PLACES, value: was.place ?? "" }),
    selectField({ name: "channel", label: "Form", options: L.CHANNELS, value: was.channel ?? "", empty: was.channel ? undefined : "Ikke angivet" }),
    textField({ name: "occurred_at", label: "Tidspunkt", type: "datetime-local", value: contact ? isoToLocal(was.occurred_at) : nowLocal(), required: true }),
    checkboxGroup({ name: "actors", legend: "Hvem var til stede?", options: L.ACTORS, value: was.actors || [] }),
  );
  // A correction has seen the fields as shown now (checked again when saving).
  const seen = {};
  if (contact) for (const field of AMENDABLE) seen[field] = await store.seenFor(contact.id, field);
  const draft = await autosave(form, contact ? `contact:${citizenId}:${contact.id}` : `contact:${citizenId}`);
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

// The contact fields the form edits; all are amendable (schemas/records.py Contact, merge "append").
const AMENDABLE = ["occurred_at", "kind", "place", "channel", "actors", "note"];

function contactErrors(v) {
  const errors = {};
  const iso = v.occurred_at ? localToIso(v.occurred_at) : null;
  if (!iso) errors.occurred_at = "Vælg dato og klokkeslæt for kontakten.";
  else if (Date.parse(iso) > Date.now() + 10 * 60000) errors.occurred_at = "Tidspunktet ligger i fremtiden. Ret det.";
  if (!v.kind) errors.kind = "Vælg kontakt eller kontaktforsøg.";
  if (v.note.length > 2000) errors.note = "Noten må højst være 2000 tegn.";
  return errors;
}

/** The form as field values; empty = null. An unchanged time keeps its stored text exactly. */
function contactValues(v, was) {
  const sameTime = was && v.occurred_at === isoToLocal(was.occurred_at);
  return {
    occurred_at: sameTime ? was.occurred_at : localToIso(v.occurred_at),
    kind: v.kind,
    place: v.place || null,
    channel: v.channel || null,
    actors: v.actors.length ? v.actors : null,
    note: v.note.trim() || null,
  };
}

// Compare as the server stores values: code lists sorted, empty text or list = not given.
const norm = (x) => (Array.isArray(x) ? (x.length ? JSON.stringify([...x].sort()) : "null") : JSON.stringify(x === "" || x === undefined ? null : x));

function amendOps(contact, v, seen) {
  const now = contactValues(v, contact.fields);
  return AMENDABLE.filter((field) => norm(now[field]) !== norm(contact.fields[field])).map((field) => ({
    entity: "contact",
    record_id: contact.id,
    kind: "amend",
    field,
    value: Array.isArray(now[field]) ? [...now[field]].sort() : now[field],
    seen: seen[field],
  }));
}

const contactGone = (citizenId) => ({
  title: "Ikke fundet",
  body: [back(citizenId), h("h1", {}, "Kontakten findes ikke"), h("p", {}, "Den er annulleret eller ikke længere på telefonen.")],
});

// ---------------------------------------------------------------- phase
export async function phaseScreen(app, citizenId) {
  const { citizen, course } = await loadCitizen(citizenId);
  if (!citizen) return notFound();
  const current = course?.fields.phase;
  const draftKey = `phase:${citizenId}`;
  const form = h(
    "form",
    { novalidate: true, id: "phase-form" },
    radioGroup({ name: "phase", legend: "Ny fase", options: L.PHASES, value: current?.phase || "phase_1" }),
    textField({ name: "date", label: "Dato for fasen", type: "date", value: today(), required: true }),
    textField({
      name: "plan_date",
      label: "Behandlingsplan dato",
      type: "date",
      value: course?.fields.plan_date || "",
      hint: "Dato for behandlingsplanen (SEL § 101, stk. 8). Den markerer fase 2.",
    }),
  );
  // What the worker sees now is what the change has seen (checked again when saving).
  const seen = {};
  if (course) for (const field of ["phase", "plan_date", "started_on"]) seen[field] = await store.seenFor(course.id, field);
  const draft = await autosave(form, draftKey);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const v = readForm(form);
    const errors = {};
    if (!v.phase) errors.phase = "Vælg en fase.";
    if (!isDate(v.date)) errors.date = "Vælg en gyldig dato.";
    if (v.plan_date && !isDate(v.plan_date)) errors.plan_date = "Vælg en gyldig dato eller lad feltet stå tomt.";
    if (!showErrors(form, errors)) return;
    const phase = { phase: v.phase, date: v.date };
    const ops = [];
    if (!course) {
      const value = { citizen_id: citizenId, phase };
      if (v.plan_date) value.plan_date = v.plan_date;
      if (v.phase === "phase_2") value.started_on = v.date;
      ops.push({ entity: "course", record_id: uuid4(), kind: "create", value });
    } else {
      const conflicted = (course.conflicts || []).some((c) => c.field === "phase");
      if (conflicted || !current || current.phase !== phase.phase || current.date !== phase.date) {
        ops.push({ entity: "course", record_id: course.id, kind: "set", field: "phase", value: phase, seen: seen.phase });
      }
      if ((v.plan_date || null) !== (course.fields.plan_date || null) && v.plan_date) {
        ops.push({ entity: "course", record_id: course.id, kind: "set", field: "plan_date", value: v.plan_date, seen: seen.plan_date });
      }
      if (v.phase === "phase_2" && !course.fields.started_on) {
        ops.push({ entity: "course", record_id: course.id, kind: "set", field: "started_on", value: v.date, seen: seen.started_on });
      }
    }
    if (!(await save(app, () => draft.commit(ops)))) return;
    await done(app, citizenId, ops.length ? `Fasen er gemt: ${label(L.PHASES, v.phase)}.` : "Ingen ændringer at gemme.");
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
export async function consentScreen(app, citizenId, consentId) {
  const { citizen, views } = await loadCitizen(citizenId);
  if (!citizen) return notFound();
  const orgs = ((await store.getMeta("organisations")) || []).filter((o) => o.id !== store.state.user.organisation_id);
  const existing = consentId ? views.find((v) => v.id === consentId && v.entity === "consent") : null;
  const granted = existing ? existing.fields.granted ?? existing.fields.state?.action === "grant" : false;
  const action = existing && granted ? "withdraw" : "grant";
  const draftKey = `consent:${citizenId}:${consentId || "new"}`;
  const orgName = (oid) => orgs.find((o) => o.id === oid)?.name || "Ukendt organisation";

  const form = h("form", { novalidate: true, id: "consent-form" });
  if (existing) {
    form.append(
      h(
        "dl",
        { class: "facts" },
        h("dt", {}, "Formål"),
        h("dd", {}, label(L.CONSENT_PURPOSES, existing.fields.purpose)),
        h("dt", {}, "Modtager"),
        h("dd", {}, orgName(existing.fields.recipient_org_id)),
      ),
    );
  } else {
    form.append(
      selectField({ name: "purpose", label: "Formål", options: L.CONSENT_PURPOSES, value: "share_with_partner", required: true }),
      orgs.length
        ? selectField({ name: "recipient_org_id", label: "Modtager (organisation)", options: orgs.map((o) => [o.id, o.name]), required: true, empty: "Vælg organisation" })
        : h("p", { class: "notice warning" }, "Listen over organisationer er ikke hentet endnu. Gå online og synkronisér, og prøv igen."),
    );
  }
  form.append(
    radioGroup({ name: "form", legend: action === "withdraw" ? "Hvordan blev samtykket trukket tilbage?" : "Samtykkets form", options: L.CONSENT_FORMS, value: "oral" }),
    radioGroup({ name: "given_by", legend: action === "withdraw" ? "Trukket tilbage af" : "Givet af", options: L.CONSENT_GIVEN_BY, value: "citizen" }),
    textField({ name: "date", label: "Dato", type: "date", value: today(), required: true }),
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
    const purpose = existing ? existing.fields.purpose : v.purpose;
    const recipient = existing ? existing.fields.recipient_org_id : v.recipient_org_id;
    if (!existing && !purpose) errors.purpose = "Vælg et formål.";
    if (!existing && !recipient) errors.recipient_org_id = "Vælg hvilken organisation samtykket gælder.";
    if (!isDate(v.date)) errors.date = "Vælg en gyldig dato.";
    if (!v.form) errors.form = "Vælg mundtligt eller skriftligt.";
    if (!v.given_by) errors.given_by = "Vælg hvem.";
    if (!showErrors(form, errors)) return;
    const state = { action, form: v.form, given_by: v.given_by, date: v.date };
    const id = existing ? existing.id : await store.consentId(citizenId, purpose, recipient);
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
export async function conflictScreen(app, citizenId, recordId, field) {
  const { citizen, views } = await loadCitizen(citizenId);
  const record = views.find((v) => v.id === recordId);
  const conflict = record?.conflicts?.find((c) => c.field === field);
  if (!citizen || !record) return notFound();
  if (!conflict) {
    return {
      title: "Konflikt løst",
      body: [back(citizenId), h("h1", {}, "Konflikten er løst"), h("p", {}, "Der er ikke længere flere værdier for dette felt.")],
    };
  }
  const options = conflict.values.map((v) => [v.op_id, `${fieldValueText(field, v.value)} – ${who(v.user_id, record)}, ${when(v.hlc)}`]);
  // Choosing a value settles the values shown here, and only those.
  const seen = [...new Set([...(await store.seenFor(recordId, field)), ...conflict.values.map((x) => x.op_id)])];
  const form = h(
    "form",
    { novalidate: true, id: "conflict-form" },
    radioGroup({ name: "choice", legend: `Hvilken værdi er rigtig for ${(FIELD_NAMES[field] || field).toLowerCase()}?`, options, value: "" }),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const v = readForm(form);
    if (!showErrors(form, v.choice ? {} : { choice: "Vælg den værdi, der er rigtig." })) return;
    const chosen = conflict.values.find((x) => x.op_id === v.choice);
    if (!(await save(app, () => store.commit([{ entity: record.entity, record_id: recordId, kind: "set", field, value: chosen.value, seen }])))) return;
    await done(app, citizenId, "Konflikten er løst. Dit valg sendes til de andre telefoner.");
  });
  return {
    title: "Løs konflikt",
    body: [
      back(citizenId),
      h("h1", {}, "Løs konflikt"),
      h("p", {}, `${FIELD_NAMES[field] || field} for ${citizen.fields.initials} blev ændret to steder, uden at den ene kendte til den anden. Vælg den rigtige værdi.`),
      form,
    ],
    actions: [h("button", { type: "submit", form: "conflict-form", class: "button primary", id: "resolve" }, "Gem valgt værdi")],
  };
}
