// tests/web/desktop.test.mjs  The agent desktop (web/) in headless
// chromium: node desktop.test.mjs BASE_URL SHOTS_DIR
//
// Run by tests/web/test_desktop.sh against a server with agent 1001
// (password alice-1001, no phone registered).  Every wait is on a
// condition (playwright's auto-waiting locators) with a 15 s timeout,
// never a fixed sleep.  What the page shows is checked against the API,
// called from here with a token of the test's own.  A screenshot of each
// step goes to SHOTS_DIR (NN-step.png, and failure.png on failure).  Any
// failure prints "FAIL desktop: STEP: why" and exits 1.

import {
  check, makeApi, ownToken, runTest, screenshots, signIn,
} from './lib.mjs';

const [BASE, SHOTS] = process.argv.slice(2);
if (!BASE || !SHOTS) {
  console.error('usage: node desktop.test.mjs BASE_URL SHOTS_DIR');
  process.exit(2);
}
const AGENT = '1001';
const PASSWORD = 'alice-1001';

let step = 'start';
const shot = screenshots(SHOTS);
const api = makeApi(BASE);      // the API from node, outside the browser

async function apiAgent(token) {
  const r = await api('GET', `/api/v1/agents/${AGENT}`, token);
  check(r.status === 200, `GET agent: HTTP ${r.status} ${JSON.stringify(r.json)}`);
  return r.json;
}

async function main(page) {
  const byId = (id) => page.getByTestId(id);
  const alert = page.getByRole('alert');
  const stateIs = (s) => page.locator(
    `[data-testid="agent-state"][data-state="${s}"]`);
  const alertSays = (text) => alert.filter({ hasText: text })
    .waitFor({ state: 'visible' });

  step = 'open the page';
  await page.goto(`${BASE}/`);
  await byId('login-form').waitFor({ state: 'visible' });
  // the labels name the fields (accessibility, and what a user sees)
  await page.getByLabel('User').waitFor();
  await page.getByLabel('Password').waitFor();
  check(await alert.isHidden(), 'an alert shows before anything happened');
  await shot(page, 'login');

  step = 'sign in with a wrong password';
  await signIn(page, AGENT, 'not-the-password');
  await alertSays('wrong user or password');
  check(await byId('desktop').isHidden(), 'the desktop shows after a refusal');
  check(await page.evaluate(() => sessionStorage.length) === 0,
    'a token is stored after a refused log-in');
  await shot(page, 'login-refused');

  step = 'sign in as 1001';
  await signIn(page, AGENT, PASSWORD);
  await byId('desktop').waitFor({ state: 'visible' });
  await alert.waitFor({ state: 'hidden' });
  await byId('agent-id').filter({ hasText: AGENT }).waitFor();
  await byId('agent-name').filter({ hasText: 'Alice' }).waitFor();
  const mine = await ownToken(api, AGENT, PASSWORD);
  const before = await apiAgent(mine);
  check(['logged-out', 'not-ready'].includes(before.state),
    `the server's state at start: ${before.state}`);
  await stateIs(before.state).waitFor();
  await shot(page, 'desktop');

  step = 'Ready without a phone';
  await byId('btn-ready').click();
  await alertSays('register your phone before going ready');
  check((await apiAgent(mine)).state === before.state,
    'a refused Ready changed the state');
  await stateIs(before.state).waitFor();
  await shot(page, 'ready-refused');

  step = 'Not ready, reason break';
  await page.getByLabel('Reason').selectOption('break');
  await byId('btn-not-ready').click();
  await stateIs('not-ready').waitFor();
  await page.locator('[data-testid="agent-reason"][data-reason="break"]')
    .waitFor();
  await alert.waitFor({ state: 'hidden' });
  let a = await apiAgent(mine);
  check(a.state === 'not-ready' && a.reason === 'break',
    `the server has ${a.state} (${a.reason}), expected not-ready (break)`);
  await shot(page, 'not-ready');

  step = 'reload keeps the session';
  await page.reload();
  await byId('desktop').waitFor({ state: 'visible' });
  await stateIs('not-ready').waitFor();
  check(await byId('login-form').isHidden(), 'the log-in form shows');

  step = 'Log out';
  await byId('btn-logout').click();
  await stateIs('logged-out').waitFor();
  a = await apiAgent(mine);
  check(a.state === 'logged-out', `the server has ${a.state}, expected logged-out`);
  await shot(page, 'logged-out');

  step = 'Sign out';
  const token = await page.evaluate(
    () => sessionStorage.getItem('switchboard.token'));
  check(/^[0-9a-f]{64}$/.test(token ?? ''), `the page's token: ${token}`);
  let r = await api('GET', '/api/v1/me', token);
  check(r.status === 200, `the page's token before sign-out: HTTP ${r.status}`);
  await byId('btn-signout').click();
  await byId('login-form').waitFor({ state: 'visible' });
  check(await byId('desktop').isHidden(), 'the desktop still shows');
  check(await page.evaluate(() => sessionStorage.length) === 0,
    'the token is still stored after sign-out');
  r = await api('GET', '/api/v1/me', token);
  check(r.status === 401, `the page's token after sign-out: HTTP ${r.status}, expected 401`);
  r = await api('GET', '/api/v1/me', mine);
  check(r.status === 200, `another session of 1001 ended too: HTTP ${r.status}`);
  await shot(page, 'signed-out');
  r = await api('POST', '/api/v1/logout', mine);
  check(r.status === 200, `the test's own log-out: HTTP ${r.status}`);
}

process.exit(await runTest({
  name: 'desktop',
  title: 'desktop',
  shots: SHOTS,
  shot,
  viewport: { width: 900, height: 640 },
  step: () => step,
  alertId: 'error',
}, ({ page }) => main(page)));
