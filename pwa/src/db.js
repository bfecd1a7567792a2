// The local store: IndexedDB through `idb`. Versioned upgrades only ever add to the
// store; they never drop the outbox or records (tests/e2e/test_upgrade.py).
//
// Stores (every value that can hold personal data is an AES-GCM box: one Uint8Array,
// 12-byte IV followed by the ciphertext and tag):
//   meta      key → value   device_id, user (staff account), keyslot (wrapped data key),
//                           failed_unlocks, settings, sync {cursor, epoch, hlc, …},
//                           summary (box: the list of citizens), organisations, schema_log
//   records   id            {id, entity, citizen_id? | lead: 1, box}   last server snapshot
//   outbox    seq (auto)    {seq, op_id, record_id, status: pending|acked, created_at, box}
//   rejected  op_id         {op_id, at, box}                 "Kræver handling"
//   drafts    key           {key, updated_at, box}           autosaved forms
import { openDB, deleteDB } from "idb";

export const DB_NAME = "brobygger";
const BASE_VERSION = 1;
// The upgrade test builds the app with a higher version (build.mjs --db-version).
// eslint-disable-next-line no-undef
export const DB_VERSION = Math.max(BASE_VERSION, typeof __DB_VERSION_OVERRIDE__ === "number" ? __DB_VERSION_OVERRIDE__ : 0);

// One function per version step. Add new steps at the end; never change old ones.
const MIGRATIONS = {
  1(db) {
    db.createObjectStore("meta");
    const records = db.createObjectStore("records", { keyPath: "id" });
    records.createIndex("citizen_id", "citizen_id");
    records.createIndex("lead", "lead"); // sparse: only lead rows carry `lead: 1`
    const outbox = db.createObjectStore("outbox", { keyPath: "seq", autoIncrement: true });
    outbox.createIndex("op_id", "op_id", { unique: true });
    outbox.createIndex("status", "status");
    db.createObjectStore("rejected", { keyPath: "op_id" });
    db.createObjectStore("drafts", { keyPath: "key" });
  },
};

/**
 * Open (and migrate) the store. When a newer version of the app elsewhere wants to upgrade
 * it, `events.beforeClose()` runs first (the open form's draft is saved), then the
 * connection closes and `events.closed()` runs.
 */
export async function openLocalStore(events = {}) {
  const db = await openDB(DB_NAME, DB_VERSION, {
    async upgrade(db, oldVersion, newVersion, tx) {
      for (let v = oldVersion + 1; v <= newVersion; v++) {
        if (MIGRATIONS[v]) MIGRATIONS[v](db, tx);
      }
      const meta = tx.objectStore("meta");
      const log = (await meta.get("schema_log")) || [];
      log.push({ from: oldVersion, to: newVersion, at: new Date().toISOString() });
      await meta.put(log, "schema_log");
    },
    async blocking() {
      try {
        await events.beforeClose?.();
      } finally {
        db.close();
        events.closed?.();
      }
    },
  });
  return db;
}

export async function destroyLocalStore(db) {
  if (db) db.close();
  await deleteDB(DB_NAME);
}
