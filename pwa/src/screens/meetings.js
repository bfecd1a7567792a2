// Coordination meetings (15 minutes, fixed agenda, the citizen consents but is absent) and
// network meetings (with the citizen). Every attending organisation other than the team
// relies on the citizen's live consent for the meeting's purpose: the phone refuses a
// meeting without it, in the words of the server's refusal (problems.py consent_missing),
// and the server refuses it again if the consent was withdrawn meanwhile.
import * as store from "../store.js";
import * as sync from "../sync.js";
import { SCHEMA, field, options, problem } from "../schema.js";
import { check, take } from "../validate.js";
import { isGranted } from "../views.js";
import { uuid4 } from "../crypto.js";
import { h, label, fmtDate, textField, selectField, radioGroup, checkboxGroup, checkField, readForm, showErrors, autosave, draftNotice, today } from "../ui.js";
import { loadCitizen } from "./citizens.js";

const spec = (name) => field("meeting", name);
const PURPOSE_OF_KIND = SCHEMA.derive.meeting_consent_purpose;
const AGENDA = ["status_since_last", "agreements", "next_steps", "who_does_what", "minutes"];
const citizenHash = (id) => `#/borger/${encodeURIComponent(id)}`;

async function organisations() {
  return (await store.getMeta("organisations")) || [];
}
const orgNameIn = (orgs) => (id) => orgs.find((o) => o.id === id)?.name || "Ukendt organisation";

// ---------------------------------------------------------------- choose a citizen
export function meetingsScreen(app) {
  const rows = store.citizenList();
  const form = h(
    "form",
    { novalidate: true, id: "meeting-citizen-form" },
    selectField({ name: "citizen", label: "Borger", options: rows.map((r) => [r.id, `${r.initials} · ${r.code}`]), required: true, empty: "Vælg borger" }),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const v = readForm(form);
    if (!showErrors(form, v.citizen ? {} : { citizen: "Vælg den borger, mødet handler om." })) return;
    app.go(`${citizenHash(v.citizen)}/moeder`);
  });
  return {
    title: "Møder",
    body: [
      h("p", {}, h("a", { href: "#/" }, "‹ Mine borgere")),
      h("h1", {}, "Koordinerings- og netværksmøder"),
      h("p", {}, "Vælg borgeren for at se borgerens møder eller registrere et nyt."),
      form,
    ],
    actions: [h("button", { type: "submit", form: "meeting-citizen-form", class: "button primary" }, "Vis borgerens møder")],
  };
}

// ---------------------------------------------------------------- one citizen's meetings
export async function citizenMeetingsScreen(app, citizenId) {
  const { citizen, views } = await loadCitizen(citizenId);
  if (!citizen) return { title: "Møder", body: [h("h1", {}, "Borgeren findes ikke på telefonen")] };
  const meetings = views.filter((v) => v.entity === "meeting" && !v.voided).sort((a, b) => (b.fields.held_on || "").localeCompare(a.fields.held_on || ""));
  return {
    title: "Borgerens møder",
    body: [
      h("p", {}, h("a", { href: citizenHash(citizenId) }, "‹ Tilbage til borgeren")),
      h("h1", {}, `Møder – ${citizen.fields.initials || ""}`),
      meetingList(meetings),
    ],
    actions: [h("a", { class: "button primary", href: `${citizenHash(citizenId)}/nyt-moede` }, "Nyt møde")],
  };
}

export function meetingList(meetings) {
  if (!meetings.length) return h("p", {}, "Ingen møder endnu.");
  return h(
    "ul",
    { class: "items meetings" },
    meetings.map((m) =>
      h("li", {}, h("a", { href: `#/moede/${encodeURIComponent(m.id)}` }, `${label(options("meeting", "kind"), m.fields.kind)} ${fmtDate(m.fields.held_on)}`),
        m.pending ? h("span", { class: "tag" }, " Ikke sendt") : null),
    ),
  );
}

// ---------------------------------------------------------------- a new meeting
/** The consent an organisation at this kind of meeting relies on: its id, and why it does not
 * allow the organisation (`message`, null when it is live). */
export async function consentProblem(views, citizenId, kind, orgId, orgName) {
  const purpose = PURPOSE_OF_KIND[kind];
  const id = await store.derivedId("consent", { citizen_id: citizenId, purpose, recipient_org_id: orgId });
  const consent = views.find((v) => v.entity === "consent" && v.id === id);
  if (consent && isGranted(consent) && !consent.archived) return { id, message: null };
  const details = { label: orgName, hint: label(options("consent", "purpose"), purpose) };
  return { id, message: problem("consent_missing", consent ? "withdrawn" : "missing", details) };
}

export async function newMeetingScreen(app, citizenId) {
  const { citizen, views } = await loadCitizen(citizenId);
  if (!citizen) return { title: "Nyt møde", body: [h("h1", {}, "Borgeren findes ikke på telefonen")] };
  const team = store.state.user.organisation_id;
  const orgs = await organisations();
  const orgName = orgNameIn(orgs);
  const roles = SCHEMA.lists.MEETING_ROLES;
  const others = orgs.filter((o) => o.id !== team);
  const form = h(
    "form",
    { novalidate: true, id: "meeting-form" },
    radioGroup({ name: "kind", legend: spec("kind").label, options: spec("kind").options, value: "coordination" }),
    textField({ name: "held_on", label: spec("held_on").label, type: "date", value: today(), max: today(), required: true }),
    textField({ name: "duration_minutes", label: spec("duration_minutes").label, value: "15", inputmode: "numeric", maxlength: 3, required: true }),
    checkField({ name: "citizen_present", label: spec("citizen_present").label }),
    checkboxGroup({
      name: "orgs",
      legend: "Deltagende samarbejdspartnere",
      hint: "Dit team deltager altid. Hver samarbejdspartner kræver borgerens samtykke til mødet.",
      options: others.map((o) => [o.id, o.name]),
      value: [],
    }),
    others.map((o) => selectField({ name: `role:${o.id}`, label: `Rolle: ${o.name}`, options: roles, value: "civil_society" })),
    AGENDA.map((name) => textField({ name, label: `${spec(name).label} (valgfrit)`, rows: name === "minutes" ? 4 : 2, maxlength: spec(name).max_length })),
  );
  const draft = await autosave(form, `meeting:${citizenId}`);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const v = readForm(form);
    const errors = {};
    const kind = take(errors, "kind", check("meeting", "kind", v.kind));
    const heldOn = take(errors, "held_on", check("meeting", "held_on", v.held_on));
    const minutes = take(errors, "duration_minutes", check("meeting", "duration_minutes", v.duration_minutes));
    const text = Object.fromEntries(AGENDA.map((name) => [name, take(errors, name, check("meeting", name, v[name]))]));
    const attendees = [{ org_id: team, role: "behandler" }];
    for (const orgId of v.orgs) {
      if (!kind) break;
      const refused = await consentProblem(views, citizenId, kind, orgId, orgName(orgId));
      if (refused.message && !errors.orgs) errors.orgs = refused.message;
      attendees.push({ org_id: orgId, role: v[`role:${orgId}`] || "other", consent_id: refused.id });
    }
    if (!showErrors(form, errors)) return;
    const value = { citizen_id: citizenId, kind, held_on: heldOn, duration_minutes: minutes, citizen_present: v.citizen_present.length > 0, attendees };
    for (const [name, t] of Object.entries(text)) if (t) value[name] = t;
    const id = uuid4();
    if (!(await draft.commit([{ entity: "meeting", record_id: id, kind: "create", value }]))) return;
    sync.soon();
    app.go(`#/moede/${id}`, "Mødet er gemt.");
  });
  return {
    title: "Nyt møde",
    body: [
      h("p", {}, h("a", { href: `${citizenHash(citizenId)}/moeder` }, "‹ Borgerens møder")),
      h("h1", {}, `Nyt møde – ${citizen.fields.initials || ""}`),
      h("p", {}, "Fast dagsorden: status siden sidst, aftaler, næste skridt og hvem gør hvad. Skriv kort."),
      others.length ? null : h("p", { class: "notice warning" }, "Listen over organisationer er ikke hentet endnu. Gå online og synkronisér, og prøv igen."),
      draftNotice(draft.restored),
      form,
    ],
    actions: [h("button", { type: "submit", form: "meeting-form", class: "button primary", id: "save-meeting" }, "Gem møde")],
  };
}

// ---------------------------------------------------------------- one meeting (the minutes)
export async function meetingScreen(app, id) {
  const meeting = await store.view(id);
  if (!meeting || meeting.entity !== "meeting" || meeting.voided) {
    return { title: "Møde", body: [h("h1", {}, "Mødet findes ikke på telefonen")] };
  }
  const f = meeting.fields;
  const citizen = f.citizen_id ? await store.view(f.citizen_id) : null;
  const orgName = orgNameIn(await organisations());
  const partner = store.state.user.role === "frivillig";
  const facts = [
    ["Borger", citizen ? [citizen.fields.initials, citizen.fields.code].filter(Boolean).join(" · ") : null],
    [spec("kind").label, label(spec("kind").options, f.kind)],
    [spec("held_on").label, fmtDate(f.held_on)],
    [spec("duration_minutes").label, f.duration_minutes != null ? `${f.duration_minutes} min.` : null],
    [spec("citizen_present").label, f.citizen_present == null ? null : f.citizen_present ? "Ja" : "Nej"],
    [spec("attendees").label, (f.attendees || []).map((a) => `${orgName(a.org_id)} (${label(SCHEMA.lists.MEETING_ROLES, a.role)})`).join(", ")],
    ...AGENDA.map((name) => [spec(name).label, f[name]]),
  ].filter(([, value]) => value);
  const backLink = partner ? h("a", { href: "#/samtykker" }, "‹ Borgere, der har givet samtykke til os") : h("a", { href: `${citizenHash(f.citizen_id)}/moeder` }, "‹ Borgerens møder");
  return {
    title: "Møde",
    body: [
      h("p", {}, backLink),
      h("h1", {}, label(spec("kind").options, f.kind) || "Møde"),
      meeting.pending ? h("p", { class: "tag" }, "Ikke sendt") : null,
      h("dl", { class: "facts", id: "meeting-facts" }, facts.map(([term, value]) => [h("dt", {}, term), h("dd", {}, value)])),
    ],
  };
}
