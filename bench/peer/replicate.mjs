// The PouchDB client of bench/sync_push.py. Two jobs, each printing one JSON line:
//
//   node replicate.mjs push OPS.json URL BATCH
//     Loads the ops (a JSON array) into an in-memory PouchDB as one doc per op (`_id` =
//     op_id, the op as the body; not timed), then replicates it to URL (a database on the
//     peer) with batch_size BATCH and times that alone. Per batch, PouchDB's replicator
//     reads the changes from the source, asks the peer which revisions it lacks
//     (POST _revs_diff), reads those docs and writes them (POST _bulk_docs, new_edits=false),
//     and stores a checkpoint on both sides. Every doc must be new to the peer.
//     → {"docs": N, "seconds": S, "docs_written": N, "peer_docs": docs now on the peer}
//
//   node replicate.mjs pull URL BATCH
//     A first pull: replicates the peer's database URL into a new in-memory PouchDB
//     (batch_size BATCH) and times it. → {"docs": N, "seconds": S}
import { readFileSync } from "node:fs";
import PouchDB from "pouchdb";
import memoryAdapter from "pouchdb-adapter-memory";

PouchDB.plugin(memoryAdapter);
const [job, ...args] = process.argv.slice(2);
const local = () => new PouchDB(`bench-${process.pid}-${Date.now()}`, { adapter: "memory" });

async function push(opsPath, url, batch) {
  const ops = JSON.parse(readFileSync(opsPath, "utf8"));
  const source = local();
  for (let start = 0; start < ops.length; start += 1000) {
    await source.bulkDocs(ops.slice(start, start + 1000).map((op) => ({ _id: op.op_id, ...op })));
  }
  const target = new PouchDB(url);
  const started = performance.now();
  const result = await PouchDB.replicate(source, target, { batch_size: batch });
  const seconds = (performance.now() - started) / 1000;
  const info = await target.info();
  if (result.ok !== true || result.docs_written !== ops.length) {
    throw new Error(`the peer took ${result.docs_written} of ${ops.length} docs`);
  }
  return { docs: ops.length, seconds, docs_written: result.docs_written, peer_docs: info.doc_count };
}

async function pull(url, batch) {
  const source = new PouchDB(url);
  const target = local();
  const started = performance.now();
  const result = await PouchDB.replicate(source, target, { batch_size: batch });
  const seconds = (performance.now() - started) / 1000;
  const info = await target.info();
  if (result.ok !== true) throw new Error("pull failed");
  return { docs: info.doc_count, seconds };
}

const jobs = { push: () => push(args[0], args[1], Number(args[2])), pull: () => pull(args[0], Number(args[1])) };
if (!jobs[job]) {
  console.error("usage: node replicate.mjs push OPS.json URL BATCH | pull URL BATCH");
  process.exit(2);
}
console.log(JSON.stringify(await jobs[job]()));
