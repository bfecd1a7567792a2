// "Borgere, der har givet samtykke til os": a partner organisation's citizens. The phone
// holds exactly what the live consents naming the organisation reveal (sync/scope.py
// PARTNER_VIEWS, projected by the server), and loses it at the next sync after a
// withdrawal; this screen shows every field it holds, and nothing it does not.
import * as store from "../store.js";
import { entity, fieldLabel, list } from "../schema.js";
import { h, label } from "../ui.js";
import { fieldValueText } from "./citizens.js";
import { meetingList } from "./meetings.js";

const CITIZEN_FIELDS = Object.keys(entity("citizen").fields).filter((name) => name !== "archived");

async function card(row) {
  const views = await store.citizenViews(row.id);
  const citizen = views.find((v) => v.entity === "citizen");
  if (!citizen || citizen.archived) return null;
  const shown = CITIZEN_FIELDS.filter((name) => citizen.fields[name] != null && citizen.fields[name] !== "");
  const phases = views.filter((v) => v.entity === "course" && !v.archived && v.fields.phase);
  const meetings = views.filter((v) => v.entity === "meeting" && !v.voided).sort((a, b) => (b.fields.held_on || "").localeCompare(a.fields.held_on || ""));
  return h(
    "li",
    { class: "partner-citizen" },
    h("h2", {}, [citizen.fields.initials, citizen.fields.code].filter(Boolean).join(" · ") || "Borger"),
    h(
      "dl",
      { class: "facts" },
      shown.map((name) => [h("dt", {}, fieldLabel("citizen", name)), h("dd", {}, fieldValueText("citizen", name, citizen.fields[name]))]),
      phases.map((c) => [h("dt", {}, fieldLabel("course", "phase")), h("dd", {}, label(list("PHASES"), c.fields.phase.phase))]),
    ),
    meetings.length ? [h("h3", {}, "Møder, I deltog i"), meetingList(meetings)] : null,
  );
}

export function partnerScreen() {
  const holder = h("div", { id: "partner-citizens" });
  const draw = async () => {
    const rows = [...store.state.summary.values()].filter((r) => !r.missing && !r.archived).sort((a, b) => (a.code < b.code ? -1 : 1));
    const cards = (await Promise.all(rows.map(card))).filter(Boolean);
    holder.replaceChildren(cards.length ? h("ul", { class: "items" }, cards) : h("p", {}, "Ingen borgere har givet samtykke til, at I ser deres oplysninger."));
  };
  return {
    title: "Borgere med samtykke",
    body: [
      h("p", {}, h("a", { href: "#/" }, "‹ Mine henvisninger")),
      h("h1", {}, "Borgere, der har givet samtykke til os"),
      h("p", {}, "Du ser kun det, borgerens samtykke giver jer lov til. Trækker borgeren samtykket tilbage, forsvinder borgeren fra telefonen ved næste synkronisering."),
      holder,
    ],
    mounted: () => draw(),
    live: (what) => what === "pull" && draw(),
  };
}
