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

// Any request: body is sent as JSON unless it is a string (sent as is,
// with opts.type as its Content-Type); opts.text returns the answer's
// text instead of its JSON.
export async function call(method, path, body, opts = {}) {
  const headers = {};
  const t = token();
  if (t) headers.Authorization = `Bearer ${t}`;
  const raw = typeof body === 'string';
  if (body !== undefined) {
    headers['Content-Type'] = raw ? (opts.type || 'text/plain') : 'application/json';
  }
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : raw ? body : JSON.stringify(body),
      cache: 'no-store',
    });
  } catch (e) {
    throw new ApiError(0, `the server cannot be reached (${e.message})`);
  }
  if (opts.text && res.ok) return res.text();
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

// ---- the rest of docs/api.md, one function per route ----
const enc = encodeURIComponent;
const query = (params = {}) => {
  const q = Object.entries(params)
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&');
  return q ? `?${q}` : '';
};

export const status = () => call('GET', '/api/v1/status');
export const queues = () => call('GET', '/api/v1/queues');
export const agents = () => call('GET', '/api/v1/agents');
export const figures = (id, from) =>
  call('GET', `${agentPath(id)}/figures${query({ from })}`);

// live calls and their controls
const callPath = (id) => `/api/v1/calls/${enc(id)}`;
export const calls = () => call('GET', '/api/v1/calls');
export const liveCall = (id) => call('GET', callPath(id));
export const hangup = (id) => call('POST', `${callPath(id)}/hangup`);
export const hold = (id, on) => call('POST', `${callPath(id)}/hold`, { hold: !!on });
// target: {queue: ID} | {agent: ID} | {number: N}
export const transfer = (id, target) => call('POST', `${callPath(id)}/transfer`, target);
export const pauseRecording = (id, paused) =>
  call('POST', `${callPath(id)}/recording`, { paused: !!paused });
export const dispositions = () => call('GET', '/api/v1/dispositions');
// script: [{step, answer}] or undefined
export function dispose(id, code, notes, script) {
  const body = { code };
  if (notes) body.notes = notes;
  if (script && script.length) body.script = script;
  return call('POST', `${callPath(id)}/disposition`, body);
}
// history (the store): params agent, queue, caller, outcome, from, to,
// before, limit
export const callHistory = (params) => call('GET', `/api/v1/calls/history${query(params)}`);
export const callRecord = (id) => call('GET', `${callPath(id)}/record`);
export const recordings = (params) => call('GET', `/api/v1/recordings${query(params)}`);
export const recordingAudioUrl = (id) => `/api/v1/recordings/${enc(id)}/audio`;

// customers
const customerPath = (id) => `/api/v1/customers/${enc(id)}`;
export const customers = (params) => call('GET', `/api/v1/customers${query(params)}`);
export const customer = (id) => call('GET', customerPath(id));
export const customerCreate = (rec) => call('POST', '/api/v1/customers', rec);
export const customerSave = (id, rec) => call('PUT', customerPath(id), rec);
export const customerDelete = (id) => call('DELETE', customerPath(id));
export const customerHistory = (id, params) =>
  call('GET', `${customerPath(id)}/history${query(params)}`);
export const customersCsv = () => call('GET', '/api/v1/customers.csv', undefined, { text: true });
export const customersImport = (csv) =>
  call('POST', '/api/v1/customers.csv', csv, { type: 'text/csv' });

// call scripts
const scriptPath = (id) => `/api/v1/scripts/${enc(id)}`;
export const scripts = () => call('GET', '/api/v1/scripts');
export const script = (id) => call('GET', scriptPath(id));
export const scriptSave = (id, doc) => call('PUT', scriptPath(id), doc);
export const scriptDelete = (id) => call('DELETE', scriptPath(id));

// ---- for the admin pages (web/admin.html) ----
// the configuration the server runs, read-only (supervisors and admins)
export const configQueues = () => call('GET', '/api/v1/config/queues');
export const configAgents = () => call('GET', '/api/v1/config/agents');
export const configNumbers = () => call('GET', '/api/v1/config/numbers');
export const skills = () => call('GET', '/api/v1/skills');

// A request whose refusal carries more than "error" (the CSV import's
// per-line "errors"): resolves to {ok, status, json} instead of throwing
// on a non-2xx answer; throws ApiError(0) when the server is unreachable.
async function callFull(method, path, body, type) {
  const headers = { 'Content-Type': type };
  const t = token();
  if (t) headers.Authorization = `Bearer ${t}`;
  let res;
  try {
    res = await fetch(path, { method, headers, body, cache: 'no-store' });
  } catch (e) {
    throw new ApiError(0, `the server cannot be reached (${e.message})`);
  }
  let json = null;
  try {
    json = await res.json();
  } catch {
    // not JSON
  }
  return { ok: res.ok, status: res.status, json };
}

// POST /api/v1/customers.csv: {ok: true, json: {created, updated}} or
// {ok: false, status, json: {error, errors: [{line, error}]}}.
export const customersImportReport = (csv) =>
  callFull('POST', '/api/v1/customers.csv', csv, 'text/csv');

// A recording's WAV as a Blob: the audio route needs the bearer token,
// which an <audio src> cannot send; give the element an object URL.
export async function recordingAudio(id) {
  const headers = {};
  const t = token();
  if (t) headers.Authorization = `Bearer ${t}`;
  let res;
  try {
    res = await fetch(recordingAudioUrl(id), { headers, cache: 'no-store' });
  } catch (e) {
    throw new ApiError(0, `the server cannot be reached (${e.message})`);
  }
  if (!res.ok) {
    let msg = `HTTP ${res.status}`;
    try {
      const j = await res.json();
      if (typeof j.error === 'string') msg = j.error;
    } catch {
      // not JSON
    }
    throw new ApiError(res.status, msg);
  }
  return res.blob();
}

// ---- changing the configuration (admins; docs/api.md "Changing the
// configuration") ----
// The file as text, every password, key and ha1 shown as "********".
export const configFile = () =>
  call('GET', '/api/v1/config/file', undefined, { text: true });
// Check a text (nothing written): {ok, queues, agents, numbers, users};
// ApiError 400 "line N: ..." or 409 (a restart, a call in the way).
export const configCheck = (text) =>
  call('POST', '/api/v1/config/check', text, { type: 'text/plain' });
// Check, write and apply a text: as configCheck, plus "changed": "file".
// "********" keeps the current secret of the same [section] key.
export const configSave = (text) =>
  call('PUT', '/api/v1/config/file', text, { type: 'text/plain' });
// an [agent] section: {id (create only), name, password (change: absent
// keeps it), queues: ["sales:1"], skills: ["english:5"], autologin}
export const agentCreate = (a) => call('POST', '/api/v1/agents', a);
export const agentSave = (id, a) => call('PUT', agentPath(id), a);
export const agentDelete = (id) => call('DELETE', agentPath(id));
