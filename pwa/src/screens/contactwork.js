// The contact log as the work is done (issue 12): practical help given, outside office hours
// (ticked from the contact's time, see hours.js) and a joint call with the citizen present.
// Used by the contact form (forms.js) and the citizen page's timeline (citizen.js).
import { field, fieldLabel } from "../schema.js";
import { outsideOfficeHours } from "../hours.js";
import { h, label, checkboxGroup, checkField } from "../ui.js";

const spec = (name) => field("contact", name);
// A joint call is a call: asked for these channels only; for the others it is not given.
export const CALL_CHANNELS = ["phone", "video"];

/** A checkbox with a hint its input is described by. */
function describedCheck(name, text, hint, checked) {
  const box = checkField({ name, label: text, checked });
  const input = box.querySelector("input");
  const hintEl = h("p", { class: "hint", id: `${input.id}-hint` }, hint);
  input.setAttribute("aria-describedby", `${input.id}-hint ${input.getAttribute("aria-describedby")}`);
  box.querySelector(".choice").after(hintEl);
  return box;
}

/**
 * The contact form's part for the work done. `was`: the contact's values (a correction) or
 * null (a new contact). Returns {help, hours, joint, start(restored)}: `start` runs once the draft
 * is restored; until the behandler touches the box, "outside office hours" follows the
 * time typed (a correction and a restored draft keep what is there).
 */
export function contactWorkFields(form, was) {
  const help = checkboxGroup({ name: "help_given", legend: "Hvilken praktisk hjælp? (valgfrit)", options: spec("help_given").options, value: was?.help_given || [] });
  const hours = describedCheck("outside_hours", spec("outside_hours").label, "Sat ud fra tidspunktet: før kl. 8, efter kl. 16 eller i weekenden. Fjern fluebenet, hvis det ikke passer.", !!was?.outside_hours);
  const joint = describedCheck("joint_call", spec("joint_call").label, "Du og borgeren ringer sammen, fx til sagsbehandleren. Kontakten tæller der, hvor I er.", !!was?.joint_call);
  joint.id = "joint-call";
  const hoursBox = hours.querySelector("input");
  const showJoint = () => {
    joint.hidden = !CALL_CHANNELS.includes(form.elements.channel?.value);
  };
  return {
    help,
    hours,
    joint,
    start(restored) {
      let touched = !!was || restored;
      hoursBox.addEventListener("change", () => (touched = true));
      const time = form.elements.occurred_at;
      const follow = () => {
        if (!touched) hoursBox.checked = outsideOfficeHours(time.value);
      };
      time.addEventListener("input", follow);
      time.addEventListener("change", follow);
      form.elements.channel?.addEventListener("change", showJoint);
      follow();
      showJoint();
    },
  };
}

/** The form's values of these fields: a box = true/false; a joint call only on a call channel. */
export function contactWorkValues(v) {
  return {
    help_given: v.help_given?.length ? [...v.help_given].sort() : null,
    outside_hours: (v.outside_hours || []).length > 0,
    joint_call: CALL_CHANNELS.includes(v.channel) ? (v.joint_call || []).length > 0 : null,
  };
}

/** The timeline's lines for these fields (none when nothing was recorded). */
export function contactWorkLines(x) {
  const opt = (value) => label(spec("help_given").options, value);
  return [
    x.help_given?.length ? h("p", { class: "muted" }, `${fieldLabel("contact", "help_given")}: ${x.help_given.map(opt).join(", ")}`) : null,
    x.outside_hours || x.joint_call
      ? h("p", { class: "muted" }, [x.outside_hours ? fieldLabel("contact", "outside_hours") : null, x.joint_call ? fieldLabel("contact", "joint_call") : null].filter(Boolean).join(" · "))
      : null,
  ];
}
