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

/** Where a lead is in the pipeline, in the volunteer's terms (SCHEMA.lists.LEAD_STAGES). */
export function leadStage(lead) {
  if (lead.archived) return "closed";
  const outcome = fieldsOf(lead).outcome;
  const key = outcome === null || outcome === undefined ? "null" : String(outcome);
  return Object.prototype.hasOwnProperty.call(STAGE_OF_OUTCOME, key) ? STAGE_OF_OUTCOME[key] : "received";
}

/** Whether a phase asks for a behandlingsplan (its date marks the start of phase 2). */
export const needsPlan = (phase) => PLAN_PHASES.has(phase);
