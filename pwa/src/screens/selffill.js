// "Giv telefonen til borgeren": the citizen fills the progressionsskema on the behandler's
// phone. A full-screen mode (app.mode "selffill", main.js) with large text, one question per
// screen, "spring over" on every question, a progress indicator, pause and resume. While it
// is open the router shows nothing else: the way back is the behandler's unlock (leaving
// locks the app; the idle lock still applies). Every answer is saved at once as an
// encrypted draft; the finished response is saved and synced like everything else. At the
// end the citizen sees a picture of their own answers over time ("min udvikling").
// The words are the citizen's: no "behandling", no "misbrug" (the report: citizens fear
// losing children, job or home).
import * as store from "../store.js";
import * as sync from "../sync.js";
import { list } from "../schema.js";
import { roundOf } from "../derive.js";
import * as Q from "../questionnaire.js";
import { uuid4 } from "../crypto.js";
import { h, radioGroup, readForm, today } from "../ui.js";
import { loadCitizen, notFound } from "./citizens.js";
import { currentSchedule, responsesOf, selfFillKey } from "./formsdue.js";
import { developmentPicture } from "./progress.js";
import { versionMoveStep } from "./forms_fill.js";

export const SELF_FORM = "progression";
const CITIZEN_FILLED = list("FORM_FILLED_BY").filter(([code]) => code !== "practitioner");
const END = "_end";

/** Only the answers to questions that are asked (in order): a changed answer can end another question. */
function pruned(def, answers) {
  const out = {};
  for (const q of def.questions) if (q.key in answers && !Q.unanswered(answers[q.key]) && Q.applies(q, out)) out[q.key] = answers[q.key];
  return out;
}

/** A draft moved to the version `to`: the answers that carry over (questionnaire.js carryOver),
 * the skipped questions `to` still has, and on at the first question asked there that is
 * neither answered nor skipped (not started yet: still the introduction). */
function movedDraft(from, to, saved) {
  const { answers } = Q.carryOver(from, to, pruned(from, saved.answers || {}));
  const keys = new Set(to.questions.map((q) => q.key));
  const skipped = (saved.skipped || []).filter((k) => keys.has(k));
  const open = Q.asked(to, answers).find((q) => !(q.key in answers) && !skipped.includes(q.key));
  return { ...saved, version: to.version, answers, skipped, at: saved.at ? open?.key ?? END : null };
}

/** The next (or previous) question asked after `key` in the form's order; END after the last. */
function neighbour(def, answers, key, step) {
  const keys = def.questions.map((q) => q.key);
  const asked = new Set(Q.asked(def, answers).map((q) => q.key));
  const from = key === END ? keys.length : key ? keys.indexOf(key) : -1;
  for (let i = from + step; i >= 0 && i < keys.length; i += step) if (asked.has(keys[i])) return keys[i];
  return step > 0 ? END : key;
}

// ---------------------------------------------------------------- the behandler hands over
export async function handOverScreen(app, citizenId) {
  const { citizen } = await loadCitizen(citizenId);
  if (!citizen) return notFound();
  const key = selfFillKey(citizenId);
  const saved = await store.loadDraft(key);
  const def = Q.formDef(SELF_FORM, saved?.version ?? Q.latestVersion(SELF_FORM));
  const latest = Q.formDef(SELF_FORM, Q.latestVersion(SELF_FORM));
  const form = h(
    "form",
    { novalidate: true, id: "handover-form" },
    radioGroup({ name: "filled_by", legend: "Hvem udfylder skemaet?", options: CITIZEN_FILLED, value: saved?.filled_by || "citizen" }),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const draft = saved || { version: def.version, at: null, answers: {}, skipped: [] };
    await store.saveDraft(key, { ...draft, filled_by: readForm(form).filled_by || "citizen" });
    app.startSelfFill(citizenId);
  });
  const answered = saved ? Object.keys(saved.answers || {}).length : 0;
  return {
    title: "Giv telefonen til borgeren",
    body: [
      h("p", {}, h("a", { href: `#/borger/${encodeURIComponent(citizenId)}` }, "‹ Tilbage til borgeren")),
      h("h1", {}, "Giv telefonen til borgeren"),
      h(
        "p",
        {},
        `Borgeren udfylder ${Q.formLabel(SELF_FORM).toLowerCase()} selv: ét spørgsmål ad gangen med stor tekst. Borgeren kan springe spørgsmål over og holde pause. `,
        "Mens skemaet er åbent, kan borgeren ikke se andet på telefonen. For at komme tilbage skal du låse op, som når telefonen har været låst.",
      ),
      store.pendingCount()
        ? h("p", { class: "notice warning", id: "selffill-pending" }, `${store.pendingCount()} ændringer er ikke sendt endnu. Synkronisér gerne først, hvis der er net.`)
        : null,
      saved ? h("p", { class: "notice", id: "selffill-resume" }, `Borgeren er i gang: ${answered} spørgsmål er besvaret. Skemaet fortsætter, hvor borgeren slap.`) : null,
      // A draft on an old version is finished in it, unless the behandler moves it (saying first what does not carry over).
      saved && def.version < latest.version
        ? versionMoveStep(app, def, latest, pruned(def, saved.answers || {}), () => store.saveDraft(key, movedDraft(def, latest, saved)))
        : null,
      form,
    ],
    actions: [h("button", { type: "submit", form: "handover-form", class: "button primary", id: "start-selffill" }, saved ? "Fortsæt – giv telefonen til borgeren" : "Start – giv telefonen til borgeren")],
  };
}

// ---------------------------------------------------------------- the citizen's mode
/** The screen while the phone is handed over (main.js shows nothing else in this mode). */
export async function selfFillScreen(app) {
  const session = app.selfFill;
  const key = selfFillKey(session.citizenId);
  const saved = session.view === "done" ? null : await store.loadDraft(key);
  if (session.view === "done") return doneView(app, session);
  if (!saved) return goneView(app);
  const def = Q.formDef(SELF_FORM, saved.version);
  const state = { ...saved, answers: pruned(def, saved.answers || {}) };
  const save = (patch) => store.saveDraft(key, Object.assign(state, patch));
  const go = async (patch) => {
    await save(patch);
    app.render();
  };
  if (session.view === "pause") return pauseView(app, session);
  if (!state.at) return introView(app, () => go({ at: neighbour(def, state.answers, null, 1) }));
  if (state.at === END) return endView(app, def, state, go, () => finish(app, session, def, state));
  const here = def.questions.find((q) => q.key === state.at);
  if (!here || !Q.applies(here, state.answers)) await save({ at: neighbour(def, state.answers, null, 1) }); // never a question that is not asked
  if (state.at === END) return endView(app, def, state, go, () => finish(app, session, def, state));
  return questionView(app, def, state, save, go);
}

const leave = (app) => h("button", { type: "button", class: "button secondary", id: "selffill-leave", onclick: () => app.endSelfFill() }, "Giv telefonen tilbage");
const screen = (title, body, actions = []) => ({ title, body, actions, focusHeading: true });

function introView(app, start) {
  return screen("Spørgsmål til dig", [
    h("h1", {}, "Spørgsmål om, hvordan du har det"),
    h("p", {}, "Her er nogle spørgsmål om dig og dit liv de sidste 7 dage. Du bestemmer selv, hvad du vil svare på. Du kan springe et spørgsmål over og holde pause, når du vil."),
    h("p", {}, "Dine svar gemmes sikkert på telefonen, også hvis du holder pause."),
  ], [h("button", { type: "button", class: "button primary", id: "selffill-start", onclick: start }, "Start")]);
}

function questionView(app, def, state, save, go) {
  const q = def.questions.find((x) => x.key === state.at);
  const asked = Q.asked(def, state.answers);
  const position = asked.findIndex((x) => x.key === q.key) + 1;
  const form = h("form", { novalidate: true, id: "selffill-form", class: "selffill-question" });
  const numbers = Q.numberChoices(q);
  const value = state.answers[q.key];
  const error = h("p", { class: "error", id: "selffill-error", hidden: true });
  const choices = q.options || (numbers ? numbers.map((n) => [String(n), numberText(q, n)]) : null);
  if (choices) {
    form.append(
      h(
        "fieldset",
        { class: `field choices radio big${numbers ? " numbers" : ""}`, "aria-labelledby": "selffill-question", "aria-describedby": "selffill-error" },
        q.hint ? h("p", { class: "hint" }, q.hint) : null,
        error,
        choices.map(([code, text], i) => {
          const id = `sf-${q.key}-${i}`;
          return h("div", { class: "choice" }, h("input", { type: "radio", id, name: "answer", value: code, checked: value !== undefined && String(value) === code }), h("label", { for: id }, text));
        }),
      ),
    );
  } else {
    form.append(
      h(
        "div",
        { class: "field" },
        h("label", { for: "sf-number" }, `Skriv et tal fra ${q.min} til ${q.max}`),
        q.hint ? h("p", { class: "hint", id: "sf-number-hint" }, q.hint) : null,
        error,
        h("input", { id: "sf-number", name: "answer", type: "text", inputmode: "numeric", autocomplete: "off", value: value === undefined ? "" : String(value), "aria-describedby": q.hint ? "sf-number-hint selffill-error" : "selffill-error" }),
      ),
    );
  }
  const answerOf = () => {
    const raw = readForm(form).answer;
    if (raw === undefined || raw === "") return undefined;
    return q.kind === "int" ? (/^\d+$/.test(raw.trim()) ? Number(raw.trim()) : NaN) : raw;
  };
  form.addEventListener("change", () => {
    const answer = answerOf();
    if (answer !== undefined && !Q.valueProblem(q, answer)) save({ answers: pruned(def, { ...state.answers, [q.key]: answer }) });
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const answer = answerOf();
    if (answer === undefined || Q.valueProblem(q, answer)) {
      error.textContent = answer === undefined ? "Vælg et svar, eller tryk “Spring over”." : `Skriv et tal fra ${q.min} til ${q.max}.`;
      error.hidden = false;
      form.querySelector("input")?.setAttribute("aria-invalid", "true");
      form.querySelector("input")?.focus();
      return;
    }
    const answers = pruned(def, { ...state.answers, [q.key]: answer });
    await go({ answers, at: neighbour(def, answers, q.key, 1), skipped: (state.skipped || []).filter((k) => k !== q.key) });
  });
  const skip = async () => {
    const answers = { ...state.answers };
    delete answers[q.key];
    const kept = pruned(def, answers);
    await go({ answers: kept, at: neighbour(def, kept, q.key, 1), skipped: [...new Set([...(state.skipped || []), q.key])] });
  };
  const previous = neighbour(def, state.answers, q.key, -1);
  return screen("Spørgsmål til dig", [
    h("div", { class: "selffill-bar" }, h("p", { id: "selffill-count" }, `Spørgsmål ${position} af ${asked.length}`), h("button", { type: "button", class: "button small secondary", id: "selffill-pause", onclick: () => app.pauseSelfFill() }, "Pause")),
    h("progress", { value: String(position - 1), max: String(asked.length), "aria-labelledby": "selffill-count", class: "selffill-progress" }),
    h("h1", { id: "selffill-question" }, q.label),
    form,
  ], [
    previous !== q.key ? h("button", { type: "button", class: "button secondary", id: "selffill-back", onclick: () => go({ at: previous }) }, "Tilbage") : null,
    h("button", { type: "button", class: "button secondary", id: "selffill-skip", onclick: skip }, "Spring over"),
    h("button", { type: "submit", form: "selffill-form", class: "button primary", id: "selffill-next" }, "Næste"),
  ].filter(Boolean));
}

function numberText(q, n) {
  if (q.key.startsWith("days_")) return `${n} ${n === 1 ? "dag" : "dage"}`;
  return String(n);
}

function pauseView(app) {
  return screen("Pause", [
    h("h1", {}, "Pause"),
    h("p", {}, "Dine svar er gemt. Tryk “Fortsæt”, når du er klar. Du kan også give telefonen tilbage og fortsætte en anden gang."),
  ], [leave(app), h("button", { type: "button", class: "button primary", id: "selffill-resume", onclick: () => app.resumeSelfFill() }, "Fortsæt")]);
}

function endView(app, def, state, go, finish) {
  const asked = Q.asked(def, state.answers);
  const answered = asked.filter((q) => q.key in state.answers).length;
  const last = asked.at(-1)?.key;
  return screen("Tak", [
    h("h1", {}, "Tak for dine svar"),
    h("p", { id: "selffill-summary" }, `Du har svaret på ${answered} af ${asked.length} spørgsmål.`),
    h("p", {}, "Tryk “Gem mine svar”, så bliver de gemt. Vil du se et spørgsmål igen, så tryk “Tilbage”."),
  ], [
    last ? h("button", { type: "button", class: "button secondary", id: "selffill-back", onclick: () => go({ at: last }) }, "Tilbage") : null,
    h("button", { type: "button", class: "button primary", id: "selffill-save", onclick: finish }, "Gem mine svar"),
  ].filter(Boolean));
}

async function finish(app, session, def, state) {
  const schedule = await currentSchedule();
  const day = today();
  const value = {
    citizen_id: session.citizenId, form: SELF_FORM, version: def.version, filled_on: day, filled_by: state.filled_by || "citizen",
    answers: pruned(def, state.answers),
  };
  const round = roundOf(schedule, SELF_FORM, day);
  if (round !== null) value.round = round;
  const [op] = await store.commit([{ entity: "form_response", record_id: uuid4(), kind: "create", value }], { draftKey: selfFillKey(session.citizenId) });
  sync.soon();
  session.view = "done";
  session.saved = op.record_id;
  app.render();
}

/** "Min udvikling": the citizen's own answers over time, nothing about anyone else. */
async function doneView(app, session) {
  const { views } = await loadCitizen(session.citizenId);
  const mine = responsesOf(views)
    .filter((r) => r.view.fields.form === SELF_FORM && !r.view.voided)
    .sort((a, b) => a.occasion - b.occasion);
  return screen("Min udvikling", [
    h("h1", {}, "Min udvikling"),
    h("p", { class: "notice", role: "status" }, "Dine svar er gemt. Tak!"),
    h("p", {}, mine.length > 1 ? "Her kan du se, hvordan dine svar har ændret sig fra gang til gang." : "Her er dine svar i dag. Næste gang kan du se, hvordan de ændrer sig."),
    developmentPicture(mine.map((r) => ({ occasion: r.occasion, filled_on: r.view.fields.filled_on, version: r.view.fields.version ?? 1, answers: r.view.fields.answers || {} }))),
  ], [leave(app)]);
}

function goneView(app) {
  return screen("Spørgsmål til dig", [h("h1", {}, "Skemaet er ikke åbent"), h("p", {}, "Giv telefonen tilbage.")], [leave(app)]);
}
