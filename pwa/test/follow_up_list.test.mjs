// The list row of an ended course carries the follow-up (derive.followUp), so the list's due
// tags show it like the citizen page; a change that may move it recomputes the row.
import { test } from "node:test";
import assert from "node:assert/strict";
import { summarize, updateSummary, packSummary, unpackSummary, dueInputs } from "../src/views.js";
import { DEFAULT_SCHEDULE, due } from "../src/derive.js";

const hlc = (n) => `${String(1790000000000 + n).padStart(13, "0")}:00000:dev`;
const base = { heads: {}, conflicts: [], history: {} };
const citizen = { ...base, id: "c1", entity: "citizen", fields: { code: "BRO-AAAA", initials: "AB" }, created_hlc: hlc(0) };
const ended = { ...base, id: "k1", entity: "course", created_hlc: hlc(1), archived: false, fields: {
  citizen_id: "c1", started_on: "2026-01-05", phase: { phase: "phase_3", date: "2026-02-01" }, ended_on: "2026-03-31", end_reason: "drug_free_or_reduced" } };
const consent = { ...base, id: "s1", entity: "consent", created_hlc: hlc(2), fields: {
  citizen_id: "c1", purpose: "follow_up", recipient_org_id: "o1", granted: true, state: { action: "grant", form: "oral", given_by: "citizen", date: "2026-03-31" } } };
const followUp = (round) => ({ ...base, id: `r${round}0000000`, entity: "form_response", created_hlc: hlc(3), fields: {
  citizen_id: "c1", form: "opfoelgning", version: 1, round, filled_on: "2026-04-28", answers: { reached: "no" } } });

const dueOf = (row, day) => {
  const { status, responses } = dueInputs(row);
  return due(status, responses, DEFAULT_SCHEDULE, day);
};

test("a completed course with consent: the stored row has the follow-up due", () => {
  const row = unpackSummary(packSummary(new Map([["c1", summarize("c1", [citizen, ended, consent])]]))).get("c1");
  assert.deepEqual(dueOf(row, "2026-05-01"), [{ form: "opfoelgning", round: 1, due_on: "2026-04-30", overdue: true }]);
  assert.deepEqual(dueOf(summarize("c1", [citizen, ended, consent, followUp(1)]), "2026-05-01"), []);
  assert.deepEqual(dueOf(summarize("c1", [citizen, ended]), "2026-05-01"), [], "no consent: nothing");
});

test("a follow-up consent, a follow-up response or a change to an ended course recomputes the row", () => {
  const summary = new Map([["c1", summarize("c1", [citizen, ended])]]);
  assert.equal(updateSummary(summary, consent), false);
  assert.equal(updateSummary(summary, followUp(1)), false);
  assert.equal(updateSummary(summary, { ...ended, fields: { ...ended.fields, end_reason: "no_contact" } }), false);
});
