// Synlighedsarbejde: the team's short log of visibility work (outreach tours, materials,
// talks with borgerservice, jobcenter, police, GPs). Counts only, never identities; the
// office's lead report counts it.
import * as store from "../store.js";
import * as sync from "../sync.js";
import { field } from "../schema.js";
import { check, take } from "../validate.js";
import { uuid4 } from "../crypto.js";
import { h, label, fmtDate, textField, selectField, radioGroup, checkboxGroup, readForm, showErrors, autosave, draftNotice, today } from "../ui.js";

const spec = (name) => field("visibility", name);
const opt = (name, code) => label(spec(name).options, code);

export function visibilityScreen() {
  const holder = h("div", { id: "visibility-log" });
  const draw = async () => {
    const team = store.state.user.organisation_id;
    const entries = (await store.looseViews("visibility"))
      .filter((v) => !v.archived && v.fields.team_id === team)
      .sort((a, b) => (b.fields.done_on || "").localeCompare(a.fields.done_on || ""));
    holder.replaceChildren(
      entries.length
        ? h(
            "ul",
            { class: "items" },
            entries.map((v) => {
              const f = v.fields;
              const partners = (f.partners || []).map((p) => opt("partners", p)).join(", ");
              return h(
                "li",
                {},
                h("p", {}, h("strong", {}, fmtDate(f.done_on)), ` · ${opt("kind", f.kind)}`, f.place_type ? ` · ${opt("place_type", f.place_type)}` : ""),
                h("p", { class: "muted" }, [partners ? `Mødt: ${partners}` : null, f.reached != null ? `${f.reached} personer nået` : null].filter(Boolean).join(" · ") || "Ingen detaljer"),
                v.pending ? h("span", { class: "tag" }, "Ikke sendt") : null,
              );
            }),
          )
        : h("p", {}, "Intet synlighedsarbejde registreret endnu."),
    );
  };
  return {
    title: "Synlighedsarbejde",
    body: [
      h("p", {}, h("a", { href: "#/" }, "‹ Mine borgere")),
      h("h1", {}, "Synlighedsarbejde"),
      h("p", {}, "Teamets log over opsøgende ture, materialer og møder med samarbejdspartnere. Kun antal – aldrig navne."),
      holder,
    ],
    actions: [h("a", { class: "button primary", href: "#/synlighed/ny" }, "Registrér synlighedsarbejde")],
    mounted: () => draw(),
    live: (what) => ["pull", "local", "push"].includes(what) && draw(),
  };
}

export async function newVisibilityScreen(app) {
  const form = h(
    "form",
    { novalidate: true, id: "visibility-form" },
    textField({ name: "done_on", label: spec("done_on").label, type: "date", value: today(), max: today(), required: true }),
    radioGroup({ name: "kind", legend: spec("kind").label, options: spec("kind").options, value: "outreach_tour" }),
    selectField({ name: "place_type", label: `${spec("place_type").label} (valgfrit)`, options: spec("place_type").options, empty: "Vælg sted" }),
    checkboxGroup({ name: "partners", legend: `${spec("partners").label} (valgfrit)`, options: spec("partners").options, value: [] }),
    textField({ name: "reached", label: `${spec("reached").label} (valgfrit)`, inputmode: "numeric", maxlength: 5, hint: "Kun et antal. Skriv aldrig navne." }),
  );
  const draft = await autosave(form, "new-visibility");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const v = readForm(form);
    const errors = {};
    const doneOn = take(errors, "done_on", check("visibility", "done_on", v.done_on));
    const kind = take(errors, "kind", check("visibility", "kind", v.kind));
    const partners = take(errors, "partners", check("visibility", "partners", v.partners));
    const reached = take(errors, "reached", check("visibility", "reached", v.reached));
    if (!showErrors(form, errors)) return;
    const value = { team_id: store.state.user.organisation_id, done_on: doneOn, kind };
    if (v.place_type) value.place_type = v.place_type;
    if (partners) value.partners = partners;
    if (reached !== null) value.reached = reached;
    if (!(await draft.commit([{ entity: "visibility", record_id: uuid4(), kind: "create", value }]))) return;
    sync.soon();
    app.go("#/synlighed", "Synlighedsarbejdet er gemt.");
  });
  return {
    title: "Registrér synlighedsarbejde",
    body: [h("p", {}, h("a", { href: "#/synlighed" }, "‹ Synlighedsarbejde")), h("h1", {}, "Registrér synlighedsarbejde"), draftNotice(draft.restored), form],
    actions: [h("button", { type: "submit", form: "visibility-form", class: "button primary" }, "Gem")],
  };
}
