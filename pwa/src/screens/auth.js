// Login, protecting the phone's data (fingerprint/face via WebAuthn PRF or a
// passphrase), unlocking, and logging in again when the server session expired.
import * as api from "../api.js";
import * as store from "../store.js";
import * as sync from "../sync.js";
import { MIN_PASSPHRASE } from "../crypto.js";
import { h, textField, readForm, showErrors } from "../ui.js";
import { prfPossible, createPrfCredential, prfSecret } from "../webauthn.js";

export function formError(form, message) {
  const slot = form.querySelector(".form-error");
  slot.textContent = message;
  slot.hidden = !message;
  if (message) slot.focus();
}
export const formErrorSlot = () => h("p", { class: "form-error", role: "alert", tabindex: "-1", hidden: true });

/** The strength rules for a new passphrase (set-up and change): fields passphrase, repeat. */
export function newPassphraseErrors(v) {
  const errors = {};
  if (v.passphrase.length < MIN_PASSPHRASE) errors.passphrase = `Adgangssætningen skal være mindst ${MIN_PASSPHRASE} tegn.`;
  else if (/^\d+$/.test(v.passphrase)) errors.passphrase = "Brug ikke kun tal. En pinkode kan gættes, hvis telefonen bliver stjålet.";
  if (!errors.passphrase && v.repeat !== v.passphrase) errors.repeat = "De to adgangssætninger er ikke ens.";
  return errors;
}

export const passphraseHint = `Mindst ${MIN_PASSPHRASE} tegn. Brug gerne flere ord, fx "grøn kaffe på havnen".`;

export function loginScreen(app) {
  const form = h(
    "form",
    { novalidate: true, id: "login-form" },
    formErrorSlot(),
    textField({ name: "username", label: "Brugernavn", autocomplete: "username", required: true }),
    textField({ name: "password", label: "Adgangskode", type: "password", autocomplete: "current-password", required: true }),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const v = readForm(form);
    const errors = {};
    if (!v.username.trim()) errors.username = "Skriv dit brugernavn.";
    if (!v.password) errors.password = "Skriv din adgangskode.";
    if (!showErrors(form, errors)) return;
    const button = document.getElementById("login-submit");
    button.disabled = true;
    try {
      const res = await api.login(v.username.trim(), v.password);
      await app.loggedIn(res.user);
    } catch (error) {
      button.disabled = false;
      formError(
        form,
        error.code === "offline"
          ? "Du skal have forbindelse til nettet, første gang du logger ind på denne telefon."
          : error.message || "Login mislykkedes.",
      );
    }
  });
  // The municipality's own login (OpenID Connect), when the server offers it: a plain link;
  // the server sends the browser back here with a session (server/api/oidc.py).
  const provider = h("p", { id: "oidc-login", hidden: true });
  return {
    title: "Log ind",
    body: [
      h("h1", {}, "Log ind"),
      h("p", {}, "Brobygger til fremskudt stofbehandling. Efter første login virker appen også uden netværk."),
      form,
      provider,
    ],
    actions: [h("button", { type: "submit", form: "login-form", class: "button primary", id: "login-submit" }, "Log ind")],
    async mounted() {
      try {
        const { oidc } = await api.loginProviders();
        if (!oidc || !provider.isConnected) return;
        provider.replaceChildren(h("a", { class: "button secondary", href: `${oidc.url}?next=${encodeURIComponent("/")}` }, oidc.label));
        provider.hidden = false;
      } catch {} // offline, or an older server: the password form is there
    },
  };
}

// The name the server lists the phone under (server/api/devices.py allows 100 characters).
const DEVICE_NAME_MAX = 100;
export const defaultDeviceName = (user) => `Telefon – ${user?.display_name || user?.username || ""}`.trim();

/** "Telefonens navn" on the set-up screen: the worker names the phone before it registers. */
function deviceNameForm(user) {
  const form = h(
    "form",
    { novalidate: true, id: "device-form" },
    textField({
      name: "device_name",
      label: "Telefonens navn",
      value: defaultDeviceName(user),
      maxlength: DEVICE_NAME_MAX,
      hint: "Så du og projektlederen kan kende telefonen i listen over telefoner, fx hvis den bliver væk.",
    }),
  );
  form.addEventListener("submit", (event) => event.preventDefault());
  return form;
}

async function saveDeviceName(form, user) {
  const name = form.elements.device_name.value.trim().slice(0, DEVICE_NAME_MAX) || defaultDeviceName(user);
  await store.putMeta("device_name", name);
}

async function afterSetup(app) {
  try {
    const orgs = await api.organisations();
    if (Array.isArray(orgs)) await store.putMeta("organisations", orgs);
  } catch {}
  await app.unlocked();
}

export async function setupScreen(app) {
  const user = store.state.user;
  const canPrf = await prfPossible();
  const deviceForm = deviceNameForm(user);
  const form = h(
    "form",
    { novalidate: true, id: "setup-form" },
    formErrorSlot(),
    textField({
      name: "passphrase",
      label: "Adgangssætning",
      type: "password",
      autocomplete: "new-password",
      required: true,
      hint: passphraseHint,
    }),
    textField({ name: "repeat", label: "Gentag adgangssætning", type: "password", autocomplete: "new-password", required: true }),
  );
  const busy = (on) => document.querySelectorAll("nav.actions button, #prf-setup").forEach((b) => (b.disabled = on));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const v = readForm(form);
    if (!showErrors(form, newPassphraseErrors(v))) return;
    busy(true);
    try {
      await saveDeviceName(deviceForm, user);
      await store.setupPassphrase(v.passphrase);
      await afterSetup(app);
    } catch (error) {
      busy(false);
      formError(form, `Kunne ikke beskytte data: ${error.message}`);
    }
  });
  const prfBlock = canPrf
    ? h(
        "section",
        { class: "card", "aria-labelledby": "prf-h" },
        h("h2", { id: "prf-h" }, "Fingeraftryk eller ansigt"),
        h("p", {}, "Telefonens fingeraftryk eller ansigtsgenkendelse låser dine data op. Det er det sikreste valg."),
        h(
          "button",
          {
            type: "button",
            class: "button primary",
            id: "prf-setup",
            onclick: async () => {
              busy(true);
              try {
                const { credentialId, prfSalt, secret } = await createPrfCredential(user);
                await saveDeviceName(deviceForm, user);
                await store.setupPrf(credentialId, prfSalt, secret);
                await afterSetup(app);
              } catch (error) {
                busy(false);
                formError(
                  form,
                  error.message === "no-prf"
                    ? "Telefonen kan ikke bruge fingeraftryk eller ansigt til at beskytte data her. Vælg en adgangssætning."
                    : "Fingeraftryk eller ansigt blev ikke brugt. Prøv igen, eller vælg en adgangssætning.",
                );
              }
            },
          },
          "Brug fingeraftryk eller ansigt",
        ),
      )
    : null;
  return {
    title: "Beskyt data",
    body: [
      h("h1", {}, "Beskyt data på telefonen"),
      h("p", {}, `Hej ${user?.display_name || user?.username || ""}. Borgernes oplysninger gemmes krypteret på telefonen. Vælg, hvordan de skal låses op.`),
      h("section", { class: "card", "aria-labelledby": "device-h" }, h("h2", { id: "device-h" }, "Telefonen"), deviceForm),
      prfBlock,
      h("section", { class: "card", "aria-labelledby": "pass-h" }, h("h2", { id: "pass-h" }, canPrf ? "Eller brug en adgangssætning" : "Brug en adgangssætning"), form),
    ],
    actions: [h("button", { type: "submit", form: "setup-form", class: "button secondary" }, "Brug adgangssætning")],
  };
}

export async function unlockScreen(app) {
  const slot = await store.keyslot();
  const user = store.state.user;
  const failed = (await store.getMeta("failed_unlocks")) || 0;
  const max = store.state.settings.maxFailedUnlocks;
  const form = h("form", { novalidate: true, id: "unlock-form" }, formErrorSlot());
  const warn = failed ? h("p", { class: "notice warning" }, `${max - failed} forsøg tilbage, før alle data på telefonen slettes.`) : null;
  const fail = (error) => {
    if (error instanceof store.Wiped) return app.wiped("wrong_unlocks");
    if (error instanceof store.WrongSecret) {
      formError(form, `Forkert ${slot.method === "prf" ? "nøgle" : "adgangssætning"}. ${error.remaining} forsøg tilbage, før alle data på telefonen slettes.`);
      return;
    }
    formError(form, "Oplåsningen blev afbrudt. Prøv igen.");
  };
  let actions;
  if (slot.method === "prf") {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        const secret = await prfSecret(slot.credentialId, slot.prfSalt);
        await store.unlockWithSecret(secret);
        await app.unlocked();
      } catch (error) {
        fail(error);
      }
    });
    actions = [h("button", { type: "submit", form: "unlock-form", class: "button primary", id: "unlock-submit" }, "Lås op med fingeraftryk eller ansigt")];
  } else {
    form.append(textField({ name: "passphrase", label: "Adgangssætning", type: "password", autocomplete: "current-password", required: true }));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const v = readForm(form);
      if (!showErrors(form, v.passphrase ? {} : { passphrase: "Skriv din adgangssætning." })) return;
      const button = document.getElementById("unlock-submit");
      button.disabled = true;
      button.textContent = "Låser op …";
      try {
        await store.unlockWithPassphrase(v.passphrase);
        await app.unlocked();
      } catch (error) {
        button.disabled = false;
        button.textContent = "Lås op";
        form.elements.passphrase.value = "";
        fail(error);
      }
    });
    actions = [h("button", { type: "submit", form: "unlock-form", class: "button primary", id: "unlock-submit" }, "Lås op")];
  }
  return {
    title: "Lås op",
    body: [
      h("h1", {}, "Lås op"),
      h("p", {}, `${user?.display_name || user?.username || ""}: dine data er låst. Lås op for at fortsætte – også uden netværk.`),
      warn,
      form,
    ],
    actions,
  };
}

export function reloginScreen(app) {
  const user = store.state.user;
  const form = h(
    "form",
    { novalidate: true, id: "relogin-form" },
    formErrorSlot(),
    textField({ name: "password", label: `Adgangskode for ${user.username}`, type: "password", autocomplete: "current-password", required: true }),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const v = readForm(form);
    if (!showErrors(form, v.password ? {} : { password: "Skriv din adgangskode." })) return;
    try {
      const res = await api.login(user.username, v.password);
      if (res.user.id !== user.id) {
        await api.logout().catch(() => {});
        formError(form, "Det er en anden bruger. Kun den bruger, der har data på telefonen, kan logge ind her.");
        return;
      }
      await store.setUser(res.user);
      sync.status.needsLogin = false;
      app.go("#/");
      sync.syncNow("relogin");
    } catch (error) {
      formError(form, error.message);
    }
  });
  return {
    title: "Log ind igen",
    body: [h("h1", {}, "Log ind igen"), h("p", {}, "Serveren har logget dig ud. Dine ændringer er gemt på telefonen og sendes, når du er logget ind."), form],
    actions: [h("button", { type: "submit", form: "relogin-form", class: "button primary" }, "Log ind")],
  };
}
