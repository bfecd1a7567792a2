// What is due, on the list and the citizen page, and the citizen page's "Skemaer" card:
// what to fill in now, drafts half-way, the responses given (round and occasion).
// Due is computed each time it is drawn (derive.due) from the schedule the phone fetched
// after its last sync (meta `schedule`; the default until then) — nothing is stored.
import * as store from "../store.js";
import { DEFAULT_SCHEDULE, due, enrolledOn, followUp, occasions, roundOf } from "../derive.js";
import { SCHEMA } from "../gen/schema.js";
import { dueInputs } from "../views.js";
import { formCodes, formLabel, formDef, latestVersion } from "../questionnaire.js";
import { h, fmtDate, today } from "../ui.js";

export const DUE_SOON_DAYS = 14; // the list tags what is due within two weeks (the page shows all)
const SCHEDULE_KEYS = Object.keys(DEFAULT_SCHEDULE);

/** The municipality's schedule as the server last said it, or the default. */
export async function currentSchedule() {
  const stored = await store.getMeta("schedule");
  if (!stored || typeof stored !== "object") return { ...DEFAULT_SCHEDULE };
  return Object.fromEntries(SCHEDULE_KEYS.map((key) => [key, stored[key] ?? DEFAULT_SCHEDULE[key]]));
}

const inDays = (day, n) => {
  const t = new Date(`${day}T00:00:00Z`);
  t.setUTCDate(t.getUTCDate() + n);
  return t.toISOString().slice(0, 10);
};

/** The tags of a list row about forms: overdue, or due within two weeks. */
export function dueTags(row, schedule, day = today()) {
  const { status, responses } = dueInputs(row);
  const items = due(status, responses, schedule, day);
  const overdue = items.filter((d) => d.overdue);
  const soon = items.filter((d) => !d.overdue && d.due_on <= inDays(day, DUE_SOON_DAYS));
  const names = (list) => [...new Set(list.map((d) => formLabel(d.form)))].join(", ");
  return [
    overdue.length ? h("span", { class: "tag danger", title: names(overdue) }, overdue.length === 1 ? "Skema overskredet" : `${overdue.length} skemaer overskredet`) : null,
    soon.length ? h("span", { class: "tag", title: names(soon) }, soon.length === 1 ? "Skema skal udfyldes" : `${soon.length} skemaer skal udfyldes`) : null,
  ];
}

/** A citizen's responses (live views), with their occasion. */
export function responsesOf(views) {
  const responses = views.filter((v) => v.entity === "form_response");
  const numbers = occasions(responses);
  return responses.map((v) => ({ view: v, occasion: numbers[v.id] ?? null }));
}

const FOLLOW_UP_FORM = SCHEMA.derive.follow_up.form;

/** The follow-up after a completed course from a citizen's views (derive.followUp). */
export function followUpOf(views) {
  const of = (entity) => views.filter((v) => v.entity === entity);
  return followUp(of("course"), of("consent"), of("form_response"));
}

/** What is due for a citizen from its views (the same rule as the list and the server). */
export function dueOfCitizen(views, citizen, status, schedule, day = today()) {
  const courses = views.filter((v) => v.entity === "course");
  const facts = { enrolled_on: enrolledOn(courses, views.filter((v) => v.entity === "consent")), ended: status.ended, archived: !!citizen.archived, follow_up: followUpOf(views) };
  return due(facts, views.filter((v) => v.entity === "form_response"), schedule, day);
}

/** The round a response filled today belongs to: the schedule's period, or for the
 * follow-up the first follow-up still open (null: none open). */
export function roundToFill(views, schedule, code, day) {
  if (code !== FOLLOW_UP_FORM) return roundOf(schedule, code, day);
  return followUpOf(views).rounds[0]?.round ?? null;
}

const NO_FOLLOW_UP = {
  interrupted: "Ingen opfølgning: forløbet blev afbrudt og ikke afsluttet som gennemført.",
  no_consent: "Ingen opfølgning: borgeren har ikke givet samtykke til opfølgende kontakt.",
  done: "Opfølgningen efter forløbet er gennemført.",
};

/** Why no follow-up is on the list for an ended course, or when the next one comes. */
function followUpNote(base, views, items) {
  const fact = followUpOf(views);
  if (fact.reason === "not_ended" || items.some((d) => d.form === FOLLOW_UP_FORM)) return null;
  const next = fact.rounds[0];
  return h(
    "p",
    { class: "muted", id: "follow-up-note" },
    next ? `Næste opfølgning (runde ${next.round}) skal udfyldes senest ${fmtDate(next.due_on)}.` : NO_FOLLOW_UP[fact.reason],
    fact.reason === "no_consent" ? [" ", h("a", { href: `${base}/samtykke/formaal/${SCHEMA.derive.follow_up.consent}` }, "Registrér samtykke")] : null,
  );
}

export const draftKeyOf = (citizenId, code, paper = false) => `form:${citizenId}:${code}${paper ? ":papir" : ""}`;
export const selfFillKey = (citizenId) => `selv:${citizenId}`;

const fillHref = (base, code) => (formDef(code, latestVersion(code)).filled_by === "borger" ? `${base}/selv` : `${base}/skema/${code}`);

/** The citizen page's card: due, drafts, responses. */
export async function formsCard(citizenId, views, citizen, status) {
  const base = `#/borger/${encodeURIComponent(citizenId)}`;
  const schedule = await currentSchedule();
  const items = dueOfCitizen(views, citizen, status, schedule);
  const drafts = [];
  for (const code of formCodes()) {
    for (const paper of [false, true]) if (await store.loadDraft(draftKeyOf(citizenId, code, paper))) drafts.push({ code, paper });
  }
  const selfDraft = await store.loadDraft(selfFillKey(citizenId));
  const responses = responsesOf(views).sort((a, b) => (b.view.fields.filled_on || "").localeCompare(a.view.fields.filled_on || ""));
  return h(
    "section",
    { class: "card", "aria-labelledby": "forms-h", id: "forms-card" },
    h("h2", { id: "forms-h" }, "Skemaer"),
    items.length
      ? h(
          "ul",
          { class: "items", id: "due-list" },
          items.map((d) =>
            h(
              "li",
              { "data-form": d.form },
              h("p", {}, h("strong", {}, formLabel(d.form)), d.form === "kontakt_start" ? "" : ` · runde ${d.round}`),
              h(
                "p",
                { class: d.overdue ? "error-text" : "muted" },
                d.overdue ? `Overskredet – skulle være udfyldt senest ${fmtDate(d.due_on)}` : `Skal udfyldes senest ${fmtDate(d.due_on)}`,
              ),
              d.overdue ? h("span", { class: "tag danger" }, "Overskredet") : null,
            ),
          ),
        )
      : h("p", { id: "due-list" }, "Intet skema skal udfyldes nu."),
    status.ended ? followUpNote(base, views, items) : null,
    drafts.length || selfDraft
      ? h(
          "ul",
          { class: "items" },
          drafts.map((d) =>
            h("li", {}, h("a", { href: `${base}/skema/${d.code}${d.paper ? "/papir" : ""}` }, `Fortsæt kladde: ${formLabel(d.code)}${d.paper ? " (papir)" : ""}`)),
          ),
          selfDraft ? h("li", {}, h("a", { href: `${base}/selv` }, "Fortsæt borgerens progressionsskema (sat på pause)")) : null,
        )
      : null,
    h(
      "div",
      { class: "row-buttons" },
      // An ended course: only its follow-up (a late form is keyed in as paper).
      formCodes().filter((code) => (code === FOLLOW_UP_FORM) === !!status.ended).map((code) => h("a", { class: "button small secondary", href: fillHref(base, code), "data-fill": code }, fillText(code))),
      h("a", { class: "button small secondary", href: `${base}/papir` }, "Indtast papirskema"),
    ),
    responses.length
      ? h(
          "details",
          { id: "responses" },
          h("summary", {}, `Udfyldte skemaer (${responses.length})`),
          h(
            "ul",
            { class: "items" },
            responses.map(({ view, occasion }) => responseItem(base, view, occasion)),
          ),
        )
      : h("p", { class: "muted" }, "Ingen skemaer udfyldt endnu."),
  );
}

function fillText(code) {
  if (formDef(code, latestVersion(code)).filled_by === "borger") return "Giv telefonen til borgeren";
  return `Udfyld ${formLabel(code).toLowerCase()}`;
}

function responseItem(base, view, occasion) {
  const f = view.fields;
  const facts = [f.round ? `runde ${f.round}` : null, occasion ? `besvarelse ${occasion}` : null, `udfyldt ${fmtDate(f.filled_on)}`].filter(Boolean);
  return h(
    "li",
    { class: view.voided ? "voided" : null, "data-response": view.id },
    h("p", {}, h("a", { href: `${base}/svar/${encodeURIComponent(view.id)}` }, formLabel(f.form)), ` – ${facts.join(", ")}`),
    f.on_paper ? h("span", { class: "tag" }, "Papir") : null,
    (f.version ?? 1) !== latestVersion(f.form) ? h("span", { class: "tag" }, `Version ${f.version ?? 1}`) : null,
    view.voided ? h("span", { class: "tag" }, "Annulleret") : null,
    view.pending ? h("span", { class: "tag" }, "Ikke sendt") : null,
  );
}
