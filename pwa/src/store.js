// The decrypted working set after unlock, and every write to the local store.
// Local state of a record = last server snapshot + own pending ops applied on top.
import * as C from "./crypto.js";
import { openLocalStore, destroyLocalStore } from "./db.js";
import { Clock, wallOf } from "./hlc.js";
import { applyOps, summarize, updateSummary, packSummary, unpackSummary } from "./views.js";
import { entity } from "./schema.js";

export const DEFAULT_SETTINGS = { idleSeconds: 300, maxFailedUnlocks: 5 };

export class WrongSecret extends Error {
  constructor(remaining) {
    super("wrong secret");
    this.remaining = remaining;
  }
}
export class Wiped extends Error {}
/** The record changed (a pull) after the screen was drawn: show it again instead of overwriting. */
export class StaleView extends Error {}

const S = {
  db: null,
  key: null,
  clock: null,
  deviceId: null,
  user: null,
  settings: { ...DEFAULT_SETTINGS },
  outbox: [], // [{seq, status, created_at, op}] in seq order
  rejected: [], // [{op_id, at, op, error}]
  resolvedByLead: 0, // rejected changes the project lead decided on, since the app started
  summary: new Map(), // citizen id → list row
  leads: new Map(), // lead id → local view
  users: {}, // staff user id → display name (from pull pages; not citizen data)
  offset: 0, // ms added to Date.now() for the HLC: ≤ 0, learned from server_hlc (a fast phone clock)
};
const listeners = new Set();

// Every write to the store runs one at a time: a local save during a pull must not
// compute the citizen list from a stale copy and overwrite the other's changes.
let chain = Promise.resolve();
function exclusive(fn) {
  const run = chain.then(fn, fn);
  chain = run.catch(() => {});
  return run;
}

export const state = S;
const clockNow = () => Date.now() + S.offset;
// HLC text order is time order: 13-digit wall, ":", 5-digit counter.
const later = (a, b) => a.slice(0, 19) > b.slice(0, 19);
const isHlc = (t) => typeof t === "string" && /^\d{13}:\d{5}:./.test(t);
export function subscribe(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}
export function emit(what) {
  for (const fn of listeners) fn(what);
}

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

export const getMeta = (key) => S.db.get("meta", key);
export const putMeta = (key, value) => S.db.put("meta", value, key);
export async function syncMeta() {
  return (await S.db.get("meta", "sync")) || { cursor: 0, epoch: null, hlc: null, last_success: null, first_done: false };
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
  sorted = { summary: null, rows: [] };
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

// ---------------------------------------------------------------- records
const aadRecord = (id) => `records:${id}`;

// Snapshots are stored without their empty parts (≈ 15 % less storage at 10,000
// citizens): empty heads/conflicts/history, false flags, and a contact's `original`
// while it has no amendments (it equals the fields then). `expand` restores them.
const EMPTY = { heads: {}, conflicts: [], also_edited: [], history: {}, archived: false, flagged: false };

function compact(snap) {
  const out = {};
  for (const [k, v] of Object.entries(snap)) {
    if (v === null || v === false) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    if (k !== "fields" && v && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 0) continue;
    out[k] = v;
  }
  if (out.original && !(snap.amendments && snap.amendments.length) && JSON.stringify(out.original) === JSON.stringify(snap.fields)) {
    delete out.original;
    out.original_is_fields = true;
  }
  return out;
}

function expand(stored) {
  const snap = { ...EMPTY, ...stored };
  for (const k of ["heads", "history"]) snap[k] = { ...snap[k] };
  if (snap.original_is_fields) {
    snap.original = { ...snap.fields };
    delete snap.original_is_fields;
  }
  if ((snap.entity === "contact" || snap.entity === "form_response") && snap.amendments === undefined) snap.amendments = [];
  if ((snap.entity === "contact" || snap.entity === "form_response") && snap.voided === undefined) snap.voided = false;
  if (snap.created_by === undefined) snap.created_by = null;
  return snap;
}

export async function snapshot(id) {
  const row = await S.db.get("records", id);
  return row ? expand(await C.unseal(S.key, row.box, aadRecord(id))) : null;
}

export function pendingOps(recordId) {
  const ops = S.outbox.map((e) => e.op);
  return recordId ? ops.filter((op) => op.record_id === recordId) : ops;
}

export const pendingCount = () => S.outbox.filter((e) => e.status === "pending").length;
export function oldestPendingAt() {
  const first = S.outbox.find((e) => e.status === "pending");
  return first ? first.created_at : null;
}

/** The local view of one record: snapshot + pending ops (acked ones too, until pulled). */
export async function view(id, snap) {
  const s = snap === undefined ? await snapshot(id) : snap;
  return applyOps(s, pendingOps(id), S.user);
}

/**
 * Every local record of a citizen (the citizen itself and its children), as views.
 * `ops`: the own ops to apply (default: the outbox); a write or pull in progress passes
 * the outbox as it will be, so that the outbox itself changes only after its commit.
 */
export async function citizenViews(citizenId, overrides = new Map(), ops = pendingOps()) {
  const rows = await S.db.getAllFromIndex("records", "citizen_id", citizenId);
  const snaps = new Map();
  for (const row of rows) snaps.set(row.id, expand(await C.unseal(S.key, row.box, aadRecord(row.id))));
  for (const [id, snap] of overrides) {
    if (snap === null) snaps.delete(id);
    else if (snap.id === citizenId || snap.fields?.citizen_id === citizenId) snaps.set(id, snap);
  }
  const ids = new Set(snaps.keys());
  for (const op of ops) {
    if (op.kind === "create" && (op.record_id === citizenId || op.value?.citizen_id === citizenId)) ids.add(op.record_id);
  }
  const views = [];
  for (const id of ids) {
    const v = applyOps(snaps.get(id) || null, ops.filter((op) => op.record_id === id), S.user);
    if (v) views.push(v);
  }
  return views;
}

async function rebuildSummary() {
  const summary = new Map();
  const byCitizen = new Map();
  const rows = await S.db.getAll("records");
  for (const row of rows) {
    if (row.entity === "lead") continue;
    const cid = row.citizen_id;
    if (!byCitizen.has(cid)) byCitizen.set(cid, []);
    byCitizen.get(cid).push(row);
  }
  for (const op of pendingOps()) {
    if (op.kind === "create" && op.entity === "citizen" && !byCitizen.has(op.record_id)) byCitizen.set(op.record_id, []);
  }
  for (const cid of byCitizen.keys()) {
    const row = summarize(cid, await citizenViews(cid));
    if (row) summary.set(cid, row);
  }
  return summary;
}

function refreshLead(id) {
  // Leads are few and not identifying; recomputed from the snapshot kept in memory.
  const base = S.leads.get(id)?.__snapshot ?? null;
  const v = applyOps(base, pendingOps(id), S.user);
  if (v) {
    v.__snapshot = base;
    S.leads.set(id, v);
  }
}

// The list is stored in one box (views.js packSummary: rows of arrays, versioned).
const sealSummary = (summary) => C.seal(S.key, packSummary(summary), "meta:summary");

// ---------------------------------------------------------------- local writes
/**
 * Queue ops made by the user (one user action = one transaction). `partial` ops carry
 * entity, record_id, kind, field, value and `seen`: what the worker saw, taken with
 * seenFor when the screen was drawn. If a head appeared since (a pull), the commit throws
 * StaleView instead of overwriting what the worker never saw. Without `seen` (a void, a
 * create) it is taken now. `retryOf`: a rejected op queued again, with its own old `seen`;
 * it leaves "Kræver handling" in the same transaction.
 */
export function commit(partials, options) {
  return exclusive(() => commitNow(partials, options));
}

async function commitNow(partials, { draftKey = null, retryOf = null } = {}) {
  if (!S.key) throw new Error("locked");
  const ops = [];
  for (const p of partials) {
    let seen = [];
    if (p.seen) {
      if (!retryOf && (await unseen(p.record_id, p.field, p.seen))) throw new StaleView();
      seen = p.seen;
    } else if (p.kind !== "create") seen = await seenFor(p.record_id, p.field);
    ops.push({
      op_id: C.uuid4(),
      device_id: S.deviceId,
      hlc: S.clock.tick(clockNow()),
      entity: p.entity,
      record_id: p.record_id,
      kind: p.kind,
      field: p.field ?? null,
      value: p.value ?? null,
      seen: [...new Set(seen)],
    });
  }
  const now = Date.now();
  const entries = ops.map((op) => ({ status: "pending", created_at: now, op }));
  // The new list rows go into the same transaction. They are worked out from the outbox
  // plus the new ops; S.outbox itself grows only after the commit, so a push running
  // meanwhile never sends an op that might not be stored.
  const all = [...pendingOps(), ...ops];
  const touched = new Set();
  for (const op of ops) {
    if (op.entity === "lead") continue;
    const cid = op.entity === "citizen" ? op.record_id : op.value?.citizen_id ?? (await citizenIdOf(op.record_id));
    if (cid) touched.add(cid);
  }
  const summary = new Map(S.summary);
  for (const cid of touched) {
    const row = summarize(cid, await citizenViews(cid, undefined, all));
    if (row) summary.set(cid, row);
    else summary.delete(cid);
  }
  const boxes = await Promise.all(ops.map((op) => C.seal(S.key, op, `outbox:${op.op_id}`)));
  const summaryBox = await sealSummary(summary);
  const tx = S.db.transaction(["outbox", "meta", "drafts", "rejected"], "readwrite", { durability: "strict" });
  const outbox = tx.objectStore("outbox");
  const seqs = ops.map((op, i) => outbox.add({ op_id: op.op_id, record_id: op.record_id, status: "pending", created_at: now, box: boxes[i] }));
  const meta = tx.objectStore("meta");
  const sync = await meta.get("sync");
  meta.put({ ...(sync || { cursor: 0, epoch: null, first_done: false }), hlc: S.clock.toString() }, "sync");
  meta.put(summaryBox, "summary");
  if (draftKey) tx.objectStore("drafts").delete(draftKey);
  if (retryOf) tx.objectStore("rejected").delete(retryOf);
  const seqValues = await Promise.all(seqs);
  await tx.done;
  entries.forEach((e, i) => (e.seq = seqValues[i]));
  S.outbox = [...S.outbox, ...entries];
  S.summary = summary;
  if (retryOf) S.rejected = S.rejected.filter((r) => r.op_id !== retryOf);
  for (const op of ops) if (op.entity === "lead") refreshLead(op.record_id);
  emit("local");
  return ops;
}

async function citizenIdOf(recordId) {
  const row = await S.db.get("records", recordId);
  if (row) return row.citizen_id;
  const create = pendingOps(recordId).find((op) => op.kind === "create");
  return create ? create.value.citizen_id : null;
}

/** `seen` for a write to (record, field): current heads, own pending ops on it, archive heads. */
export async function seenFor(recordId, field) {
  // A field write has seen that field's heads and the archive heads; an op on the whole
  // record (archive, unarchive, void: field null) has seen every head of the record.
  const snap = await snapshot(recordId);
  const whole = field == null;
  const seen = new Set();
  const heads = snap?.heads || {};
  for (const [name, ids] of Object.entries(heads)) {
    if (whole || name === field || name === "archived") ids.forEach((id) => seen.add(id));
  }
  for (const op of pendingOps(recordId)) {
    if (whole || op.kind === "create" || op.field === field || op.kind === "archive" || op.kind === "unarchive") seen.add(op.op_id);
  }
  return [...seen];
}

/** Did a head from elsewhere appear since `seen` was taken? (Own ops are always known.) */
async function unseen(recordId, field, seen) {
  const known = new Set([...seen, ...pendingOps(recordId).map((op) => op.op_id)]);
  return (await seenFor(recordId, field)).some((id) => !known.has(id));
}

/** The id every device derives for the same record (an entity's id_rule: a consent per
 * citizen, purpose and recipient): uuid5(namespace, "v1|v2|…"), as schemas/entities.py. */
export function derivedId(entityName, values) {
  const rule = entity(entityName).id_rule;
  return C.uuid5(rule.namespace, rule.fields.map((f) => String(values[f])).join("|"));
}

// ---------------------------------------------------------------- sync bookkeeping
/** A server response: advance the HLC past server_hlc and learn how fast this phone's clock is. */
export function serverClock(serverHlc) {
  if (!S.clock || !isHlc(serverHlc)) return;
  S.offset = Math.min(0, wallOf(serverHlc) - Date.now());
  S.clock.receive(serverHlc, clockNow());
}

/**
 * Push results: acked ops stay (applied) until a pull covers them; rejected ops move to
 * "Kræver handling". `clock_ahead` (this phone's clock is fast) is no one's fault: the
 * clock restarts at server_hlc (every op the server accepted is at or below it) and the op
 * is stamped again (new op id and HLC, same `seen`) in its place in the outbox.
 * Returns the number of ops stamped again.
 */
export function recordPushResults(results, serverHlc) {
  return exclusive(() => recordPushResultsNow(results, serverHlc));
}

async function recordPushResultsNow(results, serverHlc) {
  const byId = new Map(results.map((r) => [r.op_id, r]));
  const entries = S.outbox.filter((e) => byId.has(e.op.op_id));
  const resultOf = (e) => byId.get(e.op.op_id);
  const ahead = isHlc(serverHlc) ? entries.filter((e) => resultOf(e).status === "rejected" && resultOf(e).error?.code === "clock_ahead") : [];
  if (ahead.length) S.clock = new Clock(S.deviceId, serverHlc);
  const restamped = new Map(ahead.map((e) => [e.seq, { ...e.op, op_id: C.uuid4(), hlc: S.clock.tick(clockNow()) }]));
  const rejectedNow = [];
  const boxes = new Map();
  for (const e of entries) {
    const op = restamped.get(e.seq);
    if (op) boxes.set(e.seq, await C.seal(S.key, op, `outbox:${op.op_id}`));
    else if (resultOf(e).status === "rejected") {
      const item = { op: e.op, error: resultOf(e).error || { code: "rejected", message: "Serveren afviste ændringen.", field: null } };
      boxes.set(e.seq, await C.seal(S.key, item, `rejected:${e.op.op_id}`));
      rejectedNow.push({ op_id: e.op.op_id, at: Date.now(), ...item });
    }
  }
  const tx = S.db.transaction(["outbox", "rejected", "meta"], "readwrite", { durability: "strict" });
  const outbox = tx.objectStore("outbox");
  for (const e of entries) {
    const r = resultOf(e);
    const op = restamped.get(e.seq);
    if (op) {
      outbox.put({ seq: e.seq, op_id: op.op_id, record_id: op.record_id, status: "pending", created_at: e.created_at, box: boxes.get(e.seq) });
    } else if (r.status === "accepted" || r.status === "duplicate") {
      const row = await outbox.get(e.seq);
      if (row) outbox.put({ ...row, status: "acked" });
    } else if (r.status === "rejected") {
      outbox.delete(e.seq);
      tx.objectStore("rejected").put({ op_id: e.op.op_id, at: Date.now(), box: boxes.get(e.seq) });
    }
  }
  if (ahead.length) {
    // The rewound clock is saved with the new stamps (saveHlc never moves it backwards).
    const meta = tx.objectStore("meta");
    meta.put({ ...((await meta.get("sync")) || {}), hlc: S.clock.toString(), offset: S.offset }, "sync");
  }
  await tx.done;
  const rejectedIds = new Set(rejectedNow.map((r) => r.op_id));
  S.outbox = S.outbox
    .filter((e) => !rejectedIds.has(e.op.op_id))
    .map((e) => {
      if (restamped.has(e.seq)) return { ...e, status: "pending", op: restamped.get(e.seq) };
      const r = byId.get(e.op.op_id);
      return r && r.status !== "rejected" ? { ...e, status: "acked" } : e;
    });
  S.rejected = [...S.rejected, ...rejectedNow];
  if (rejectedNow.length) await refreshCitizens(rejectedNow.map((r) => r.op));
  emit("push");
  return restamped.size;
}

async function refreshCitizens(ops) {
  const cids = new Set();
  for (const op of ops) {
    if (op.entity === "lead") {
      refreshLead(op.record_id);
      continue;
    }
    const cid = op.entity === "citizen" ? op.record_id : op.value?.citizen_id ?? (await citizenIdOf(op.record_id));
    if (cid) cids.add(cid);
  }
  const summary = new Map(S.summary);
  for (const cid of cids) {
    const row = summarize(cid, await citizenViews(cid));
    if (row) summary.set(cid, row);
    else summary.delete(cid);
  }
  const box = await sealSummary(summary);
  await putMeta("summary", box);
  S.summary = summary;
}

/**
 * Apply one pull page: records, evictions and the cursor in ONE transaction.
 * `ackedBefore`: seqs of ops acknowledged before this pull started; when the pull is
 * complete (no more pages) they are covered by the snapshots and leave the outbox.
 */
export function applyPull(page, options) {
  return exclusive(() => applyPullNow(page, options));
}

async function applyPullNow(page, { ackedBefore = [] } = {}) {
  // A volunteer's own leads come as a whole set on a pull's last page, without sequence
  // numbers (docs/sync-protocol.md): records, plus the eviction of every stored lead the set
  // no longer holds.
  const leadSet = Array.isArray(page.leads) ? page.leads : null;
  const snaps = [...(page.records || []), ...(leadSet || [])];
  const evict = [...(page.evict || []), ...(leadSet ? await leadsNotIn(leadSet) : [])];
  const overrides = new Map();
  for (const s of snaps) overrides.set(s.id, s);
  const evictRows = (await Promise.all(evict.map((id) => S.db.get("records", id)))).filter(Boolean);
  for (const row of evictRows) overrides.set(row.id, null);

  const finishing = !page.has_more && ackedBefore.length > 0;
  const ackedSet = new Set(ackedBefore);
  // The outbox as it is after this page: a finished pull covers the ops acked before it.
  // S.outbox changes only once the transaction has committed.
  const kept = finishing ? S.outbox.filter((e) => !ackedSet.has(e.seq)) : S.outbox;
  const ops = kept.map((e) => e.op);
  const opsOf = (id) => ops.filter((op) => op.record_id === id);
  // Our next write must come after every write this page shows, not only after server_hlc.
  let latest = null;
  for (const s of snaps) for (const t of hlcsOf(s)) if (!latest || later(t, latest)) latest = t;
  if (latest) S.clock.receive(latest, clockNow());

  const summary = new Map(S.summary);
  const leads = new Map(S.leads);
  const incremental = [];
  const recompute = new Set();
  for (const s of snaps) {
    const v = applyOps(s, opsOf(s.id), S.user);
    if (!v) continue;
    if (s.entity === "lead") {
      v.__snapshot = s;
      leads.set(s.id, v);
    } else if (v.entity === "contact" && (v.voided || v.amendments?.length)) {
      recompute.add(v.fields.citizen_id); // a corrected time can move "last contact" back
    } else incremental.push(v);
  }
  for (const row of evictRows) {
    if (row.entity === "lead") leads.delete(row.id);
    else if (row.entity === "citizen") summary.delete(row.id);
    else if (row.citizen_id) recompute.add(row.citizen_id);
  }
  for (const id of evict) if (summary.has(id) && !evictRows.find((r) => r.id === id)) summary.delete(id);
  if (finishing) {
    for (const e of S.outbox) if (ackedSet.has(e.seq) && e.op.entity !== "lead") recompute.add(await opCitizen(e.op, overrides));
  }
  for (const v of incremental) {
    const cid = v.entity === "citizen" ? v.id : v.fields.citizen_id;
    if (recompute.has(cid)) continue;
    if (!updateSummary(summary, v)) recompute.add(cid);
  }
  for (const cid of recompute) {
    if (!cid) continue;
    const row = summarize(cid, await citizenViews(cid, overrides, ops));
    if (row) summary.set(cid, row);
    else summary.delete(cid);
  }
  const boxes = await Promise.all(snaps.map((s) => C.seal(S.key, compact(s), aadRecord(s.id))));
  const summaryBox = await sealSummary(summary);
  const sync = await syncMeta();
  const tx = S.db.transaction(["records", "meta", "outbox"], "readwrite", { durability: "strict" });
  const records = tx.objectStore("records");
  snaps.forEach((s, i) => {
    const row = { id: s.id, entity: s.entity, box: boxes[i] };
    const cid = s.entity === "citizen" ? s.id : s.fields?.citizen_id;
    if (s.entity === "lead") row.lead = 1;
    else if (LOOSE[s.entity]) row.lead = LOOSE[s.entity]; // no citizen's: found by looseViews
    else if (cid) row.citizen_id = cid;
    records.put(row);
  });
  for (const id of evict) records.delete(id);
  if (finishing) for (const seq of ackedBefore) tx.objectStore("outbox").delete(seq);
  const meta = tx.objectStore("meta");
  meta.put(
    {
      ...sync,
      cursor: page.next_cursor,
      epoch: page.epoch ?? sync.epoch,
      hlc: S.clock.toString(),
      offset: S.offset,
      first_done: sync.first_done || !page.has_more,
    },
    "sync",
  );
  meta.put(summaryBox, "summary");
  const users = page.users && typeof page.users === "object" && !Array.isArray(page.users) ? { ...S.users, ...page.users } : null;
  if (users) meta.put(users, "users");
  await tx.done;
  S.outbox = kept;
  if (users) S.users = users;
  S.summary = summary;
  S.leads = leads;
  emit("pull");
}

// Records no citizen owns besides the leads (a lead's contact attempts, a team's visibility
// log) carry their own number in the sparse `lead` index (leads: 1), so they are read
// without scanning every record.
const LOOSE = { lead_attempt: 2, visibility: 3 };

/** Every record of such an entity this phone holds, as views (with own pending ops). */
export async function looseViews(entityName) {
  const snaps = new Map();
  for (const row of await S.db.getAllFromIndex("records", "lead", LOOSE[entityName])) snaps.set(row.id, expand(await C.unseal(S.key, row.box, aadRecord(row.id))));
  const ops = pendingOps().filter((op) => op.entity === entityName);
  const ids = new Set([...snaps.keys(), ...ops.map((op) => op.record_id)]);
  return [...ids].map((id) => applyOps(snaps.get(id) || null, ops.filter((op) => op.record_id === id), S.user)).filter(Boolean);
}

export const leadAttempts = () => looseViews("lead_attempt");

async function leadsNotIn(set) {
  const kept = new Set(set.map((lead) => lead.id));
  return (await S.db.getAllKeysFromIndex("records", "lead", 1)).filter((id) => !kept.has(id));
}

/** Every HLC a snapshot shows: its last write, the values in conflict, the history. */
function* hlcsOf(s) {
  const entries = [{ hlc: s.updated_hlc }, ...(s.conflicts || []).flatMap((c) => c.values || []), ...Object.values(s.history || {}).flat()];
  for (const e of entries) if (isHlc(e?.hlc)) yield e.hlc;
}

async function opCitizen(op, overrides) {
  if (op.entity === "citizen") return op.record_id;
  if (op.value?.citizen_id) return op.value.citizen_id;
  const o = overrides.get(op.record_id);
  if (o) return o.fields?.citizen_id;
  return citizenIdOf(op.record_id);
}

/** Server said reset: drop all local records (never the outbox) and pull from 0. */
export function resetRecords(epoch) {
  return exclusive(() => resetRecordsNow(epoch));
}

async function resetRecordsNow(epoch) {
  const tx = S.db.transaction(["records", "meta"], "readwrite", { durability: "strict" });
  tx.objectStore("records").clear();
  const meta = tx.objectStore("meta");
  const sync = (await meta.get("sync")) || {};
  meta.put({ ...sync, cursor: 0, epoch, first_done: false }, "sync");
  meta.delete("summary");
  await tx.done;
  S.leads = new Map();
  S.summary = await rebuildSummary();
  await putMeta("summary", await sealSummary(S.summary));
  for (const op of pendingOps()) if (op.entity === "lead") refreshLead(op.record_id);
  emit("pull");
}

/** Save the clock (the larger of the stored and the current HLC) and the learned offset. */
function saveSync(patch) {
  return exclusive(async () => {
    if (!S.clock) return;
    const tx = S.db.transaction("meta", "readwrite", { durability: "strict" });
    const sync = (await tx.store.get("sync")) || { cursor: 0, epoch: null, first_done: false };
    const hlc = S.clock.toString();
    tx.store.put({ ...sync, ...patch, hlc: sync.hlc && later(sync.hlc, hlc) ? sync.hlc : hlc, offset: S.offset }, "sync");
    await tx.done;
  });
}
export const saveHlc = () => saveSync({});
export const markSyncSuccess = () => saveSync({ last_success: new Date().toISOString() });

// ---------------------------------------------------------------- rejected ops
/**
 * Queue a rejected change again: new op id and clock, the same content and the ORIGINAL
 * `seen` (a retried grant must not claim to have seen a withdrawal that arrived since, nor
 * a retried phase settle a conflict). It leaves "Kræver handling" in the same transaction.
 */
export function retryRejected(opId) {
  return exclusive(async () => {
    const item = S.rejected.find((r) => r.op_id === opId);
    if (!item) return;
    const { op } = item;
    await commitNow([{ entity: op.entity, record_id: op.record_id, kind: op.kind, field: op.field, value: op.value, seen: op.seen || [] }], { retryOf: opId });
  });
}

/**
 * The project lead decided on some of this user's rejected changes (pull `resolved`:
 * written again by the lead, or dismissed): they leave "Kræver handling", and the decision
 * cursor moves, in ONE transaction. A re-applied change arrives as records like any other.
 */
export function applyResolved(resolved, cursor) {
  return exclusive(async () => {
    const ids = new Set((Array.isArray(resolved) ? resolved : []).map((r) => r?.op_id).filter((id) => typeof id === "string"));
    const decided = S.rejected.filter((r) => ids.has(r.op_id));
    const sync = await syncMeta();
    if (cursor <= (sync.resolved_cursor || 0) && !decided.length) return;
    const tx = S.db.transaction(["rejected", "meta"], "readwrite", { durability: "strict" });
    for (const r of decided) tx.objectStore("rejected").delete(r.op_id);
    tx.objectStore("meta").put({ ...sync, resolved_cursor: Math.max(cursor, sync.resolved_cursor || 0) }, "sync");
    await tx.done;
    S.rejected = S.rejected.filter((r) => !ids.has(r.op_id));
    if (decided.length) {
      S.resolvedByLead += decided.length;
      emit("rejected");
    }
  });
}

/** The user decided to discard a rejected change (explicitly; never silently). */
export function dropRejected(opId) {
  return exclusive(() => dropRejectedNow(opId));
}

async function dropRejectedNow(opId) {
  await S.db.delete("rejected", opId);
  S.rejected = S.rejected.filter((r) => r.op_id !== opId);
  emit("rejected");
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

// ---------------------------------------------------------------- queries
// The list sorted by last contact, cached per summary object (every change makes a new Map).
let sorted = { summary: null, rows: [] };
const byLastContact = (a, b) => {
  const x = a.last_contact || "";
  const y = b.last_contact || "";
  if (x !== y) return x < y ? 1 : -1;
  return a.code < b.code ? -1 : a.code > b.code ? 1 : 0;
};

export function citizenList({ query = "", phase = "" } = {}) {
  if (sorted.summary !== S.summary) {
    sorted = { summary: S.summary, rows: [...S.summary.values()].filter((r) => !r.archived && !r.missing).sort(byLastContact) };
  }
  const q = query.trim().toLowerCase();
  if (!q && !phase) return sorted.rows;
  return sorted.rows.filter((row) => (!phase || row.phase === phase) && (!q || row.search.includes(q)));
}
