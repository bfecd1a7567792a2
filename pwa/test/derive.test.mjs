// The shared vectors of tests/vectors/derive.json against pwa/src/derive.js (the same file
// runs against sync/derive.py in tests/vectors/test_derive_vectors.py). `node --test pwa/test/`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { citizenStatus, currentCourse, leadStage } from "../src/derive.js";

const VECTORS = JSON.parse(readFileSync(new URL("../../tests/vectors/derive.json", import.meta.url), "utf8"));

test("the vector file has cases", () => {
  assert.ok(VECTORS.citizen_status.length > 0);
  assert.ok(VECTORS.lead_stage.length > 0);
});

for (const c of VECTORS.citizen_status) {
  test(`citizen_status: ${c.name}`, () => {
    assert.deepStrictEqual(citizenStatus(c.courses), c.expected);
    assert.equal(currentCourse(c.courses)?.id ?? null, c.expected.course_id);
  });
}

for (const c of VECTORS.lead_stage) {
  test(`lead_stage: ${c.name}`, () => {
    assert.equal(leadStage(c.lead), c.expected);
  });
}
