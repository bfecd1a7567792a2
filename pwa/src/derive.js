// Facts derived from merged records, by the same rules as sync/derive.py: the server
// projects them for the office, the phone computes them from its local views. The shared
// vectors tests/vectors/derive.json run against both (pwa/test/derive.test.mjs here,
// tests/vectors/test_derive_vectors.py there), so the two cannot drift.
//
// Inputs are record states as the server merges them, or local views (same shape):
// {id, fields, archived, created_hlc, ...}. Pure: no DOM, no store.
import { SCHEMA } from "./gen/schema.js";

const PLAN_PHASES = new Set(SCHEMA.derive.plan_phases);
const STAGE_OF_OUTCOME = SCHEMA.derive.lead_stage_of_outcome; // JSON keys: "not set" is "null"

const isObject = (x) => x !== null && typeof x === "object" && !Array.isArray(x);
const fieldsOf = (state) => state.fields || {};

// The newest state by (created_hlc, id), like Python's max(): the first of equals wins.
function newest(states) {
  let best = null;
  for (const s of states) {
    if (best === null) {
      best = s;
      continue;
    }
    const a = s.created_hlc || "";
    const b = best.created_hlc || "";
    if (a > b || (a === b && s.id > best.id)) best = s;
  }
  return best;
}

/**
 * The course a citizen is in now: the newest open course (neither archived nor ended);
 * when every course has ended, the newest ended one. An archived course never counts
 * (archive is how a course is deleted).
 */
export function currentCourse(courses) {
  const live = [...courses].filter((c) => !c.archived);
  if (!live.length) return null;
  const open = live.filter((c) => !fieldsOf(c).ended_on);
  return newest(open.length ? open : live);
}

/** What the list, the citizen page and the register show about a citizen's course. */
export function citizenStatus(courses) {
  const course = currentCourse(courses);
  if (course === null) {
    return { course_id: null, phase: null, phase_date: null, plan_date: null, plan_missing: false, ended: false, ended_on: null };
  }
  const fields = fieldsOf(course);
  const event = isObject(fields.phase) ? fields.phase : {};
  const phase = event.phase ?? null;
  const endedOn = fields.ended_on ?? null;
  return {
    course_id: course.id,
    phase,
    phase_date: event.date ?? null,
    plan_date: fields.plan_date ?? null,
    plan_missing: PLAN_PHASES.has(phase) && !fields.plan_date && !endedOn,
    ended: !!endedOn,
    ended_on: endedOn,
  };
}

const START_WITHIN_DAYS = SCHEMA.derive.start_within_days;
const dayDiff = (from, to) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86400000);

/**
 * The 14-day rule (serviceloven): treatment starts within START_WITHIN_DAYS of the day the
 * citizen asked for it (the course's requested_on). The wait runs until the start, else
 * until the course ended, else until today (still waiting).
 */
export function startWait(course, today) {
  const fields = course ? fieldsOf(course) : {};
  const requested = fields.requested_on ?? null;
  if (!requested) return { requested_on: null, days: null, waiting: false, over_limit: false };
  const until = fields.started_on || fields.ended_on || null;
  const days = Math.max(0, dayDiff(requested, until || today));
  return { requested_on: requested, days, waiting: until === null, over_limit: days > START_WITHIN_DAYS };
}

const LEAD_LINKS = new Set(SCHEMA.derive.lead_links);
const REACHED = new Set(SCHEMA.derive.lead_attempt_reached);
const STAGE_ORDER = ["received", "claimed", "in_contact"];

/**
 * Where a lead is in the pipeline, in the volunteer's terms (SCHEMA.lists.LEAD_STAGES), from
 * the lead and its contact attempts (lead_attempt views): closed when archived or closed,
 * in contact when linked (a link among conflicting resolutions counts), else the furthest
 * of claimed (a claim or an attempt), in contact (an attempt that reached the person) and
 * what an older app's `outcome` says (a closing outcome closes).
 */
export function leadStage(lead, attempts = []) {
  if (lead.archived) return "closed";
  const fields = fieldsOf(lead);
  const resolutions = new Set();
  for (const c of lead.conflicts || []) if (c.field === "resolution") for (const v of c.values || []) if (v.value != null) resolutions.add(v.value);
  if (fields.resolution != null) resolutions.add(fields.resolution);
  if ([...resolutions].some((r) => LEAD_LINKS.has(r))) return "in_contact";
  if (resolutions.size) return "closed";
  const outcome = fields.outcome;
  const key = outcome === null || outcome === undefined ? "null" : String(outcome);
  const legacy = Object.prototype.hasOwnProperty.call(STAGE_OF_OUTCOME, key) ? STAGE_OF_OUTCOME[key] : "received";
  if (legacy === "closed") return "closed";
  const tried = [...attempts].filter((a) => !a.voided && !a.archived && fieldsOf(a).lead_id === lead.id);
  let stage = STAGE_ORDER.indexOf(legacy);
  if (fields.claimed_by || tried.length) stage = Math.max(stage, 1);
  if (tried.some((a) => REACHED.has(fieldsOf(a).result))) stage = 2;
  return STAGE_ORDER[stage];
}

/** How many days ago the person was seen (the lead's `seen_on`), never below 0. */
export function leadAgeDays(lead, today) {
  const seen = fieldsOf(lead).seen_on;
  if (!seen) return 0;
  return Math.max(0, Math.round((Date.parse(`${today}T00:00:00Z`) - Date.parse(`${seen}T00:00:00Z`)) / 86400000));
}

/** Whether a phase asks for a behandlingsplan (its date marks the start of phase 2). */
export const needsPlan = (phase) => PLAN_PHASES.has(phase);

// ---------------------------------------------------------------- forms
// Occasions, enrolment, rounds, what is due and the pre-filled kontaktskema løbende: the
// rules of sync/derive.py, on the tables of SCHEMA.derive (schemas/schedule.py and
// schemas/forms/kontakt_loebende.py). Vectors: the sections due, enrolled_on, occasions
// and loebende_prefill of tests/vectors/derive.json.
const CADENCE = SCHEMA.derive.cadence_of_form;
const MAX_OCCASIONS = SCHEMA.derive.max_occasions_of_form;
const ONCE = SCHEMA.derive.once_form;
const ENROLMENT_CONSENT = SCHEMA.derive.enrolment_consent;
const FOLLOW_UP = SCHEMA.derive.follow_up;
const COMPLETED = new Set(FOLLOW_UP.completed_end_reasons);
const PREFILL = SCHEMA.derive.loebende_prefill;
export const DEFAULT_SCHEDULE = SCHEMA.derive.schedule_default;

const live = (states) => [...states].filter((s) => !s.voided && !s.archived);
const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

/** Each live response's occasion ("besvarelse k"): the citizen's k-th live response of that
 * form, in the order filled_on, created_hlc, id. {id: k}. */
export function occasions(responses) {
  const byForm = new Map();
  for (const s of live(responses)) {
    const form = fieldsOf(s).form;
    if (!byForm.has(form)) byForm.set(form, []);
    byForm.get(form).push(s);
  }
  const out = {};
  for (const states of byForm.values()) {
    const key = (s) => [fieldsOf(s).filled_on || "", s.created_hlc || "", s.id];
    states.sort((a, b) => {
      const [x, y] = [key(a), key(b)];
      return cmp(x[0], y[0]) || cmp(x[1], y[1]) || cmp(x[2], y[2]);
    });
    states.forEach((s, i) => (out[s.id] = i + 1));
  }
  return out;
}

/** When the citizen joined: the earliest of the current course's start and the date of a
 * live consent to participate. */
export function enrolledOn(courses, consents) {
  const dates = [];
  const course = currentCourse(courses);
  if (course && fieldsOf(course).started_on) dates.push(fieldsOf(course).started_on);
  for (const c of live(consents)) {
    const f = fieldsOf(c);
    const state = isObject(f.state) ? f.state : {};
    if (f.purpose === ENROLMENT_CONSENT && f.granted === true && state.date) dates.push(state.date);
  }
  return dates.length ? dates.sort()[0] : null;
}

const month = (day) => Number(day.slice(0, 4)) * 12 + Number(day.slice(5, 7)) - 1;
const pad2 = (n) => String(n).padStart(2, "0");
const isoDay = (y, m, d) => `${String(y).padStart(4, "0")}-${pad2(m)}-${pad2(d)}`;

/** The schedule's round (calendar period) a day falls in, for this form (kontaktskema start:
 * 1); null before the schedule starts. */
export function roundOf(schedule, form, day) {
  if (form === ONCE) return 1;
  if (form === FOLLOW_UP.form) return null; // no calendar rounds: set when filled
  const since = month(day) - month(schedule.starts_on);
  return since < 0 ? null : Math.floor(since / schedule[CADENCE[form]]) + 1;
}

/** The last day of a round of a periodic form. */
export function roundEnd(schedule, form, number) {
  const last = month(schedule.starts_on) + number * schedule[CADENCE[form]] - 1;
  const y = Math.floor(last / 12);
  const m = (last % 12) + 1;
  return isoDay(y, m, new Date(Date.UTC(y, m, 0)).getUTCDate());
}

export function roundStart(schedule, form, number) {
  const first = month(schedule.starts_on) + (number - 1) * schedule[CADENCE[form]];
  return isoDay(Math.floor(first / 12), (first % 12) + 1, 1);
}

function roundAnswered(schedule, response) {
  const f = fieldsOf(response);
  if (Number.isInteger(f.round)) return f.round;
  return f.filled_on ? roundOf(schedule, f.form, f.filled_on) : null;
}

const addDays = (day, n) => {
  const t = new Date(`${day}T00:00:00Z`);
  t.setUTCDate(t.getUTCDate() + n);
  return t.toISOString().slice(0, 10);
};
const daysBetween = (a, b) => Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86400000);

/** The same day `months` later; past the end of a shorter month, its last day. */
export function addMonths(day, months) {
  const m = month(day) + months;
  const y = Math.floor(m / 12);
  const last = new Date(Date.UTC(y, (m % 12) + 1, 0)).getUTCDate();
  return isoDay(y, (m % 12) + 1, Math.min(Number(day.slice(8, 10)), last));
}

/**
 * The follow-up after a completed course (sync/derive.py `follow_up`): {reason, ended_on,
 * rounds: [{round, due_on}]} with the rounds still open; reason "not_ended", "interrupted",
 * "no_consent", "done", else null.
 */
export function followUp(courses, consents, responses) {
  const course = currentCourse(courses);
  const f = course ? fieldsOf(course) : {};
  const endedOn = f.ended_on ?? null;
  const out = { reason: null, ended_on: endedOn, rounds: [] };
  if (!endedOn) return { ...out, reason: "not_ended" };
  if (!COMPLETED.has(f.end_reason)) return { ...out, reason: "interrupted" };
  if (!live(consents).some((c) => fieldsOf(c).purpose === FOLLOW_UP.consent && fieldsOf(c).granted === true)) return { ...out, reason: "no_consent" };
  const answered = new Set(live(responses).filter((r) => fieldsOf(r).form === FOLLOW_UP.form).map((r) => fieldsOf(r).round));
  const rounds = FOLLOW_UP.months.map((n, i) => ({ round: i + 1, due_on: addMonths(endedOn, n) })).filter((r) => !answered.has(r.round));
  return { ...out, rounds, reason: rounds.length ? null : "done" };
}

function followUpsDue(fact, today) {
  return ((fact && fact.rounds) || [])
    .filter((r) => today >= addDays(r.due_on, -FOLLOW_UP.listed_days))
    .map((r) => ({ form: FOLLOW_UP.form, round: r.round, due_on: r.due_on, overdue: today > r.due_on }));
}

/**
 * What is due for one citizen today: [{form, round, due_on, overdue}] (sync/derive.py `due`).
 * `status`: {enrolled_on, ended, archived, follow_up}. Computed each time a list is drawn;
 * never stored. An ended course has only its follow-ups (followUp) due.
 */
export function due(status, responses, schedule, today) {
  if (status.archived) return [];
  if (status.ended) return followUpsDue(status.follow_up, today);
  const enrolled = status.enrolled_on;
  if (!enrolled || enrolled > today) return [];
  const byForm = new Map();
  for (const r of live(responses)) {
    const form = fieldsOf(r).form;
    if (!byForm.has(form)) byForm.set(form, []);
    byForm.get(form).push(r);
  }
  const out = [];
  if (!byForm.get(ONCE)?.length) {
    const dueOn = addDays(enrolled, schedule.start_within_days);
    out.push({ form: ONCE, round: 1, due_on: dueOn, overdue: today > dueOn });
  }
  for (const form of Object.keys(CADENCE)) {
    const current = roundOf(schedule, form, today);
    const given = byForm.get(form) || [];
    const left = form in MAX_OCCASIONS ? schedule[MAX_OCCASIONS[form]] - given.length : null;
    const answered = new Set(given.map((r) => roundAnswered(schedule, r)));
    if (current === null || answered.has(current) || (left !== null && left <= 0)) continue;
    const entries = [];
    const previous = current - 1;
    if (previous >= 1 && !answered.has(previous) && enrolled <= roundEnd(schedule, form, previous)) {
      entries.push({ form, round: previous, due_on: roundEnd(schedule, form, previous), overdue: true });
    }
    entries.push({ form, round: current, due_on: roundEnd(schedule, form, current), overdue: false });
    out.push(...(left !== null ? entries.slice(-left) : entries));
  }
  return out;
}

/** How often, in the six categories of kontaktskema løbende, from a count in a period. */
export function frequency(count, days) {
  if (count <= 0) return PREFILL.frequency_none;
  for (const [code, halfDays] of PREFILL.frequency_limits_half_days) if (2 * days < halfDays * count) return code;
  return PREFILL.frequency_rarest;
}

/** What kontaktskema løbende is pre-filled with from the contacts of the period since..until
 * (dates, both included): the behandler confirms or corrects each (sync/derive.py; outside
 * hours and practical help feed no item of the form). */
export function loebendePrefill(contacts, status, since, until) {
  const inside = live(contacts).filter((c) => {
    const day = (fieldsOf(c).occurred_at || "").slice(0, 10);
    return since <= day && day <= until;
  });
  const made = inside.filter((c) => fieldsOf(c).kind === "contact");
  const days = Math.max(PREFILL.min_period_days, daysBetween(since, until) + 1);
  return {
    phase: PREFILL.phases.includes(status.phase) ? status.phase : null,
    main_place: mainPlace(made.length ? made : inside),
    attempt_frequency: frequency(inside.length, days),
    contact_frequency: frequency(made.length, days),
    plan_made: status.plan_date ? "yes" : "no",
  };
}

function mainPlace(contacts) {
  const counts = new Map();
  for (const c of contacts) {
    const f = fieldsOf(c);
    // A joint call (the citizen beside the behandler) happens where the two of them are.
    const remote = f.channel && !PREFILL.in_person_channels.includes(f.channel) && !f.joint_call;
    const place = remote ? PREFILL.remote_place : PREFILL.main_place_of_contact_place[f.place];
    if (place) counts.set(place, (counts.get(place) || 0) + 1);
  }
  let best = null;
  for (const place of PREFILL.main_places) {
    if (counts.has(place) && (best === null || counts.get(place) > counts.get(best))) best = place; // ties: the earlier option
  }
  return best;
}
