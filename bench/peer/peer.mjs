// The replication peer of bench/sync_push.py: express-pouchdb on PouchDB's LevelDB adapter
// (leveldown), listening on loopback. Configured like our server by the environment:
// HOST (127.0.0.1), PORT, PEER_DIR (where each database is a LevelDB directory).
// GET /healthz answers 200 when it listens (tests/support's ServerProcess waits for it).
// Mode "minimumForPouchDB": the routes PouchDB's replication uses (no config file, no log
// file, no Fauxton, no authentication).
import { mkdirSync } from "node:fs";
import express from "express";
import expressPouchDB from "express-pouchdb";
import PouchDB from "pouchdb";

const host = process.env.HOST || "127.0.0.1";
const port = Number(process.env.PORT || 5984);
const directory = (process.env.PEER_DIR || "./peer-data").replace(/\/$/, "");
mkdirSync(directory, { recursive: true });
const LevelPouch = PouchDB.defaults({ prefix: `${directory}/` });
const app = express();
app.get("/healthz", (_request, response) => response.json({ ok: true }));
app.use("/", expressPouchDB(LevelPouch, { mode: "minimumForPouchDB" }));
const server = app.listen(port, host, () => console.log(`PouchDB peer (express-pouchdb, LevelDB) on ${host}:${port}`));
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => server.close(() => process.exit(0)));
