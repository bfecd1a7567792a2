// The forms as data (SCHEMA.forms, generated from schemas/forms): every published version,
// the skip logic, the checks of the server (sync/ops.py check_answers) with the messages of
// the error catalogue, the short steps a form is shown in, and moving a draft to the newest
// version. Pure: no DOM, no store. tests/vectors/forms.json runs here and on the server.
import { SCHEMA } from "./gen/schema.js";
import { problem } from "./schema.js";

const MAX_TEXT = 4000; // sync/ops.py MAX_TEXT: the limit a template may name
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,39}$/;
export const DEFAULT_VERSION = 1; // a response without a version was answered against version 1
const STEP_SIZE = 5; // a version without steps (version 1) is shown five questions at a time

/** The latest version of a form (the one new responses are filled in). */
export const latestVersion = (code) => SCHEMA.forms[code]?.latest ?? null;
export const formLabel = (code) => SCHEMA.forms[code]?.label ?? code;
export const formCodes = () => Object.keys(SCHEMA.forms);

/** A form version's definition {code, version, label, filled_by, questions}, or null. */
export function formDef(code, version = DEFAULT_VERSION) {
  const def = SCHEMA.forms[code]?.versions[String(version ?? DEFAULT_VERSION)];
  return def ? { code, ...def } : null;
}

export const unanswered = (value) => value === null || value === undefined || value === "" || (Array.isArray(value) && value.length === 0);

function holds(condition, answers) {
  const value = answers[condition.item];
  if (condition.in) return typeof value === "string" && condition.in.includes(value);
  return Number.isInteger(value) && value >= condition.min;
}

/** Whether a question is asked, given the other answers (schemas/forms/model.py applies). */
export const applies = (question, answers) => (question.when || []).every((c) => holds(c, answers));

/** The questions asked, in order. */
export const asked = (def, answers) => def.questions.filter((q) => applies(q, answers));

const question = (def, key) => def.questions.find((q) => q.key === key) || null;

/** When a question is asked, in the words of sync/ops.py condition_text. */
export function conditionText(def, q) {
  return (q.when || [])
    .map((c) => {
      const other = question(def, c.item);
      const name = other ? other.label : c.item;
      if (c.in) {
        const labels = (other?.options || []).filter(([code]) => c.in.includes(code)).map(([, text]) => text);
        return `når '${name}' er ${(labels.length ? labels : c.in).join(" eller ")}`;
      }
      return `når '${name}' er mindst ${c.min}`;
    })
    .join(" og ");
}

// The details a value template may name (sync/ops.py _details_of of a question's spec).
function details(q) {
  return { label: q.label, limit: q.max_length ?? MAX_TEXT, allowed: (q.options || []).map(([code]) => code), min: q.min ?? "None", max: q.max ?? "None", hint: "" };
}

/** Why `value` does not fit the question (a reason of invalid_value), or null. */
export function valueProblem(q, value) {
  const allowed = new Set((q.options || []).map(([code]) => code));
  if (q.kind === "code") return typeof value === "string" && allowed.has(value) ? null : "not_choice";
  if (q.kind === "codes") {
    const ok = Array.isArray(value) && value.every((v) => typeof v === "string" && allowed.has(v)) && new Set(value).size === value.length;
    return ok ? null : "not_choices";
  }
  if (q.kind === "int") {
    if (typeof value !== "number" || !Number.isInteger(value)) return "not_int";
    if ((q.min != null && value < q.min) || (q.max != null && value > q.max)) {
      return q.min != null && q.max != null ? "out_of_range" : q.min != null ? "at_least" : "at_most";
    }
    return null;
  }
  if (typeof value !== "string") return "not_text";
  return [...value.trim()].length > (q.max_length ?? MAX_TEXT) ? "too_long" : null; // characters, as Python counts them
}

const refusal = (field, reason, message) => ({ field, reason, message });

/**
 * The first refusal of the server for these answers ({field, reason, message}), or null:
 * unknown keys, then every question in order — an answer to one that does not apply, a
 * required one that applies and is unanswered, an answer that does not fit.
 */
export function checkAnswers(code, version, answers) {
  const def = formDef(code, version);
  if (!def) {
    if (SCHEMA.forms[code]) {
      const known = Object.keys(SCHEMA.forms[code].versions).map(Number);
      return refusal("version", "unknown_version", problem("invalid_value", "unknown_version", { label: "Skemaversion", allowed: known }));
    }
    return refusal("form", "unknown_form", problem("invalid_value", "unknown_form", { label: "Skema" }));
  }
  for (const key of Object.keys(answers)) {
    if (!question(def, key)) return refusal(IDENTIFIER.test(key) ? `answers.${key}` : "answers", "answer_unknown", problem("invalid_value", "answer_unknown"));
  }
  for (const q of def.questions) {
    const found = questionProblem(def, q, answers);
    if (found) return found;
  }
  return null;
}

/** The refusal of one question of the answers ({field, reason, message}), or null. */
export function questionProblem(def, q, answers) {
  const value = answers[q.key];
  const field = `answers.${q.key}`;
  if (!applies(q, answers)) {
    return unanswered(value) ? null : refusal(field, "answer_not_applicable", problem("invalid_value", "answer_not_applicable", { label: q.label, hint: conditionText(def, q) }));
  }
  if (unanswered(value)) return q.required ? refusal(field, "answer_required", problem("invalid_value", "answer_required", { label: q.label })) : null;
  const reason = valueProblem(q, value);
  return reason ? refusal(field, reason, problem("invalid_value", reason, details(q))) : null;
}

/** The short steps a form is shown in: consecutive questions with the same `step` title;
 * a version without titles in steps of five. [{title, questions}] */
export function steps(def) {
  const out = [];
  for (const q of def.questions) {
    const last = out.at(-1);
    const title = q.step || "";
    if (last && (title ? last.title === title : !last.title && last.questions.length < STEP_SIZE)) last.questions.push(q);
    else out.push({ title, questions: [q] });
  }
  return out;
}

/**
 * Move answers given to `from` over to the version `to`: an answer carries over when `to`
 * has the item with the same kind, the answer fits it and the item is asked there.
 * Returns {answers, dropped: [{key, label, why}]} — what does not carry over, and why.
 */
export function carryOver(from, to, answers) {
  const kept = {};
  const dropped = [];
  for (const q of to.questions) {
    const old = question(from, q.key);
    if (!old || unanswered(answers[q.key])) continue;
    if (old.kind !== q.kind || valueProblem(q, answers[q.key])) {
      dropped.push({ key: q.key, label: old.label, why: "Svaret passer ikke til spørgsmålet i den nye version." });
      continue;
    }
    kept[q.key] = answers[q.key];
  }
  for (const q of to.questions) {
    if (q.key in kept && !applies(q, kept)) {
      dropped.push({ key: q.key, label: question(from, q.key).label, why: `Spørgsmålet stilles kun, ${conditionText(to, q)}.` });
      delete kept[q.key];
    }
  }
  for (const q of from.questions) {
    if (!question(to, q.key) && !unanswered(answers[q.key])) dropped.push({ key: q.key, label: q.label, why: "Spørgsmålet findes ikke i den nye version." });
  }
  return { answers: kept, dropped };
}

/** An answer as the worker reads it. */
export function answerText(q, value) {
  if (unanswered(value)) return "Ikke besvaret";
  const text = (code) => (q.options || []).find(([c]) => c === code)?.[1] ?? String(code);
  if (Array.isArray(value)) return value.map(text).join(", ");
  return q.options ? text(value) : String(value);
}

/** A question whose answer is a number in a small range is asked with a choice per number. */
export const numberChoices = (q) => (q.kind === "int" && q.max - q.min <= 10 ? Array.from({ length: q.max - q.min + 1 }, (_, i) => q.min + i) : null);
