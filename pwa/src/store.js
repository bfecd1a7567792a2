// The decrypted working set after unlock, and every write to the local store.
// Local state of a record = last server snapshot + own pending ops applied on top.
// The store is three modules behind this one: store_state.js (the shared state and the write
// queue), store_records.js (records, views, local writes) and store_sync.js (sync bookkeeping);
// here: opening, settings, the keys (set up, unlock, change, lock, wipe) and drafts.
import * as C from "./crypto.js";
import { openLocalStore, destroyLocalStore } from "./db.js";
import { Clock } from "./hlc.js";
import { unpackSummary } from "./views.js";
import { DEFAULT_SETTINGS, WrongSecret, Wiped, S, exclusive, emit, getMeta, putMeta, syncMeta } from "./store_state.js";
import { expand, pendingOps, rebuildSummary, refreshLead, sealSummary, resetListCache } from "./store_records.js";

export { DEFAULT_SETTINGS, WrongSecret, Wiped, StaleView, state, subscribe, emit, getMeta, putMeta, syncMeta } from "./store_state.js";
export { snapshot, pendingOps, pendingCount, oldestPendingAt, view, citizenViews, commit, seenFor, derivedId, citizenList } from "./store_records.js";
export { serverClock, recordPushResults, applyPull, looseViews, leadAttempts, resetRecords, saveHlc, markSyncSuccess, retryRejected, applyResolved, dropRejected } from "./store_sync.js";

// ---------------------------------------------------------------- opening / meta
export async function open(events) {
  if (!S.db) S.db = await openLocalStore(events);
  // One read transaction for everything the first screen needs.
  const tx = S.db.transaction("meta");
  const [deviceId, user, settings, users, slot] = await Promise.all(
    ["device_id", "user", "settings", "users", "keyslot"].map((k) => tx.store.get(k)),
  );
  S.deviceId = deviceId;
  S.user = user || null;
  S.settings = { ...DEFAULT_SETTINGS, ...(settings || {}) };
  S.users = users || {};
  S.hasKeyslot = !!slot;
  if (!S.deviceId) {
    S.deviceId = C.uuid4();
    await S.db.put("meta", S.deviceId, "device_id");
  }
  return S;
}

export async function saveSettings(patch) {
  S.settings = { ...S.settings, ...patch };
  await putMeta("settings", S.settings);
  emit("settings");
}
export async function setUser(user) {
  S.user = user;
  await putMeta("user", user);
}
export const isUnlocked = () => !!S.key;
export const hasKeyslot = async () => S.hasKeyslot || !!(await S.db.get("meta", "keyslot"));

// ---------------------------------------------------------------- keys
/** A new keyslot's description and KEK for a passphrase (fresh salt every time). */
export async function passphraseSlot(passphrase) {
  const salt = C.randomBytes(16);
  const kek = await C.kekFromPassphrase(passphrase, salt);
  return { slot: { method: "passphrase", salt, iterations: C.PBKDF2_ITERATIONS }, kek };
}

/** A new keyslot's description and KEK for a WebAuthn PRF secret. */
export async function prfSlot(credentialId, prfSalt, secret) {
  const salt = C.randomBytes(16);
  const kek = await C.kekFromSecret(secret, salt);
  return { slot: { method: "prf", salt, credentialId, prfSalt }, kek };
}

export async function setupPassphrase(passphrase) {
  const { slot, kek } = await passphraseSlot(passphrase);
  return installKey(slot, kek);
}

export async function setupPrf(credentialId, prfSalt, secret) {
  const { slot, kek } = await prfSlot(credentialId, prfSalt, secret);
  return installKey(slot, kek);
}

async function installKey(slot, kek) {
  const extractable = await C.newDataKey();
  const wrapped = await C.wrapDataKey(extractable, kek);
  const fullSlot = { ...slot, ...wrapped };
  await putMeta("keyslot", fullSlot);
  await putMeta("failed_unlocks", 0);
  // Work with a non-extractable copy; the extractable key object is dropped here.
  const key = await C.unwrapDataKey(fullSlot, kek);
  await loadWorkingSet(key);
}

export async function keyslot() {
  return S.db.get("meta", "keyslot");
}

/** Try a KEK; count the attempt first (a crash mid-attempt still counts). */
export async function unlockWith(deriveKek) {
  performance.mark("brobygger:unlock-start");
  await loadWorkingSet(await proveSecret(await keyslot(), deriveKek));
}

/**
 * Change how the phone is unlocked. The data key stays the same (nothing is re-encrypted);
 * only its wrapping is replaced. `currentKek(slot)` proves the current secret and counts
 * toward the wipe exactly like the unlock screen, so this cannot be used to guess without
 * the wipe. `makeNew()` runs only after the proof and returns {slot, kek} of the new
 * method. The new keyslot must open the very key in use before it replaces the old one,
 * in one strict transaction: the phone always has exactly one working keyslot.
 */
export async function changeUnlock(currentKek, makeNew) {
  const key = S.key;
  if (!key) throw new Error("locked");
  const old = await keyslot();
  const extractable = await proveSecret(old, currentKek, true);
  const { slot, kek } = await makeNew();
  const fullSlot = { ...slot, ...(await C.wrapDataKey(extractable, kek)) };
  const probe = await C.seal(key, "probe", "probe");
  await C.unseal(await C.unwrapDataKey(fullSlot, kek), probe, "probe"); // throws unless the same key
  const tx = S.db.transaction("meta", "readwrite", { durability: "strict" });
  const stored = await tx.store.get("keyslot");
  if (!sameBytes(stored?.wrapped, old.wrapped)) {
    tx.done.catch(() => {});
    tx.abort(); // changed meanwhile (cannot happen with one window): keep what is there
    throw new Error("keyslot changed");
  }
  tx.store.put(fullSlot, "keyslot");
  tx.store.put(0, "failed_unlocks");
  await tx.done;
  emit("keyslot");
}

/**
 * One attempt with the secret behind `slot`, counted before it runs (a crash still counts);
 * the last allowed wrong attempt wipes the phone. Returns the data key — extractable only
 * when asked, to wrap it under a new KEK.
 */
async function proveSecret(slot, deriveKek, extractable = false) {
  const failed = ((await getMeta("failed_unlocks")) || 0) + 1;
  await putMeta("failed_unlocks", failed);
  let key;
  try {
    key = await C.unwrapDataKey(slot, await deriveKek(slot), extractable);
  } catch {
    if (failed >= S.settings.maxFailedUnlocks) {
      await wipe("wrong_unlocks");
      throw new Wiped();
    }
    throw new WrongSecret(S.settings.maxFailedUnlocks - failed);
  }
  await putMeta("failed_unlocks", 0);
  return key;
}

const sameBytes = (a, b) => !!a && !!b && a.length === b.length && a.every((x, i) => x === b[i]);

export function unlockWithPassphrase(passphrase) {
  return unlockWith((slot) => C.kekFromPassphrase(passphrase, slot.salt, slot.iterations));
}

export function unlockWithSecret(secret) {
  return unlockWith((slot) => C.kekFromSecret(secret, slot.salt));
}

async function loadWorkingSet(key) {
  performance.mark("brobygger:unwrapped");
  S.key = key;
  const sync = await syncMeta();
  S.clock = new Clock(S.deviceId, sync.hlc);
  S.offset = Math.min(0, sync.offset || 0);
  const rows = await S.db.getAll("outbox");
  S.outbox = await Promise.all(
    rows.map(async (r) => ({ seq: r.seq, status: r.status, created_at: r.created_at, op: await C.unseal(key, r.box, `outbox:${r.op_id}`) })),
  );
  const rejected = await S.db.getAll("rejected");
  S.rejected = await Promise.all(rejected.map(async (r) => ({ op_id: r.op_id, at: r.at, ...(await C.unseal(key, r.box, `rejected:${r.op_id}`)) })));
  performance.mark("brobygger:outbox-loaded");
  const box = await getMeta("summary");
  performance.mark("brobygger:summary-read");
  const stored = box ? unpackSummary(await C.unseal(key, box, "meta:summary")) : null;
  if (stored) S.summary = stored;
  else {
    // Missing, or stored by an older app in another format: rebuilt from the records.
    const rebuilt = await rebuildSummary();
    await putMeta("summary", await sealSummary(rebuilt));
    S.summary = rebuilt;
  }
  performance.mark("brobygger:summary-decrypted");
  S.leads = new Map();
  const leadRows = await S.db.getAllFromIndex("records", "lead", 1);
  for (const row of leadRows) S.leads.set(row.id, expand(await C.unseal(key, row.box, `records:${row.id}`)));
  for (const op of pendingOps()) if (op.entity === "lead") refreshLead(op.record_id);
  performance.mark("brobygger:working-set");
  emit("unlocked");
}

/** Drop the key and every decrypted object (waits for a write in progress to finish). */
export function lock() {
  return exclusive(lockNow);
}

function lockNow() {
  S.key = null;
  S.clock = null;
  S.outbox = [];
  S.rejected = [];
  S.summary = new Map();
  S.leads = new Map();
  resetListCache();
  emit("locked");
}

/** Delete everything local: IndexedDB, caches, keys (logout, wrong unlocks, remote wipe). */
export async function wipe(reason) {
  lockNow();
  const db = S.db;
  S.db = null;
  await destroyLocalStore(db);
  if (self.caches) for (const name of await caches.keys()) await caches.delete(name);
  if (navigator.serviceWorker) {
    for (const reg of await navigator.serviceWorker.getRegistrations()) await reg.unregister();
  }
  try {
    sessionStorage.setItem("brobygger.wiped", reason);
  } catch {}
  emit("wiped");
}

// ---------------------------------------------------------------- drafts
// Draft writes queue with every other write: a draft saved while its form is being
// committed lands before the commit's draft delete, never after it.
export function saveDraft(key, value) {
  return exclusive(async () => {
    if (!S.key) return;
    const box = await C.seal(S.key, value, `drafts:${key}`);
    await S.db.put("drafts", { key, updated_at: Date.now(), box });
  });
}
export async function loadDraft(key) {
  const row = S.key && (await S.db.get("drafts", key));
  return row ? C.unseal(S.key, row.box, `drafts:${key}`) : null;
}
export const deleteDraft = (key) => exclusive(() => S.db.delete("drafts", key));

/** What logging out would destroy, counted in IndexedDB (not in this window's memory). */
export async function localCounts() {
  const tx = S.db.transaction(["outbox", "rejected", "drafts"]);
  const [pending, rejected, drafts] = await Promise.all([
    tx.objectStore("outbox").index("status").count("pending"),
    tx.objectStore("rejected").count(),
    tx.objectStore("drafts").count(),
  ]);
  return { pending, rejected, drafts };
}

