// Sync bookkeeping on the phone: the server's clock, push results, pull pages, a reset of
// the records, and the rejected changes ("Kræver handling"): retry, resolved, drop.
import * as C from "./crypto.js";
import { Clock, wallOf } from "./hlc.js";
import { applyOps, summarize, updateSummary } from "./views.js";
import { entity } from "./schema.js";
import { S, exclusive, clockNow, later, isHlc, emit, putMeta, syncMeta } from "./store_state.js";
import { aadRecord, compact, expand, snapshot, pendingOps, citizenViews, rebuildSummary, refreshLead, sealSummary, commitNow, citizenIdOf } from "./store_records.js";

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

export async function recordPushResultsNow(results, serverHlc) {
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

export async function refreshCitizens(ops) {
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

export async function applyPullNow(page, { ackedBefore = [] } = {}) {
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
export const LOOSE = { lead_attempt: 2, visibility: 3 };

/** Every record of such an entity this phone holds, as views (with own pending ops). */
export async function looseViews(entityName) {
  const snaps = new Map();
  for (const row of await S.db.getAllFromIndex("records", "lead", LOOSE[entityName])) snaps.set(row.id, expand(await C.unseal(S.key, row.box, aadRecord(row.id))));
  const ops = pendingOps().filter((op) => op.entity === entityName);
  const ids = new Set([...snaps.keys(), ...ops.map((op) => op.record_id)]);
  return [...ids].map((id) => applyOps(snaps.get(id) || null, ops.filter((op) => op.record_id === id), S.user)).filter(Boolean);
}

export const leadAttempts = () => looseViews("lead_attempt");

export async function leadsNotIn(set) {
  const kept = new Set(set.map((lead) => lead.id));
  return (await S.db.getAllKeysFromIndex("records", "lead", 1)).filter((id) => !kept.has(id));
}

/** Every HLC a snapshot shows: its last write, the values in conflict, the history. */
export function* hlcsOf(s) {
  const entries = [{ hlc: s.updated_hlc }, ...(s.conflicts || []).flatMap((c) => c.values || []), ...Object.values(s.history || {}).flat()];
  for (const e of entries) if (isHlc(e?.hlc)) yield e.hlc;
}

export async function opCitizen(op, overrides) {
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

export async function resetRecordsNow(epoch) {
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
export function saveSync(patch) {
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

export async function dropRejectedNow(opId) {
  await S.db.delete("rejected", opId);
  S.rejected = S.rejected.filter((r) => r.op_id !== opId);
  emit("rejected");
}

