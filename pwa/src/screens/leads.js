// Anonymous leads ("henvisninger"): a volunteer notes a person they spotted, without
// any identifying text. Behandlere see the municipality's leads.
import * as store from "../store.js";
import * as sync from "../sync.js";
import { list, field } from "../schema.js";
import { check, take } from "../validate.js";
import { leadStage } from "../derive.js";
import { uuid4 } from "../crypto.js";
import { ageText, statusText } from "./lead.js";
import { h, label, fmtDate, textField, selectField, radioGroup, checkboxGroup, readForm, showErrors, autosave, draftNotice, today } from "../ui.js";

const spec = (name) => field("lead", name);
const opt = (name, code) => label(spec(name).options, code);

export function leadsScreen(app) {
  const volunteer = store.state.user?.role === "frivillig";
  const leadList = h("div", { id: "leads" });
  let attempts = [];
  const row = (l) => {
    const f = l.fields;
    const details = [f.age_band ? opt("age_band", f.age_band) : null, f.sex ? opt("sex", f.sex) : null, ...(f.concerns || []).map((c) => opt("concerns", c))]
      .filter(Boolean)
      .join(", ") || "Ingen detaljer";
    const where = [h("strong", {}, fmtDate(f.seen_on)), ` · ${opt("place_type", f.place_type)}`, f.area ? ` · ${f.area}` : ""];
    // A volunteer sees where the lead is (its stage, sent by the server: the outcome and the
    // citizen behind it are not theirs to see); a behandler the lead's age and its outcome.
    if (volunteer) {
      return h("li", {}, h("p", {}, where), h("p", { class: "muted" }, details), h("p", {}, `Status: ${label(list("LEAD_STAGES"), l.stage ?? leadStage(l))}`),
        l.pending ? h("span", { class: "tag" }, "Ikke sendt") : null);
    }
    const conflict = (l.conflicts || []).some((c) => c.values?.length > 1);
    return h(
      "li",
      {},
      h("a", { class: "row", href: `#/henvisning/${encodeURIComponent(l.id)}` }, h("p", {}, where), h("p", { class: "muted" }, `${ageText(l)} · ${details}`),
        h("p", {}, `Status: ${f.outcome && !f.resolution ? opt("outcome", f.outcome) : statusText(l, attempts)}`)),
      conflict ? h("span", { class: "tag danger" }, "Konflikt") : null,
      l.pending ? h("span", { class: "tag" }, "Ikke sendt") : null,
    );
  };
  const draw = () => {
    const leads = [...store.state.leads.values()].filter((l) => !l.archived).sort((a, b) => (b.fields.seen_on || "").localeCompare(a.fields.seen_on || ""));
    leadList.replaceChildren(leads.length ? h("ul", { class: "items" }, leads.map(row)) : h("p", {}, "Ingen henvisninger endnu."));
  };
  const refresh = async () => {
    if (!volunteer) attempts = await store.leadAttempts();
    draw();
  };
  draw();
  return {
    title: volunteer ? "Mine henvisninger" : "Henvisninger",
    body: [
      volunteer ? h("p", {}, h("a", { href: "#/samtykker" }, "Borgere, der har givet samtykke til os")) : h("p", {}, h("a", { href: "#/" }, "‹ Mine borgere")),
      h("h1", {}, volunteer ? "Mine henvisninger" : "Henvisninger"),
      h("p", {}, "Anonyme henvisninger af personer, der kan have brug for fremskudt behandling. Skriv aldrig navne eller andet, der kan identificere personen."),
      leadList,
    ],
    actions: [h("a", { class: "button primary", href: "#/ny-henvisning" }, "Ny henvisning")],
    mounted: () => refresh(),
    live: (what) => ["pull", "local", "push"].includes(what) && refresh(),
  };
}

export async function newLeadScreen(app) {
  const form = h(
    "form",
    { novalidate: true, id: "lead-form" },
    textField({ name: "seen_on", label: spec("seen_on").label, type: "date", value: today(), max: today(), required: true }),
    radioGroup({ name: "place_type", legend: spec("place_type").label, options: spec("place_type").options, value: "vaerested" }),
    textField({ name: "area", label: `${spec("area").label} (valgfrit)`, maxlength: spec("area").max_length, hint: "Fx bydel eller gade. Skriv ikke navne." }),
    selectField({ name: "age_band", label: spec("age_band").label, options: spec("age_band").options, empty: "Ved ikke / vælg" }),
    radioGroup({ name: "sex", legend: `${spec("sex").label} (valgfrit)`, options: spec("sex").options, value: "" }),
    checkboxGroup({ name: "concerns", legend: spec("concerns").label, options: spec("concerns").options, value: [] }),
  );
  const draft = await autosave(form, "new-lead");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const v = readForm(form);
    const errors = {};
    const seenOn = take(errors, "seen_on", check("lead", "seen_on", v.seen_on));
    if (!v.place_type) errors.place_type = "Vælg hvor du så personen.";
    const area = take(errors, "area", check("lead", "area", v.area));
    if (!showErrors(form, errors)) return;
    const value = { org_id: store.state.user.organisation_id, seen_on: seenOn, place_type: v.place_type };
    if (area) value.area = area;
    if (v.age_band) value.age_band = v.age_band;
    if (v.sex) value.sex = v.sex;
    if (v.concerns.length) value.concerns = v.concerns;
    if (!(await draft.commit([{ entity: "lead", record_id: uuid4(), kind: "create", value }]))) return;
    sync.soon();
    app.go(store.state.user.role === "frivillig" ? "#/" : "#/henvisninger", "Henvisningen er gemt. Tak!");
  });
  return {
    title: "Ny henvisning",
    body: [h("p", {}, h("a", { href: store.state.user?.role === "frivillig" ? "#/" : "#/henvisninger" }, "‹ Henvisninger")), h("h1", {}, "Ny henvisning"), draftNotice(draft.restored), form],
    actions: [h("button", { type: "submit", form: "lead-form", class: "button primary" }, "Gem henvisning")],
  };
}
