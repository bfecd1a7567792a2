// views.js: local views and list rows take their rules from the schema and derive.js.
import { test } from "node:test";
import assert from "node:assert/strict";
import { applyOps, summarize, updateSummary, packSummary, unpackSummary, isGranted, SUMMARY_VERSION } from "../src/views.js";

const hlc = (n) => `${String(1790000000000 + n).padStart(13, "0")}:00000:dev`;
const citizen = { id: "c1", entity: "citizen", fields: { code: "BRO-AAAA", initials: "AB" }, heads: {}, conflicts: [], history: {}, created_hlc: hlc(0) };
const course = (id, n, fields) => ({ id, entity: "course", created_hlc: hlc(n), archived: false, fields: { citizen_id: "c1", ...fields }, heads: {}, conflicts: [], history: {} });

test("the list row follows derive.citizenStatus: an ended newer course does not hide the open one", () => {
  const open = course("k1", 1, { phase: { phase: "phase_2", date: "2026-03-01" }, plan_date: "2026-03-02" });
  const ended = course("k2", 2, { phase: { phase: "phase_3", date: "2026-04-01" }, ended_on: "2026-05-01" });
  const row = summarize("c1", [citizen, open, ended]);
  assert.equal(row.course_id, "k1");
  assert.equal(row.phase, "phase_2");
  assert.equal(row.ended, false);
});

test("plan_missing on the row for phase 2 without a plan date", () => {
  const row = summarize("c1", [citizen, course("k1", 1, { phase: { phase: "phase_2", date: "2026-03-01" } })]);
  assert.equal(row.plan_missing, true);
});

test("updateSummary asks for a recompute when the current course ends", () => {
  const open = course("k1", 1, { phase: { phase: "phase_1", date: "2026-03-01" } });
  const summary = new Map([["c1", summarize("c1", [citizen, open])]]);
  assert.equal(updateSummary(summary, { ...open, fields: { ...open.fields, ended_on: "2026-06-01" } }), false);
  assert.equal(updateSummary(summary, course("k9", 9, {})), false, "another live course: which is current needs all");
  assert.equal(updateSummary(summary, { ...course("k8", 8, {}), archived: true }), true, "an archived course never counts");
});

test("the server's duplicate_code flag shows on the row; an own new code answers it", () => {
  const flagged = { ...citizen, derived: { duplicate_code: true } };
  assert.equal(summarize("c1", [flagged]).duplicate, true);
  const op = { op_id: "o1", entity: "citizen", record_id: "c1", kind: "set", field: "code", value: "BRO-BBBB", hlc: hlc(5), seen: [] };
  const v = applyOps(flagged, [op], null);
  assert.equal(v.fields.code, "BRO-BBBB");
  assert.equal(summarize("c1", [v]).duplicate, false);
});

test("history and granted follow the merge rules of the schema", () => {
  const create = { op_id: "o1", entity: "consent", record_id: "s1", kind: "create", hlc: hlc(1), value: { citizen_id: "c1", purpose: "participation", recipient_org_id: "x", state: { action: "grant", form: "oral", given_by: "citizen", date: "2026-01-01" } } };
  let v = applyOps(null, [create], null);
  assert.equal(v.history.state.length, 1);
  assert.equal(isGranted(v), true);
  v = applyOps(null, [create, { ...create, op_id: "o2", kind: "set", field: "state", value: { ...create.value.state, action: "withdraw" } }], null);
  assert.equal(v.history.state.length, 2);
  assert.equal(isGranted(v), false);
  const contact = applyOps(null, [{ op_id: "o3", entity: "contact", record_id: "t1", kind: "create", hlc: hlc(2), value: { citizen_id: "c1", kind: "contact", occurred_at: "2026-01-01T10:00:00+01:00" } }], null);
  assert.equal(contact.voided, false, "append-only entities (schema) get voided/original/amendments");
  assert.deepEqual(contact.amendments, []);
  const phase = applyOps(course("k1", 1, {}), [{ op_id: "o4", entity: "course", record_id: "k1", kind: "set", field: "end_reason", value: "no_contact", hlc: hlc(3), seen: [] }], null);
  assert.equal(phase.history.end_reason.length, 1, "every multi field keeps a history");
});

test("a stored list of another format is not read (the store rebuilds it)", () => {
  const summary = new Map([["c1", summarize("c1", [citizen])]]);
  const packed = packSummary(summary);
  assert.equal(packed.v, SUMMARY_VERSION);
  const back = unpackSummary(packed);
  assert.deepEqual(back.get("c1"), summary.get("c1"));
  assert.equal(unpackSummary({ v: 2, rows: [["c1", "BRO-AAAA", "AB", false, null]] }), null);
  assert.equal(unpackSummary([["c1", {}]]), null, "v1: [id, row] entries");
  assert.equal(unpackSummary(null), null);
});

// What is due is computed from the row when the list is drawn (derive.due); the row keeps its inputs.
import { dueInputs } from "../src/views.js";
import { due, DEFAULT_SCHEDULE } from "../src/derive.js";
import { SCHEMA } from "../src/gen/schema.js";

const response = (id, form, filled_on, round, extra = {}) => ({ id, entity: "form_response", created_hlc: hlc(5), fields: { citizen_id: "c1", form, filled_on, round, answers: {} }, heads: {}, conflicts: [], history: {}, ...extra });
const participation = (day) => ({ id: "x1", entity: "consent", fields: { citizen_id: "c1", purpose: "participation", recipient_org_id: "o", granted: true, state: { action: "grant", form: "oral", given_by: "citizen", date: day } }, heads: {}, conflicts: [], history: {} });

test("a row keeps enrolment and live responses; due is derived from them when drawn", () => {
  const k = course("k1", 1, { phase: { phase: "phase_2", date: "2026-03-01" }, started_on: "2026-03-04" });
  const row = summarize("c1", [citizen, k, participation("2026-02-01"), response("r1", "kontakt_start", "2026-02-03", 1), response("r2", "progression", "2026-02-05", 1, { voided: true })]);
  const { status, responses } = dueInputs(row);
  assert.deepEqual(status, { enrolled_on: "2026-02-01", ended: false, archived: false, follow_up: { reason: "not_ended", ended_on: null, rounds: [] } });
  assert.deepEqual(responses, [{ id: "r1", fields: { form: "kontakt_start", round: 1 } }]);
  const items = due(status, responses, DEFAULT_SCHEDULE, "2026-02-10");
  assert.deepEqual(items.map((d) => d.form), ["kontakt_loebende", "progression"]);
  assert.deepEqual(unpackSummary(packSummary(new Map([["c1", row]]))).get("c1").forms, row.forms);
});

test("updateSummary adds a response incrementally; a void or a participation consent recomputes", () => {
  const summary = new Map([["c1", summarize("c1", [citizen])]]);
  assert.equal(updateSummary(summary, response("r1", "progression", "2026-02-05", 1)), true);
  const progression = Object.keys(SCHEMA.forms).indexOf("progression");
  assert.deepEqual(summary.get("c1").forms, [[progression, 1, "r1"]]);
  assert.equal(updateSummary(summary, response("r1", "progression", "2026-02-05", 2)), true);
  assert.deepEqual(summary.get("c1").forms, [[progression, 2, "r1"]], "an amended round replaces the entry");
  assert.equal(updateSummary(summary, response("r2", "kontakt_loebende", "2026-02-06", null)), true);
  assert.deepEqual(dueInputs(summary.get("c1")).responses[1], { id: "r2", fields: { form: "kontakt_loebende", filled_on: "2026-02-06" } }, "no round: the date");
  assert.equal(updateSummary(summary, response("r1", "progression", "2026-02-05", 2, { voided: true })), false);
  assert.equal(updateSummary(summary, participation("2026-01-01")), false);
  const k = course("k1", 1, { phase: { phase: "phase_2", date: "2026-03-01" }, started_on: "2026-03-04" });
  assert.equal(updateSummary(summary, k), true);
  assert.equal(summary.get("c1").started_on, "2026-03-04");
});
