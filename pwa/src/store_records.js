// The records on the phone: sealed snapshots, the local view (snapshot + own pending ops),
// the citizen list rows, every local write (commit), and the list's query.
import * as C from "./crypto.js";
import { applyOps, summarize, packSummary } from "./views.js";
import { entity } from "./schema.js";
import { StaleView, S, exclusive, clockNow, emit } from "./store_state.js";

// ---------------------------------------------------------------- records
export const aadRecord = (id) => `records:${id}`;

// Snapshots are stored without their empty parts (≈ 15 % less storage at 10,000
// citizens): empty heads/conflicts/history, false flags, and a contact's `original`
// while it has no amendments (it equals the fields then). `expand` restores them.
export const EMPTY = { heads: {}, conflicts: [], also_edited: [], history: {}, archived: false, flagged: false };

export function compact(snap) {
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

export function expand(stored) {
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

export async function rebuildSummary() {
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

export function refreshLead(id) {
  // Leads are few and not identifying; recomputed from the snapshot kept in memory.
  const base = S.leads.get(id)?.__snapshot ?? null;
  const v = applyOps(base, pendingOps(id), S.user);
  if (v) {
    v.__snapshot = base;
    S.leads.set(id, v);
  }
}

// The list is stored in one box (views.js packSummary: rows of arrays, versioned).
export const sealSummary = (summary) => C.seal(S.key, packSummary(summary), "meta:summary");

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

export async function commitNow(partials, { draftKey = null, retryOf = null } = {}) {
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

export async function citizenIdOf(recordId) {
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
export async function unseen(recordId, field, seen) {
  const known = new Set([...seen, ...pendingOps(recordId).map((op) => op.op_id)]);
  return (await seenFor(recordId, field)).some((id) => !known.has(id));
}

/** The id every device derives for the same record (an entity's id_rule: a consent per
 * citizen, purpose and recipient): uuid5(namespace, "v1|v2|…"), as schemas/entities.py. */
export function derivedId(entityName, values) {
  const rule = entity(entityName).id_rule;
  return C.uuid5(rule.namespace, rule.fields.map((f) => String(values[f])).join("|"));
}

// ---------------------------------------------------------------- queries
// The list sorted by last contact, cached per summary object (every change makes a new Map).
let sorted = { summary: null, rows: [] };
/** Forget the sorted list (the working set was locked away). */
export function resetListCache() {
  sorted = { summary: null, rows: [] };
}
export const byLastContact = (a, b) => {
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

