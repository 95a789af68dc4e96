// tests/web/desktop_call.test.mjs  The agent desktop (web/) with a real
// call, end to end, in headless chromium:
//   node desktop_call.test.mjs BASE_URL SHOTS_DIR READY_FILE
//
// Run by tests/web/test_desktop_call.sh (which says what the server
// holds: agent 1001, pw-1001, logged out, whose phone rings 8 s and stays
// in the call; queue sales with the script sales-script and recording;
// customer acme with one earlier call, dispositioned "callback").  1001
// signs in and clicks Ready; the test writes READY_FILE and the script
// places the call from 5550123.  What the page shows is checked against
// the API, called from here with a token of 1001's own.  Every wait is on
// a condition (15 s), never a fixed sleep.  A screenshot of each step
// goes to SHOTS_DIR.  Any failure prints "FAIL desktop-call: STEP: why"
// and exits 1.

import { writeFileSync } from 'node:fs';
import {
  check, makeApi, ownToken, runTest, screenshots, signIn,
} from './lib.mjs';

const [BASE, SHOTS, READY] = process.argv.slice(2);
if (!BASE || !SHOTS || !READY) {
  console.error('usage: node desktop_call.test.mjs BASE_URL SHOTS_DIR READY_FILE');
  process.exit(2);
}
const AGENT = '1001';
const PASSWORD = 'pw-1001';
const CALLER = '5550123';

let step = 'start';
const shot = screenshots(SHOTS);
const api = makeApi(BASE);

async function get(token, path) {
  const r = await api('GET', path, token);
  check(r.status === 200, `GET ${path}: HTTP ${r.status} ${JSON.stringify(r.json)}`);
  return r.json;
}

// The script's path as the store gives it back: an array
// ([{step, answer}...]), as the page sent it.
function asArray(v) {
  check(Array.isArray(v), `the script's answers are not an array: ${JSON.stringify(v)}`);
  return v;
}

async function main(page) {
  const byId = (id) => page.getByTestId(id);
  const card = byId('contact-card');
  const stateIs = (s) => page.locator(
    `[data-testid="agent-state"][data-state="${s}"]`);
  const statusIs = (s) => card.locator(
    `[data-testid="contact-status"][data-status="${s}"]`);
  const alert = byId('error');

  step = 'sign in as 1001 (logged out) and go ready';
  await page.goto(`${BASE}/`);
  await signIn(page, AGENT, PASSWORD);
  await byId('desktop').waitFor({ state: 'visible' });
  const mine = await ownToken(api, AGENT, PASSWORD);
  await stateIs('logged-out').waitFor();
  await byId('agent-phone').filter({ hasText: /^registered$/ }).waitFor();
  // the first call is already in today's figures
  await page.locator('[data-testid="figures-calls"][data-value="1"]').waitFor();
  await byId('btn-ready').click();
  await stateIs('available').waitFor();
  check((await get(mine, `/api/v1/agents/${AGENT}`)).state === 'available',
    'the server does not have 1001 available');
  await page.locator('[data-testid="desktop"][data-stream="open"]').waitFor();
  await shot(page, 'ready');
  const hist0 = (await get(mine, '/api/v1/customers/acme/history')).calls;
  check(hist0.length === 1 && hist0[0].disposition?.code === 'callback',
    `the customer's history before the call: ${JSON.stringify(hist0)}`);
  const seed = hist0[0].id;
  writeFileSync(READY, 'ready\n');

  step = 'the card, the customer and the history before the answer';
  await card.waitFor({ state: 'visible' });
  await byId('contact-caller').filter({ hasText: CALLER }).waitFor();
  await byId('contact-customer').filter({ hasText: 'Ada Lovelace' }).waitFor();
  await byId('contact-vip').waitFor({ state: 'visible' });
  await statusIs('ringing').waitFor();
  const seedRow = card.locator(`[data-testid="history-call"][data-call="${seed}"]`);
  await seedRow.filter({ hasText: 'asked to call back on Friday' })
    .locator('[data-testid="history-disposition"]')
    .filter({ hasText: 'callback' }).waitFor();
  check(await seedRow.getAttribute('data-outcome') === 'answered',
    `the first call's outcome: ${await seedRow.getAttribute('data-outcome')}`);
  await byId('script').locator('[data-testid="script-text"]')
    .filter({ hasText: 'interested in the offer' }).waitFor();
  const calls = (await get(mine, '/api/v1/calls')).calls ?? [];
  const call = calls.find((c) => c.caller === CALLER);
  check(call?.state === 'ringing',
    `the card showed with the call ${call?.state ?? 'absent'}, expected ringing`);
  check(await card.getAttribute('data-call') === call.id,
    `the card's call ${await card.getAttribute('data-call')}, the API's ${call.id}`);
  await shot(page, 'ringing-with-history');
  const still = (await get(mine, `/api/v1/calls/${call.id}`)).state;
  check(still === 'ringing', `the call is ${still} right after the checks ` +
    '(the 8 s ring is too short on this machine?)');

  step = 'talking: the call controls';
  await statusIs('talking').waitFor();
  await stateIs('busy').waitFor();
  await byId('call-controls').waitFor();
  check(await byId('wrapup').count() === 0, 'the wrap-up shows during the call');

  step = 'the script: a branch, typed input, Back';
  await page.getByRole('button', { name: 'Interested' }).click();
  await page.locator('[data-testid="script"][data-step="budget"]').waitFor();
  await page.getByLabel('Answer').fill('1000');
  await byId('script-next').click();
  await byId('script-end').waitFor();
  await byId('script-back').click();
  await page.locator('[data-testid="script"][data-step="budget"]').waitFor();
  await page.getByLabel('Answer').fill('2500');
  await page.getByLabel('Answer').press('Enter');
  await byId('script-end').waitFor();
  await byId('script-path').filter({ hasText: 'budget: 2500' }).waitFor();
  await shot(page, 'script');

  step = 'Hold, then Resume';
  await byId('btn-hold').filter({ hasText: /^Hold$/ }).click();
  await byId('contact-held').waitFor();
  await page.locator('[data-testid="btn-hold"][aria-pressed="true"]')
    .filter({ hasText: 'Resume' }).waitFor();
  await shot(page, 'on-hold');
  await byId('btn-hold').click();
  await byId('contact-held').waitFor({ state: 'detached' });
  await page.locator('[data-testid="btn-hold"][aria-pressed="false"]').waitFor();

  step = 'pause and resume the recording';
  await byId('btn-recording').filter({ hasText: 'Pause recording' }).click();
  await byId('recording-paused').waitFor();
  await byId('btn-recording').filter({ hasText: 'Resume recording' }).click();
  await byId('recording-paused').waitFor({ state: 'detached' });

  step = 'a transfer to an unknown number is refused, the call stays';
  await page.getByLabel('Transfer to').selectOption('number');
  await page.getByLabel('Number').fill('999');
  await byId('btn-transfer').click();
  await alert.filter({ hasText: 'not found' }).waitFor();
  check((await get(mine, `/api/v1/calls/${call.id}`)).state === 'talking',
    'the call is no longer talking after a refused transfer');
  await shot(page, 'transfer-refused');

  step = 'the customer\'s notes, saved';
  await page.getByLabel('Customer notes').fill('Prefers email. Ask about the blue one.');
  await byId('customer-notes-save').click();
  await byId('customer-notes-status').filter({ hasText: 'Notes saved' }).waitFor();
  await alert.waitFor({ state: 'hidden' });
  const acme = await get(mine, '/api/v1/customers/acme');
  check(acme.notes === 'Prefers email. Ask about the blue one.'
    && acme.vip === true && acme.phones?.includes(CALLER),
  `the record after the notes: ${JSON.stringify(acme)}`);

  step = 'Hang up from the desktop';
  await byId('btn-hangup').click();
  await statusIs('ended').waitFor();
  await stateIs('available').waitFor();
  await byId('call-controls').waitFor({ state: 'detached' });
  const gone = await api('GET', `/api/v1/calls/${call.id}`, mine);
  check(gone.status === 404, `the call after Hang up: HTTP ${gone.status}`);

  step = 'wrap-up: disposition, notes and the script\'s path';
  await byId('wrapup').waitFor();
  await page.getByLabel('Disposition').selectOption('sale');
  await page.getByLabel('Call notes').fill('bought the blue one');
  await byId('wrapup-save').click();
  await page.locator('[data-testid="wrapup-status"][data-saved="yes"]')
    .filter({ hasText: 'Saved: Sale' }).waitFor();
  await alert.waitFor({ state: 'hidden' });

  step = 'the disposition in the customer\'s history';
  await card.locator(`[data-testid="history-call"][data-call="${call.id}"]` +
    '[data-disposition="sale"]').filter({ hasText: 'bought the blue one' })
    .waitFor();
  await seedRow.waitFor();
  const hist = (await get(mine, '/api/v1/customers/acme/history')).calls;
  const mineRec = hist.find((c) => c.id === call.id);
  check(mineRec?.disposition?.code === 'sale'
    && mineRec.disposition.notes === 'bought the blue one'
    && JSON.stringify(asArray(mineRec.disposition.script)) === JSON.stringify([
      { step: 'greet', answer: 'Interested' },
      { step: 'budget', answer: '2500' }]),
  `the call in the history: ${JSON.stringify(mineRec)}`);
  const rec = await get(mine, `/api/v1/calls/${call.id}/record`);
  check(Array.isArray(rec.holds) && rec.holds.length === 1
    && rec.holds[0].by === 'agent' && rec.holds[0].end >= rec.holds[0].start,
  `the call's holds: ${JSON.stringify(rec.holds)}`);

  step = 'the figures count both calls';
  await page.locator('[data-testid="figures-calls"][data-value="2"]').waitFor();
  const fig = await get(mine, `/api/v1/agents/${AGENT}/figures`);
  check(fig.calls === 2, `the API's figures: ${JSON.stringify(fig)}`);
  await byId('figures-rank').filter({ hasText: /^1 of 1$/ }).waitFor();
  await shot(page, 'wrapped-up');

  step = 'Sign out';
  await byId('btn-signout').click();
  await byId('login-form').waitFor({ state: 'visible' });
  const r = await api('POST', '/api/v1/logout', mine);
  check(r.status === 200, `the test's own log-out: HTTP ${r.status}`);
}

process.exit(await runTest({
  name: 'desktop-call',
  title: 'desktop with a call',
  shots: SHOTS,
  shot,
  viewport: { width: 1100, height: 900 },
  step: () => step,
  alertId: 'error',
}, ({ page }) => main(page)));
