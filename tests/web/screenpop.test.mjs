// tests/web/screenpop.test.mjs  The agent desktop's screen pop (web/) in
// headless chromium, with a real SIP call:
//   node screenpop.test.mjs BASE_URL SHOTS_DIR READY_FILE PASSWORD
//
// Run by tests/web/test_screenpop.sh against a server where agent 1001's
// phone is registered (1001 available) and rings 8 s before answering.
// Signs in as 1001, waits until the page shows "available", writes
// READY_FILE (the script then places the call from 5550123), and checks
// the contact card: caller, customer and VIP badge while the call still
// rings (GET /api/v1/calls, with a token of 1001's own, says "ringing"),
// then "Talking", then "Ended"; the agent's state follows live.  Then the
// test closes the event stream (it passes through playwright's
// routeWebSocket) and the page must reopen it with since=SEQ.  Every
// wait is on a condition with a 15 s timeout, never a fixed sleep.  A
// screenshot of each step goes to SHOTS_DIR.  Any failure prints
// "FAIL screenpop: STEP: why" and exits 1.

import { writeFileSync } from 'node:fs';
import {
  check, makeApi, ownToken, runTest, screenshots, signIn,
} from './lib.mjs';

const [BASE, SHOTS, READY, PASSWORD] = process.argv.slice(2);
if (!BASE || !SHOTS || !READY || !PASSWORD) {
  console.error('usage: node screenpop.test.mjs BASE_URL SHOTS_DIR READY_FILE PASSWORD');
  process.exit(2);
}
const AGENT = '1001';
const CALLER = '5550123';

let step = 'start';
const shot = screenshots(SHOTS);
const api = makeApi(BASE);      // the API from node, outside the browser

async function main(page) {
  const byId = (id) => page.getByTestId(id);
  const card = byId('contact-card');
  const stateIs = (s) => page.locator(
    `[data-testid="agent-state"][data-state="${s}"]`);
  const statusIs = (s) => card.locator(
    `[data-testid="contact-status"][data-status="${s}"]`);

  // The event stream passes through playwright (unchanged), so that the
  // test can close it as a server would and watch the page reopen it.
  const streams = [];              // [{url, route}], in order
  await page.routeWebSocket(/\/api\/v1\/events/, (route) => {
    route.connectToServer();
    streams.push({ url: route.url(), route });
  });

  step = 'sign in as 1001';
  await page.goto(`${BASE}/`);
  await byId('login-form').waitFor({ state: 'visible' });
  await signIn(page, AGENT, PASSWORD);
  await byId('desktop').waitFor({ state: 'visible' });
  await byId('agent-id').filter({ hasText: AGENT }).waitFor();
  const mine = await ownToken(api, AGENT, PASSWORD);

  step = 'the page shows available';
  await stateIs('available').waitFor();
  await byId('agent-phone').filter({ hasText: /^registered$/ }).waitFor();
  check(await card.isHidden(), 'a contact card shows before any call');
  // the event stream is open (else the pop could come before it)
  await page.locator('[data-testid="desktop"][data-stream="open"]').waitFor();
  await shot(page, 'available');
  writeFileSync(READY, 'ready\n');

  step = 'the card while the call rings';
  await card.waitFor({ state: 'visible' });
  await byId('contact-caller').filter({ hasText: CALLER }).waitFor();
  const calls = await api('GET', '/api/v1/calls', mine);
  check(calls.status === 200, `GET calls: HTTP ${calls.status}`);
  const call = (calls.json?.calls ?? []).find((c) => c.caller === CALLER);
  check(call, `no call from ${CALLER}: ${JSON.stringify(calls.json)}`);
  check(call.state === 'ringing',
    `the card showed with the call ${call.state}, expected ringing`);
  await byId('contact-customer').filter({ hasText: 'Ada Lovelace' }).waitFor();
  await byId('contact-vip').filter({ hasText: 'VIP' })
    .waitFor({ state: 'visible' });
  await statusIs('ringing').filter({ hasText: 'Ringing' }).waitFor();
  await byId('contact-phones').filter({ hasText: CALLER }).waitFor();
  await byId('contact-dialled').filter({ hasText: /^200$/ }).waitFor();
  await byId('contact-queue').filter({ hasText: /^sales$/ }).waitFor();
  await byId('contact-campaign')
    .filter({ hasText: 'Spring sale — 20 % off all plans until May' }).waitFor();
  await card.getByRole('heading', { name: /Incoming call/ }).waitFor();
  check(await byId('contact-vars').isHidden(),
    'IVR vars show for a call that ran no flow');
  await shot(page, 'ringing');
  // still ringing after all the checks: the card came before the answer
  const again = await api('GET', '/api/v1/calls', mine);
  const still = (again.json?.calls ?? []).find((c) => c.id === call.id);
  check(still && still.state === 'ringing',
    `the call is ${still?.state ?? 'gone'} right after the card's checks ` +
    '(the 8 s ring is too short on this machine?)');

  step = 'Talking';
  await statusIs('talking').filter({ hasText: 'Talking' }).waitFor();
  await stateIs('busy').waitFor();
  await shot(page, 'talking');

  // the phone stays in the call until it is hung up here: "Talking"
  // cannot be missed on a slow machine
  step = 'Ended';
  const hung = await api('POST', `/api/v1/calls/${call.id}/hangup`, mine);
  check(hung.status === 200, `hang up: HTTP ${hung.status}`);
  await statusIs('ended').filter({ hasText: 'Ended' }).waitFor();
  await stateIs('available').waitFor();
  await card.waitFor({ state: 'visible' });
  await byId('contact-customer').filter({ hasText: 'Ada Lovelace' }).waitFor();
  await shot(page, 'ended');

  step = 'the stream closes: the page reopens it with since=';
  check(streams.length === 1 && !/since=/.test(streams[0].url),
    `streams opened: ${streams.map((x) => x.url).join(' ')}`);
  await streams[0].route.close({ code: 1001, reason: 'test' });
  await page.locator('[data-testid="desktop"][data-stream="open"]')
    .waitFor({ state: 'detached' });
  await page.locator('[data-testid="desktop"][data-stream="open"]').waitFor();
  check(streams.length === 2 && /[?&]since=[0-9]+(&|$)/.test(streams[1].url),
    `the stream reopened as ${streams.at(-1)?.url}`);
  await stateIs('available').waitFor();
  await statusIs('ended').waitFor();

  step = 'Sign out';
  await byId('btn-signout').click();
  await byId('login-form').waitFor({ state: 'visible' });
  const r = await api('POST', '/api/v1/logout', mine);
  check(r.status === 200, `the test's own log-out: HTTP ${r.status}`);
}

process.exit(await runTest({
  name: 'screenpop',
  title: 'screen pop',
  shots: SHOTS,
  shot,
  viewport: { width: 900, height: 720 },
  step: () => step,
}, ({ page }) => main(page)));
