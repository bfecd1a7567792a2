// The router: which screen the app's mode and the address (hash route) show. Routes are
// listed in docs/pwa.md ("Screens"); every screen checks its own data, the server every write.
import * as store from "./store.js";
import { h, clearActiveDraft } from "./ui.js";
import { loginScreen, setupScreen, unlockScreen, reloginScreen } from "./screens/auth.js";
import { listScreen } from "./screens/citizens.js";
import { citizenScreen } from "./screens/citizen.js";
import { newCitizenScreen, codeScreen } from "./screens/newcitizen.js";
import { contactScreen, phaseScreen, consentScreen, conflictScreen } from "./screens/forms.js";
import { leadsScreen, newLeadScreen } from "./screens/leads.js";
import { leadScreen, attemptScreen, linkNewScreen, linkExistingScreen, closeScreen } from "./screens/lead.js";
import { meetingsScreen, citizenMeetingsScreen, newMeetingScreen, meetingScreen } from "./screens/meetings.js";
import { partnerScreen } from "./screens/partner.js";
import { visibilityScreen, newVisibilityScreen } from "./screens/visibility.js";
import { syncScreen } from "./screens/settings.js";
import { unlockChangeScreen } from "./screens/unlockchange.js";
import { fillScreen, paperScreen, responseScreen } from "./screens/forms_fill.js";
import { handOverScreen, selfFillScreen } from "./screens/selffill.js";
import { requestScreen, safetyScreen, childrenScreen } from "./screens/coursework.js";
import { goalScreen } from "./screens/goals.js";
import { endCourseScreen } from "./screens/endcourse.js";

export async function pick(app) {
  if (app.mode === "boot") return { title: "", body: [h("h1", {}, "Brobygger"), h("p", {}, "Indlæser …")] };
  if (app.mode === "login") return loginScreen(app);
  if (app.mode === "setup") return setupScreen(app);
  if (app.mode === "unlock") return unlockScreen(app);
  clearActiveDraft();
  if (app.mode === "selffill") return selfFillScreen(app); // whatever the address says
  const hash = location.hash.replace(/^#/, "") || "/";
  const parts = hash.split("/").filter(Boolean);
  const role = store.state.user?.role;
  if (parts[0] === "synk") return parts[1] === "oplaasning" ? unlockChangeScreen(app) : syncScreen(app);
  if (parts[0] === "log-ind") return reloginScreen(app);
  if (role === "admin") return adminScreen();
  if (role === "frivillig") {
    if (parts[0] === "ny-henvisning") return newLeadScreen(app);
    if (parts[0] === "samtykker") return partnerScreen(app);
    if (parts[0] === "moede" && parts[1]) return meetingScreen(app, decodeURIComponent(parts[1]));
    return leadsScreen(app);
  }
  if (parts[0] === "ny-borger") return newCitizenScreen(app);
  if (parts[0] === "henvisninger") return leadsScreen(app);
  if (parts[0] === "ny-henvisning") return newLeadScreen(app);
  if (parts[0] === "henvisning" && parts[1]) {
    const id = decodeURIComponent(parts[1]);
    const screens = { forsoeg: attemptScreen, "ny-borger": linkNewScreen, "kendt-borger": linkExistingScreen, afslut: closeScreen };
    return (screens[parts[2]] || leadScreen)(app, id);
  }
  if (parts[0] === "moeder") return meetingsScreen(app);
  if (parts[0] === "synlighed") return parts[1] === "ny" ? newVisibilityScreen(app) : visibilityScreen(app);
  if (parts[0] === "moede" && parts[1]) return meetingScreen(app, decodeURIComponent(parts[1]));
  if (parts[0] === "borger" && parts[1]) {
    const id = decodeURIComponent(parts[1]);
    if (parts[2] === "kontakt") return contactScreen(app, id, parts[3] ? decodeURIComponent(parts[3]) : null);
    if (parts[2] === "fase") return phaseScreen(app, id);
    if (parts[2] === "afslut") return endCourseScreen(app, id);
    if (parts[2] === "kode") return codeScreen(app, id);
    if (parts[2] === "samtykke") {
      // samtykke/<consent id> changes one; samtykke/formaal/<purpose> starts a new one for a purpose
      if (parts[3] === "formaal") return consentScreen(app, id, null, decodeURIComponent(parts[4] || ""));
      return consentScreen(app, id, parts[3] ? decodeURIComponent(parts[3]) : null);
    }
    if (parts[2] === "konflikt") return conflictScreen(app, id, decodeURIComponent(parts[3] || ""), decodeURIComponent(parts[4] || ""));
    if (parts[2] === "skema" && parts[3]) return fillScreen(app, id, decodeURIComponent(parts[3]), { paper: parts[4] === "papir" });
    if (parts[2] === "papir") return paperScreen(app, id);
    if (parts[2] === "svar" && parts[3]) return responseScreen(app, id, decodeURIComponent(parts[3]));
    if (parts[2] === "selv") return handOverScreen(app, id);
    if (parts[2] === "moeder") return citizenMeetingsScreen(app, id);
    if (parts[2] === "nyt-moede") return newMeetingScreen(app, id);
    if (parts[2] === "anmodning") return requestScreen(app, id);
    if (parts[2] === "sikkerhed") return safetyScreen(app, id);
    if (parts[2] === "boern") return childrenScreen(app, id);
    if (parts[2] === "maal") return goalScreen(app, id, parts[3] ? decodeURIComponent(parts[3]) : null);
    return citizenScreen(app, id);
  }
  return listScreen(app);
}

function adminScreen() {
  return {
    title: "Administrator",
    body: [
      h("h1", {}, "Administrator"),
      h("p", {}, "Appen er til feltarbejde. Brugere, teams og telefoner administreres på kontorets administrationsside."),
      h("a", { class: "button primary", href: "/kontor/admin", id: "admin-page" }, "Åbn administrationssiden"),
      h("a", { class: "button secondary", href: "#/synk" }, "Indstillinger og log ud"),
    ],
  };
}
