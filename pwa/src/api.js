// The server API (same origin). Every failure becomes an ApiError with the server's
// code and Danish message; no network is code "offline".
export class ApiError extends Error {
  constructor(status, code, message, field = null) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

export async function call(method, path, body) {
  let res;
  try {
    res = await fetch(path, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
      cache: "no-store",
    });
  } catch {
    throw new ApiError(0, "offline", "Ingen forbindelse til serveren. Dine ændringer er gemt på telefonen.");
  }
  let data = null;
  try {
    data = await res.json();
  } catch {
    data = null;
  }
  if (!res.ok) {
    const e = data?.error || {};
    const fallback = res.status === 404 ? "Serveren kender ikke denne funktion endnu." : `Serveren svarede med fejl ${res.status}.`;
    throw new ApiError(res.status, e.code || `http_${res.status}`, e.message || fallback, e.field || null);
  }
  return data;
}

export const login = (username, password) => call("POST", "/api/session", { username, password });
export const currentSession = () => call("GET", "/api/session");
export const loginProviders = () => call("GET", "/api/session/providers");
export const logout = () => call("DELETE", "/api/session");
export const registerDevice = (name, deviceId) => call("POST", "/api/devices", { name, device_id: deviceId });
export const organisations = () => call("GET", "/api/organisations");
export const schedule = () => call("GET", "/api/schedule");
export const push = (deviceId, ops) => call("POST", "/api/sync/push", { device_id: deviceId, ops });
export function pull({ cursor, limit, deviceId, epoch, resolvedAfter = 0, remaining = null }) {
  const q = new URLSearchParams({ cursor: String(cursor), limit: String(limit), device_id: deviceId });
  if (epoch !== null && epoch !== undefined) q.set("epoch", String(epoch));
  if (Number.isInteger(remaining)) q.set("remaining", String(remaining)); // the previous page's: spares the server a count
  if (resolvedAfter) q.set("resolved_after", String(resolvedAfter));
  return call("GET", `/api/sync/pull?${q}`);
}
