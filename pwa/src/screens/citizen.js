// The citizen page: conflicts and a shared code to resolve, phase and behandlingsplan,
// consents, the contact timeline (correct or void an entry).
import * as store from "../store.js";
import * as sync from "../sync.js";
import { list, options, fieldLabel } from "../schema.js";
import { isGranted } from "../views.js";
import { h, label, fmtDate, fmtDateTime } from "../ui.js";
import { loadCitizen, notFound, phaseText, fieldValueText, who, when } from "./citizens.js";
import { formsCard } from "./formsdue.js";
import { safetyCard, waitCard, childrenCard } from "./coursework.js";
import { contactWorkLines } from "./contactwork.js";
import { goalsCard } from "./goals.js";

const course = (name) => fieldLabel("course", name);

export async function citizenScreen(app, id) {
  const { views, citizen, course: current, status } = await loadCitizen(id);
  if (!citizen) return notFound();
  const f = citizen.fields;
  const orgs = (await store.getMeta("organisations")) || [];
  const orgName = (oid) => orgs.find((o) => o.id === oid)?.name || "Ukendt organisation";
  const base = `#/borger/${encodeURIComponent(id)}`;

  const conflicts = views.flatMap((v) => (v.conflicts || []).map((c) => ({ record: v, ...c })));
  const conflictBanner = conflicts.length
    ? h(
        "section",
        { class: "banner danger", role: "alert", "aria-labelledby": "conflict-h" },
        h("h2", { id: "conflict-h" }, "Konflikt: ændret to steder på samme tid"),
        conflicts.map((c) =>
          h(
            "div",
            { class: "conflict" },
            h("p", {}, `${fieldLabel(c.record.entity, c.field)} har flere værdier:`),
            h(
              "ul",
              {},
              c.values.map((v) => h("li", {}, h("strong", {}, fieldValueText(c.record.entity, c.field, v.value)), ` – ${who(v.user_id, c.record)}, ${when(v.hlc)}`)),
            ),
            h(
              "a",
              { class: "button secondary", href: `${base}/konflikt/${encodeURIComponent(c.record.id)}/${encodeURIComponent(c.field)}` },
              "Løs konflikten",
            ),
          ),
        ),
      )
    : null;

  const history = [...(current?.history?.phase || [])].sort((a, b) => (b.hlc || "").localeCompare(a.hlc || ""));
  const cf = current?.fields || {};
  const phaseSection = h(
    "section",
    { class: "card", "aria-labelledby": "phase-h" },
    h("h2", { id: "phase-h" }, course("phase")),
    h("p", { class: "big" }, current ? phaseText(cf.phase) : "Ingen fase registreret"),
    status.plan_missing
      ? h(
          "p",
          { class: "notice warning", id: "plan-missing" },
          h("strong", {}, "Behandlingsplan mangler. "),
          "Skriv datoen for behandlingsplanen, når den er lavet. ",
          h("a", { href: `${base}/fase` }, "Skriv datoen"),
        )
      : null,
    h(
      "dl",
      { class: "facts" },
      h("dt", {}, course("plan_date")),
      h("dd", {}, cf.plan_date ? fmtDate(cf.plan_date) : status.plan_missing ? "Mangler" : "Ikke registreret"),
      h("dt", {}, course("identified_on")),
      h("dd", {}, cf.identified_on ? fmtDate(cf.identified_on) : "–"),
      cf.started_on ? [h("dt", {}, course("started_on")), h("dd", {}, fmtDate(cf.started_on))] : null,
      cf.ended_on ? [h("dt", {}, course("ended_on")), h("dd", {}, fmtDate(cf.ended_on))] : null,
    ),
    history.length
      ? h(
          "details",
          {},
          h("summary", {}, "Fasehistorik"),
          h("ol", { class: "history" }, history.map((e) => h("li", {}, `${phaseText(e.value)} – ${who(e.user_id, current)}, ${when(e.hlc)}`))),
        )
      : null,
  );

  const consents = views.filter((v) => v.entity === "consent");
  const consentSection = h(
    "section",
    { class: "card", "aria-labelledby": "consent-h" },
    h("h2", { id: "consent-h" }, "Samtykker"),
    consents.length
      ? h(
          "ul",
          { class: "items" },
          consents.map((c) => {
            const s = c.fields.state || {};
            const granted = isGranted(c);
            return h(
              "li",
              {},
              h("p", {}, h("strong", {}, label(options("consent", "purpose"), c.fields.purpose)), ` – ${orgName(c.fields.recipient_org_id)}`),
              h(
                "p",
                { class: granted ? "ok" : "muted" },
                granted
                  ? `Givet ${label(list("CONSENT_FORMS"), s.form).toLowerCase()} ${fmtDate(s.date)} (${label(list("CONSENT_GIVEN_BY"), s.given_by).toLowerCase()})`
                  : `Trukket tilbage ${fmtDate(s.date)}`,
                c.pending ? h("span", { class: "tag" }, "Ikke sendt") : null,
              ),
              h(
                "a",
                { class: "button small secondary", href: `${base}/samtykke/${encodeURIComponent(c.id)}` },
                granted ? "Træk tilbage" : "Registrér nyt samtykke",
              ),
            );
          }),
        )
      : h("p", {}, "Ingen samtykker registreret."),
    h("a", { class: "button secondary", href: `${base}/samtykke` }, "Registrér samtykke"),
  );

  const contacts = views
    .filter((v) => v.entity === "contact")
    .sort((a, b) => Date.parse(b.fields.occurred_at) - Date.parse(a.fields.occurred_at));
  const opt = (name, value) => label(options("contact", name), value);
  const contactSection = h(
    "section",
    { class: "card", "aria-labelledby": "contacts-h" },
    h("h2", { id: "contacts-h" }, "Kontakter"),
    contacts.length
      ? h(
          "ol",
          { class: "timeline" },
          contacts.map((c) => {
            const x = c.fields;
            return h(
              "li",
              { class: c.voided ? "voided" : null },
              h(
                "p",
                {},
                h("strong", {}, fmtDateTime(x.occurred_at)),
                ` · ${opt("kind", x.kind)}`,
                x.place ? ` · ${opt("place", x.place)}` : "",
                x.channel ? ` · ${opt("channel", x.channel)}` : "",
              ),
              x.actors?.length ? h("p", { class: "muted" }, `Til stede: ${x.actors.map((a) => opt("actors", a)).join(", ")}`) : null,
              x.activities?.length ? h("p", { class: "muted" }, `${fieldLabel("contact", "activities")}: ${x.activities.map((a) => opt("activities", a)).join(", ")}`) : null,
              contactWorkLines(x),
              x.note ? h("p", { class: "note" }, x.note) : null,
              c.voided ? h("p", { class: "muted" }, `Annulleret${c.void?.reason ? `: ${c.void.reason}` : ""}`) : null,
              amendedTag(c),
              c.pending ? h("span", { class: "tag" }, "Ikke sendt") : null,
              c.voided
                ? null
                : h(
                    "div",
                    { class: "row-buttons" },
                    h(
                      "a",
                      { class: "button small secondary", href: `${base}/kontakt/${encodeURIComponent(c.id)}`, "aria-label": `Ret kontakten ${fmtDateTime(x.occurred_at)}` },
                      "Ret",
                    ),
                    twoTaps(
                      { key: `void-${c.id}`, text: "Annullér", confirm: "Bekræft: annullér kontakten" },
                      async () => {
                        await store.commit([{ entity: "contact", record_id: c.id, kind: "void", value: { reason: "Registreret ved en fejl" } }]);
                        sync.soon();
                        app.render();
                      },
                    ),
                  ),
            );
          }),
        )
      : h("p", {}, "Ingen kontakter endnu."),
  );

  return {
    title: "Borger", // never initials or code: titles end up in the browser's history files
    body: [
      h("p", {}, h("a", { href: "#/" }, "‹ Mine borgere")),
      h("h1", {}, h("span", {}, f.initials || "?"), " ", h("span", { class: "code" }, f.code || "")),
      f.name ? h("p", {}, f.name) : null,
      personFacts(f),
      safetyCard(id, citizen), // read before a visit
      citizen.archived ? h("p", { class: "notice" }, "Borgeren er arkiveret.") : null,
      citizen.derived?.duplicate_code && !citizen.archived ? duplicateBanner(app, citizen, base) : null,
      conflictBanner,
      phaseSection,
      goalsCard(id, views),
      waitCard(id, current),
      await formsCard(id, views, citizen, status),
      consentSection,
      childrenCard(id, citizen),
      contactSection,
    ],
    actions: [
      h("a", { class: "button primary", href: `${base}/kontakt`, id: "log-contact" }, "Log kontakt"),
      h("a", { class: "button secondary", href: `${base}/fase` }, "Skift fase"),
      current ? h("a", { class: "button secondary", href: `${base}/afslut`, id: "end-course" }, status.ended ? "Ret afslutning" : "Afslut forløb") : null,
    ],
    live: (what) => ["pull", "push"].includes(what) && app.render(),
  };
}

/** Birth year (and the age it gives) as registered. */
function personFacts(f) {
  if (!Number.isInteger(f.birth_year)) return null;
  const age = new Date().getFullYear() - f.birth_year;
  return h(
    "dl",
    { class: "facts", id: "person-facts" },
    h("dt", {}, fieldLabel("citizen", "birth_year")),
    h("dd", {}, `${f.birth_year} (ca. ${age} år)`),
  );
}

/**
 * The server found another live citizen of the municipality with the same code (two phones
 * registering one person offline, or a typo). Two ways out: a new code, or archive this
 * registration if it is the same person.
 */
function duplicateBanner(app, citizen, base) {
  const twin = [...store.state.summary.values()].find((r) => r.id !== citizen.id && !r.archived && r.code === citizen.fields.code);
  return h(
    "section",
    { class: "banner warning", "aria-labelledby": "duplicate-h", id: "duplicate" },
    h("h2", { id: "duplicate-h" }, "Samme kode som en anden borger"),
    h(
      "p",
      {},
      `En anden borger i kommunen har også koden ${citizen.fields.code}. Måske er borgeren oprettet to gange, fx på to telefoner uden net. `,
      "Er det to forskellige personer, så ret koden her. Er det den samme person, så arkivér denne registrering og brug den anden.",
    ),
    twin ? h("p", {}, h("a", { href: `#/borger/${encodeURIComponent(twin.id)}` }, `Se den anden registrering (${twin.initials || "?"} ${twin.code})`)) : null,
    h(
      "div",
      { class: "row-buttons" },
      h("a", { class: "button secondary", href: `${base}/kode`, id: "fix-code" }, "Ret koden"),
      twoTaps({ key: "archive-duplicate", text: "Arkivér – registreret to gange", confirm: "Bekræft: arkivér borgeren" }, async () => {
        await store.commit([{ entity: "citizen", record_id: citizen.id, kind: "archive" }]);
        sync.soon();
        app.go("#/", "Borgeren er arkiveret. Den anden registrering med samme kode bruges fremover.");
      }),
    ),
  );
}

/** "Rettet": the contact shows corrected values; the original stays in the log. Pulled
 * snapshots list `amendments` (not in a partial view); own unsent ones come from views.js. */
function amendedTag(contact) {
  const last = contact.amendments?.at(-1);
  if (!last) return null;
  return h("span", { class: "tag", title: `Rettet af ${who(last.user_id, contact)}, ${when(last.hlc)}` }, "Rettet");
}

/** A button that acts on the second tap (a void, an archive: explicit, never by accident). */
function twoTaps({ key, text, confirm }, act) {
  let armed = false;
  return h(
    "button",
    {
      type: "button",
      class: "button small secondary",
      "data-focus-key": key,
      onclick: async (event) => {
        if (!armed) {
          armed = true;
          event.target.textContent = confirm;
          return;
        }
        event.target.disabled = true;
        await act();
      },
    },
    text,
  );
}
