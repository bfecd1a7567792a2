// "Skift oplåsning": prove the current secret, then a new passphrase or fingerprint/face.
// The data key stays; only its wrapping changes (store.changeUnlock). A wrong current
// secret counts toward the wipe exactly as on the unlock screen.
import * as store from "../store.js";
import { kekFromPassphrase, kekFromSecret } from "../crypto.js";
import { h, textField, readForm, showErrors } from "../ui.js";
import { prfPossible, createPrfCredential, prfSecret } from "../webauthn.js";
import { formError, formErrorSlot, newPassphraseErrors, passphraseHint } from "./auth.js";

const METHOD_NAMES = { prf: "fingeraftryk eller ansigt", passphrase: "adgangssætning" };
const remainingText = (n) => `${n} forsøg tilbage, før alle data på telefonen slettes.`;

export async function unlockChangeScreen(app) {
  const current = await store.keyslot();
  const byPassphrase = current.method !== "prf";
  const canPrf = byPassphrase && (await prfPossible());
  const failed = (await store.getMeta("failed_unlocks")) || 0;
  const form = h(
    "form",
    { novalidate: true, id: "unlock-change-form" },
    formErrorSlot(),
    byPassphrase
      ? textField({ name: "current", label: "Nuværende adgangssætning", type: "password", autocomplete: "current-password", required: true })
      : h("p", {}, "Du bekræfter med fingeraftryk eller ansigt, når du gemmer."),
    h(
      "section",
      { class: "card", "aria-labelledby": "new-pass-h" },
      h("h2", { id: "new-pass-h" }, byPassphrase ? "Vælg en ny adgangssætning" : "Skift til adgangssætning"),
      textField({ name: "passphrase", label: "Ny adgangssætning", type: "password", autocomplete: "new-password", required: true, hint: passphraseHint }),
      textField({ name: "repeat", label: "Gentag ny adgangssætning", type: "password", autocomplete: "new-password", required: true }),
    ),
  );
  const buttons = () => document.querySelectorAll("nav.actions button, #prf-change");

  /** Run one change; every failure is said in Danish next to its field or above the form. */
  async function change(proof, makeNew, done) {
    buttons().forEach((b) => (b.disabled = true));
    try {
      await store.changeUnlock(proof, makeNew);
      app.go("#/synk", done);
    } catch (error) {
      buttons().forEach((b) => (b.disabled = false));
      if (form.elements.current) form.elements.current.value = "";
      if (error instanceof store.Wiped) return app.wiped("wrong_unlocks");
      if (error instanceof store.WrongSecret) {
        if (byPassphrase) showErrors(form, { current: `Forkert adgangssætning. ${remainingText(error.remaining)}` });
        else formError(form, `Forkert nøgle. ${remainingText(error.remaining)}`);
      } else if (error.message === "no-prf") {
        formError(form, "Telefonen kan ikke bruge fingeraftryk eller ansigt til at beskytte data her. Intet er ændret.");
      } else formError(form, "Oplåsningen blev ikke skiftet, og intet er ændret. Prøv igen.");
    }
  }

  /** The proof of the current secret. PRF: the fingerprint is asked for first, so that a
   * cancelled prompt is not counted as a wrong attempt (as on the unlock screen). */
  async function proofOf(v) {
    if (byPassphrase) return (slot) => kekFromPassphrase(v.current, slot.salt, slot.iterations);
    const secret = await prfSecret(current.credentialId, current.prfSalt);
    return (slot) => kekFromSecret(secret, slot.salt);
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    formError(form, "");
    const v = readForm(form);
    const errors = newPassphraseErrors(v);
    if (byPassphrase && !v.current) errors.current = "Skriv din nuværende adgangssætning.";
    else if (byPassphrase && !errors.passphrase && v.current === v.passphrase) {
      errors.passphrase = "Den nye adgangssætning er den samme som den nuværende. Vælg en ny.";
    }
    if (!showErrors(form, errors)) return;
    let proof;
    try {
      proof = await proofOf(v);
    } catch {
      return formError(form, "Fingeraftryk eller ansigt blev ikke brugt, og intet er ændret. Prøv igen.");
    }
    await change(proof, () => store.passphraseSlot(v.passphrase), "Adgangssætningen er skiftet. Brug den nye, næste gang du låser op.");
  });

  const toPrf = async () => {
    formError(form, "");
    const v = readForm(form);
    if (!showErrors(form, v.current ? {} : { current: "Skriv din nuværende adgangssætning." })) return;
    const makeNew = async () => {
      const { credentialId, prfSalt, secret } = await createPrfCredential(store.state.user);
      return store.prfSlot(credentialId, prfSalt, secret);
    };
    await change(await proofOf(v), makeNew, "Telefonen låses nu op med fingeraftryk eller ansigt.");
  };
  const prfBlock = canPrf
    ? h(
        "section",
        { class: "card", "aria-labelledby": "prf-change-h" },
        h("h2", { id: "prf-change-h" }, "Eller brug fingeraftryk eller ansigt"),
        h("p", {}, "Skriv din nuværende adgangssætning ovenfor, og tryk her. Det er det sikreste valg."),
        h("button", { type: "button", class: "button secondary", id: "prf-change", onclick: toPrf }, "Skift til fingeraftryk eller ansigt"),
      )
    : null;

  return {
    title: "Skift oplåsning",
    body: [
      h("p", {}, h("a", { href: "#/synk" }, "‹ Synkronisering og indstillinger")),
      h("h1", {}, "Skift oplåsning"),
      h("p", {}, `Nu låser du op med ${METHOD_NAMES[current.method] || "adgangssætning"}. Dine data og ændringer bliver på telefonen – kun låsen skiftes.`),
      failed ? h("p", { class: "notice warning" }, remainingText(store.state.settings.maxFailedUnlocks - failed)) : null,
      form,
      prfBlock,
    ],
    actions: [
      h("button", { type: "submit", form: "unlock-change-form", class: "button primary", id: "save-unlock" }, byPassphrase ? "Skift adgangssætning" : "Skift til adgangssætning"),
    ],
  };
}
