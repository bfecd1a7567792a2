// Pure functions: a record's local view (server snapshot + own pending ops on top) and
// the citizen list row derived from a citizen's views. The full merge lives on the
// server (sync/merge.py); the device's own pending ops are causally newest on this
// device, so applying them in order on the snapshot is enough locally.
const MULTI = new Set(["phase", "end_reason", "phase_at_end", "destination"]);
const APPEND_ONLY = new Set(["contact", "form_response"]);

const clone = (x) => (typeof structuredClone === "function" ? structuredClone(x) : JSON.parse(JSON.stringify(x)));

function describe(op, value, user) {
  return { value, op_id: op.op_id, user_id: user?.id ?? null, device_id: op.device_id, hlc: op.hlc, local: true };
}

export function applyOps(snapshot, ops, user) {
  let v = snapshot ? clone(snapshot) : null;
  if (v) {
    v.pending = 0;
    delete v.__snapshot;
  }
  for (const op of ops) {
    if (op.kind === "create") {
      if (v) continue; // the server already has it (acked, then pulled)
      const fields = clone(op.value || {});
      v = {
        entity: op.entity,
        id: op.record_id,
        fields,
        heads: Object.fromEntries(Object.keys(fields).map((k) => [k, [op.op_id]])),
        conflicts: [],
        also_edited: [],
        history: {},
        archived: false,
        flagged: false,
        created_by: user?.id ?? null,
        created_hlc: op.hlc,
        updated_hlc: op.hlc,
        pending: 0,
        local_only: true,
      };
      if (fields.phase) v.history.phase = [describe(op, fields.phase, user)];
      if (op.entity === "consent" && fields.state) {
        v.history.state = [describe(op, fields.state, user)];
        fields.granted = fields.state.action === "grant";
      }
      if (APPEND_ONLY.has(op.entity)) {
        v.voided = false;
        v.original = clone(fields);
        v.amendments = [];
      }
    } else if (!v) {
      continue; // an op on a record this device does not hold (e.g. evicted)
    } else if (op.kind === "set" || op.kind === "amend") {
      v.fields[op.field] = clone(op.value);
      v.heads[op.field] = [op.op_id];
      const seen = new Set(op.seen || []);
      v.conflicts = (v.conflicts || []).filter((c) => c.field !== op.field || !c.values.every((x) => seen.has(x.op_id)));
      if (MULTI.has(op.field) || op.field === "state") {
        v.history = v.history || {};
        v.history[op.field] = [...(v.history[op.field] || []), describe(op, op.value, user)];
      }
      if (op.field === "state") v.fields.granted = op.value.action === "grant";
      if (op.kind === "amend") v.amendments = [...(v.amendments || []), { field: op.field, ...describe(op, op.value, user) }];
    } else if (op.kind === "void") {
      v.voided = true;
      v.void = { reason: op.value?.reason ?? null, ...describe(op, null, user) };
    } else if (op.kind === "archive") {
      v.archived = true;
    } else if (op.kind === "unarchive") {
      v.archived = false;
    }
    v.updated_hlc = op.hlc;
    v.pending += 1;
  }
  return v;
}

const utc = (iso) => {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
};

function emptyRow(id) {
  return {
    id,
    code: "",
    initials: "",
    search: "",
    archived: false,
    phase: null,
    phase_date: null,
    plan_date: null,
    course_id: null,
    last_contact: null,
    contacts: 0,
    conflicts: [],
    pending: false,
    missing: true, // children arrived before their citizen
  };
}

function setSearch(row) {
  row.search = `${row.initials} ${row.code}`.toLowerCase();
}

/** Update a list row incrementally from one record view; false = recompute needed. */
export function updateSummary(summary, v) {
  const cid = v.entity === "citizen" ? v.id : v.fields.citizen_id;
  if (!cid) return true;
  const row = { ...(summary.get(cid) || emptyRow(cid)) };
  row.conflicts = row.conflicts.filter((id) => id !== v.id);
  if (v.conflicts && v.conflicts.length) row.conflicts.push(v.id);
  if (v.pending) row.pending = true;
  if (v.entity === "citizen") {
    row.code = v.fields.code || "";
    row.initials = v.fields.initials || "";
    row.archived = !!v.archived;
    row.missing = false;
    setSearch(row);
  } else if (v.entity === "course") {
    if (row.course_id && row.course_id !== v.id && v.archived) {
      summary.set(cid, row);
      return true;
    }
    if (row.course_id && row.course_id !== v.id) return false;
    row.course_id = v.id;
    row.phase = v.fields.phase?.phase ?? null;
    row.phase_date = v.fields.phase?.date ?? null;
    row.plan_date = v.fields.plan_date ?? null;
  } else if (v.entity === "contact") {
    if (v.voided) return false;
    const at = utc(v.fields.occurred_at);
    if (at && (!row.last_contact || at > row.last_contact)) row.last_contact = at;
    row.contacts += 1;
  }
  summary.set(cid, row);
  return true;
}

/** The list row of one citizen from all its views (null when the citizen is gone). */
export function summarize(cid, views) {
  const citizen = views.find((v) => v.entity === "citizen");
  if (!citizen) return null;
  const summary = new Map();
  updateSummary(summary, citizen);
  const courses = views
    .filter((v) => v.entity === "course")
    .sort((a, b) => Number(a.archived) - Number(b.archived) || (b.created_hlc || "").localeCompare(a.created_hlc || ""));
  const row = summary.get(cid);
  if (courses[0]) {
    const c = courses[0];
    row.course_id = c.id;
    row.phase = c.fields.phase?.phase ?? null;
    row.phase_date = c.fields.phase?.date ?? null;
    row.plan_date = c.fields.plan_date ?? null;
  }
  for (const v of views) {
    if (v.conflicts && v.conflicts.length) row.conflicts.push(v.id);
    if (v.pending) row.pending = true;
    if (v.entity === "contact" && !v.voided) {
      const at = utc(v.fields.occurred_at);
      if (at && (!row.last_contact || at > row.last_contact)) row.last_contact = at;
      row.contacts += 1;
    }
  }
  row.conflicts = [...new Set(row.conflicts)];
  return row;
}
