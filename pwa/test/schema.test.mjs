// schema.js and validate.js: labels, templates and field checks from gen/schema.js.
import { test } from "node:test";
import assert from "node:assert/strict";
import { SCHEMA, list, field, problem, fieldsWhere } from "../src/schema.js";
import { check, localDate, FUTURE_SLACK_MS } from "../src/validate.js";

test("problem() renders the catalogue's templates like Python's str.format", () => {
  assert.equal(problem("invalid_value", "too_long", { label: "Kort note", limit: 2000 }), "'Kort note' må højst være 2000 tegn.");
  assert.equal(problem("invalid_value", "phase_event", { label: "Fase" }), "'Fase' skal være {\"phase\": fase-kode, \"date\": dato}.");
  assert.equal(problem("invalid_value", "not_choice", { label: "Type", allowed: ["contact", "attempt"] }), "'Type' skal være en af: attempt, contact.");
  assert.throws(() => problem("invalid_value", "no_such_reason"));
  assert.throws(() => problem("no_such_code"));
});

test("every template renders without a placeholder left when given every detail", () => {
  const details = { label: "L", limit: 1, allowed: ["a"], min: 1, max: 2, hint: "h", field: "f", seconds: 1, year: 2000, expected: "e" };
  for (const [code, p] of Object.entries(SCHEMA.problems)) {
    for (const reason of [null, ...Object.keys(p.reasons)]) {
      const text = problem(code, reason, details);
      assert.doesNotMatch(text.replace(/\{"phase"|\{"reason"/g, ""), /\{[a-z_]+\}/, `${code}/${reason}: ${text}`);
    }
  }
});

test("lists and fields come from the schema", () => {
  assert.ok(list("ROLES").some(([code]) => code === "behandler"));
  assert.equal(field("citizen", "code").pattern, "^[A-Z0-9-]{4,12}$");
  assert.deepEqual(fieldsWhere("contact", (s) => s.merge === "append").includes("note"), true);
  assert.throws(() => list("NO_SUCH_LIST"));
});

test("check() says what the server would say", () => {
  assert.deepEqual(check("citizen", "initials", "  ab "), { value: "ab", error: null });
  assert.equal(check("citizen", "initials", "").error, "Feltet 'Initialer' skal udfyldes.");
  assert.equal(check("citizen", "initials", "ABCDEFGHIJKLM").error, "'Initialer' må højst være 12 tegn.");
  assert.match(check("citizen", "code", "x").error, /^'Kode' har ikke det rigtige format \(4–12 tegn/);
  assert.equal(check("citizen", "birth_year", "1850").error, "'Fødselsår' skal ligge mellem 1900 og 2015.");
  assert.equal(check("citizen", "birth_year", "19x0").error, "'Fødselsår' skal være et helt tal.");
  assert.deepEqual(check("citizen", "birth_year", ""), { value: null, error: null });
  assert.deepEqual(check("citizen", "birth_year", "1985"), { value: 1985, error: null });
});

test("no domain date in the future", () => {
  const now = Date.parse("2026-06-15T12:00:00");
  assert.equal(localDate(now), "2026-06-15");
  assert.deepEqual(check("course", "plan_date", "2026-06-15", { now }), { value: "2026-06-15", error: null });
  assert.equal(check("course", "plan_date", "2026-06-16", { now }).error, "'Behandlingsplan' ligger i fremtiden. Ret datoen eller tidspunktet (går telefonens ur forkert?).");
  assert.equal(check("lead", "seen_on", "2026-02-30", { now }).error, "'Dato' skal være en gyldig dato som 2026-11-23.");
  assert.match(check("consent", "state", "2027-01-01", { now, label: "Dato" }).error, /^'Dato' ligger i fremtiden/);
  assert.match(check("course", "phase", "2027-01-01", { now, label: "Dato for fasen" }).error, /^'Dato for fasen' ligger i fremtiden/);
  const soon = new Date(now + FUTURE_SLACK_MS - 1000).toISOString();
  const later = new Date(now + FUTURE_SLACK_MS + 60000).toISOString();
  assert.equal(check("contact", "occurred_at", soon, { now }).error, null);
  assert.match(check("contact", "occurred_at", later, { now }).error, /^'Tidspunkt' ligger i fremtiden/);
});
