// Ordinary office hours, for the contact form's "uden for almindelig arbejdstid": the box is
// ticked for the behandler from the contact's time, and the behandler can untick it (the
// server stores what was ticked, never this guess). Pure: node --test pwa/test/hours.test.mjs.
// Public holidays are not known here: a contact on one is ticked by hand.
export const OFFICE_OPENS = "08:00";
export const OFFICE_CLOSES = "16:00";

/** Whether a local time "YYYY-MM-DDTHH:MM" (the form's datetime-local value) is outside
 * office hours: before 08:00 or after 16:00 on a weekday, or any time on a weekend.
 * Not a time: false (nothing to guess from). */
export function outsideOfficeHours(local) {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(local || "");
  if (!match) return false;
  const weekday = new Date(`${match[1]}T00:00:00Z`).getUTCDay(); // the wall date, not this phone's zone
  if (Number.isNaN(weekday)) return false;
  if (weekday === 0 || weekday === 6) return true;
  return match[2] < OFFICE_OPENS || match[2] > OFFICE_CLOSES;
}
