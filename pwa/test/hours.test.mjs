// hours.js: when the contact form ticks "uden for almindelig arbejdstid" for the behandler.
import { test } from "node:test";
import assert from "node:assert/strict";
import { outsideOfficeHours } from "../src/hours.js";

test("a weekday between 08:00 and 16:00 is inside office hours, both ends included", () => {
  for (const time of ["08:00", "12:30", "16:00"]) assert.equal(outsideOfficeHours(`2026-11-25T${time}`), false, time); // a Wednesday
});

test("before 08:00 or after 16:00 on a weekday is outside", () => {
  for (const time of ["00:00", "07:59", "16:01", "23:59"]) assert.equal(outsideOfficeHours(`2026-11-23T${time}`), true, time); // a Monday
});

test("any time on a Saturday or a Sunday is outside, by the date written (not the phone's zone)", () => {
  assert.equal(outsideOfficeHours("2026-11-28T10:00"), true); // Saturday
  assert.equal(outsideOfficeHours("2026-11-29T12:00"), true); // Sunday
  assert.equal(outsideOfficeHours("2026-11-27T15:59"), false); // Friday
  assert.equal(outsideOfficeHours("2026-11-30T08:00"), false); // Monday
});

test("no time to go by: not ticked", () => {
  for (const value of ["", null, undefined, "2026-11-28", "i går"]) assert.equal(outsideOfficeHours(value), false, String(value));
});
