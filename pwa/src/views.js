// Pure functions: a record's local view (server snapshot + own pending ops on top) and
// the citizen list row derived from a citizen's views. The full merge lives on the
// server (sync/merge.py); the device's own pending ops are causally newest on this
// device, so applying them in order on the snapshot is enough locally. Which fields keep
// a history, which decide a consent and which entities are append-only comes from the
// schema (gen/schema.js); the current course and its status from derive.js.
import { SCHEMA } from "./gen/schema.js";
import { citizenStatus, currentCourse, enrolledOn, followUp } from "./derive.js";

const byMerge = (merge) =>
  Object.fromEntries(Object.entries(SCHEMA.entities).map(([name, e]) => [name, new Set(Object.keys(e.fields).filter((f) => merge.includes(e.fields[f].merge)))]));
// Fields whose every value is kept (merge "multi": phase, end reason …; "consent": the state).
const HISTORY = byMerge(["multi", "consent"]);
// The consent event field: the server derives `granted` from its merged events.
const CONSENT = byMerge(["consent"]);
const APPEND_ONLY = new Set(Object.keys(SCHEMA.entities).filter((name) => SCHEMA.entities[name].append_only));
const hasHistory = (entity, f) => !!HISTORY[entity]?.has(f);
const decidesConsent = (entity, f) => !!CONSENT[entity]?.has(f);

/** Whether a consent view is a live grant: the server's `granted`, or the event shown. */
export function isGranted(consent) {
  const f = consent.fields || {};
  if (typeof f.granted === "boolean") return f.granted;
  const name = Object.keys(f).find((k) => decidesConsent(consent.entity, k));
  return name ? granting(f[name]) : false;
}
// Own ops are newest and have seen every head this phone holds: their event decides.
const granting = (event) => event?.action === "grant";

const clone = (x) => (typeof structuredClone === "function" ? structuredClone(x) : JSON.parse(JSON.stringify(x)));

function describe(op, value, user) {
  return { value, op_id: op.op_id, user_id: user?.id ?? null, device_id: op.device_id, hlc: op.hlc, local: true };
}

export function applyOps(snapshot, ops, user) {
  let v = snapshot ? clone(snapshot) : null;
  if (v) {
    v.pending = 0;
    delete v.__snapshot;
  }
  for (const op of ops) {
    if (op.kind === "create") {
      if (v) continue; // the server already has it (acked, then pulled)
      const fields = clone(op.value || {});
      v = {
        entity: op.entity,
        id: op.record_id,
        fields,
        heads: Object.fromEntries(Object.keys(fields).map((k) => [k, [op.op_id]])),
        conflicts: [],
        also_edited: [],
        history: {},
        archived: false,
        flagged: false,
        created_by: user?.id ?? null,
        created_hlc: op.hlc,
        updated_hlc: op.hlc,
        pending: 0,
        local_only: true,
      };
      for (const [name, value] of Object.entries(fields)) {
        if (hasHistory(op.entity, name)) v.history[name] = [describe(op, value, user)];
        if (decidesConsent(op.entity, name)) fields.granted = granting(value);
      }
      if (APPEND_ONLY.has(op.entity)) {
        v.voided = false;
        v.original = clone(fields);
        v.amendments = [];
      }
    } else if (!v) {
      continue; // an op on a record this device does not hold (e.g. evicted)
    } else if (op.kind === "set" || op.kind === "amend") {
      v.fields[op.field] = clone(op.value);
      v.heads[op.field] = [op.op_id];
      const seen = new Set(op.seen || []);
      v.conflicts = (v.conflicts || []).filter((c) => c.field !== op.field || !c.values.every((x) => seen.has(x.op_id)));
      if (hasHistory(op.entity, op.field)) {
        v.history = v.history || {};
        v.history[op.field] = [...(v.history[op.field] || []), describe(op, op.value, user)];
      }
      if (decidesConsent(op.entity, op.field)) v.fields.granted = granting(op.value);
      // The server flags a code two live citizens share; an own new code answers the flag
      // (the server checks again when it has the change).
      if (op.field === "code" && v.derived?.duplicate_code) v.derived = { ...v.derived, duplicate_code: false };
      if (op.kind === "amend") v.amendments = [...(v.amendments || []), { field: op.field, ...describe(op, op.value, user) }];
    } else if (op.kind === "void") {
      v.voided = true;
      v.void = { reason: op.value?.reason ?? null, ...describe(op, null, user) };
    } else if (op.kind === "archive") {
      v.archived = true;
    } else if (op.kind === "unarchive") {
      v.archived = false;
    }
    v.updated_hlc = op.hlc;
    v.pending += 1;
  }
  return v;
}

const utc = (iso) => {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
};

const NO_COURSE = citizenStatus([]);

function emptyRow(id) {
  return {
    id,
    code: "",
    initials: "",
    search: "",
    archived: false,
    duplicate: false, // the server flags a code another live citizen of the municipality has
    ...courseStatus(NO_COURSE),
    last_contact: null,
    contacts: 0,
    // What is due is computed when the list is drawn (derive.due), from these: the current
    // course's start, a consent to participate, and the live responses (responseEntry).
    started_on: null,
    consent_on: null,
    forms: [],
    // The 14-day rule (derive.startWait, with started_on): the request and the end.
    requested_on: null,
    ended_on: null,
    conflicts: [],
    pending: false,
    missing: true, // children arrived before their citizen
  };
}

// The current course's dates the row keeps: enrolment (due) and the 14-day rule (startWait).
const courseDates = (course) => ({
  started_on: course?.fields.started_on ?? null,
  requested_on: course?.fields.requested_on ?? null,
  ended_on: course?.fields.ended_on ?? null,
});

/** A list row's input of derive.startWait: its course's dates as a course (null: no course). */
export const waitInputs = (row) => (row.course_id ? { fields: { requested_on: row.requested_on, started_on: row.started_on, ended_on: row.ended_on } } : null);

// The row's part of derive.citizenStatus.
const courseStatus = (s) => ({
  course_id: s.course_id,
  phase: s.phase,
  phase_date: s.phase_date,
  plan_date: s.plan_date,
  plan_missing: s.plan_missing,
  ended: s.ended,
});

function setSearch(row) {
  row.search = `${row.initials} ${row.code}`.toLowerCase();
}

/**
 * Update a list row incrementally from one record view; false = recompute the row from
 * all the citizen's views (which course is current can depend on the others).
 */
export function updateSummary(summary, v) {
  const cid = v.entity === "citizen" ? v.id : v.fields.citizen_id;
  if (!cid) return true;
  const row = { ...(summary.get(cid) || emptyRow(cid)) };
  row.conflicts = row.conflicts.filter((id) => id !== v.id);
  if (v.conflicts && v.conflicts.length) row.conflicts.push(v.id);
  if (v.pending) row.pending = true;
  if (v.entity === "citizen") {
    row.code = v.fields.code || "";
    row.initials = v.fields.initials || "";
    row.archived = !!v.archived;
    row.duplicate = !!v.derived?.duplicate_code;
    row.missing = false;
    setSearch(row);
  } else if (v.entity === "course") {
    if (v.id !== row.course_id) {
      if (!v.archived && row.course_id) return false; // which one is current: see all courses
      // An archived course never counts; a live one with no other live course is current.
      if (!v.archived) Object.assign(row, courseStatus(citizenStatus([v])), courseDates(v));
    } else {
      // Still current unless it was archived or has just ended (an open one may take over).
      if (v.archived || (v.fields.ended_on && !row.ended)) return false;
      if (row.ended) return false; // the follow-up (end reason, date) may change: see it all
      Object.assign(row, courseStatus(citizenStatus([v])), courseDates(v));
    }
  } else if (v.entity === "consent") {
    if (v.fields.purpose === SCHEMA.derive.enrolment_consent) return false; // enrolment may change: see all consents
    if (v.fields.purpose === SCHEMA.derive.follow_up.consent) return false; // so may the follow-up
  } else if (v.entity === "form_response") {
    if (v.voided || v.archived || v.fields.form === SCHEMA.derive.follow_up.form) return false;
    const entry = responseEntry(v);
    row.forms = [...row.forms.filter((f) => f[2] !== entry[2]), entry];
  } else if (v.entity === "contact") {
    if (v.voided) return false;
    const at = utc(v.fields.occurred_at);
    if (at && (!row.last_contact || at > row.last_contact)) row.last_contact = at;
    row.contacts += 1;
  }
  summary.set(cid, row);
  return true;
}

// A live response in the list row, kept small (10,000 citizens × a dozen responses): [the
// form's index in SCHEMA.forms, its round (or, without one, the date it was filled: the due
// rule takes the round of that date), the first 8 characters of its id (to replace it when
// a pull brings it again)].
const FORM_CODES = Object.keys(SCHEMA.forms);
const responseEntry = (v) => [FORM_CODES.indexOf(v.fields.form), v.fields.round ?? v.fields.filled_on ?? null, v.id.slice(0, 8)];

/** A list row's parts of derive.due: {status, responses} (its enrolment is derive.enrolledOn over the row's parts). */
export function dueInputs(row) {
  const enrolled = [row.started_on, row.consent_on].filter(Boolean).sort()[0] ?? null;
  return {
    status: { enrolled_on: enrolled, ended: !!row.ended, archived: !!row.archived, follow_up: row.follow_up ?? null },
    responses: (row.forms || []).map(([form, when, id]) => ({
      id,
      fields: typeof when === "number" ? { form: FORM_CODES[form], round: when } : { form: FORM_CODES[form], filled_on: when },
    })),
  };
}

/** The list row of one citizen from all its views (null when the citizen is gone). */
export function summarize(cid, views) {
  const citizen = views.find((v) => v.entity === "citizen");
  if (!citizen) return null;
  const summary = new Map();
  updateSummary(summary, citizen);
  const row = summary.get(cid);
  const courses = views.filter((v) => v.entity === "course");
  Object.assign(row, courseStatus(citizenStatus(courses)));
  Object.assign(row, courseDates(currentCourse(courses)));
  row.consent_on = enrolledOn([], views.filter((v) => v.entity === "consent"));
  row.forms = views.filter((v) => v.entity === "form_response" && !v.voided && !v.archived).map(responseEntry);
  // The follow-up after a completed course, for the list's due tags (derive.followUp).
  row.follow_up = followUp(courses, views.filter((v) => v.entity === "consent"), views.filter((v) => v.entity === "form_response"));
  for (const v of views) {
    if (v.conflicts && v.conflicts.length) row.conflicts.push(v.id);
    if (v.pending) row.pending = true;
    if (v.entity === "contact" && !v.voided) {
      const at = utc(v.fields.occurred_at);
      if (at && (!row.last_contact || at > row.last_contact)) row.last_contact = at;
      row.contacts += 1;
    }
  }
  row.conflicts = [...new Set(row.conflicts)];
  return row;
}

// ---------------------------------------------------------------- the stored list
// The list is stored as rows of arrays (no repeated keys): 10,000 citizens parse in a
// fraction of the time objects take. `search` is derived on load. A list stored in another
// format (an older app) is not read: the store rebuilds it from the records.
export const SUMMARY_VERSION = 6; // 6: the follow-up fact (follow_up)
const ROW_FIELDS = [
  "id", "code", "initials", "archived", "duplicate", "phase", "phase_date", "plan_date", "plan_missing", "ended",
  "course_id", "last_contact", "contacts", "conflicts", "pending", "missing", "started_on", "consent_on", "forms",
  "requested_on", "ended_on", "follow_up",
];

export function packSummary(summary) {
  const rows = [];
  for (const row of summary.values()) rows.push(ROW_FIELDS.map((f) => row[f]));
  return { v: SUMMARY_VERSION, rows };
}

/** The list from its stored form, or null when it was stored in another format. */
export function unpackSummary(data) {
  if (!data || Array.isArray(data) || data.v !== SUMMARY_VERSION || !Array.isArray(data.rows)) return null;
  const map = new Map();
  const n = ROW_FIELDS.length;
  for (const values of data.rows) {
    const row = {};
    for (let i = 0; i < n; i++) row[ROW_FIELDS[i]] = values[i];
    setSearch(row);
    map.set(row.id, row);
  }
  return map;
}
