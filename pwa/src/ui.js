// A tiny DOM toolkit: h() builds elements (text is always a text node, never HTML),
// form fields with labels and error slots, autosaved drafts, Danish formatting.
import * as store from "./store.js";

export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2).toLowerCase(), v);
    else if (k === "class") el.className = v;
    else if (k === "value" || k === "checked" || k === "selected") el[k] = v;
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  append(el, children);
  return el;
}

/** Replace an element's children; null, undefined and false are skipped (never "null"). */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export const label = (pairs, code) => (pairs.find(([c]) => c === code) || [null, code || ""])[1];

const pad = (n) => String(n).padStart(2, "0");
export function fmtDate(iso) {
  if (!iso) return "";
  const [y, m, d] = iso.slice(0, 10).split("-");
  return `${d}.${m}.${y}`;
}
export function fmtDateTime(value) {
  if (!value) return "";
  const d = typeof value === "number" ? new Date(value) : new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  return `${pad(d.getDate())}.${pad(d.getMonth() + 1)}.${d.getFullYear()} kl. ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
export function fmtAge(ms) {
  const min = Math.floor(ms / 60000);
  if (min < 1) return "under 1 minut";
  if (min < 60) return `${min} min.`;
  const hours = Math.floor(min / 60);
  if (hours < 48) return `${hours} t. ${min % 60} min.`;
  return `${Math.floor(hours / 24)} dage`;
}
export const today = () => {
  const d = new Date();
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
};
export const nowLocal = () => {
  const d = new Date();
  return `${today()}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
};
/** "2026-11-23T13:05:00Z" → "2026-11-23T14:05" (this phone's time, for datetime-local). */
export function isoToLocal(iso) {
  const d = new Date(iso);
  if (!iso || Number.isNaN(d.getTime())) return "";
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
/** "2026-11-23T14:05" (local) → "2026-11-23T14:05:00+01:00". */
export function localToIso(value) {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return null;
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? "+" : "-";
  return `${value.length === 16 ? value + ":00" : value}${sign}${pad(Math.floor(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`;
}

let uid = 0;
const nextId = (name) => `f-${name}-${++uid}`;

function wrap(name, id, control, { label: text, hint, required }) {
  const hintId = hint ? `${id}-hint` : null;
  const errId = `${id}-err`;
  control.setAttribute("aria-describedby", [hintId, errId].filter(Boolean).join(" "));
  return h(
    "div",
    { class: "field", "data-field": name },
    h("label", { for: id }, text, required ? h("span", { class: "req" }, " (skal udfyldes)") : null),
    hint ? h("p", { class: "hint", id: hintId }, hint) : null,
    h("p", { class: "error", id: errId, hidden: true }),
    control,
  );
}

/** A labelled text input (or textarea with `rows`). `upper`: upper-cased as typed. `max`: a date's latest value. */
export function textField({ name, label: text, value = "", type = "text", required, hint, maxlength, max, autocomplete, inputmode, rows, upper }) {
  const id = nextId(name);
  const control = rows
    ? h("textarea", { id, name, rows, maxlength, required, autocomplete: "off", spellcheck: "false" })
    : h("input", {
        id,
        name,
        type,
        maxlength,
        max,
        required,
        autocomplete: autocomplete || "off",
        inputmode,
        autocapitalize: upper ? "characters" : null,
        spellcheck: type === "text" ? "false" : null,
      });
  control.value = upper ? String(value ?? "").toUpperCase() : value ?? "";
  if (upper) control.addEventListener("input", () => upperCase(control));
  return wrap(name, id, control, { label: text, hint, required });
}

function upperCase(input) {
  const upper = input.value.toUpperCase();
  if (upper === input.value) return;
  const { selectionStart, selectionEnd } = input;
  input.value = upper;
  input.setSelectionRange(selectionStart, selectionEnd);
}

export function selectField({ name, label: text, options, value = "", required, hint, empty }) {
  const id = nextId(name);
  const control = h(
    "select",
    { id, name, required },
    empty !== undefined ? h("option", { value: "" }, empty) : null,
    options.map(([code, lab]) => h("option", { value: code, selected: code === value }, lab)),
  );
  return wrap(name, id, control, { label: text, hint, required });
}

function choiceGroup(type, { name, legend, options, value, hint }) {
  const values = Array.isArray(value) ? value : [value];
  const errId = nextId(`${name}-err`);
  return h(
    "fieldset",
    { class: `field choices ${type}`, "data-field": name, "data-kind": type, "aria-describedby": errId },
    h("legend", {}, legend),
    hint ? h("p", { class: "hint" }, hint) : null,
    h("p", { class: "error", id: errId, hidden: true }),
    options.map(([code, lab]) => {
      const id = nextId(`${name}-${code}`);
      return h(
        "div",
        { class: "choice" },
        h("input", { type, id, name, value: code, checked: values.includes(code) }),
        h("label", { for: id }, lab),
      );
    }),
  );
}
export const radioGroup = (opts) => choiceGroup("radio", opts);

/** One labelled checkbox with its own error slot (readForm gives [] or [value]). */
export function checkField({ name, label: text, value = "yes", checked = false }) {
  const id = nextId(name);
  const errId = `${id}-err`;
  return h(
    "div",
    { class: "field choices checkbox", "data-field": name },
    h("p", { class: "error", id: errId, hidden: true }),
    h("div", { class: "choice" }, h("input", { type: "checkbox", id, name, value, checked, "aria-describedby": errId }), h("label", { for: id }, text)),
  );
}
export const checkboxGroup = (opts) => choiceGroup("checkbox", opts);

export function readForm(form) {
  const out = {};
  for (const el of form.elements) {
    if (!el.name) continue;
    if (el.type === "checkbox") {
      out[el.name] = out[el.name] || [];
      if (el.checked) out[el.name].push(el.value);
    } else if (el.type === "radio") {
      if (el.checked) out[el.name] = el.value;
      else if (!(el.name in out)) out[el.name] = "";
    } else out[el.name] = el.value;
  }
  return out;
}

export function fillForm(form, values) {
  for (const el of form.elements) {
    if (!el.name || !(el.name in values)) continue;
    const v = values[el.name];
    if (el.type === "checkbox") el.checked = Array.isArray(v) && v.includes(el.value);
    else if (el.type === "radio") el.checked = el.value === v;
    else el.value = v ?? "";
  }
}

/** Show Danish error messages next to their fields; focus the first one. */
export function showErrors(form, errors) {
  let first = null;
  for (const field of form.querySelectorAll("[data-field]")) {
    const name = field.dataset.field;
    const message = errors[name];
    const slot = field.querySelector(".error");
    const controls = field.querySelectorAll("input, select, textarea");
    if (message) {
      slot.textContent = message;
      slot.hidden = false;
      controls.forEach((c) => c.setAttribute("aria-invalid", "true"));
      if (!first) first = controls[0];
    } else {
      slot.textContent = "";
      slot.hidden = true;
      controls.forEach((c) => c.removeAttribute("aria-invalid"));
    }
  }
  if (first) first.focus();
  return !first;
}

// ---------------------------------------------------------------- drafts
let activeDraft = null; // {key, form} of the form on screen: saved before locking

/**
 * Autosave the form as an encrypted draft (250 ms after a change). Returns
 * {restored, commit(ops, options)}: commit stops the autosave first, then saves the ops
 * and deletes the draft in one transaction (so no draft of a saved form comes back); if
 * the commit fails the draft is saved again as it stands and the error is rethrown.
 * While a commit runs, another submit resolves to null (a double tap saves once).
 * No ops: only the draft is deleted.
 */
export async function autosave(form, key) {
  const draft = await store.loadDraft(key);
  if (draft) fillForm(form, draft);
  const entry = { key, form };
  let t = null;
  let on = true;
  const save = () => {
    clearTimeout(t);
    if (on) t = setTimeout(() => store.saveDraft(key, readForm(form)), 250);
  };
  form.addEventListener("input", save);
  form.addEventListener("change", save);
  activeDraft = entry;
  return {
    restored: !!draft,
    async commit(ops, options = {}) {
      if (!on) return null;
      on = false;
      clearTimeout(t);
      if (activeDraft === entry) activeDraft = null;
      try {
        if (!ops.length) {
          await store.deleteDraft(key); // nothing to save: only the draft goes
          return [];
        }
        return await store.commit(ops, { ...options, draftKey: key });
      } catch (error) {
        on = true;
        activeDraft = entry;
        await store.saveDraft(key, readForm(form));
        throw error;
      }
    },
  };
}

export async function flushDraft() {
  if (activeDraft && activeDraft.form.isConnected && store.isUnlocked()) {
    await store.saveDraft(activeDraft.key, readForm(activeDraft.form));
  }
}

export function clearActiveDraft() {
  activeDraft = null;
}

export function draftNotice(restored) {
  return restored ? h("p", { class: "notice", role: "status" }, "Din kladde er gendannet. Intet af det, du skrev, er tabt.") : null;
}
