// Goals in the citizen's own words: the behandlingsplan's content, not abstinence
// [L2794–L2797; 004:L686–L714]. A goal's fields are multi-value in the schema: a
// correction keeps the earlier wording in the history, and two phones changing a goal
// offline show as a conflict on the citizen page. Confidential: team and projektleder only.
import * as sync from "../sync.js";
import * as store from "../store.js";
import { field, fieldLabel, options } from "../schema.js";
import { check, take } from "../validate.js";
import { uuid4 } from "../crypto.js";
import { h, label, fmtDate, textField, radioGroup, readForm, showErrors, autosave, draftNotice, today } from "../ui.js";
import { loadCitizen, notFound, who, when } from "./citizens.js";
import { save } from "./forms.js";
import { changedOps } from "./coursework.js";

const goal = (name) => fieldLabel("goal", name);
const pageOf = (id) => `#/borger/${encodeURIComponent(id)}`;
const statusText = (code) => label(options("goal", "status"), code);
const liveGoals = (views) =>
  views
    .filter((v) => v.entity === "goal" && !v.archived)
    .sort((a, b) => (a.fields.set_on || "").localeCompare(b.fields.set_on || "") || (a.created_hlc || "").localeCompare(b.created_hlc || "") || a.id.localeCompare(b.id));

/** Earlier values of a field, newest first, without the current one. */
function earlier(record, name) {
  const writes = record.history?.[name] || [];
  const current = JSON.stringify(record.fields[name] ?? null);
  return [...writes].reverse().filter((w, i, all) => JSON.stringify(w.value) !== current && all.findIndex((x) => x.value === w.value) === i);
}

/** The goals on the citizen page, under the phase and behandlingsplan. */
export function goalsCard(citizenId, views) {
  const goals = liveGoals(views);
  return h(
    "section",
    { class: "card", "aria-labelledby": "goals-h", id: "goals" },
    h("h2", { id: "goals-h" }, "Mål med borgerens egne ord"),
    goals.length
      ? h(
          "ol",
          { class: "items goals" },
          goals.map((g) => {
            const f = g.fields;
            const conflicted = (g.conflicts || []).length > 0;
            const before = [
              ...earlier(g, "wording").map((w) => ({ ...w, text: `»${w.value}«` })),
              ...earlier(g, "status").map((w) => ({ ...w, text: statusText(w.value) })),
            ];
            return h(
              "li",
              { "data-goal": g.id },
              h("p", { class: "goal-wording" }, h("q", {}, f.wording || "")),
              h(
                "p",
                {},
                h("strong", {}, statusText(f.status)),
                f.status_on ? ` pr. ${fmtDate(f.status_on)}` : null,
                f.set_on ? ` · sat ${fmtDate(f.set_on)}` : null,
                conflicted ? h("span", { class: "tag danger" }, "Konflikt") : null,
                g.pending ? h("span", { class: "tag" }, "Ikke sendt") : null,
              ),
              before.length
                ? h(
                    "details",
                    {},
                    h("summary", {}, "Tidligere"),
                    h(
                      "ul",
                      { class: "history" },
                      before.map((w) => h("li", {}, `${w.text} – ${who(w.user_id, g)}, ${when(w.hlc)}`)),
                    ),
                  )
                : null,
              h("a", { class: "button small secondary", href: `${pageOf(citizenId)}/maal/${encodeURIComponent(g.id)}` }, "Ret målet"),
            );
          }),
        )
      : h("p", {}, "Ingen mål skrevet endnu. Skriv målene, som borgeren selv siger dem."),
    h("a", { class: "button secondary", href: `${pageOf(citizenId)}/maal`, id: "add-goal" }, "Tilføj mål"),
  );
}

/** Add a goal, or correct one (wording, status); the earlier values stay in the history. */
export async function goalScreen(app, citizenId, goalId = null) {
  const { citizen, views } = await loadCitizen(citizenId);
  if (!citizen) return notFound();
  const record = goalId ? views.find((v) => v.id === goalId && v.entity === "goal") : null;
  if (goalId && !record) return notFound();
  const f = record?.fields || {};
  const title = record ? "Ret mål" : "Nyt mål";
  const form = h(
    "form",
    { novalidate: true, id: "goal-form" },
    textField({
      name: "wording", label: goal("wording"), value: f.wording || "", rows: 3, required: true,
      maxlength: field("goal", "wording").max_length,
      hint: "Med borgerens egne ord, fx »Jeg vil kunne stå op om morgenen« eller »Mere struktur på dagen«.",
    }),
    textField({ name: "set_on", label: goal("set_on"), type: "date", value: f.set_on || today(), max: today(), required: true }),
    radioGroup({ name: "status", legend: goal("status"), options: options("goal", "status"), value: f.status || "active" }),
  );
  const draft = await autosave(form, `goal:${citizenId}:${goalId || "new"}`);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const v = readForm(form);
    const errors = {};
    const values = {};
    for (const name of ["wording", "set_on", "status"]) values[name] = take(errors, name, check("goal", name, v[name], { required: true }));
    if (!showErrors(form, errors)) return;
    let ops;
    if (!record) {
      values.status_on = values.set_on;
      ops = [{ entity: "goal", record_id: uuid4(), kind: "create", value: { citizen_id: citizenId, ...values } }];
    } else {
      if (values.status !== f.status) values.status_on = today();
      ops = await changedOps(record, values);
    }
    if (!(await save(app, () => draft.commit(ops)))) return;
    sync.soon();
    app.go(pageOf(citizenId), ops.length ? (record ? "Målet er rettet. Det tidligere står i historikken." : "Målet er gemt.") : "Ingen ændringer at gemme.");
  });
  return {
    title,
    body: [
      h("p", {}, h("a", { href: pageOf(citizenId) }, "‹ Tilbage til borgeren")),
      h("h1", {}, title),
      h("p", {}, "Målene er indholdet i behandlingsplanen: det, borgeren selv håber og ønsker – ikke nødvendigvis stoffrihed."),
      draftNotice(draft.restored),
      form,
    ],
    actions: [h("button", { type: "submit", form: "goal-form", class: "button primary", id: "save-goal" }, "Gem mål")],
  };
}
