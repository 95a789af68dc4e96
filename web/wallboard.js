// web/wallboard.js  The supervisor wallboard: every queue live, the agent
// grid, charts of the last 15 minutes and alerts.  Plain DOM on the
// elements of wallboard.html; sign-in and the token go through api.js.
//
// Data.  Everything shown comes from GET /api/v1/status (docs/api.md),
// read every POLL_MS and at once when the event stream says something
// happened: any event but a heartbeat asks for a read, and reads are
// throttled to one at a time, at most one per MIN_GAP_MS, so a burst of
// events costs a handful of reads.  A "gap" needs nothing more, as each
// read is the whole picture.  The stream is reopened like the desktop's
// (1, 2, 4 ... 10 s, with since=the last seq seen, the session checked
// first).  Only one read is in flight at a time, so replies cannot
// overtake each other.
//
// Time.  Durations (time in state, longest wait) tick every second
// between reads, on the server's clock: the offset between status.t and
// the browser's clock is taken at each read, so a browser whose clock is
// off still shows the right times.
//
// Alerts.  A queue alerts when its service level today is below its
// target (once a call was answered or abandoned today), or when its
// longest wait passes alert_wait_s (60 s when absent; 0: never).  The
// tile turns red and the role=alert banner names the queue; the banner's
// text changes only when the set of alerts does, so a screen reader
// hears each alert once.
//
// Tolerance.  Any member missing from the status shows as "—", and
// without uPlot (web/node_modules not installed) the charts say so and
// the rest works.  `gen` counts sign-ins: whatever a previous sign-in
// started (reads, sockets, timers) is ignored when it ends.  Every text
// from the server goes in with textContent, never innerHTML.

import * as api from './api.js';

const POLL_MS = pollMs();      // the status is read at least this often
const MIN_GAP_MS = 250;         // ... and at most once per this
const TICK_MS = 1000;           // durations on screen move every second
const STALE_MS = 10000;         // no successful read for this long: stale
const WINDOW_S = 15 * 60;       // the charts' span
const RETRY_MIN_MS = 1000;      // reopening the event stream: first wait
const RETRY_MAX_MS = 10000;     // ... doubling up to this
const ALERT_WAIT_S = 60;        // when the queue does not say
const DASH = '—';
const COLORS = ['#0b5cad', '#b35900', '#1b7a3a', '#8a2be2', '#a1141c',
  '#00717a', '#6b3d00', '#c2185b'];

const STATE_LABELS = {
  'logged-out': 'Logged out',
  available: 'Ready',
  offered: 'Ringing',
  busy: 'On a call',
  'wrap-up': 'Wrap-up',
  'not-ready': 'Not ready',
};

// A queue's members by state, as the engine names the states
// (status: agents_by_state), the name shown, and the name the status
// had in its first draft (agents: ringing, talking), still read.
const QUEUE_STATES = [
  ['available', 'ready'], ['offered', 'ringing', 'ringing'],
  ['busy', 'talking', 'talking'], ['wrap-up', 'wrap-up'],
  ['not-ready', 'not ready'], ['logged-out', 'logged out'],
];

const el = Object.fromEntries([
  'whoami', 'signout', 'error', 'not-supervisor', 'login', 'login-user',
  'login-password', 'board', 'alerts', 'tiles', 'agent-rows',
  'charts-unavailable', 'chart-waiting', 'chart-sl', 'tile',
].map((id) => [id, document.getElementById(id)]));
const field = (name) => el.board.querySelector(`[data-testid="${name}"]`);

let gen = 0;            // sign-ins so far
let socket = null;      // the event stream, or null
let lastSeq = null;     // the last event seq seen (for since=)
let retryMs = RETRY_MIN_MS;
let retryTimer = null;
let pollTimer = null;
let gapTimer = null;    // a read waiting for MIN_GAP_MS to pass
let tickTimer = null;
let reading = false;    // a read is in flight ...
let again = false;      // ... and another was asked for meanwhile
let lastReadAt = -Infinity;  // performance.now() when the last read began
let status = null;      // the last status read
let readAt = 0;         // Date.now() when it came
let offset = 0;         // the server's clock minus the browser's, ms
let alertText = '';     // what the banner says
let hist = null;        // the charts' points: {ids, x, waiting, sl}
const charts = { waiting: null, sl: null };

// 2 s; ?poll=MS (500 ms to 10 min) changes it, e.g. for a test that
// must see updates come from the event stream alone.
function pollMs() {
  const v = Number(new URLSearchParams(location.search).get('poll'));
  return Number.isInteger(v) && v >= 500 && v <= 600000 ? v : 2000;
}

// ---- formatting ----

const num = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function fmtDur(ms) {
  if (ms === null) return DASH;
  const s = Math.max(0, Math.floor(ms / 1000));
  const mm = String(Math.floor(s / 60) % 60).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return s >= 3600 ? `${Math.floor(s / 3600)}:${mm}:${ss}`
    : `${Math.floor(s / 60)}:${ss}`;
}

function fmtPct(p) {
  if (p === null) return DASH;
  return `${Number.isInteger(p) ? p : p.toFixed(1)}%`;
}

// A counter: its text, and its raw value in data-value ("" when unknown).
function put(node, value, text) {
  node.textContent = value === null ? DASH : (text ?? String(value));
  node.dataset.value = value === null ? '' : String(value);
}

// ---- messages ----

function showError(message, source) {
  el.error.textContent = message;
  el.error.dataset.source = source ?? '';
  el.error.hidden = false;
}

function clearError(source) {
  if (source && el.error.dataset.source !== source) return;
  el.error.textContent = '';
  el.error.hidden = true;
}

// ---- queues ----

function tileOf(id) {
  for (const t of el.tiles.children) if (t.dataset.queue === id) return t;
  const t = el.tile.content.firstElementChild.cloneNode(true);
  t.dataset.queue = id;
  t.dataset.testid = `queue-${id}`;
  t.querySelector('.qname').textContent = id;
  const ul = t.querySelector('.by-state');
  for (const [key, label] of QUEUE_STATES) {
    const li = document.createElement('li');
    li.dataset.state = key;
    const n = document.createElement('span');
    n.dataset.testid = `agents-${key}`;
    li.append(n, ` ${label}`);
    ul.append(li);
  }
  return t;
}

function renderQueues(queues) {
  const tiles = [];
  for (const q of queues) {
    const t = tileOf(String(q.id));
    const f = (name) => t.querySelector(`[data-testid="${name}"]`);
    const today = q.today && typeof q.today === 'object' ? q.today : {};
    put(f('waiting'), num(q.waiting));
    put(f('ringing'), num(q.ringing));
    put(f('talking'), num(q.talking));
    put(f('sl'), num(today.service_level), fmtPct(num(today.service_level)));
    const target = slTarget(q);
    f('sl-target').textContent = target === null ? '(no target)'
      : `(target ${fmtPct(target)} in ${num(q.sl_seconds) ?? DASH} s)`;
    put(f('asa'), num(today.asa_ms), fmtDur(num(today.asa_ms)));
    put(f('answered'), num(today.answered));
    put(f('abandoned'), num(today.abandoned));
    const by = [q.agents_by_state, q.agents, {}]
      .find((o) => o && typeof o === 'object');
    for (const [key, , alias] of QUEUE_STATES) {
      put(f(`agents-${key}`), num(by[key] ?? (alias && by[alias])));
    }
    tiles.push(t);
  }
  el.tiles.replaceChildren(...tiles);
}

// The queue's longest wait now: the server's, plus the time since.
function longestWait(q, now) {
  const ms = num(q.longest_wait_ms);
  if (ms === null || ms <= 0) return ms;
  return ms + Math.max(0, now - readAt);
}

// The queue's service-level target in percent; null when it has none
// (no `sl` in its configuration: the status says 0).
function slTarget(q) {
  const t = num(q.sl_target);
  return t !== null && t > 0 ? t : null;
}

function queueAlerts(q, waitMs) {
  const out = [];
  const today = q.today && typeof q.today === 'object' ? q.today : {};
  const sl = num(today.service_level);
  const target = slTarget(q);
  const done = (num(today.answered) ?? 0) + (num(today.abandoned) ?? 0);
  if (sl !== null && target !== null && done > 0 && sl < target) {
    out.push(['sl', `service level today ${fmtPct(sl)}, below the ` +
      `target ${fmtPct(target)}`]);
  }
  const limit = q.alert_wait_s === undefined || q.alert_wait_s === null
    ? ALERT_WAIT_S : num(q.alert_wait_s);
  if (limit && waitMs !== null && waitMs > limit * 1000) {
    out.push(['wait', `longest wait over ${fmtDur(limit * 1000)}`]);
  }
  return out;
}

// ---- agents ----

function cell(row, name) {
  return row.querySelector(`[data-testid="${name}"]`);
}

function rowOf(id) {
  for (const r of el['agent-rows'].children) if (r.dataset.agent === id) return r;
  const r = document.createElement('tr');
  r.dataset.agent = id;
  r.dataset.testid = `agent-${id}`;
  for (const name of ['agent-name', 'agent-state', 'agent-reason',
    'agent-time', 'agent-call', 'agent-queues', 'agent-phone']) {
    const td = document.createElement(name === 'agent-name' ? 'th' : 'td');
    if (name === 'agent-name') td.scope = 'row';
    if (name === 'agent-state') {
      const s = document.createElement('span');
      s.className = 'state';
      s.dataset.testid = name;
      td.append(s);
    } else {
      td.dataset.testid = name;
    }
    r.append(td);
  }
  return r;
}

function renderAgents(agents) {
  const rows = [];
  for (const a of agents) {
    const r = rowOf(String(a.id));
    cell(r, 'agent-name').textContent = a.name ? `${a.name} (${a.id})`
      : String(a.id);
    const s = cell(r, 'agent-state');
    s.textContent = a.state ? (STATE_LABELS[a.state] ?? a.state) : DASH;
    s.dataset.state = a.state ?? '';
    r.dataset.state = a.state ?? '';
    cell(r, 'agent-reason').textContent = a.reason || '';
    const since = num(a.since);
    r.dataset.since = since === null ? '' : String(since);
    const call = cell(r, 'agent-call');
    call.textContent = a.call ? String(a.call) : DASH;
    call.dataset.call = a.call ? String(a.call) : '';
    cell(r, 'agent-queues').textContent = Array.isArray(a.queues)
      ? a.queues.join(', ') : DASH;
    cell(r, 'agent-phone').textContent = typeof a.registered === 'boolean'
      ? (a.registered ? 'registered' : 'not registered') : DASH;
    rows.push(r);
  }
  el['agent-rows'].replaceChildren(...rows);
}

// ---- what moves between reads ----

function tick() {
  if (!status) return;
  const now = Date.now();
  const serverNow = now + offset;
  const lines = [];
  for (const q of Array.isArray(status.queues) ? status.queues : []) {
    const t = tileOf(String(q.id));
    const wait = longestWait(q, now);
    put(t.querySelector('[data-testid="longest-wait"]'), wait, fmtDur(wait));
    const alerts = queueAlerts(q, wait);
    const badge = t.querySelector('[data-testid="tile-alert"]');
    if (alerts.length) {
      t.dataset.alert = alerts.map(([k]) => k).join(' ');
      badge.textContent = alerts.map(([, text]) => text).join('; ');
      badge.hidden = false;
      for (const [kind, text] of alerts) lines.push([q.id, kind, text]);
    } else {
      delete t.dataset.alert;
      badge.hidden = true;
    }
  }
  for (const r of el['agent-rows'].children) {
    const since = r.dataset.since ? Number(r.dataset.since) : null;
    cell(r, 'agent-time').textContent = since === null ? DASH
      : fmtDur(serverNow - since);
  }
  const text = lines.map((l) => l.join('\t')).join('\n');
  if (text !== alertText) {
    alertText = text;
    el.alerts.replaceChildren(...lines.map(([id, kind, why]) => {
      const p = document.createElement('p');
      p.dataset.testid = 'alert';
      p.dataset.queue = id;
      p.dataset.kind = kind;
      p.textContent = `Queue ${id}: ${why}`;
      return p;
    }));
    el.alerts.hidden = lines.length === 0;
  }
  el.board.dataset.stale = now - readAt > STALE_MS ? 'yes' : 'no';
}

// ---- charts ----

function chartWidth(fig) {
  return Math.max(240, fig.clientWidth - 8);
}

function makeChart(fig, ids, data, range) {
  const plot = fig.querySelector('.plot');
  plot.replaceChildren();
  return new window.uPlot({
    width: chartWidth(fig),
    height: 200,
    scales: { x: { time: true }, y: { range } },
    series: [{}, ...ids.map((id, i) => ({
      label: id, stroke: COLORS[i % COLORS.length], width: 2,
    }))],
    axes: [{}, { size: 40 }],
  }, data, plot);
}

function waitRange(u, min, max) {
  return [0, Math.max(4, Math.ceil(max ?? 0))];
}

function drawCharts() {
  const ok = typeof window.uPlot === 'function';
  el['charts-unavailable'].hidden = ok;
  for (const [key, fig] of [['waiting', el['chart-waiting']],
    ['sl', el['chart-sl']]]) {
    fig.dataset.points = String(hist.x.length);
    fig.dataset.last = hist.ids.map((id, i) =>
      `${id}:${hist[key][i].at(-1) ?? '-'}`).join(' ');
    fig.hidden = !ok;
    if (!ok) continue;
    const data = [hist.x, ...hist[key]];
    const c = charts[key];
    if (c && c.ids === hist.ids) {
      c.plot.setData(data);
    } else {
      if (c) c.plot.destroy();
      charts[key] = {
        ids: hist.ids,
        plot: makeChart(fig, hist.ids, data,
          key === 'sl' ? [0, 100] : waitRange),
      };
    }
  }
}

function addPoint(s) {
  const queues = Array.isArray(s.queues) ? s.queues : [];
  const ids = queues.map((q) => String(q.id));
  const x = (num(s.t) ?? Date.now()) / 1000;
  if (!hist || ids.join('\n') !== hist.ids.join('\n')
      || x < (hist.x.at(-1) ?? -Infinity)) {
    hist = { ids, x: [], waiting: ids.map(() => []), sl: ids.map(() => []) };
  }
  hist.x.push(x);
  queues.forEach((q, i) => {
    hist.waiting[i].push(num(q.waiting));
    hist.sl[i].push(num(q.today?.service_level));
  });
  let old = 0;
  while (old < hist.x.length && hist.x[old] < x - WINDOW_S) old++;
  if (old) {
    for (const a of [hist.x, ...hist.waiting, ...hist.sl]) a.splice(0, old);
  }
  drawCharts();
}

function resizeCharts() {
  for (const [key, fig] of [['waiting', el['chart-waiting']],
    ['sl', el['chart-sl']]]) {
    if (charts[key]) charts[key].plot.setSize({
      width: chartWidth(fig), height: 200,
    });
  }
}

function dropCharts() {
  for (const key of Object.keys(charts)) {
    if (charts[key]) charts[key].plot.destroy();
    charts[key] = null;
  }
  hist = null;
}

// ---- reading the status ----

// GET /api/v1/status, through api.js once it has it; until then the same
// request and errors, here.
async function fetchStatus() {
  if (typeof api.status === 'function') return api.status();
  const t = api.token();
  let res;
  try {
    res = await fetch('/api/v1/status', {
      headers: t ? { Authorization: `Bearer ${t}` } : {},
      cache: 'no-store',
    });
  } catch (e) {
    throw new api.ApiError(0, `the server cannot be reached (${e.message})`);
  }
  let json = null;
  try {
    json = await res.json();
  } catch {
    // not JSON: the status says enough
  }
  if (!res.ok) {
    throw new api.ApiError(res.status, json && typeof json.error === 'string'
      ? json.error : `HTTP ${res.status}`);
  }
  return json;
}

function show(s) {
  readAt = Date.now();
  offset = num(s.t) === null ? 0 : s.t - readAt;
  status = s;
  renderQueues(Array.isArray(s.queues) ? s.queues : []);
  renderAgents(Array.isArray(s.agents) ? s.agents : []);
  put(field('calls-live'), num(s.calls_live));
  field('updated').textContent = `updated ${
    new Date(readAt + offset).toLocaleTimeString()}`;
  addPoint(s);
  tick();
}

// Ask for a read: now, after MIN_GAP_MS since the last one began, or
// after the one in flight.
function requestRead(g) {
  if (g !== gen) return;
  if (reading) {
    again = true;
    return;
  }
  if (gapTimer) return;
  const wait = lastReadAt + MIN_GAP_MS - performance.now();
  if (wait > 0) {
    gapTimer = setTimeout(() => {
      gapTimer = null;
      requestRead(g);
    }, wait);
    return;
  }
  read(g);
}

async function read(g) {
  reading = true;
  again = false;
  lastReadAt = performance.now();
  clearTimeout(pollTimer);
  try {
    const s = await fetchStatus();
    if (g !== gen) return;
    show(s && typeof s === 'object' ? s : {});
    clearError('read');
  } catch (e) {
    if (g !== gen) return;
    if (e.status === 401) {
      failed(e);
      return;
    }
    showError(`Reading the status: ${e.message}`, 'read');
  } finally {
    if (g === gen) {
      reading = false;
      pollTimer = setTimeout(() => requestRead(g), POLL_MS);
      if (again) requestRead(g);
    }
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
  el.board.dataset.stream = 'closed';
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
    el.board.dataset.stream = 'open';
    requestRead(g);             // whatever happened while it was closed
  };
  s.onmessage = (m) => {
    if (g !== gen || socket !== s) return;
    let ev;
    try {
      ev = JSON.parse(m.data);
    } catch {
      return;
    }
    if (!ev || typeof ev !== 'object') return;
    if (typeof ev.seq === 'number') lastSeq = ev.seq;
    if (ev.type !== 'heartbeat') requestRead(g);
  };
  s.onclose = () => {
    if (g !== gen || socket !== s) return;
    socket = null;
    el.board.dataset.stream = 'closed';
    const wait = retryMs;
    retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
    retryTimer = setTimeout(() => reopenStream(g), wait);
  };
}

// A refused WebSocket upgrade shows as a bare close: check the session
// before reopening, a 401 ends the wallboard.
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

// ---- signing in and out ----

function stopAll() {
  gen++;
  stopStream();
  for (const t of [pollTimer, gapTimer]) clearTimeout(t);
  clearInterval(tickTimer);
  pollTimer = gapTimer = tickTimer = null;
  reading = again = false;
  status = null;
  alertText = '';
}

function showLogin() {
  stopAll();
  el.board.hidden = true;
  el.whoami.hidden = true;
  el.signout.hidden = true;
  el.login.hidden = false;
  el['login-password'].value = '';
  el['login-user'].focus();
}

// A 401 ends the wallboard; anything else is shown and the page stays.
function failed(e) {
  if (e.status === 401) {
    api.forget();
    showLogin();
    showError(`Signed out: ${e.message}`);
  } else {
    showError(e.message);
  }
}

// Who is signed in, then the wallboard for a supervisor or an admin.
// An agent is told where its desktop is; a session made here only to be
// refused (`fresh`) is ended, one the desktop holds in this tab is kept.
async function enter(fresh) {
  stopAll();
  const g = gen;
  const who = await api.me();
  if (g !== gen) return;
  if (who.role !== 'supervisor' && who.role !== 'admin') {
    if (fresh) await api.logout().catch(() => api.forget());
    showLogin();
    el['not-supervisor'].hidden = false;
    return;
  }
  el['not-supervisor'].hidden = true;
  el.whoami.textContent = `Signed in as ${who.user} (${who.role})`;
  el.whoami.hidden = false;
  el.signout.hidden = false;
  el.login.hidden = true;
  el.board.hidden = false;
  el.tiles.replaceChildren();
  el['agent-rows'].replaceChildren();
  el.alerts.replaceChildren();
  el.alerts.hidden = true;
  dropCharts();
  lastSeq = null;
  retryMs = RETRY_MIN_MS;
  lastReadAt = -Infinity;
  tickTimer = setInterval(tick, TICK_MS);
  openStream(g);
  requestRead(g);
}

function setBusy(busy) {
  for (const b of document.querySelectorAll('button, input')) {
    b.disabled = busy;
  }
}

async function onLogin(ev) {
  ev.preventDefault();
  clearError();
  el['not-supervisor'].hidden = true;
  setBusy(true);
  try {
    await api.login(el['login-user'].value.trim(),
      el['login-password'].value);
    el['login-password'].value = '';
    await enter(true);
  } catch (e) {
    api.forget();
    showError(e.message);
  } finally {
    setBusy(false);
  }
}

async function onSignOut() {
  clearError();
  setBusy(true);
  stopAll();
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
  el.login.addEventListener('submit', onLogin);
  el.signout.addEventListener('click', onSignOut);
  window.addEventListener('resize', resizeCharts);
  if (api.token()) {
    try {
      await enter(false);
      return;
    } catch (e) {
      failed(e);
      if (e.status === 401) return;
    }
  }
  showLogin();
}

boot();
