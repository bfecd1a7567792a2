// Encryption at rest with WebCrypto. One random AES-GCM data key encrypts every
// record, draft and outbox entry (random 96-bit IV per write, the store name and key
// as additional data so a ciphertext cannot be moved to another slot). The data key
// is stored only wrapped by a key-encryption key (KEK) derived from a WebAuthn PRF
// secret (HKDF) or a passphrase (PBKDF2-SHA256, 600,000 iterations).
const te = new TextEncoder();
const td = new TextDecoder();
const subtle = () => crypto.subtle;

export const PBKDF2_ITERATIONS = 600000;
export const MIN_PASSPHRASE = 10;

export const randomBytes = (n) => crypto.getRandomValues(new Uint8Array(n));
export const uuid4 = () =>
  crypto.randomUUID ? crypto.randomUUID() : formatUuid(setVersion(randomBytes(16), 0x40));

function setVersion(b, version) {
  b[6] = (b[6] & 0x0f) | version;
  b[8] = (b[8] & 0x3f) | 0x80;
  return b;
}

function formatUuid(b) {
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function parseUuid(text) {
  const hex = text.replace(/-/g, "");
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** RFC 4122 version-5 UUID (SHA-1 of namespace + name), as Python's uuid.uuid5. */
export async function uuid5(namespace, name) {
  const ns = parseUuid(namespace);
  const nameBytes = te.encode(name);
  const buf = new Uint8Array(16 + nameBytes.length);
  buf.set(ns);
  buf.set(nameBytes, 16);
  const digest = new Uint8Array(await subtle().digest("SHA-1", buf)).slice(0, 16);
  return formatUuid(setVersion(digest, 0x50));
}

export function newDataKey() {
  // Extractable only so that it can be wrapped once; the working copy is unwrapped
  // as non-extractable (see unwrapDataKey).
  return subtle().generateKey({ name: "AES-GCM", length: 256 }, true, ["encrypt", "decrypt"]);
}

export async function kekFromPassphrase(passphrase, salt, iterations = PBKDF2_ITERATIONS) {
  const base = await subtle().importKey("raw", te.encode(passphrase.normalize("NFC")), "PBKDF2", false, ["deriveKey"]);
  return subtle().deriveKey(
    { name: "PBKDF2", hash: "SHA-256", salt, iterations },
    base,
    { name: "AES-GCM", length: 256 },
    false,
    ["wrapKey", "unwrapKey"],
  );
}

export async function kekFromSecret(secret, salt) {
  const base = await subtle().importKey("raw", secret, "HKDF", false, ["deriveKey"]);
  return subtle().deriveKey(
    { name: "HKDF", hash: "SHA-256", salt, info: te.encode("brobygger kek v1") },
    base,
    { name: "AES-GCM", length: 256 },
    false,
    ["wrapKey", "unwrapKey"],
  );
}

export async function wrapDataKey(dataKey, kek) {
  const iv = randomBytes(12);
  const wrapped = new Uint8Array(await subtle().wrapKey("raw", dataKey, kek, { name: "AES-GCM", iv }));
  return { iv, wrapped };
}

/** Throws (OperationError) when the KEK is wrong: that is how a wrong passphrase shows.
 * Extractable only to wrap the same key under a new KEK (changing the unlock method). */
export function unwrapDataKey(slot, kek, extractable = false) {
  return subtle().unwrapKey("raw", slot.wrapped, kek, { name: "AES-GCM", iv: slot.iv }, { name: "AES-GCM", length: 256 }, extractable, [
    "encrypt",
    "decrypt",
  ]);
}

/** Encrypt a JSON-able value into one Uint8Array: IV (12 bytes) ‖ ciphertext+tag.
 * `aad` binds the ciphertext to its slot (store + key), so boxes cannot be swapped. */
export async function seal(key, value, aad) {
  const iv = randomBytes(12);
  const data = te.encode(JSON.stringify(value));
  const ct = await subtle().encrypt({ name: "AES-GCM", iv, additionalData: te.encode(aad) }, key, data);
  const box = new Uint8Array(12 + ct.byteLength);
  box.set(iv);
  box.set(new Uint8Array(ct), 12);
  return box;
}

export async function unseal(key, box, aad) {
  const data = await subtle().decrypt({ name: "AES-GCM", iv: box.subarray(0, 12), additionalData: te.encode(aad) }, key, box.subarray(12));
  return JSON.parse(td.decode(data));
}

export function toB64url(bytes) {
  let s = "";
  for (const b of new Uint8Array(bytes)) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
