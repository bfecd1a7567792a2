// The 14-day flag on "Mine borgere": a list row keeps its course's request, start and end,
// and derive.startWait on them gives what the citizen page gives on the course itself.
import { test } from "node:test";
import assert from "node:assert/strict";
import { summarize, updateSummary, packSummary, unpackSummary, waitInputs } from "../src/views.js";
import { startWait, currentCourse } from "../src/derive.js";

const hlc = (n) => `${String(1790000000000 + n).padStart(13, "0")}:00000:dev`;
const citizen = { id: "c1", entity: "citizen", fields: { code: "BRO-AAAA", initials: "AB" }, heads: {}, conflicts: [], history: {}, created_hlc: hlc(0) };
const course = (id, n, fields) => ({ id, entity: "course", created_hlc: hlc(n), archived: false, fields: { citizen_id: "c1", ...fields }, heads: {}, conflicts: [], history: {} });
const TODAY = "2026-11-30";

test("a row's wait is the course's wait: waiting, over the limit, started late, ended without a start", () => {
  const cases = [
    { requested_on: "2026-11-25" },
    { requested_on: "2026-11-10" },
    { requested_on: "2026-11-01", started_on: "2026-11-19" },
    { requested_on: "2026-11-01", started_on: "2026-11-10" },
    { requested_on: "2026-10-01", ended_on: "2026-10-30" },
    {},
  ];
  for (const fields of cases) {
    const views = [citizen, course("k1", 1, { phase: { phase: "waiting_list", date: "2026-10-01" }, ...fields })];
    const row = unpackSummary(packSummary(new Map([["c1", summarize("c1", views)]]))).get("c1"); // as stored
    assert.deepEqual(startWait(waitInputs(row), TODAY), startWait(currentCourse(views.slice(1)), TODAY), JSON.stringify(fields));
  }
  assert.deepEqual(startWait(waitInputs(summarize("c1", [citizen, course("k1", 1, { requested_on: "2026-11-10" })])), TODAY), { requested_on: "2026-11-10", days: 20, waiting: true, over_limit: true });
  assert.equal(waitInputs(summarize("c1", [citizen])), null, "no course: nothing to flag");
});

test("updateSummary follows a request date and a start on the current course", () => {
  const k = course("k1", 1, { phase: { phase: "phase_1", date: "2026-11-01" } });
  const summary = new Map([["c1", summarize("c1", [citizen, k])]]);
  assert.equal(startWait(waitInputs(summary.get("c1")), TODAY).requested_on, null);
  assert.equal(updateSummary(summary, { ...k, fields: { ...k.fields, requested_on: "2026-11-02" } }), true);
  assert.deepEqual(startWait(waitInputs(summary.get("c1")), TODAY), { requested_on: "2026-11-02", days: 28, waiting: true, over_limit: true });
  assert.equal(updateSummary(summary, { ...k, fields: { ...k.fields, requested_on: "2026-11-02", started_on: "2026-11-12" } }), true);
  assert.deepEqual(startWait(waitInputs(summary.get("c1")), TODAY), { requested_on: "2026-11-02", days: 10, waiting: false, over_limit: false });
});
