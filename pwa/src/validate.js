// Checks of one field value against its spec in gen/schema.js, with the error catalogue's
// messages and the field's Danish label: the phone says what the server would say
// (sync/ops.py check_value). Pure: no DOM, no store; "now" is passed in.
import { field, problem } from "./schema.js";

// A contact time a little ahead of this phone's clock is a typing slip, not the future
// (the server allows its clock drift, 5 minutes by default: server/settings.py).
export const FUTURE_SLACK_MS = 5 * 60000;

const pad = (n) => String(n).padStart(2, "0");
/** The phone's local date as "YYYY-MM-DD". */
export const localDate = (ms = Date.now()) => {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
};

const DATE_SHAPE = /^\d{4}-\d{2}-\d{2}$/;
function isRealDate(text) {
  if (!DATE_SHAPE.test(text)) return false;
  const [y, m, d] = text.split("-").map(Number);
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

// The details every template of a field may name (as sync/ops.py `_details_of`).
function details(spec, name) {
  return {
    label: spec.label || name,
    limit: spec.max_length,
    allowed: (spec.options || []).map(([code]) => code),
    min: spec.ge,
    max: spec.le,
    hint: spec.pattern_hint || "",
  };
}

/**
 * Check what a form holds for `entity.name`. `raw` is the form's text (or a list for a
 * codes field). Returns {value, error}: the value as it is sent (trimmed text, an integer,
 * null when empty) and the Danish message, or error null.
 * Options: `now` (ms, default Date.now()), `required` (override the spec, e.g. a field the
 * form asks for although the server does not), `label` (override the field's label).
 */
export function check(entityName, name, raw, { now = Date.now(), required, label } = {}) {
  const spec = field(entityName, name);
  const d = details(spec, name);
  if (label) d.label = label;
  const fail = (reason, code = "invalid_value") => ({ value: null, error: problem(code, reason, d) });
  const mustHave = required ?? !!spec.required;
  const text = Array.isArray(raw) ? raw : typeof raw === "string" ? raw.trim() : raw ?? "";
  if (text === "" || (Array.isArray(text) && !text.length)) {
    return mustHave ? { value: null, error: problem("missing_field", null, d) } : { value: null, error: null };
  }
  switch (spec.kind) {
    case "text":
      if (spec.max_length && text.length > spec.max_length) return fail("too_long");
      if (spec.pattern && !new RegExp(spec.pattern).test(text)) return fail("pattern");
      return { value: text, error: null };
    case "int": {
      if (!/^-?\d+$/.test(String(text))) return fail("not_int");
      const n = Number(text);
      if ((spec.ge != null && n < spec.ge) || (spec.le != null && n > spec.le)) return fail("out_of_range");
      return { value: n, error: null };
    }
    case "code":
      return d.allowed.includes(text) ? { value: text, error: null } : fail("not_choice");
    case "codes":
      return text.every((c) => d.allowed.includes(c)) && new Set(text).size === text.length
        ? { value: [...text].sort(), error: null }
        : fail("not_choices");
    case "date":
    case "phase_event":
    case "consent_event":
      // A phase or consent event is checked by its date here (the rest are choices).
      return checkDate(text, now, fail);
    case "datetime": {
      const t = Date.parse(text);
      if (Number.isNaN(t)) return fail("not_datetime");
      if (t > now + FUTURE_SLACK_MS) return fail("in_future");
      return { value: text, error: null };
    }
    default:
      return { value: text, error: null };
  }
}

function checkDate(text, now, fail) {
  if (!isRealDate(text)) return fail("not_date");
  if (text > localDate(now)) return fail("in_future");
  return { value: text, error: null };
}

/** Put an error of `check` (for a form's error map) into `errors` and return the checked value. */
export function take(errors, name, result) {
  if (result.error) errors[name] = result.error;
  return result.value;
}

