// The API client. Every address is relative to the app's root, found from this module's own URL
// (…/static/api.js), so the app works at "/" locally and under a stage prefix such as "/api/" when deployed.
// A signed-in person's requests carry the session cookie, which the browser keeps and sends (HttpOnly: no script
// of the page reads it), and their changes the page's own Origin, which the browser adds.

export const ROOT = new URL("../", import.meta.url);

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details || {};
  }

  /** A route that this server does not have yet (API Gateway and `chalice local` answer those themselves). */
  get missingRoute() {
    return this.code === "route_missing";
  }
}

/** The address of an app page or API path (no leading slash), under the app's root. */
export function appUrl(path = "") {
  return new URL(path, ROOT).href;
}

let onUnauthorized = () => {};

/** What to do when the API answers 401 (the session ended): the app shows sign-in again. The sign-in steps'
 * own 401 (a wrong password) is theirs to show. */
export function whenUnauthorized(handler) {
  onUnauthorized = handler;
}

/** Query string of the non-empty values of `params`; a list repeats its parameter (`mark=first&mark=target`). */
export function query(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    for (const one of Array.isArray(value) ? value : [value]) {
      if (one !== null && one !== undefined && one !== "") search.append(name, String(one));
    }
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

/** Sends a request to the API; resolves to the raw Response when ok, throws ApiError otherwise. */
export async function send(method, path, body) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(appUrl(path), {
      method, headers, credentials: "same-origin", body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw new ApiError(0, "network", error.message);
  }
  if (response.ok) return response;
  let payload = null;
  try {
    payload = await response.json();
  } catch {
    payload = null;
  }
  const error = payload?.error;
  if (response.status === 401 && error && !path.startsWith("v1/auth/")) onUnauthorized();
  if (!error) {
    // not the contract's error format: the gateway (or chalice local) answered for a route the app lacks
    throw new ApiError(response.status, "route_missing", payload?.message || payload?.Message || response.statusText);
  }
  throw new ApiError(response.status, error.code, error.message, error.details);
}

export async function getJson(path) {
  return (await send("GET", path)).json();
}

/** The JSON answer of a request, or null for an answer without a body (204, and the 202 of forgot-password). */
export async function sendJson(method, path, body) {
  const text = await (await send(method, path, body)).text();
  return text ? JSON.parse(text) : null;
}
