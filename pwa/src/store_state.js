// The store's shared state: the decrypted working set (one object, `S`), the queue that runs
// every write to the store one at a time, change events, HLC text helpers and the meta table.
// The other store modules (store_records.js, store_sync.js) and store.js share it.

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

export const S = {
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
export const listeners = new Set();

// Every write to the store runs one at a time: a local save during a pull must not
// compute the citizen list from a stale copy and overwrite the other's changes.
let chain = Promise.resolve();
export function exclusive(fn) {
  const run = chain.then(fn, fn);
  chain = run.catch(() => {});
  return run;
}

export const state = S;
export const clockNow = () => Date.now() + S.offset;
// HLC text order is time order: 13-digit wall, ":", 5-digit counter.
export const later = (a, b) => a.slice(0, 19) > b.slice(0, 19);
export const isHlc = (t) => typeof t === "string" && /^\d{13}:\d{5}:./.test(t);
export function subscribe(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}
export function emit(what) {
  for (const fn of listeners) fn(what);
}

export const getMeta = (key) => S.db.get("meta", key);
export const putMeta = (key, value) => S.db.put("meta", value, key);
export async function syncMeta() {
  return (await S.db.get("meta", "sync")) || { cursor: 0, epoch: null, hlc: null, last_success: null, first_done: false };
}
