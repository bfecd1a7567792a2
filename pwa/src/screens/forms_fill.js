// Filling a form on the behandler's screen, in short steps: kontaktskema start (pre-filled
// from the citizen and the course), kontaktskema løbende (pre-filled from the contacts of
// the period: derive.loebendePrefill), a paper form keyed in afterwards ("udfyldt på
// papir", with its date and round), a draft on an old version ("flyt til nyeste
// version"), and one response read back in the version it was answered against.
import * as store from "../store.js";
import * as sync from "../sync.js";
import { list, fieldLabel } from "../schema.js";
import { check, take } from "../validate.js";
import { loebendePrefill, enrolledOn } from "../derive.js";
import * as Q from "../questionnaire.js";
import { uuid4 } from "../crypto.js";
import { h, label, fmtDate, textField, radioGroup, checkboxGroup, readForm, showErrors, autosave, draftNotice, today } from "../ui.js";
import { loadCitizen, notFound, who, when } from "./citizens.js";
import { currentSchedule, draftKeyOf, responsesOf, roundToFill } from "./formsdue.js";

const back = (id) => h("p", {}, h("a", { href: `#/borger/${encodeURIComponent(id)}` }, "‹ Tilbage til borgeren"));
const FILLED_BY = list("FORM_FILLED_BY");
const CITIZEN_FILLED = FILLED_BY.filter(([code]) => code !== "practitioner");

// ---------------------------------------------------------------- answers ⇄ form values
/** The form's values (readForm) as answers: typed, unanswered and not-asked questions left out. */
export function answersOf(def, values) {
  const answers = {};
  for (const q of def.questions) {
    let v = values[q.key];
    if (q.kind === "int" && typeof v === "string") v = /^-?\d+$/.test(v.trim()) ? Number(v.trim()) : v.trim();
    if (q.kind === "text" && typeof v === "string") v = v.trim();
    if (Q.unanswered(v) || !Q.applies(q, answers)) continue;
    answers[q.key] = q.kind === "codes" ? [...v].sort() : v;
  }
  return answers;
}

function valuesOf(def, answers) {
  const out = {};
  for (const q of def.questions) if (q.key in answers) out[q.key] = q.kind === "int" ? String(answers[q.key]) : answers[q.key];
  return out;
}

/** One question as a form control (its element carries data-field = the key). */
export function questionControl(q, value, extraHint = "") {
  const hint = [q.hint, extraHint].filter(Boolean).join(" ") || undefined;
  const numbers = Q.numberChoices(q);
  if (q.kind === "code") return radioGroup({ name: q.key, legend: q.label, options: q.options, value: value ?? "", hint });
  if (q.kind === "codes") return checkboxGroup({ name: q.key, legend: q.label, options: q.options, value: value || [], hint });
  if (q.kind === "text") return textField({ name: q.key, label: q.label, value: value ?? "", maxlength: q.max_length, hint });
  if (numbers) return radioGroup({ name: q.key, legend: q.label, options: numbers.map((n) => [String(n), String(n)]), value: value === undefined ? "" : String(value), hint });
  return textField({ name: q.key, label: q.label, inputmode: "numeric", value: value === undefined ? "" : String(value), hint });
}

// ---------------------------------------------------------------- pre-fill
const AGE_BANDS = [[25, "18_25"], [32, "26_32"], [49, "33_49"], [64, "50_64"], [Infinity, "65_plus"]];
/** The same day `n` months earlier (the last day of that month when it is shorter). */
const minusMonths = (day, n) => {
  const [y, m, d] = day.split("-").map(Number);
  const index = y * 12 + m - 1 - n;
  const last = new Date(Date.UTC(Math.floor(index / 12), (index % 12) + 1, 0)).getUTCDate();
  return new Date(Date.UTC(Math.floor(index / 12), index % 12, Math.min(d, last))).toISOString().slice(0, 10);
};
const plusDay = (day) => new Date(Date.parse(`${day}T00:00:00Z`) + 86400000).toISOString().slice(0, 10);

/** What the app already knows for the form: {answers, note} (only options the version has). */
function prefillFor(def, { citizen, views, course, status }, schedule) {
  const answers = {};
  let note = null;
  if (def.code === "kontakt_start") {
    const f = citizen.fields;
    answers.sex = f.sex;
    if (Number.isInteger(f.birth_year)) answers.age_band = AGE_BANDS.find(([max]) => new Date().getFullYear() - f.birth_year <= max)[1];
    answers.first_seen_place = course?.fields.first_seen_place;
    note = "Køn, alder og sted ved identifikation er udfyldt ud fra borgerens oplysninger. Tjek og ret.";
  } else if (def.code === "kontakt_loebende") {
    const day = today();
    const enrolled = enrolledOn(views.filter((v) => v.entity === "course"), views.filter((v) => v.entity === "consent")) || course?.fields.identified_on;
    const last = responsesOf(views)
      .map((r) => r.view)
      .filter((v) => v.fields.form === "kontakt_loebende" && !v.voided)
      .map((v) => plusDay(v.fields.filled_on))
      .sort()
      .at(-1);
    const since = [minusMonths(day, schedule.loebende_months), enrolled, last].filter((d) => d && d <= day).sort().at(-1) || day;
    const contacts = views.filter((v) => v.entity === "contact" && !v.voided);
    Object.assign(answers, loebendePrefill(contacts, status, since, day));
    const inside = contacts.filter((c) => since <= c.fields.occurred_at.slice(0, 10) && c.fields.occurred_at.slice(0, 10) <= day);
    const made = inside.filter((c) => c.fields.kind === "contact").length;
    note = `Udfyldt ud fra telefonens kontaktlog ${fmtDate(since)}–${fmtDate(day)}: ${inside.length} kontakter og kontaktforsøg, heraf ${made} kontakter, og borgerens fase og behandlingsplan. Tjek og ret.`;
  }
  const fits = {};
  for (const q of def.questions) if (answers[q.key] != null && !Q.valueProblem(q, answers[q.key])) fits[q.key] = answers[q.key];
  return { answers: fits, note: Object.keys(fits).length ? note : null };
}

// ---------------------------------------------------------------- the fill screen
export async function fillScreen(app, citizenId, code, { paper = false } = {}) {
  const loaded = await loadCitizen(citizenId);
  const { citizen, views } = loaded;
  if (!citizen) return notFound();
  const latest = Q.formDef(code, Q.latestVersion(code));
  if (!latest) return notFound();
  const draftKey = draftKeyOf(citizenId, code, paper);
  const stored = await store.loadDraft(draftKey);
  const version = stored?._version ? Number(stored._version) : latest.version;
  const def = Q.formDef(code, version);
  if (!def) return unknownVersion(citizenId, version);
  const schedule = await currentSchedule();
  const prefill = stored ? { answers: {}, note: null } : prefillFor(def, loaded, schedule);
  const citizenForm = def.filled_by === "borger";
  const parts = Q.steps(def);
  const form = h("form", { novalidate: true, id: "qform", "data-form": code, "data-version": String(def.version) });
  form.append(h("input", { type: "hidden", name: "_version", value: String(def.version) }), h("input", { type: "hidden", name: "_step", value: "0" }));

  // The step about the form itself: a paper form's date and round; who answered.
  const meta = [];
  if (paper) {
    const day = today();
    meta.push(
      textField({ name: "filled_on", label: fieldLabel("form_response", "filled_on"), type: "date", value: day, max: day, required: true, hint: "Datoen, der står på papirskemaet." }),
      textField({ name: "round", label: fieldLabel("form_response", "round"), inputmode: "numeric", value: String(roundToFill(views, schedule, code, day) ?? ""), hint: "Udfyldes ud fra datoen. Ret den, hvis skemaet hører til en anden runde." }),
    );
  }
  if (citizenForm) meta.push(radioGroup({ name: "filled_by", legend: fieldLabel("form_response", "filled_by"), options: CITIZEN_FILLED, value: "citizen_helped" }));
  const stepEls = [];
  if (meta.length) stepEls.push({ title: paper ? "Om papirskemaet" : "Hvem udfylder", el: h("div", { class: "step", "data-step": "meta" }, ...meta), questions: [] });
  for (const part of parts) {
    const el = h("div", { class: "step" });
    for (const q of part.questions) {
      const pre = prefill.answers[q.key];
      const wrap = h("div", { class: "question", "data-q": q.key }, questionControl(q, pre === undefined ? undefined : pre, pre !== undefined ? "Forudfyldt – tjek." : ""));
      el.append(wrap);
    }
    stepEls.push({ title: part.title, el, questions: part.questions });
  }
  const progress = h("p", { class: "step-progress", id: "step-progress", "aria-live": "polite" });
  const stepTitle = h("h2", { id: "step-title", tabindex: "-1" });
  form.append(...stepEls.map((s) => s.el));
  const draft = await autosave(form, draftKey);
  if (paper) {
    const dateInput = form.elements.filled_on;
    const roundInput = form.elements.round;
    let roundTouched = !!stored;
    roundInput.addEventListener("input", () => (roundTouched = true));
    dateInput.addEventListener("change", () => {
      if (!roundTouched && dateInput.value) roundInput.value = String(roundToFill(views, schedule, code, dateInput.value) ?? "");
    });
  }

  const values = () => readForm(form);
  const answersNow = () => answersOf(def, values());
  const shown = (s, answers) => !s.questions.length || s.questions.some((q) => Q.applies(q, answers));
  let current = Math.min(Number(stored?._step) || 0, stepEls.length - 1);
  const prev = h("button", { type: "button", class: "button secondary", id: "step-back" }, "Forrige");
  const next = h("button", { type: "submit", form: "qform", class: "button primary", id: "step-next" }, "Næste");
  function draw() {
    const answers = answersNow();
    for (const s of stepEls) {
      for (const q of s.questions) form.querySelector(`[data-q="${q.key}"]`).hidden = !Q.applies(q, answers);
    }
    const visible = stepEls.filter((s) => shown(s, answers));
    if (!shown(stepEls[current], answers)) current = stepEls.indexOf(visible.find((s) => stepEls.indexOf(s) > current) || visible.at(-1));
    stepEls.forEach((s, i) => (s.el.hidden = i !== current));
    const position = visible.indexOf(stepEls[current]) + 1;
    progress.textContent = `Trin ${position} af ${visible.length}`;
    stepTitle.textContent = stepEls[current].title || Q.formLabel(code);
    prev.hidden = position === 1;
    next.textContent = position === visible.length ? "Gem skema" : "Næste";
    form.elements._step.value = String(current);
  }
  form.addEventListener("change", draw);
  prev.addEventListener("click", () => {
    const answers = answersNow();
    for (let i = current - 1; i >= 0; i--) if (shown(stepEls[i], answers)) return move(i);
  });
  function move(i) {
    current = i;
    draw();
    store.saveDraft(draftKey, values());
    stepTitle.focus();
  }

  /** The errors of some steps' fields: {field name: message}. */
  function errorsOf(stepList) {
    const v = values();
    const answers = answersOf(def, v);
    const errors = {};
    for (const s of stepList) {
      if (s.el.dataset.step === "meta") Object.assign(errors, metaErrors(v));
      for (const q of s.questions) {
        const found = Q.applies(q, answers) ? Q.questionProblem(def, q, answers) : null;
        if (found) errors[q.key] = found.message;
      }
    }
    return errors;
  }
  function metaErrors(v) {
    const errors = {};
    if (paper) {
      take(errors, "filled_on", check("form_response", "filled_on", v.filled_on, { required: true }));
      take(errors, "round", check("form_response", "round", v.round));
    }
    if (citizenForm && !v.filled_by) errors.filled_by = "Vælg, hvem der har udfyldt skemaet.";
    return errors;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const answers = answersNow();
    const visible = stepEls.filter((s) => shown(s, answers));
    const last = visible.indexOf(stepEls[current]) === visible.length - 1;
    const here = errorsOf([stepEls[current]]);
    if (!showErrors(form, here)) return;
    if (!last) return move(stepEls.indexOf(visible[visible.indexOf(stepEls[current]) + 1]));
    // The last step: everything once more, as the server will check it.
    const all = errorsOf(visible);
    const firstBad = visible.find((s) => Object.keys(errorsOf([s])).length);
    if (firstBad) {
      move(stepEls.indexOf(firstBad));
      showErrors(form, all);
      return;
    }
    const refused = Q.checkAnswers(code, def.version, answers);
    if (refused) return showErrors(form, { [refused.field.replace(/^answers\./, "")]: refused.message });
    const v = values();
    const filledOn = paper ? v.filled_on : today();
    const round = paper ? (v.round ? Number(v.round) : null) : roundToFill(views, schedule, code, filledOn);
    const value = { citizen_id: citizenId, form: code, version: def.version, filled_on: filledOn, filled_by: citizenForm ? v.filled_by : "practitioner", answers };
    if (round !== null) value.round = round;
    if (paper) value.on_paper = true;
    if (!(await draft.commit([{ entity: "form_response", record_id: uuid4(), kind: "create", value }]))) return;
    sync.soon();
    app.go(`#/borger/${encodeURIComponent(citizenId)}`, `${Q.formLabel(code)} er gemt${paper ? " (udfyldt på papir)" : ""}.`);
  });
  draw();

  const title = paper ? `${Q.formLabel(code)} – papir` : Q.formLabel(code);
  return {
    title: paper ? "Papirskema" : "Skema",
    body: [
      back(citizenId),
      h("h1", {}, `${title} – ${citizen.fields.initials}`),
      def.version < latest.version ? versionMove(app, draftKey, def, latest, form) : null,
      draftNotice(draft.restored),
      prefill.note ? h("p", { class: "notice", id: "prefill-note" }, prefill.note) : null,
      progress,
      stepTitle,
      form,
    ],
    actions: [prev, next],
  };
}

/** A draft on an old version opens in that version; this moves it to the newest, saying first which answers do not carry over. */
function versionMove(app, draftKey, def, latest, form) {
  return versionMoveStep(app, def, latest, answersOf(def, readForm(form)), async () => {
    const values = readForm(form);
    const moved = Q.carryOver(def, latest, answersOf(def, values));
    const kept = Object.fromEntries(["filled_on", "round", "filled_by"].filter((k) => k in values).map((k) => [k, values[k]]));
    await store.saveDraft(draftKey, { ...kept, ...valuesOf(latest, moved.answers), _version: String(latest.version), _step: "0" });
  });
}

/**
 * The explicit "flyt til nyeste version" step of a draft on an old version `def`: which of
 * its `answers` do not carry over to `latest` (questionnaire.js carryOver) and why, and the
 * button; `move()` saves the moved draft, then the screen is drawn again. Also the
 * citizen's self-fill draft (selffill.js).
 */
export function versionMoveStep(app, def, latest, answers, move) {
  const { dropped } = Q.carryOver(def, latest, answers);
  return h(
    "section",
    { class: "banner warning", id: "version-move", "aria-labelledby": "version-move-h" },
    h("h2", { id: "version-move-h" }, `Kladden er på version ${def.version} af skemaet`),
    h("p", {}, `Skemaet er kommet i version ${latest.version}. Du kan gøre kladden færdig i version ${def.version}, eller flytte den til den nyeste version.`),
    dropped.length
      ? [h("p", {}, "Disse svar kommer ikke med over:"), h("ul", { id: "not-carried" }, dropped.map((d) => h("li", {}, h("strong", {}, d.label), ` – ${d.why}`)))]
      : h("p", {}, "Alle svar kommer med over."),
    h(
      "button",
      {
        type: "button",
        class: "button secondary",
        id: "move-version",
        onclick: async () => {
          await move();
          app.go(location.hash, `Kladden er flyttet til version ${latest.version}.`);
        },
      },
      "Flyt til nyeste version",
    ),
  );
}

const unknownVersion = (citizenId, version) => ({
  title: "Skema",
  body: [back(citizenId), h("h1", {}, "Skemaets version kendes ikke"), h("p", {}, `Kladden er lavet i version ${version}, som denne udgave af appen ikke kender. Opdatér appen.`)],
});

// ---------------------------------------------------------------- paper: which form
export async function paperScreen(app, citizenId) {
  const { citizen } = await loadCitizen(citizenId);
  if (!citizen) return notFound();
  const base = `#/borger/${encodeURIComponent(citizenId)}`;
  return {
    title: "Papirskema",
    body: [
      back(citizenId),
      h("h1", {}, "Indtast et papirskema"),
      h("p", {}, "Vælg skemaet. Du skriver datoen fra papiret, og skemaet markeres som udfyldt på papir."),
      h("ul", { class: "items" }, Q.formCodes().map((code) => h("li", {}, h("a", { class: "button secondary", href: `${base}/skema/${code}/papir` }, Q.formLabel(code))))),
    ],
  };
}

// ---------------------------------------------------------------- one response
export async function responseScreen(app, citizenId, responseId) {
  const { citizen, views } = await loadCitizen(citizenId);
  if (!citizen) return notFound();
  const found = responsesOf(views).find((r) => r.view.id === responseId);
  if (!found) return notFound();
  const { view, occasion } = found;
  const f = view.fields;
  const def = Q.formDef(f.form, f.version ?? Q.DEFAULT_VERSION);
  const answers = f.answers || {};
  const rows = def
    ? Q.asked(def, answers).map((q) => [q.label, Q.answerText(q, answers[q.key])])
    : Object.entries(answers).map(([key, value]) => [key, Array.isArray(value) ? value.join(", ") : String(value)]);
  return {
    title: "Skema",
    body: [
      back(citizenId),
      h("h1", {}, `${Q.formLabel(f.form)} – ${citizen.fields.initials}`),
      h(
        "dl",
        { class: "facts", id: "response-facts" },
        h("dt", {}, fieldLabel("form_response", "filled_on")),
        h("dd", {}, fmtDate(f.filled_on)),
        f.round ? [h("dt", {}, fieldLabel("form_response", "round")), h("dd", {}, String(f.round))] : null,
        occasion ? [h("dt", {}, "Besvarelse"), h("dd", {}, `${occasion}. gang`)] : null,
        h("dt", {}, fieldLabel("form_response", "filled_by")),
        h("dd", {}, `${label(FILLED_BY, f.filled_by) || "–"}${f.on_paper ? ", på papir" : ""}`),
        h("dt", {}, fieldLabel("form_response", "version")),
        h("dd", {}, String(f.version ?? Q.DEFAULT_VERSION)),
        h("dt", {}, "Registreret"),
        h("dd", {}, `${who(view.created_by, view)}, ${when(view.created_hlc)}`),
      ),
      def ? null : h("p", { class: "notice warning" }, "Denne udgave af appen kender ikke skemaets version. Svarene vises med deres koder."),
      h("dl", { class: "facts answers", id: "answers" }, rows.map(([q, a]) => [h("dt", {}, q), h("dd", {}, a)])),
    ],
  };
}
