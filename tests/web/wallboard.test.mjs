// tests/web/wallboard.test.mjs  The supervisor wallboard
// (web/wallboard.html) in headless chromium, with real SIP calls:
//   node wallboard.test.mjs BASE_URL SHOTS_DIR SIGNAL_DIR
//
// Run by tests/web/test_wallboard.sh (which says what the server holds):
// queue sales (sl 80/1) served by agent 1001, whose phone rings 6 s;
// queue support (no agents, alert_wait 1 s); supervisor super.  The test
// writes SIGNAL_DIR/call1 when the board is ready for the call to sales,
// SIGNAL_DIR/call2 for the caller waiting in support; the script places
// them.  The page reads the status every 10 minutes only (?poll=), so
// every change it shows must come through the event stream; a second
// tab, with uPlot's script blocked and the browser's clock an hour
// ahead, checks the page without charts and the times on the server's
// clock.  What the page shows is checked against the API, read from here
// with a token of the test's own.  Every wait is on a condition with a
// 15 s timeout, never a fixed sleep.  A screenshot of each step goes to
// SHOTS_DIR.  Any failure prints "FAIL wallboard: STEP: why", exits 1.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  check, makeApi, ownToken, runTest, screenshots, signIn,
} from './lib.mjs';

const [BASE, SHOTS, SIGNALS] = process.argv.slice(2);
if (!BASE || !SHOTS || !SIGNALS) {
  console.error('usage: node wallboard.test.mjs BASE_URL SHOTS_DIR SIGNAL_DIR');
  process.exit(2);
}
const PAGE = `${BASE}/web/wallboard.html`;
// The first page reads the status every 10 min only: what changes on it
// must come through the event stream (each event asks for a read).
const LIVE = `${PAGE}?poll=600000`;
const SUPER = 'super';
const SUPER_PW = 'super-visor-1';
const AGENT = '1001';
const CALLER = '5550123';
const UPLOT = /uPlot\.iife\.min\.js$/;

let step = 'start';
const shot = screenshots(SHOTS);
const api = makeApi(BASE);      // the API from node, outside the browser

// The page's parts, by data-testid.
function board(page) {
  const tile = (q) => page.getByTestId(`queue-${q}`);
  const row = (a) => page.getByTestId(`agent-${a}`);
  return {
    tile,
    row,
    // a tile's counter holding VALUE (data-value: the raw number)
    counter: (q, name, value) => tile(q).locator(
      `[data-testid="${name}"][data-value="${value}"]`),
    agentState: (a, s) => row(a).locator(
      `[data-testid="agent-state"][data-state="${s}"]`),
    alert: (q, kind) => page.locator(
      `[data-testid="alert-banner"] [data-testid="alert"]` +
      `[data-queue="${q}"][data-kind="${kind}"]`),
    open: page.locator('[data-testid="wallboard"][data-stream="open"]'),
  };
}

async function calls(token) {
  const r = await api('GET', '/api/v1/calls', token);
  check(r.status === 200, `GET calls: HTTP ${r.status}`);
  return r.json?.calls ?? [];
}

async function hangup(token, id) {
  const r = await api('POST', `/api/v1/calls/${id}/hangup`, token);
  check(r.status === 200, `hang up ${id}: HTTP ${r.status} ` +
    JSON.stringify(r.json));
}

// The page's text as a number of seconds (m:ss or h:mm:ss).
function seconds(text) {
  check(/^\d+(:\d\d){1,2}$/.test(text ?? ''), `not a duration: "${text}"`);
  return text.split(':').reduce((s, x) => s * 60 + Number(x), 0);
}

async function main({ page, context, errors }) {
  const b = board(page);
  const byId = (id) => page.getByTestId(id);

  // The event stream passes through playwright (unchanged), so that the
  // test can close it as a server would and watch the page reopen it.
  const streams = [];
  await page.routeWebSocket(/\/api\/v1\/events/, (route) => {
    route.connectToServer();
    streams.push({ url: route.url(), route });
  });

  step = 'open the page';
  await page.goto(LIVE);
  await byId('login-form').waitFor({ state: 'visible' });
  check(await byId('wallboard').isHidden(), 'the board shows signed out');
  await shot(page, 'login');

  step = 'a wrong password';
  await signIn(page, SUPER, 'not-the-password');
  await page.getByRole('alert').filter({ hasText: 'wrong user or password' })
    .waitFor();
  check(await byId('wallboard').isHidden(), 'the board shows after a refusal');

  step = 'an agent is told the wallboard is for supervisors';
  await signIn(page, AGENT, 'pw-1001');
  await byId('not-supervisor').filter({ hasText: 'for supervisors' })
    .waitFor({ state: 'visible' });
  await byId('login-form').waitFor({ state: 'visible' });
  check(await byId('wallboard').isHidden(), 'an agent sees the board');
  check(await byId('error').isHidden(), 'the refusal shows as an error');
  check(await page.evaluate(() => sessionStorage.length) === 0,
    'the agent\'s token is kept');
  await shot(page, 'agent-refused');

  step = 'the supervisor signs in';
  await signIn(page, SUPER, SUPER_PW);
  await byId('wallboard').waitFor({ state: 'visible' });
  check(await byId('not-supervisor').isHidden(), 'the agent notice stays');
  await byId('whoami').filter({ hasText: 'super (supervisor)' }).waitFor();
  const mine = await ownToken(api, SUPER, SUPER_PW);

  step = 'the board before any call';
  await b.open.waitFor();
  await b.agentState(AGENT, 'available').waitFor();
  await b.row(AGENT).getByTestId('agent-name')
    .filter({ hasText: 'Alice (1001)' }).waitFor();
  await b.row(AGENT).getByTestId('agent-queues')
    .filter({ hasText: /^sales$/ }).waitFor();
  await b.row(AGENT).getByTestId('agent-call').filter({ hasText: '—' })
    .waitFor();
  for (const q of ['sales', 'support']) {
    await b.counter(q, 'waiting', 0).waitFor();
    await b.counter(q, 'answered', 0).waitFor();
    await b.counter(q, 'abandoned', 0).waitFor();
    await b.counter(q, 'longest-wait', 0).filter({ hasText: '0:00' })
      .waitFor();
    // no call answered or abandoned: no service level, no ASA
    await b.counter(q, 'sl', '').filter({ hasText: '—' }).waitFor();
    await b.counter(q, 'asa', '').filter({ hasText: '—' }).waitFor();
  }
  await b.counter('sales', 'agents-available', 1).waitFor();
  await b.counter('support', 'agents-available', 0).waitFor();
  await b.tile('sales').getByTestId('sl-target')
    .filter({ hasText: 'target 80% in 1 s' }).waitFor();
  await byId('calls-live').filter({ hasText: /^0$/ }).waitFor();
  check(await byId('alert-banner').isHidden(), 'an alert before any call');
  check(await page.locator('[data-testid^="queue-"][data-alert]').count()
    === 0, 'a tile alerts before any call');
  // the agent's time in state ticks between reads
  const cellTime = b.row(AGENT).getByTestId('agent-time');
  const t0 = await cellTime.textContent();
  seconds(t0);
  await page.waitForFunction(([sel, was]) =>
    document.querySelector(sel)?.textContent !== was,
  ['[data-testid="agent-1001"] [data-testid="agent-time"]', t0]);
  // charts: uPlot draws, a point per status read
  await page.locator('[data-testid="chart-waiting"] canvas').waitFor();
  await page.locator('[data-testid="chart-sl"] canvas').waitFor();
  check(await byId('charts-unavailable').isHidden(),
    'charts unavailable with uPlot loaded');
  const points0 = Number(await byId('chart-waiting')
    .getAttribute('data-points'));
  check(points0 >= 1, `${points0} points in the chart`);
  await shot(page, 'idle');
  writeFileSync(join(SIGNALS, 'call1'), 'call1\n');

  step = 'the call to sales rings 1001';
  await b.agentState(AGENT, 'offered').waitFor();
  await b.counter('sales', 'ringing', 1).waitFor();
  await b.counter('sales', 'agents-offered', 1).waitFor();
  const ring = (await calls(mine)).find((c) => c.caller === CALLER);
  check(ring, `no call from ${CALLER} in the API`);
  await b.row(AGENT).locator(
    `[data-testid="agent-call"][data-call="${ring.id}"]`).waitFor();
  // each read on an event added a point
  const points1 = Number(await byId('chart-waiting')
    .getAttribute('data-points'));
  check(points1 > points0, `chart points ${points0} -> ${points1}`);
  await shot(page, 'ringing');

  step = '1001 talks: answered today 0 -> 1, ASA, the service-level alert';
  await b.agentState(AGENT, 'busy').waitFor();
  await b.row(AGENT).getByTestId('agent-call')
    .filter({ hasText: ring.id }).waitFor();
  await b.counter('sales', 'talking', 1).waitFor();
  await b.counter('sales', 'answered', 1).waitFor();
  await b.counter('sales', 'agents-busy', 1).waitFor();
  await byId('calls-live').filter({ hasText: /^1$/ }).waitFor();
  const live = (await calls(mine)).find((c) => c.id === ring.id);
  check(live?.state === 'talking', `the API has the call ${live?.state}`);
  const asa = Number(await b.tile('sales').getByTestId('asa')
    .getAttribute('data-value'));
  check(asa >= 5000 && asa < 20000, `ASA ${asa} ms, expected about 6 s`);
  check(seconds(await b.tile('sales').getByTestId('asa').textContent())
    === Math.floor(asa / 1000), 'the ASA as shown');
  // answered after 6 s, the goal is 1 s: 0% today, below 80%
  await b.counter('sales', 'sl', 0).filter({ hasText: '0%' }).waitFor();
  await b.alert('sales', 'sl').filter({
    hasText: 'Queue sales: service level today 0%, below the target 80%',
  }).waitFor();
  await page.getByRole('alert').filter({ hasText: 'Queue sales' }).waitFor();
  await page.locator('[data-testid="queue-sales"][data-alert~="sl"]')
    .waitFor();
  await b.tile('sales').getByTestId('tile-alert')
    .waitFor({ state: 'visible' });
  check(await b.alert('support', 'sl').count() === 0,
    'support alerts with no call');
  await shot(page, 'talking');

  step = 'the supervisor hangs up: the board follows';
  await hangup(mine, ring.id);
  await b.agentState(AGENT, 'available').waitFor();
  await b.row(AGENT).getByTestId('agent-call').filter({ hasText: '—' })
    .waitFor();
  await b.counter('sales', 'talking', 0).waitFor();
  await b.counter('sales', 'answered', 1).waitFor();
  await byId('calls-live').filter({ hasText: /^0$/ }).waitFor();
  await b.alert('sales', 'sl').waitFor();          // today stays below
  await shot(page, 'after-call');
  writeFileSync(join(SIGNALS, 'call2'), 'call2\n');

  step = 'a caller waits in support: the longest-wait alert';
  await b.counter('support', 'waiting', 1).waitFor();
  await page.locator('[data-testid="chart-waiting"][data-last~="support:1"]')
    .waitFor();
  await b.alert('support', 'wait')
    .filter({ hasText: 'Queue support: longest wait over 0:01' }).waitFor();
  await page.locator('[data-testid="queue-support"][data-alert~="wait"]')
    .waitFor();
  const wait = Number(await b.tile('support').getByTestId('longest-wait')
    .getAttribute('data-value'));
  check(wait > 1000, `the longest wait is ${wait} ms with the alert on`);
  check(await b.alert('sales', 'wait').count() === 0,
    'sales alerts on a wait with nobody waiting');
  await shot(page, 'waiting-alert');
  const waiting = (await calls(mine)).find((c) => c.dialled === '300');
  check(waiting?.state === 'queued',
    `the API has the support call ${waiting?.state}`);
  await hangup(mine, waiting.id);
  await b.counter('support', 'waiting', 0).waitFor();
  await b.alert('support', 'wait').waitFor({ state: 'detached' });
  await page.locator('[data-testid="queue-support"][data-alert~="wait"]')
    .waitFor({ state: 'detached' });
  await b.alert('sales', 'sl').waitFor();
  await shot(page, 'wait-over');

  step = 'the stream closes: the page reopens it with since=';
  check(streams.length >= 1 && !/since=/.test(streams[0].url),
    `streams opened: ${streams.map((x) => x.url).join(' ')}`);
  const n = streams.length;
  await streams.at(-1).route.close({ code: 1001, reason: 'test' });
  await b.open.waitFor({ state: 'detached' });
  await b.open.waitFor();
  check(streams.length === n + 1
    && /[?&]since=[0-9]+(&|$)/.test(streams.at(-1).url),
  `the stream reopened as ${streams.at(-1)?.url}`);

  step = 'without uPlot, with the browser\'s clock an hour ahead';
  const bare = await context.newPage();
  bare.on('pageerror', (e) => errors.push(`(no uPlot) ${e.message}`));
  await bare.route(UPLOT, (route) => route.abort());
  await bare.clock.setSystemTime(Date.now() + 3600 * 1000);
  await bare.goto(PAGE);
  await signIn(bare, SUPER, SUPER_PW);
  const nb = board(bare);
  await nb.open.waitFor();
  await bare.getByTestId('charts-unavailable')
    .filter({ hasText: 'charts unavailable' }).waitFor({ state: 'visible' });
  check(await bare.locator('[data-testid="chart-waiting"] canvas').count()
    === 0, 'a chart without uPlot');
  await nb.agentState(AGENT, 'available').waitFor();
  await nb.counter('sales', 'answered', 1).waitFor();
  await nb.alert('sales', 'sl').waitFor();
  await bare.locator('[data-testid="queue-sales"][data-alert~="sl"]')
    .waitFor();
  // time in state on the server's clock: 1001 became available when the
  // call ended, moments ago, not an hour ago
  const st = await api('GET', '/api/v1/status', mine);
  const a = (st.json?.agents ?? []).find((x) => x.id === AGENT);
  check(typeof a?.since === 'number' && typeof st.json?.t === 'number',
    `the API's status has no t or since: ${JSON.stringify(a)}`);
  const shown = seconds(await nb.row(AGENT).getByTestId('agent-time')
    .textContent());
  const real = Math.floor((st.json.t - a.since) / 1000);
  check(Math.abs(shown - real) <= 5,
    `time in state shows ${shown} s, the server says ${real} s`);
  await shot(bare, 'no-uplot');
  await bare.close();

  step = 'sign out';
  const token = await page.evaluate(
    () => sessionStorage.getItem('switchboard.token'));
  check(/^[0-9a-f]{64}$/.test(token ?? ''), `the page's token: ${token}`);
  await byId('btn-signout').click();
  await byId('login-form').waitFor({ state: 'visible' });
  check(await byId('wallboard').isHidden(), 'the board still shows');
  let r = await api('GET', '/api/v1/me', token);
  check(r.status === 401, `the page's token after sign-out: HTTP ${r.status}`);
  await shot(page, 'signed-out');
  r = await api('POST', '/api/v1/logout', mine);
  check(r.status === 200, `the test's own log-out: HTTP ${r.status}`);
}

process.exit(await runTest({
  name: 'wallboard',
  title: 'wallboard',
  shots: SHOTS,
  shot,
  viewport: { width: 1280, height: 900 },
  step: () => step,
  alertId: 'error',
}, main));
