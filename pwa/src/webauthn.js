// WebAuthn PRF as a source of key material: a platform credential (fingerprint/face)
// evaluates a PRF over a salt we store; the output becomes the KEK (HKDF). This is
// local key derivation only, not authentication to the server.
import { randomBytes } from "./crypto.js";

export async function prfPossible() {
  if (!window.PublicKeyCredential || !navigator.credentials) return false;
  try {
    return await PublicKeyCredential.isUserVerifyingPlatformAuthenticatorAvailable();
  } catch {
    return false;
  }
}

export async function createPrfCredential(user) {
  const prfSalt = randomBytes(32);
  const cred = await navigator.credentials.create({
    publicKey: {
      rp: { name: "Brobygger", id: location.hostname },
      user: { id: randomBytes(16), name: user.username, displayName: user.display_name || user.username },
      challenge: randomBytes(32),
      pubKeyCredParams: [
        { type: "public-key", alg: -7 },
        { type: "public-key", alg: -257 },
      ],
      // Not discoverable: the credential (and with it the PRF secret behind the data key)
      // must stay on this phone, not sync to a passkey provider's other devices.
      authenticatorSelection: { authenticatorAttachment: "platform", residentKey: "discouraged", requireResidentKey: false, userVerification: "required" },
      timeout: 60000,
      attestation: "none",
      extensions: { prf: { eval: { first: prfSalt } } },
    },
  });
  const ext = cred.getClientExtensionResults();
  if (!ext.prf || ext.prf.enabled === false) throw new Error("no-prf");
  const credentialId = new Uint8Array(cred.rawId);
  const first = ext.prf.results?.first;
  const secret = first ? new Uint8Array(first) : await prfSecret(credentialId, prfSalt);
  return { credentialId, prfSalt, secret };
}

export async function prfSecret(credentialId, prfSalt) {
  const assertion = await navigator.credentials.get({
    publicKey: {
      challenge: randomBytes(32),
      rpId: location.hostname,
      allowCredentials: [{ type: "public-key", id: credentialId, transports: ["internal"] }],
      userVerification: "required",
      timeout: 60000,
      extensions: { prf: { eval: { first: prfSalt } } },
    },
  });
  const first = assertion.getClientExtensionResults().prf?.results?.first;
  if (!first) throw new Error("no-prf");
  return new Uint8Array(first);
}
