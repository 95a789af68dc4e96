// web/app.js  The agent desktop, v0: sign in, the agent's state, Ready /
// Not ready (with a reason) / Log out, sign out.  Plain DOM on the
// elements of index.html; every server call goes through api.js.
//
// Flow.  A token in sessionStorage (a reload, a second visit in the tab)
// goes straight to the desktop, else the log-in form shows.  The desktop
// asks GET /api/v1/me who signed in, then GET /api/v1/agents/ID, and
// re-reads the agent every POLL_MS (calls and the phone change it too)
// until the event stream replaces the polling.  Errors from the API are
// shown as they come, in the role=alert element; a 401 means the session
// is gone, so the page goes back to the log-in form.
//
// Order.  Replies may overtake each other (a poll sent before a click can
// answer after it): each request that returns the agent takes a ticket,
// and a reply older than the one on screen is dropped.  `gen` counts
// sign-ins: whatever a previous sign-in started is ignored when it ends.

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

const POLL_MS = 5000;

const el = Object.fromEntries([
  'whoami', 'error', 'login', 'login-user', 'login-password', 'desktop',
  'no-agent', 'agent', 'reason', 'signout',
].map((id) => [id, document.getElementById(id)]));
const field = (name) => document.querySelector(`[data-testid="${name}"]`);

let gen = 0;            // sign-ins so far
let agentId = null;     // the signed-in agent, or null
let ticket = 0;         // requests for the agent sent ...
let shown = 0;          // ... and the newest one on screen
let pollTimer = null;

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

async function refresh(g) {
  const t = ++ticket;
  const a = await api.agent(agentId);
  if (g === gen) render(t, a);
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
