// The sync client: flush the outbox (push, in order, ≤500 per request), then pull
// pages until has_more is false. Runs on start, `online`, `visibilitychange` and a
// timer. Only while unlocked: the outbox and records are encrypted at rest.
import * as api from "./api.js";
import * as store from "./store.js";

export const PUSH_BATCH = 500;
export const PULL_LIMIT = 500;
const TIMER_MS = 60000;

export const status = {
  running: false,
  online: navigator.onLine,
  lastError: null, // {code, message, at}
  needsLogin: false,
  firstSync: null, // {received, remaining} while the first full pull runs
  lastSuccess: null,
};

let timer = null;
let again = false;
let onRevoked = () => {};

function changed() {
  store.emit("sync");
}

export function start({ revoked }) {
  onRevoked = revoked;
  window.addEventListener("online", () => {
    status.online = true;
    syncNow("online");
  });
  window.addEventListener("offline", () => {
    status.online = false;
    changed();
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") syncNow("visible");
  });
  if (!timer) timer = setInterval(() => syncNow("timer"), TIMER_MS);
}

let soonTimer = null;
/** A local change was saved: sync shortly (coalescing quick successive saves). */
export function soon() {
  clearTimeout(soonTimer);
  soonTimer = setTimeout(() => syncNow("change"), 300);
}

export async function syncNow(reason = "manual") {
  if (!store.isUnlocked() || !store.state.user) return;
  if (store.state.user.role === "admin") return; // administrators hold no citizen data
  if (status.running) {
    again = true;
    return status.current;
  }
  status.running = true;
  changed();
  status.current = run(reason);
  try {
    await status.current;
  } finally {
    status.running = false;
    status.current = null;
    changed();
    if (again && store.isUnlocked()) {
      again = false;
      syncNow("again");
    }
  }
}

async function run() {
  try {
    try {
      await exchange();
    } catch (error) {
      if (!(error instanceof api.ApiError) || error.code !== "device_unknown") throw error;
      // The server does not know this phone (any more): register it again under the
      // same id, then try once more.
      await store.putMeta("device_registered", false);
      await exchange();
    }
    await refreshOrganisations();
    await refreshSchedule();
    status.lastError = null;
    status.needsLogin = false;
    status.online = true;
    status.lastSuccess = new Date().toISOString();
    await store.markSyncSuccess();
  } catch (error) {
    await handleError(error);
  } finally {
    status.firstSync = null;
  }
}

async function handleError(error) {
  if (!store.isUnlocked()) return; // locked mid-sync: the next unlock syncs again
  if (!(error instanceof api.ApiError)) {
    status.lastError = { code: "client_error", message: `Fejl i appen under synkronisering: ${error.message}`, at: new Date().toISOString() };
    console.error(error);
    return;
  }
  if (error.code === "offline") {
    status.online = false;
    status.lastError = null;
    return;
  }
  status.online = true;
  if (error.code === "device_revoked") {
    await onRevoked();
    return;
  }
  if (error.status === 401) status.needsLogin = true;
  status.lastError = { code: error.code, message: error.message, at: new Date().toISOString() };
}

async function exchange() {
  await ensureDevice();
  await pushAll();
  await pullAll();
}

async function refreshOrganisations() {
  try {
    const orgs = await api.organisations();
    if (Array.isArray(orgs)) await store.putMeta("organisations", orgs);
  } catch (error) {
    if (error instanceof api.ApiError && error.status === 404) return; // not on this server yet
    throw error;
  }
}

/** The municipality's form schedule (GET /api/schedule; no personal data): what is due is
 * computed from it each time a list is drawn (screens/formsdue.js). */
async function refreshSchedule() {
  try {
    const schedule = await api.schedule();
    if (schedule && typeof schedule === "object") await store.putMeta("schedule", schedule);
  } catch (error) {
    if (error instanceof api.ApiError && error.status === 404) return; // an older server: the default applies
    throw error;
  }
}

async function ensureDevice() {
  if (await store.getMeta("device_registered")) return;
  await api.registerDevice(await currentDeviceName(), store.state.deviceId);
  await store.putMeta("device_registered", true);
}

/** The name the worker gave the phone at set-up (meta `device_name`). */
export async function currentDeviceName() {
  return (await store.getMeta("device_name")) || fallbackDeviceName();
}

// Phones set up before the worker could name them.
function fallbackDeviceName() {
  const ua = navigator.userAgent;
  const os = /Android/.test(ua) ? "Android" : /iPhone|iPad/.test(ua) ? "iOS" : /Linux/.test(ua) ? "Linux" : "enhed";
  return `Brobygger på ${os}`;
}

const advance = (response) => store.serverClock(response?.server_hlc);

async function pushAll() {
  // S.outbox holds only ops whose transaction has committed (store.commit).
  for (let restamps = 0; ; ) {
    const batch = store.state.outbox.filter((e) => e.status === "pending").slice(0, PUSH_BATCH);
    if (!batch.length) return;
    const response = await api.push(store.state.deviceId, batch.map((e) => e.op));
    advance(response);
    if (response.device_revoked) throw new api.ApiError(403, "device_revoked", "Enheden er spærret.");
    const restamped = await store.recordPushResults(response.results || [], response.server_hlc);
    await store.saveHlc();
    if (restamped) {
      if (++restamps > 3) return; // ops stamped again after clock_ahead go out at once
    } else if (batch.length < PUSH_BATCH) return;
  }
}

async function pullAll() {
  const ackedBefore = store.state.outbox.filter((e) => e.status === "acked").map((e) => e.seq);
  let meta = await store.syncMeta();
  if (!meta.first_done) status.firstSync = { received: 0 };
  let remaining = null; // the previous page's count of records still to come
  for (let guard = 0; guard < 100000; guard++) {
    const page = await api.pull({
      cursor: meta.cursor, limit: PULL_LIMIT, deviceId: store.state.deviceId, epoch: meta.epoch, resolvedAfter: meta.resolved_cursor || 0,
      remaining,
    });
    remaining = page.has_more && Number.isInteger(page.remaining) ? page.remaining : null;
    advance(page);
    // The project lead's decisions on this user's rejected changes (docs/sync-protocol.md).
    if (Number.isInteger(page.resolved_cursor)) await store.applyResolved(page.resolved, page.resolved_cursor);
    if (page.reset) {
      await store.resetRecords(page.epoch ?? null);
      meta = await store.syncMeta();
      if (status.firstSync === null) status.firstSync = { received: 0 };
      continue;
    }
    await store.applyPull(page, { ackedBefore: page.has_more ? [] : ackedBefore });
    if (status.firstSync) {
      status.firstSync.received += (page.records || []).length;
      // `remaining` (records still to come, an upper bound) makes the bar determinate.
      if (Number.isInteger(page.remaining) && page.remaining >= 0) status.firstSync.remaining = page.remaining;
      changed();
    }
    meta = await store.syncMeta();
    if (!page.has_more) return;
  }
}
