// The shared vectors of tests/vectors/forms.json against pwa/src/questionnaire.js (the same
// file runs against sync.ops.check_answers in tests/vectors/test_forms_vectors.py): the
// phone asks the same questions and refuses with the server's words. And the steps and
// the move of a draft to the newest version.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { asked, carryOver, checkAnswers, formDef, latestVersion, steps } from "../src/questionnaire.js";

const VECTORS = JSON.parse(readFileSync(new URL("../../tests/vectors/forms.json", import.meta.url), "utf8"));

test("the vector file has cases", () => assert.ok(VECTORS.cases.length > 20));

for (const c of VECTORS.cases) {
  test(`answers: ${c.name}`, () => {
    const got = checkAnswers(c.form, c.version, c.answers);
    if (c.expected.ok) {
      assert.equal(got, null);
      if (c.expected.asked) assert.deepStrictEqual(asked(formDef(c.form, c.version), c.answers).map((q) => q.key), c.expected.asked);
    } else {
      assert.deepStrictEqual(got, { field: c.expected.field, reason: c.expected.reason, message: c.expected.message });
    }
  });
}

test("version 2 is shown in its titled steps, version 1 five questions at a time", () => {
  const start = steps(formDef("kontakt_start", 2));
  assert.deepStrictEqual(start.map((s) => s.title), ["Borgeren", "Opsporing", "Tilknytning", "Øvrige tilbud"]);
  const old = steps(formDef("progression", 1));
  assert.deepStrictEqual(old.map((s) => s.questions.length), [5, 5, 5, 5, 1]);
});

test("moving a kontaktskema start draft to the newest version says what does not carry over", () => {
  const v1 = formDef("kontakt_start", 1);
  const v2 = formDef("kontakt_start", latestVersion("kontakt_start"));
  const { answers, dropped } = carryOver(v1, v2, {
    first_seen_place: "own_home", attachment: "unknown_before", substances: ["hash"], other_services: ["bostoette"],
  });
  assert.deepStrictEqual(answers, { first_seen_place: "own_home", attachment: "unknown_before" });
  assert.deepStrictEqual(dropped.map((d) => d.key).sort(), ["other_services", "substances"]);
  assert.match(dropped.find((d) => d.key === "substances").why, /findes ikke i den nye version/);
  assert.match(dropped.find((d) => d.key === "other_services").why, /stilles kun, når 'Modtager borgeren/);
});

test("an answer that does not fit the new version is dropped, not changed", () => {
  const { answers, dropped } = carryOver(formDef("progression", 1), formDef("progression", 2), {
    drinks_per_occasion: 0, alcohol_frequency: "1_2", wellbeing_social: 7,
  });
  assert.deepStrictEqual(answers, { wellbeing_social: 7, alcohol_frequency: "1_2" });
  assert.deepStrictEqual(dropped.map((d) => d.key), ["drinks_per_occasion"]);
});
