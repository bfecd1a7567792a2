// Ending a course on the phone (issue 12): end date, end reason, phase at the end and where
// the citizen goes. A course ends only by this explicit end — a missed appointment or a
// relapse never ends it. A completed end (schemas.enums.COMPLETED_END_REASONS) is followed up
// 1 and 6 months later when the citizen consented to follow-up contact (derive.followUp).
import * as sync from "../sync.js";
import * as store from "../store.js";
import { SCHEMA, fieldLabel, options } from "../schema.js";
import { check, take } from "../validate.js";
import { isGranted } from "../views.js";
import { h, fmtDate, textField, selectField, radioGroup, readForm, showErrors, autosave, draftNotice, today } from "../ui.js";
import { loadCitizen, notFound } from "./citizens.js";
import { save } from "./forms.js";

const FOLLOW_UP = SCHEMA.derive.follow_up;
const COMPLETED = new Set(FOLLOW_UP.completed_end_reasons);
const END_FIELDS = ["ended_on", "end_reason", "phase_at_end", "destination"];
const course = (name) => fieldLabel("course", name);
const pageOf = (id) => `#/borger/${encodeURIComponent(id)}`;

/** The reminder shown while a completed reason is chosen: follow-up needs a consent. */
function followUpReminder(citizenId, consented) {
  return h(
    "div",
    { class: "notice", id: "follow-up-reminder" },
    h("p", {}, h("strong", {}, "Opfølgning efter 1 og 6 måneder. "),
      consented
        ? "Borgeren har givet samtykke til opfølgende kontakt, så opfølgningerne kommer på listen over skemaer."
        : "Opfølgningen kræver, at borgeren giver samtykke til opfølgende kontakt. Spørg borgeren, før forløbet slutter."),
    consented ? null : h("p", {}, h("a", { href: `${pageOf(citizenId)}/samtykke/formaal/${SCHEMA.derive.follow_up.consent}`, id: "follow-up-consent" }, "Registrér samtykke til opfølgende kontakt")),
  );
}

export async function endCourseScreen(app, citizenId) {
  const { citizen, course: current, views } = await loadCitizen(citizenId);
  if (!citizen) return notFound();
  const back = h("p", {}, h("a", { href: pageOf(citizenId) }, "‹ Tilbage til borgeren"));
  if (!current) {
    return { title: "Afslut forløb", body: [back, h("h1", {}, "Afslut forløb"), h("p", {}, "Borgeren har intet forløb at afslutte.")] };
  }
  const f = current.fields;
  const consented = views.some((v) => v.entity === "consent" && !v.archived && v.fields.purpose === FOLLOW_UP.consent && isGranted(v));
  const form = h("form", { novalidate: true, id: "end-form" });
  const reminder = h("div", { "aria-live": "polite", id: "follow-up-slot" });
  form.append(
    textField({ name: "ended_on", label: course("ended_on"), type: "date", value: f.ended_on || today(), max: today(), required: true }),
    radioGroup({ name: "end_reason", legend: course("end_reason"), options: options("course", "end_reason"), value: f.end_reason || "" }),
    reminder,
    radioGroup({ name: "phase_at_end", legend: course("phase_at_end"), options: options("course", "phase_at_end"), value: f.phase_at_end || f.phase?.phase || "" }),
    selectField({ name: "destination", label: course("destination"), options: options("course", "destination"), value: f.destination || "", empty: "Ingen / ikke relevant" }),
  );
  const showReminder = () => {
    const reason = readForm(form).end_reason;
    reminder.replaceChildren(...(COMPLETED.has(reason) ? [followUpReminder(citizenId, consented)] : []));
  };
  form.addEventListener("change", showReminder);
  // What the worker sees now is what the end has seen (checked again when saving).
  const seen = {};
  for (const name of END_FIELDS) seen[name] = await store.seenFor(current.id, name);
  const draft = await autosave(form, `end:${citizenId}`);
  showReminder();
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const v = readForm(form);
    const errors = {};
    const values = {
      ended_on: take(errors, "ended_on", check("course", "ended_on", v.ended_on, { required: true })),
      end_reason: take(errors, "end_reason", check("course", "end_reason", v.end_reason, { required: true })),
      phase_at_end: take(errors, "phase_at_end", check("course", "phase_at_end", v.phase_at_end, { required: true })),
      destination: take(errors, "destination", check("course", "destination", v.destination)),
    };
    if (!showErrors(form, errors)) return;
    const conflicted = (name) => (current.conflicts || []).some((c) => c.field === name);
    const ops = END_FIELDS.filter((name) => values[name] !== null && (conflicted(name) || values[name] !== (f[name] ?? null))).map((name) => ({
      entity: "course", record_id: current.id, kind: "set", field: name, value: values[name], seen: seen[name],
    }));
    if (!(await save(app, () => draft.commit(ops)))) return;
    sync.soon();
    app.go(pageOf(citizenId), ops.length ? `Forløbet er afsluttet ${fmtDate(values.ended_on)}.` : "Ingen ændringer at gemme.");
  });
  const title = f.ended_on ? "Ret afslutningen" : "Afslut forløb";
  return {
    title,
    body: [
      back,
      h("h1", {}, `${title} – ${citizen.fields.initials || ""}`),
      h("p", { class: "notice warning", id: "end-explicit" },
        h("strong", {}, "Et udeblevet møde eller et tilbagefald afslutter ikke forløbet. "),
        "Afslut kun, når forløbet er slut, og skriv hvorfor."),
      f.ended_on ? h("p", {}, `Forløbet blev afsluttet ${fmtDate(f.ended_on)}.`) : null,
      draftNotice(draft.restored),
      form,
    ],
    actions: [h("button", { type: "submit", form: "end-form", class: "button primary", id: "save-end" }, f.ended_on ? "Gem rettelsen" : "Afslut forløbet")],
  };
}
