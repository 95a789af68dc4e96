// web/api.js  The one module that talks to the server's HTTP API
// (docs/api.md).  Keeps the session token in sessionStorage (one tab, gone
// when the tab closes), sends it as a bearer token, and turns every
// non-2xx answer into an ApiError carrying the server's JSON "error"
// message and HTTP status, so the page can show it as it is.

const TOKEN_KEY = 'switchboard.token';

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

// Drop the token without telling the server (it is already dead).
export function forget() {
  sessionStorage.removeItem(TOKEN_KEY);
}

async function call(method, path, body) {
  const headers = {};
  const t = token();
  if (t) headers.Authorization = `Bearer ${t}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
    });
  } catch (e) {
    throw new ApiError(0, `the server cannot be reached (${e.message})`);
  }
  let json = null;
  try {
    json = await res.json();
  } catch {
    // not JSON: the status says enough
  }
  if (!res.ok) {
    const msg = json && typeof json.error === 'string'
      ? json.error : `HTTP ${res.status}`;
    throw new ApiError(res.status, msg);
  }
  return json;
}

export async function login(user, password) {
  forget();
  const r = await call('POST', '/api/v1/login', { user, password });
  sessionStorage.setItem(TOKEN_KEY, r.token);
  return r;
}

// Ends the session on the server; the token is forgotten even when that
// fails (an expired session answers 401: nothing is left to end).
export async function logout() {
  try {
    if (token()) await call('POST', '/api/v1/logout');
  } finally {
    forget();
  }
}

export const me = () => call('GET', '/api/v1/me');

const agentPath = (id) => `/api/v1/agents/${encodeURIComponent(id)}`;

export const agent = (id) => call('GET', agentPath(id));

export function setState(id, state, reason) {
  const body = reason ? { state, reason } : { state };
  return call('POST', `${agentPath(id)}/state`, body);
}
