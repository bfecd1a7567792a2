// The shared vectors of tests/vectors/derive.json against pwa/src/derive.js (the same file
// runs against sync/derive.py in tests/vectors/test_derive_vectors.py). `node --test pwa/test/`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { citizenStatus, currentCourse, due, enrolledOn, followUp, leadAgeDays, leadStage, loebendePrefill, occasions, startWait } from "../src/derive.js";

const VECTORS = JSON.parse(readFileSync(new URL("../../tests/vectors/derive.json", import.meta.url), "utf8"));

test("the vector file has cases", () => {
  assert.ok(VECTORS.citizen_status.length > 0);
  assert.ok(VECTORS.lead_stage.length > 0);
  for (const name of ["due", "follow_up", "enrolled_on", "occasions", "loebende_prefill", "start_wait"]) assert.ok(VECTORS[name].length > 0, name);
});

for (const c of VECTORS.citizen_status) {
  test(`citizen_status: ${c.name}`, () => {
    assert.deepStrictEqual(citizenStatus(c.courses), c.expected);
    assert.equal(currentCourse(c.courses)?.id ?? null, c.expected.course_id);
  });
}

for (const c of VECTORS.start_wait) {
  test(`start_wait: ${c.name}`, () => {
    assert.deepStrictEqual(startWait(c.course, c.today), c.expected);
  });
}

for (const c of VECTORS.lead_stage) {
  test(`lead_stage: ${c.name}`, () => {
    assert.equal(leadStage(c.lead, c.attempts || []), c.expected);
  });
}

for (const c of VECTORS.lead_age_days) {
  test(`lead_age_days: ${c.name}`, () => {
    assert.equal(leadAgeDays(c.lead, c.today), c.expected);
  });
}

for (const c of VECTORS.due) {
  test(`due: ${c.name}`, () => {
    assert.deepStrictEqual(due(c.status, c.responses, c.schedule, c.today), c.expected);
  });
}

for (const c of VECTORS.follow_up) {
  test(`follow_up: ${c.name}`, () => {
    const fact = followUp(c.courses, c.consents, c.responses);
    assert.deepStrictEqual(fact, c.expected.follow_up);
    const status = { ...citizenStatus(c.courses), enrolled_on: enrolledOn(c.courses, c.consents), archived: false, follow_up: fact };
    assert.deepStrictEqual(due(status, c.responses, c.schedule, c.today), c.expected.due);
  });
}

for (const c of VECTORS.enrolled_on) {
  test(`enrolled_on: ${c.name}`, () => {
    assert.equal(enrolledOn(c.courses, c.consents), c.expected);
  });
}

for (const c of VECTORS.occasions) {
  test(`occasions: ${c.name}`, () => {
    assert.deepStrictEqual(occasions(c.responses), c.expected);
  });
}

for (const c of VECTORS.loebende_prefill) {
  test(`loebende_prefill: ${c.name}`, () => {
    assert.deepStrictEqual(loebendePrefill(c.contacts, c.status, c.since, c.until), c.expected);
  });
}
