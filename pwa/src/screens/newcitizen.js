// A new citizen (with the first course), and a corrected code ("Ret koden") when the
// server found another citizen of the municipality with the same code.
import * as store from "../store.js";
import * as sync from "../sync.js";
import { list, field, fieldLabel, options } from "../schema.js";
import { check, take } from "../validate.js";
import { uuid4, randomBytes } from "../crypto.js";
import { h, textField, selectField, radioGroup, readForm, showErrors, autosave, draftNotice, today } from "../ui.js";
import { loadCitizen, notFound, codesInUse } from "./citizens.js";
import { planBlock, save } from "./forms.js";

const CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"; // no 0/O, 1/I
const CODE_TAKEN = "Koden er allerede brugt af en anden borger på telefonen. Vælg en anden.";
const citizenField = (name) => field("citizen", name);

/** A fresh code no citizen on this phone has ("BRO-" and four easily read characters). */
export function newCode() {
  const taken = new Set([...store.state.summary.values()].map((r) => r.code));
  for (;;) {
    const code = "BRO-" + Array.from(randomBytes(4), (b) => CODE_ALPHABET[b % CODE_ALPHABET.length]).join("");
    if (!taken.has(code)) return code;
  }
}

/** The code as typed, checked by the code field's spec and against the codes on the phone. */
function checkCode(errors, raw, { exceptId = null, label } = {}) {
  const code = take(errors, "code", check("citizen", "code", raw.toUpperCase(), { label }));
  if (code && codesInUse(exceptId).has(code)) errors.code = CODE_TAKEN;
  return code;
}

export async function newCitizenScreen(app) {
  const code = citizenField("code");
  const form = h("form", { novalidate: true, id: "citizen-form" });
  const plan = planBlock(form);
  form.append(
    textField({ name: "initials", label: citizenField("initials").label, required: true, upper: true, maxlength: citizenField("initials").max_length, hint: "Fx AB. Bruges til at finde borgeren." }),
    textField({ name: "code", label: code.label, value: newCode(), required: true, upper: true, maxlength: code.max_length, hint: `Borgerens pseudonyme kode. ${code.pattern_hint}.` }),
    textField({ name: "name", label: `${citizenField("name").label} (valgfrit)`, maxlength: citizenField("name").max_length }),
    textField({ name: "birth_year", label: `${citizenField("birth_year").label} (valgfrit)`, inputmode: "numeric", maxlength: 4 }),
    radioGroup({ name: "phase", legend: fieldLabel("course", "phase"), options: list("PHASES"), value: "phase_1" }),
    plan.element,
    textField({ name: "identified_on", label: fieldLabel("course", "identified_on"), type: "date", value: today(), max: today(), required: true, hint: "Datoen, hvor borgeren blev identificeret." }),
    selectField({ name: "first_seen_place", label: `${fieldLabel("course", "first_seen_place")} (valgfrit)`, options: options("course", "first_seen_place"), empty: "Vælg sted" }),
  );
  const draft = await autosave(form, "new-citizen");
  plan.update();
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const v = readForm(form);
    const errors = {};
    const initials = take(errors, "initials", check("citizen", "initials", v.initials.toUpperCase()));
    const citizenCode = checkCode(errors, v.code);
    const name = take(errors, "name", check("citizen", "name", v.name));
    const birthYear = take(errors, "birth_year", check("citizen", "birth_year", v.birth_year));
    if (!v.phase) errors.phase = "Vælg en fase.";
    const identifiedOn = take(errors, "identified_on", check("course", "identified_on", v.identified_on, { required: true }));
    const planDate = take(errors, "plan_date", plan.read(v));
    if (!showErrors(form, errors)) return;
    const citizenId = uuid4();
    const citizen = { code: citizenCode, team_id: store.state.user.organisation_id, initials };
    if (name) citizen.name = name;
    if (birthYear !== null) citizen.birth_year = birthYear;
    const course = { citizen_id: citizenId, identified_on: identifiedOn, phase: { phase: v.phase, date: identifiedOn } };
    if (v.first_seen_place) course.first_seen_place = v.first_seen_place;
    if (planDate) course.plan_date = planDate;
    if (v.phase === "phase_2") course.started_on = identifiedOn;
    const saved = await draft.commit([
      { entity: "citizen", record_id: citizenId, kind: "create", value: citizen },
      { entity: "course", record_id: uuid4(), kind: "create", value: course },
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

// ---------------------------------------------------------------- "Ret koden"
export async function codeScreen(app, citizenId) {
  const { citizen } = await loadCitizen(citizenId);
  if (!citizen) return notFound();
  const spec = citizenField("code");
  const label = `Ny ${spec.label.toLowerCase()}`;
  const form = h(
    "form",
    { novalidate: true, id: "code-form" },
    textField({ name: "code", label, value: newCode(), required: true, upper: true, maxlength: spec.max_length, hint: `${spec.pattern_hint}. Forslaget er en ledig kode; du kan skrive en anden.` }),
  );
  // The code as the worker sees it now is what the change has seen (checked again when saving).
  const seen = await store.seenFor(citizenId, "code");
  const draft = await autosave(form, `code:${citizenId}`);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const errors = {};
    const code = checkCode(errors, readForm(form).code, { exceptId: citizenId, label });
    if (code && code === citizen.fields.code) errors.code = "Det er den samme kode som nu. Skriv en ny kode.";
    if (!showErrors(form, errors)) return;
    const op = { entity: "citizen", record_id: citizenId, kind: "set", field: "code", value: code, seen };
    if (!(await save(app, () => draft.commit([op])))) return;
    sync.soon();
    app.go(`#/borger/${encodeURIComponent(citizenId)}`, "Koden er rettet. Den nye kode sendes til serveren.");
  });
  return {
    title: "Ret koden",
    body: [
      h("p", {}, h("a", { href: `#/borger/${encodeURIComponent(citizenId)}` }, "‹ Tilbage til borgeren")),
      h("h1", {}, "Ret koden"),
      h("p", {}, `Nu: ${citizen.fields.initials || "?"} `, h("span", { class: "code" }, citizen.fields.code || "")),
      h("p", {}, "En anden borger i kommunen har samme kode. Giv denne borger en ny kode, så de to kan skelnes. Husk at rette koden på papir og i andre systemer, hvis den står der."),
      draftNotice(draft.restored),
      form,
    ],
    actions: [h("button", { type: "submit", form: "code-form", class: "button primary", id: "save-code" }, "Gem ny kode")],
  };
}
