// Anonymous leads ("henvisninger"): a volunteer notes a person they spotted, without
// any identifying text. Behandlere see the municipality's leads.
import * as store from "../store.js";
import * as sync from "../sync.js";
import * as L from "../labels.gen.js";
import { uuid4 } from "../crypto.js";
import { h, label, fmtDate, textField, selectField, radioGroup, checkboxGroup, readForm, showErrors, autosave, draftNotice, today } from "../ui.js";

export function leadsScreen(app) {
  const list = h("div", { id: "leads" });
  const draw = () => {
    const leads = [...store.state.leads.values()].filter((l) => !l.archived).sort((a, b) => (b.fields.seen_on || "").localeCompare(a.fields.seen_on || ""));
    list.replaceChildren(
      leads.length
        ? h(
            "ul",
            { class: "items" },
            leads.map((l) => {
              const f = l.fields;
              return h(
                "li",
                {},
                h("p", {}, h("strong", {}, fmtDate(f.seen_on)), ` · ${label(L.LEAD_PLACE_TYPES, f.place_type)}`, f.area ? ` · ${f.area}` : ""),
                h(
                  "p",
                  { class: "muted" },
                  [f.age_band ? label(L.AGE_BANDS, f.age_band) : null, f.sex ? label(L.SEX, f.sex) : null, ...(f.concerns || []).map((c) => label(L.LEAD_CONCERNS, c))]
                    .filter(Boolean)
                    .join(", ") || "Ingen detaljer",
                ),
                f.outcome ? h("p", {}, `Status: ${label(L.LEAD_OUTCOMES, f.outcome)}`) : null,
                l.pending ? h("span", { class: "tag" }, "Ikke sendt") : null,
              );
            }),
          )
        : h("p", {}, "Ingen henvisninger endnu."),
    );
  };
  draw();
  const volunteer = store.state.user?.role === "frivillig";
  return {
    title: volunteer ? "Mine henvisninger" : "Henvisninger",
    body: [
      volunteer ? null : h("p", {}, h("a", { href: "#/" }, "‹ Mine borgere")),
      h("h1", {}, volunteer ? "Mine henvisninger" : "Henvisninger"),
      h("p", {}, "Anonyme henvisninger af personer, der kan have brug for fremskudt behandling. Skriv aldrig navne eller andet, der kan identificere personen."),
      list,
    ],
    actions: [h("a", { class: "button primary", href: "#/ny-henvisning" }, "Ny henvisning")],
    live: (what) => ["pull", "local", "push"].includes(what) && draw(),
  };
}

export async function newLeadScreen(app) {
  const form = h(
    "form",
    { novalidate: true, id: "lead-form" },
    textField({ name: "seen_on", label: "Dato", type: "date", value: today(), required: true }),
    radioGroup({ name: "place_type", legend: "Hvor?", options: L.LEAD_PLACE_TYPES, value: "vaerested" }),
    textField({ name: "area", label: "Område (valgfrit)", maxlength: 60, hint: "Fx bydel eller gade. Skriv ikke navne." }),
    selectField({ name: "age_band", label: "Alder (skøn)", options: L.AGE_BANDS, empty: "Ved ikke / vælg" }),
    radioGroup({ name: "sex", legend: "Køn (valgfrit)", options: L.SEX, value: "" }),
    checkboxGroup({ name: "concerns", legend: "Hvad bekymrer dig?", options: L.LEAD_CONCERNS, value: [] }),
  );
  const draft = await autosave(form, "new-lead");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const v = readForm(form);
    const errors = {};
    if (!/^\d{4}-\d{2}-\d{2}$/.test(v.seen_on)) errors.seen_on = "Vælg en gyldig dato.";
    if (!v.place_type) errors.place_type = "Vælg hvor du så personen.";
    if (v.area.length > 60) errors.area = "Området må højst være 60 tegn.";
    if (!showErrors(form, errors)) return;
    const value = { org_id: store.state.user.organisation_id, seen_on: v.seen_on, place_type: v.place_type };
    if (v.area.trim()) value.area = v.area.trim();
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
