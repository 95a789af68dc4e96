// web/app.js  The agent desktop, v0: sign in, the agent's state, Ready /
// Not ready (with a reason) / Log out, sign out, and the incoming
// contact's card (screen pop).  Plain DOM on the elements of index.html;
// every REST call goes through api.js.
//
// Flow.  A token in sessionStorage (a reload, a second visit in the tab)
// goes straight to the desktop, else the log-in form shows.  The desktop
// asks GET /api/v1/me who signed in, opens the event stream
// (GET /api/v1/events as a WebSocket, docs/api.md) and reads the agent
// once with GET /api/v1/agents/ID.  From then on "agent-state" events
// update the state, and "screen-pop" events fill the contact card.  The
// agent is read again after a "gap" (events were lost) and every POLL_MS
// as a safety net: whether a phone is registered has no event of its own.
// A closed stream is reopened after 1, 2, 4, ... up to 10 s, with
// since=the last seq seen, so nothing is missed.  Errors from the API are
// shown as they come, in the role=alert element; a 401 means the session
// is gone, so the page goes back to the log-in form.
//
// Order.  Replies may overtake each other (a poll sent before a click can
// answer after it): each request that returns the agent, and each state
// event, takes a ticket, and a reply older than the one on screen is
// dropped.  `gen` counts sign-ins: whatever a previous sign-in started
// (requests, sockets, timers) is ignored when it ends.
//
// Every text from the server goes in with textContent, never innerHTML.

import * as api from './api.js';

// Not-ready reasons the server knows: it registers "break" only (plus
// its own "api", "phone", "unregistered"; src/core/center.c).  Add here
// when reasons become configurable: an unknown one is refused with 400.
const REASONS = [['break', 'Break']];

const STATE_LABELS = {
  'logged-out': 'Logged out',
  available: 'Ready',
  offered: 'Ringing',
  busy: 'On a call',
  'wrap-up': 'Wrap-up',
  'not-ready': 'Not ready',
};

const POLL_MS = 30000;          // the safety-net re-read of the agent
const RETRY_MIN_MS = 1000;      // reopening the event stream: first wait
const RETRY_MAX_MS = 10000;     // ... doubling up to this

const CONTACT_LABELS = {
  ringing: 'Ringing',
  talking: 'Talking',
  ended: 'Ended',
  missed: 'Missed',
};

const el = Object.fromEntries([
  'whoami', 'error', 'login', 'login-user', 'login-password', 'desktop',
  'no-agent', 'agent', 'reason', 'signout', 'contact',
].map((id) => [id, document.getElementById(id)]));
const field = (name) => document.querySelector(`[data-testid="${name}"]`);

let gen = 0;            // sign-ins so far
let agentId = null;     // the signed-in agent, or null
let ticket = 0;         // requests for the agent sent ...
let shown = 0;          // ... and the newest one on screen
let pollTimer = null;
let socket = null;      // the event stream, or null
let lastSeq = null;     // the last event seq seen (for since=)
let retryMs = RETRY_MIN_MS;
let retryTimer = null;
let contact = null;     // the card's call: {call, status}, or null

function showError(message) {
  el.error.textContent = message;
  el.error.hidden = false;
}

function clearError() {
  el.error.textContent = '';
  el.error.hidden = true;
}

function setBusy(busy) {
  for (const b of document.querySelectorAll('button, select, input')) {
    b.disabled = busy;
  }
}

function showLogin() {
  gen++;
  agentId = null;
  clearTimeout(pollTimer);
  stopStream();
  hideContact();
  el.desktop.hidden = true;
  el.whoami.hidden = true;
  el.login.hidden = false;
  el['login-password'].value = '';
  el['login-user'].focus();
}

function render(t, a) {
  if (t < shown) return;
  shown = t;
  field('agent-name').textContent = a.name || a.id;
  field('agent-id').textContent = a.id;
  const state = field('agent-state');
  state.textContent = STATE_LABELS[a.state] ?? a.state;
  state.dataset.state = a.state;
  const reason = field('agent-reason');
  reason.textContent = a.reason ? `(${a.reason})` : '';
  reason.dataset.reason = a.reason ?? '';
  field('agent-phone').textContent = a.registered
    ? 'registered'
    : 'not registered: register your phone to go ready';
}

// The state from an "agent-state" event: detail "FROM -> TO[ REASON]".
function renderEvent(ev) {
  const m = /^(\S+) -> (\S+)(?: (\S+))?$/.exec(ev.detail ?? '');
  if (!m) return;
  const [, from, to, reason] = m;
  const t = ++ticket;
  shown = t;
  const state = field('agent-state');
  state.textContent = STATE_LABELS[to] ?? to;
  state.dataset.state = to;
  const r = field('agent-reason');
  r.textContent = reason ? `(${reason})` : '';
  r.dataset.reason = reason ?? '';
  followContact(from, to);
}

// ---- the contact card ----

function hideContact() {
  contact = null;
  el.contact.hidden = true;
}

function setContactStatus(status) {
  contact.status = status;
  const s = field('contact-status');
  s.textContent = CONTACT_LABELS[status];
  s.dataset.status = status;
}

// A "screen-pop": the card for this call, replacing the previous one.
function showContact(ev) {
  contact = { call: ev.call ?? null, status: null };
  const c = ev.customer && typeof ev.customer === 'object'
    ? ev.customer : null;
  field('contact-caller').textContent = ev.caller || 'anonymous';
  field('contact-customer').textContent = c
    ? (c.name || c.id || '') : 'Unknown caller';
  field('contact-vip').hidden = !(c && c.vip === true);
  const phones = c && Array.isArray(c.phones) ? c.phones : [];
  field('contact-phones').textContent = phones.length
    ? phones.join(', ') : '-';
  field('contact-dialled').textContent = ev.dialled || '-';
  field('contact-queue').textContent = ev.queue || '-';
  const vars = field('contact-vars');
  vars.replaceChildren();
  const entries = ev.vars && typeof ev.vars === 'object'
    ? Object.entries(ev.vars) : [];
  for (const [k, v] of entries) {
    const dt = document.createElement('dt');
    dt.textContent = k;
    const dd = document.createElement('dd');
    dd.textContent = typeof v === 'string' ? v : JSON.stringify(v);
    vars.append(dt, dd);
  }
  vars.hidden = entries.length === 0;
  setContactStatus('ringing');
  el.contact.hidden = false;
}

// The card follows the agent's state: offered -> busy is the answer,
// leaving busy ends the call, leaving offered otherwise is a missed one.
function followContact(from, to) {
  if (!contact) return;
  if (contact.status === 'ringing') {
    if (to === 'busy') setContactStatus('talking');
    else if (from === 'offered' && to !== 'offered') setContactStatus('missed');
  } else if (contact.status === 'talking' && from === 'busy' && to !== 'busy') {
    setContactStatus('ended');
  }
}

// After a gap the events in between are lost: the agent as read anew
// tells whether the card's call can still be on.
function reconcileContact(state) {
  if (!contact) return;
  if (contact.status === 'ringing' && state === 'busy') {
    setContactStatus('talking');
  } else if (contact.status === 'ringing' && state !== 'offered') {
    setContactStatus('missed');
  } else if (contact.status === 'talking' && state !== 'busy') {
    setContactStatus('ended');
  }
}

// ---- the event stream ----

function stopStream() {
  clearTimeout(retryTimer);
  retryTimer = null;
  if (socket) {
    const s = socket;
    socket = null;
    s.onopen = s.onmessage = s.onclose = s.onerror = null;
    s.close();
  }
  el.desktop.dataset.stream = 'closed';
}

function onEvent(g, ev) {
  if (typeof ev.seq === 'number') lastSeq = ev.seq;
  switch (ev.type) {
  case 'gap':
    refresh(g, true).catch((e) => { if (g === gen) failed(e); });
    break;
  case 'agent-state':
    if (ev.agent === agentId) renderEvent(ev);
    break;
  case 'screen-pop':
    if (ev.agent === agentId) showContact(ev);
    break;
  default:
    break;
  }
}

function openStream(g) {
  if (g !== gen) return;
  let url = `ws://${location.host}/api/v1/events?token=` +
    encodeURIComponent(api.token() ?? '');
  if (lastSeq !== null) url += `&since=${lastSeq}`;
  const s = new WebSocket(url);
  socket = s;
  s.onopen = () => {
    if (g !== gen || socket !== s) return;
    retryMs = RETRY_MIN_MS;
    el.desktop.dataset.stream = 'open';
  };
  s.onmessage = (m) => {
    if (g !== gen || socket !== s) return;
    let ev;
    try {
      ev = JSON.parse(m.data);
    } catch {
      return;
    }
    if (ev && typeof ev === 'object') onEvent(g, ev);
  };
  s.onclose = () => {
    if (g !== gen || socket !== s) return;
    socket = null;
    el.desktop.dataset.stream = 'closed';
    const wait = retryMs;
    retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
    retryTimer = setTimeout(() => reopenStream(g), wait);
  };
}

// Before reopening, make sure the session still lives (a refused
// WebSocket upgrade shows as a bare close): a 401 ends the desktop.
async function reopenStream(g) {
  if (g !== gen) return;
  try {
    await api.me();
  } catch (e) {
    if (g !== gen) return;
    if (e.status === 401) {
      failed(e);
      return;
    }
    // the server is away: openStream fails too and the wait grows
  }
  openStream(g);
}

// A 401 ends the desktop; anything else is shown and the page stays.
function failed(e) {
  if (e.status === 401) {
    api.forget();
    showLogin();
    showError(`Signed out: ${e.message}`);
  } else {
    showError(e.message);
  }
}

async function refresh(g, reconcile = false) {
  const t = ++ticket;
  const a = await api.agent(agentId);
  if (g !== gen) return;
  render(t, a);
  if (reconcile && t === shown) reconcileContact(a.state);
}

function schedulePoll(g) {
  clearTimeout(pollTimer);
  pollTimer = setTimeout(async () => {
    if (g !== gen) return;
    try {
      await refresh(g);
    } catch (e) {
      if (g !== gen) return;
      if (e.status === 401) {
        failed(e);
        return;
      }
      // a network blip: try again at the next tick
    }
    if (g === gen) schedulePoll(g);
  }, POLL_MS);
}

// Who is signed in, then the desktop for an agent.
async function enter() {
  const g = ++gen;
  const who = await api.me();
  if (g !== gen) return;
  el.whoami.textContent = `Signed in as ${who.user} (${who.role})`;
  el.whoami.hidden = false;
  el.login.hidden = true;
  el.desktop.hidden = false;
  const isAgent = who.role === 'agent';
  el['no-agent'].hidden = isAgent;
  el.agent.hidden = !isAgent;
  if (!isAgent) return;
  agentId = who.user;
  stopStream();
  lastSeq = null;
  retryMs = RETRY_MIN_MS;
  openStream(g);
  await refresh(g);
  schedulePoll(g);
}

async function onLogin(ev) {
  ev.preventDefault();
  clearError();
  setBusy(true);
  try {
    await api.login(el['login-user'].value.trim(),
      el['login-password'].value);
    el['login-password'].value = '';
    await enter();
  } catch (e) {
    api.forget();
    showError(e.message);
  } finally {
    setBusy(false);
  }
}

async function onAction(ev) {
  const btn = ev.target.closest('button[data-action]');
  if (!btn || !agentId) return;
  const state = btn.dataset.action;
  const g = gen;
  clearError();
  setBusy(true);
  try {
    const t = ++ticket;
    const a = await api.setState(agentId, state,
      state === 'not-ready' ? el.reason.value : undefined);
    if (g === gen) render(t, a);
  } catch (e) {
    if (g !== gen) return;
    failed(e);
    if (e.status !== 401) refresh(g).catch(() => {});
  } finally {
    setBusy(false);
  }
}

async function onSignOut() {
  clearError();
  setBusy(true);
  gen++;
  clearTimeout(pollTimer);
  stopStream();
  try {
    await api.logout();
  } catch (e) {
    if (e.status !== 401) showError(`Sign-out: ${e.message}`);
  } finally {
    setBusy(false);
    showLogin();
  }
}

async function boot() {
  for (const [value, label] of REASONS) {
    el.reason.append(new Option(label, value));
  }
  el.login.addEventListener('submit', onLogin);
  el.agent.addEventListener('click', onAction);
  el.signout.addEventListener('click', onSignOut);
  if (api.token()) {
    try {
      await enter();
      return;
    } catch (e) {
      failed(e);
      if (e.status === 401) return;
    }
  }
  showLogin();
}

boot();
