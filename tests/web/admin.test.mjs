// tests/web/admin.test.mjs  The admin pages (web/admin.html) in headless
// chromium: node admin.test.mjs BASE_URL SHOTS_DIR CALL_ID CONF_FILE
//
// Run by tests/web/test_admin.sh against a server with queues sales and
// support, agent 1001, users admin and sup, customer acme and call
// CALL_ID (from acme's phone, answered by 1001, disposition "sale",
// recorded); CONF_FILE is the server's configuration file on disk (the
// test reads it: the real secrets must stay there).  Every wait is on a condition (playwright's locators, or
// until() polling) with lib.mjs's 15 s, never a fixed sleep.  What the
// page shows is checked against the API, called from node with tokens of
// the test's own.  A screenshot of each step goes to SHOTS_DIR.

import { readFile } from 'node:fs/promises';
import {
  WAIT, check, makeApi, ownToken, runTest, screenshots,
} from './lib.mjs';

const [BASE, SHOTS, CALL, CONF] = process.argv.slice(2);
if (!BASE || !SHOTS || !CALL || !CONF) {
  console.error('usage: node admin.test.mjs BASE_URL SHOTS_DIR CALL_ID CONF_FILE');
  process.exit(2);
}

let step = 'start';
const shot = screenshots(SHOTS);
const api = makeApi(BASE);

const GREET = 'Hello, thanks for calling. Are you interested in our offer?';
const OFFER = 'Which product would you like?';
const BYE = 'Thank you for calling. Goodbye.';
// the script the editor must produce (GET /api/v1/scripts/ID, less
// "id" and "updated")
const SALES = {
  name: 'Sales script',
  queues: ['sales'],
  start: 'greet',
  steps: [
    { id: 'greet', text: GREET, answers: [
      { label: 'Interested', next: 'offer' },
      { label: 'Not now', next: 'bye' }] },
    { id: 'offer', text: OFFER, input: 'text', next: 'bye' },
    { id: 'bye', text: BYE, answers: [] },
  ],
};

// Poll fn until it returns a truthy value (a condition wait).
async function until(what, fn, ms = WAIT) {
  const end = Date.now() + ms;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e.message;
    }
    check(Date.now() < end, `timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

// The configuration routes take and give text: {status, text, json}.
async function apiText(method, path, token, body) {
  const headers = { Authorization: `Bearer ${token}` };
  if (body !== undefined) headers['Content-Type'] = 'text/plain';
  const res = await fetch(BASE + path, { method, headers, body,
    signal: AbortSignal.timeout(WAIT) });
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    // the file itself
  }
  return { status: res.status, text, json };
}

// the passwords of the test's configuration, and the one the admin gives
// agent 1003: the page must never show one
const SECRETS = ['pw-1001', 'admin-secret-1', 'sup-secret-1', 'pw-1003-x'];
const MASKED = 'password = ********';

async function main(page) {
  const byId = (id) => page.getByTestId(id);
  const text = async (loc) => ((await loc.textContent()) || '').trim();
  const words = async (loc) => (await text(loc)).replace(/\s+/g, ' ');
  const textIs = (loc, want, what) => until(`${what} = ${JSON.stringify(want)}`,
    async () => (await text(loc)) === want);
  const signIn = async (user, password) => {
    await byId('login-user').fill(user);
    await byId('login-password').fill(password);
    await byId('login-submit').click();
  };
  const pageToken = () => page.evaluate(() => sessionStorage.getItem('switchboard.token'));
  // every API answer the page gets (the WAV aside), as text
  const answers = [];
  page.on('response', (res) => {
    if (res.url().includes('/api/v1/') && !res.url().endsWith('/audio')) {
      answers.push(res.text().catch(() => ''));
    }
  });

  const adminTok = await ownToken(api, 'admin', 'admin-secret-1');
  const supTok = await ownToken(api, 'sup', 'sup-secret-1');

  // ---------------------------------------------------------------
  step = 'open the page';
  await page.goto(`${BASE}/web/admin.html`);
  await byId('login-form').waitFor();
  await page.getByLabel('User').waitFor();
  await page.getByLabel('Password').waitFor();
  check(await page.getByRole('alert').count() === 0, 'an alert before anything happened');
  await shot(page, 'login');

  step = 'an agent is refused';
  await signIn('1001', 'pw-1001');
  await byId('not-supervisor').waitFor();
  check((await text(byId('not-supervisor'))).includes('for supervisors and admins'),
    `the refusal says: ${await text(byId('not-supervisor'))}`);
  check(await pageToken() === null, "the agent's token is kept");
  check(await byId('admin').count() === 0, 'the admin pages show to an agent');
  await shot(page, 'agent-refused');

  step = 'a wrong password';
  await signIn('admin', 'not-the-password');
  await textIs(byId('login-error'), 'wrong user or password', 'the log-in error');
  check(await byId('login-error').getAttribute('role') === 'alert', 'the error is no alert');

  step = 'the admin signs in';
  await signIn('admin', 'admin-secret-1');
  await page.locator('[data-testid="whoami"][data-role="admin"]').waitFor();
  await page.locator('[data-testid="admin"][data-tab="scripts"]').waitFor();
  await byId('no-scripts').waitFor();
  await shot(page, 'admin-scripts-empty');

  // ---------------------------------------------------------------
  step = 'a new script: sales-script';
  await byId('script-new-id').fill('sales-script');
  await byId('btn-script-new').click();
  const ed = page.locator('[data-testid="script-editor"][data-id="sales-script"]');
  await ed.waitFor();
  await byId('script-name').fill('Sales script');
  await byId('script-queue-sales').check();
  const st = (i) => byId(`step-${i}`);
  const rename = async (i, id) => {
    const f = st(i).getByTestId('step-id');
    await f.fill(id);
    await f.blur();
    await page.locator(`[data-testid="step-${i}"][data-step="${id}"]`).waitFor();
  };
  await rename(0, 'greet');
  await st(0).getByTestId('step-text').fill(GREET);
  check(await byId('script-start').inputValue() === 'greet', 'start did not follow the rename');

  step = 'steps: add bye and offer, move offer up';
  await byId('add-step').click();
  await rename(1, 'bye');
  await st(1).getByTestId('step-text').fill(BYE);
  await byId('add-step').click();
  await rename(2, 'offer');
  await st(2).getByTestId('step-text').fill(OFFER);
  await st(2).getByTestId('step-kind-input').check();
  await st(2).getByTestId('step-input').selectOption('text');
  await st(2).getByTestId('step-next').selectOption('bye');
  await st(2).getByTestId('step-up').click();
  await page.locator('[data-testid="step-1"][data-step="offer"]').waitFor();
  await page.locator('[data-testid="step-2"][data-step="bye"]').waitFor();

  step = 'answers of greet, reordered';
  await st(0).getByTestId('add-answer').click();
  await st(0).getByTestId('add-answer').click();
  const ans = (j) => st(0).getByTestId(`answer-${j}`);
  await ans(0).getByTestId('answer-label').fill('Not now');
  await ans(0).getByTestId('answer-next').selectOption('bye');
  await ans(1).getByTestId('answer-label').fill('Interested');
  await ans(1).getByTestId('answer-next').selectOption('offer');
  await ans(1).getByTestId('answer-up').click();
  await until('Interested first', async () =>
    (await ans(0).getByTestId('answer-label').inputValue()) === 'Interested');
  check(await ans(0).getByTestId('answer-next').inputValue() === 'offer', 'the answer lost its next');
  await shot(page, 'script-edited');

  step = 'the preview walks the script';
  const pv = byId('preview');
  await textIs(pv.getByTestId('preview-text'), GREET, 'the preview at greet');
  await pv.getByTestId('preview-answer').filter({ hasText: 'Interested' }).click();
  await textIs(pv.getByTestId('preview-text'), OFFER, 'the preview at offer');
  await pv.getByTestId('preview-input').fill('the blue one');
  await pv.getByTestId('preview-next').click();
  await textIs(pv.getByTestId('preview-text'), BYE, 'the preview at bye');
  await pv.getByTestId('preview-finish').click();
  await pv.getByTestId('preview-end').waitFor();
  check((await pv.getByTestId('preview-path').locator('li').count()) === 3, 'the path is not 3 steps');
  check((await text(pv.getByTestId('preview-path'))).includes('offer: the blue one'),
    'the path lacks the value given');
  await shot(page, 'script-preview');
  await pv.getByTestId('preview-restart').click();
  await textIs(pv.getByTestId('preview-text'), GREET, 'the preview restarted');

  step = 'save';
  await byId('btn-script-save').click();
  await textIs(byId('script-message'), 'Saved sales-script.', 'the save notice');
  await page.locator('[data-testid="script-row"][data-id="sales-script"]').waitFor();
  let r = await api('GET', '/api/v1/scripts/sales-script', adminTok);
  check(r.status === 200, `GET the script: HTTP ${r.status}`);
  const { id: _i, updated: _u, ...saved } = r.json;
  check(same(saved, SALES), `the API has ${JSON.stringify(r.json)}`);
  await shot(page, 'script-saved');

  step = 'reload: the script is intact';
  await page.reload();
  await page.locator('[data-testid="whoami"][data-role="admin"]').waitFor();
  await byId('script-open-sales-script').click();
  await page.locator('[data-testid="script-editor"][data-state="ready"]').waitFor();
  check(await byId('script-name').inputValue() === 'Sales script', 'name after reload');
  check(await byId('script-queue-sales').isChecked(), 'queue sales after reload');
  check(!(await byId('script-queue-support').isChecked()), 'queue support after reload');
  check(await byId('script-start').inputValue() === 'greet', 'start after reload');
  for (const [i, s] of SALES.steps.entries()) {
    check(await st(i).getByTestId('step-id').inputValue() === s.id, `step ${i} id after reload`);
    check(await st(i).getByTestId('step-text').inputValue() === s.text, `step ${s.id} text`);
  }
  check(await st(1).getByTestId('step-kind-input').isChecked(), 'offer takes input');
  check(await st(1).getByTestId('step-next').inputValue() === 'bye', 'offer then bye');
  for (const [j, a] of SALES.steps[0].answers.entries()) {
    check(await ans(j).getByTestId('answer-label').inputValue() === a.label, `answer ${j} label`);
    check(await ans(j).getByTestId('answer-next').inputValue() === a.next, `answer ${j} next`);
  }
  const inPage = await page.evaluate(async () => {
    const t = sessionStorage.getItem('switchboard.token');
    const res = await fetch('/api/v1/scripts/sales-script',
      { headers: { Authorization: `Bearer ${t}` } });
    return res.json();
  });
  check(same(inPage, r.json), `the page's fetch got ${JSON.stringify(inPage)}`);
  await shot(page, 'script-reloaded');

  step = 'invalid: an answer leads to a removed step';
  await st(1).getByTestId('step-remove').click();
  await page.locator('[data-testid="step-1"][data-step="bye"]').waitFor();
  check(await ans(0).getByTestId('answer-next').inputValue() === 'offer', 'the dangling next');
  check((await text(ans(0).getByTestId('answer-next').locator('option:checked'))) ===
    'offer (missing)', 'the dangling next is not marked missing');
  const dangling = { ...SALES, steps: [SALES.steps[0], SALES.steps[2]] };
  r = await api('PUT', '/api/v1/scripts/sales-script', adminTok, dangling);
  check(r.status === 400, `PUT a dangling next: HTTP ${r.status}`);
  await byId('btn-script-save').click();
  await textIs(byId('script-message'), r.json.error, "the server's message");
  check(await byId('script-message').getAttribute('role') === 'alert', 'the refusal is no alert');
  await shot(page, 'script-dangling');
  r = await api('GET', '/api/v1/scripts/sales-script', adminTok);
  check(r.json.steps.length === 3, 'the refused save changed the script');
  await byId('btn-script-close').click();

  step = 'invalid: a queue that has a script';
  await byId('script-new-id').fill('support-script');
  await byId('btn-script-new').click();
  await page.locator('[data-testid="script-editor"][data-id="support-script"]').waitFor();
  await byId('script-name').fill('Support script');
  await byId('script-queue-sales').check();
  await st(0).getByTestId('step-text').fill('How can I help?');
  r = await api('PUT', '/api/v1/scripts/support-script', adminTok,
    { name: 'Support script', queues: ['sales'], start: 'start',
      steps: [{ id: 'start', text: 'How can I help?', answers: [] }] });
  check(r.status === 409, `PUT a taken queue: HTTP ${r.status}`);
  await byId('btn-script-save').click();
  await textIs(byId('script-message'), r.json.error, "the server's 409 message");
  check(r.json.error.includes('sales-script'), `409 says ${r.json.error}`);
  await shot(page, 'script-queue-taken');
  await byId('script-queue-sales').uncheck();
  await byId('script-queue-support').check();
  await byId('btn-script-save').click();
  await textIs(byId('script-message'), 'Saved support-script.', 'saved with support');
  await page.locator('[data-testid="script-row"][data-id="support-script"]').waitFor();

  step = 'delete support-script';
  await byId('btn-script-delete').click();
  await byId('btn-script-delete-yes').click();
  await page.locator('[data-testid="script-row"][data-id="support-script"]').waitFor({ state: 'detached' });
  r = await api('GET', '/api/v1/scripts/support-script', adminTok);
  check(r.status === 404, `the deleted script: HTTP ${r.status}`);

  // ---------------------------------------------------------------
  step = 'set-up: the admin is told changes apply live';
  await byId('tab-setup').click();
  const notice = page.locator('[data-testid="setup-notice"][data-readonly="no"]');
  await notice.waitFor();
  check((await words(notice)).includes('apply at once') &&
    (await words(notice)).includes('[server] settings need a restart'),
  `the set-up notice says: ${await words(notice)}`);
  await page.locator('[data-testid="setup-agent"][data-id="1001"]').waitFor();

  step = "add agent: an id in use gets the server's 409 as it is";
  const taken = await api('POST', '/api/v1/agents', adminTok, { id: '1001', password: 'pw-other' });
  check(taken.status === 409, `POST an agent id in use: HTTP ${taken.status}`);
  await byId('btn-agent-add').click();
  await page.locator('[data-testid="agent-form"][data-id=""]').waitFor();
  check(await byId('agent-autologin').isChecked(), 'a new agent starts without auto log-in');
  await byId('agent-id').fill('1001');
  await byId('agent-password').fill('pw-other');
  await byId('btn-agent-save').click();
  await textIs(byId('agent-form-error'), taken.json.error, "the server's 409");

  step = 'add agent 1003 with a queue and a skill';
  const C1003 = {
    id: '1003', name: 'Carol', autologin: false,
    queues: [{ queue: 'support', priority: 2 }], skills: [{ skill: 'spanish', level: 4 }],
  };
  await byId('agent-id').fill('1003');
  await byId('agent-name').fill('Carol');
  await byId('agent-password').fill('pw-1003-x');
  await byId('agent-queue-support').check();
  await byId('agent-queue-support-n').fill('2');
  await byId('agent-skill-spanish').check();
  await byId('agent-skill-spanish-n').fill('4');
  await byId('agent-autologin').uncheck();
  await shot(page, 'agent-new');
  await byId('btn-agent-save').click();
  await textIs(byId('agent-message'), 'Added agent 1003.', 'the add notice');
  const row1003 = page.locator('[data-testid="setup-agent"][data-id="1003"]');
  await row1003.waitFor();
  check(await byId('agent-form').count() === 0, 'the form stays open after the add');
  check(await text(row1003.getByTestId('setup-agent-queues')) === 'support (2)',
    `1003's queues: ${await text(row1003.getByTestId('setup-agent-queues'))}`);
  check(await text(row1003.getByTestId('setup-agent-skills')) === 'spanish (4)',
    `1003's skills: ${await text(row1003.getByTestId('setup-agent-skills'))}`);
  const agentIs = async (want) => {
    const a = await api('GET', '/api/v1/config/agents', adminTok);
    check(a.status === 200, `GET /api/v1/config/agents: HTTP ${a.status}`);
    const got = a.json.agents.find((x) => x.id === '1003') || null;
    check(same(got, want), `1003 in the API: ${JSON.stringify(got)}`);
  };
  await agentIs(C1003);
  const tok1003 = await ownToken(api, '1003', 'pw-1003-x');
  await shot(page, 'agent-added');

  step = "edit 1003's name, the password left blank";
  await byId('agent-edit-1003').click();
  await page.locator('[data-testid="agent-form"][data-id="1003"]').waitFor();
  check(await byId('agent-name').inputValue() === 'Carol', 'the name in the form');
  check(await byId('agent-password').inputValue() === '', 'the form shows a password');
  check(await byId('agent-queue-support').isChecked() &&
    await byId('agent-queue-support-n').inputValue() === '2', 'support (2) in the form');
  check(!(await byId('agent-queue-sales').isChecked()), 'sales in the form');
  check(await byId('agent-skill-spanish-n').inputValue() === '4', 'spanish (4) in the form');
  check(!(await byId('agent-autologin').isChecked()), 'auto log-in in the form');
  await byId('agent-name').fill('Carol Jones');
  await byId('btn-agent-save').click();
  await textIs(byId('agent-message'), 'Saved agent 1003.', 'the save notice');
  await textIs(row1003.getByTestId('setup-agent-name'), 'Carol Jones', "1003's new name");
  await agentIs({ ...C1003, name: 'Carol Jones' });
  await ownToken(api, '1003', 'pw-1003-x');

  step = 'remove 1003 (confirmed)';
  await byId('agent-remove-1003').click();
  await byId('agent-remove-no').click();
  await byId('agent-remove-1003').click();
  await byId('agent-remove-yes').click();
  await row1003.waitFor({ state: 'detached' });
  await textIs(byId('agent-message'), 'Removed agent 1003.', 'the removal notice');
  await agentIs(null);
  r = await api('POST', '/api/v1/login', null, { user: '1003', password: 'pw-1003-x' });
  check(r.status === 401, `1003's log-in after the removal: HTTP ${r.status}`);
  r = await api('GET', '/api/v1/me', tok1003);
  check(r.status === 401, `1003's session after the removal: HTTP ${r.status}`);

  // ---------------------------------------------------------------
  step = 'the configuration file tab: the file, masked';
  await byId('tab-config').click();
  await page.locator('[data-testid="config-tab"][data-state="ready"]').waitFor();
  check((await words(byId('config-mask-help'))).includes(
    'Leave ******** as it is to keep the current secret of the same [section] key'),
  `the mask help says: ${await words(byId('config-mask-help'))}`);
  const ta = byId('config-text');
  const masked = await apiText('GET', '/api/v1/config/file', adminTok);
  check(masked.status === 200, `GET /api/v1/config/file: HTTP ${masked.status}`);
  check(await ta.inputValue() === masked.text, 'the editor is not the masked file');
  const shown = await ta.inputValue();
  check(shown.split('\n').filter((l) => l === MASKED).length === 3,
    `not 3 masked passwords in: ${shown}`);
  check(await ta.evaluate((el) => getComputedStyle(el).fontFamily.includes('mono')),
    'the editor is not monospace');
  const lines = shown.split('\n');

  step = 'a broken line: the error names it, the caret goes there';
  const at = lines.indexOf('[queue support]') + 1;      // the next line's index
  check(at > 0, 'no [queue support] in the file');
  const broken = [...lines.slice(0, at), 'ring = lots', ...lines.slice(at)].join('\n');
  const bad = await apiText('POST', '/api/v1/config/check', adminTok, broken);
  check(bad.status === 400 && bad.json.error.startsWith(`line ${at + 1}: `),
    `check of the broken text: HTTP ${bad.status} ${bad.text}`);
  await ta.fill(broken);
  await byId('config-dirty').waitFor();
  await byId('btn-config-check').click();
  const badLine = page.locator(`[data-testid="config-result"][data-ok="no"][data-line="${at + 1}"]`);
  await badLine.waitFor();
  await textIs(byId('config-result-text'), bad.json.error, "the server's line error");
  check(await byId('config-result').getAttribute('role') === 'alert', 'the error is no alert');
  await textIs(byId('config-cursor'), `Line ${at + 1}`, 'the caret line');
  const sel = await ta.evaluate((el) => ({
    text: el.value.slice(el.selectionStart, el.selectionEnd),
    focused: document.activeElement === el,
  }));
  check(sel.text === 'ring = lots' && sel.focused, `the selection: ${JSON.stringify(sel)}`);
  await shot(page, 'config-line-error');

  step = 'a [server] change: restart';
  const moved = shown.replace(/^node *= *t$/m, 'node = other');
  check(moved !== shown, 'no node line');
  const restart = await apiText('POST', '/api/v1/config/check', adminTok, moved);
  check(restart.status === 409 && restart.json.error.includes('restart'),
    `check of a [server] change: HTTP ${restart.status} ${restart.text}`);
  await ta.fill(moved);
  await byId('btn-config-check').click();
  await page.locator('[data-testid="config-result"][data-ok="no"][data-line=""]').waitFor();
  await textIs(byId('config-result-text'), restart.json.error, "the server's 409");

  step = 'append [queue billing]: check';
  const billing = `${shown.replace(/\n*$/, '\n')}\n[queue billing]\n`;
  await ta.fill(billing);
  await byId('btn-config-check').click();
  await page.locator('[data-testid="config-result"][data-ok="yes"]').waitFor();
  await textIs(byId('config-result-text'),
    'The text is valid: 3 queues, 1 agent, 1 number, 2 users. Nothing is saved yet.', 'the check');
  check(!(await readFile(CONF, 'utf8')).includes('[queue billing]'), 'the check wrote the file');

  step = 'save: the file changed elsewhere first';
  r = await apiText('PUT', '/api/v1/config/file', adminTok,
    `${shown.replace(/\n*$/, '\n')}# changed elsewhere\n`);
  check(r.status === 200, `PUT the file from node: HTTP ${r.status} ${r.text}`);
  await byId('btn-config-save').click();
  await byId('btn-config-save-yes').click();
  await byId('config-stale').waitFor();
  check(!(await readFile(CONF, 'utf8')).includes('[queue billing]'), 'a stale save wrote the file');
  await shot(page, 'config-stale');
  await byId('btn-config-save-anyway').click();
  await page.locator('[data-testid="config-result"][data-ok="yes"]').waitFor();
  await textIs(byId('config-result-text'), 'Saved and applied: 3 queues, 1 agent, 1 number, 2 users.',
    'the save');
  await byId('config-dirty').waitFor({ state: 'detached' });

  step = 'billing is live; the file keeps the real secrets';
  r = await api('GET', '/api/v1/queues', supTok);
  check(r.status === 200 && r.json.queues.some((q) => q.id === 'billing'),
    `GET /api/v1/queues: ${JSON.stringify(r.json)}`);
  const disk = await readFile(CONF, 'utf8');
  check(disk.includes('\n[queue billing]\n'), `no billing on disk: ${disk}`);
  for (const pw of ['pw-1001', 'admin-secret-1', 'sup-secret-1']) {
    check(disk.includes(`\npassword = ${pw}\n`), `${pw} is no longer in the file: ${disk}`);
  }
  check(!disk.includes('********') && !disk.includes('changed elsewhere'), `the file on disk: ${disk}`);
  const again = await ta.inputValue();
  check(again.includes('\n[queue billing]\n') &&
    again.split('\n').filter((l) => l === MASKED).length === 3, `the editor after the save: ${again}`);
  await shot(page, 'config-saved');
  await byId('tab-setup').click();
  await page.locator('[data-testid="setup-queue"][data-id="billing"]').waitFor();

  step = 'the page never showed a secret';
  await byId('tab-config').click();
  await page.locator('[data-testid="config-tab"][data-state="ready"]').waitFor();
  const seen = [await page.evaluate(() => document.body.innerText), await ta.inputValue(),
    ...(await Promise.all(answers))];
  for (const pw of SECRETS) {
    check(!seen.some((t) => t.includes(pw)), `the page or an API answer it got holds ${pw}`);
  }
  check(answers.length > 20, `only ${answers.length} API answers seen`);

  step = 'the admin signs out';
  const adminPageTok = await pageToken();
  await byId('btn-signout').click();
  await byId('login-form').waitFor();
  r = await api('GET', '/api/v1/me', adminPageTok);
  check(r.status === 401, `the page's token after sign-out: HTTP ${r.status}`);

  // ---------------------------------------------------------------
  step = 'the supervisor: scripts read only';
  await signIn('sup', 'sup-secret-1');
  await page.locator('[data-testid="whoami"][data-role="supervisor"]').waitFor();
  await byId('script-open-sales-script').click();
  await page.locator('[data-testid="script-editor"][data-state="ready"][data-readonly="yes"]').waitFor();
  await byId('script-readonly').waitFor();
  check(await byId('btn-script-save').count() === 0, 'a supervisor has Save');
  check(await byId('btn-script-delete').count() === 0, 'a supervisor has Delete');
  check(await byId('script-new-id').count() === 0, 'a supervisor can start a script');
  check(await byId('script-name').isDisabled(), 'the name is editable');
  check(await st(0).getByTestId('add-answer').isDisabled(), 'answers can be added');
  await byId('preview').getByTestId('preview-answer').filter({ hasText: 'Not now' }).click();
  await textIs(byId('preview').getByTestId('preview-text'), BYE, 'the preview for a supervisor');
  await shot(page, 'supervisor-script');

  step = "the supervisor changes acme's notes and VIP";
  await byId('tab-customers').click();
  await page.locator('[data-testid="cu-row"][data-id="acme"]').waitFor();
  await byId('cu-open-acme').click();
  await page.locator('[data-testid="customer-form"][data-state="ready"][data-id="acme"]').waitFor();
  check(await byId('cu-name').inputValue() === 'Ada Lovelace', 'acme name');
  check(await byId('cu-vip').isChecked(), 'acme is VIP');
  await byId('cu-notes').fill('Prefers email; call after 5 pm');
  await byId('cu-vip').uncheck();
  await byId('btn-customer-save').click();
  await textIs(byId('customer-message'), 'Saved Ada Lovelace (acme).', 'the save notice');
  r = await api('GET', '/api/v1/customers/acme', supTok);
  check(r.json.notes === 'Prefers email; call after 5 pm' && r.json.vip === false &&
    same(r.json.phones, ['5550123']) && r.json.name === 'Ada Lovelace',
    `acme in the API: ${JSON.stringify(r.json)}`);

  step = "acme's contact history";
  const hist = page.locator(`[data-testid="history-row"][data-call="${CALL}"]`);
  await hist.waitFor();
  check(await text(hist.getByTestId('history-outcome')) === 'answered', 'history outcome');
  check(await text(hist.getByTestId('history-disposition')) === 'sale: wants the blue one',
    `history disposition: ${await text(hist.getByTestId('history-disposition'))}`);
  await shot(page, 'customer-acme');

  step = 'a new customer with a custom field';
  await byId('btn-cu-new').click();
  await page.locator('[data-testid="customer-form"][data-id=""]').waitFor();
  await byId('cu-id').fill('carl');
  await byId('cu-name').fill('Carl Gauss');
  await byId('cu-phone').first().fill('5550777');
  await byId('cu-field-add').click();
  await byId('cu-field-key').fill('plan');
  await byId('cu-field-value').fill('gold');
  await byId('btn-customer-save').click();
  await page.locator('[data-testid="customer-form"][data-state="ready"][data-id="carl"]').waitFor();
  r = await api('GET', '/api/v1/customers/carl', supTok);
  check(r.status === 200 && same(r.json.phones, ['5550777']) && same(r.json.fields, { plan: 'gold' }),
    `carl in the API: ${r.status} ${JSON.stringify(r.json)}`);

  step = 'delete a customer';
  await byId('btn-customer-delete').click();
  await byId('btn-customer-delete-no').click();
  await byId('btn-customer-delete').click();
  await byId('btn-customer-delete-yes').click();
  await byId('customer-form').waitFor({ state: 'detached' });
  r = await api('GET', '/api/v1/customers/carl', supTok);
  check(r.status === 404, `carl after the deletion: HTTP ${r.status}`);

  step = 'import a CSV of 2 customers';
  await byId('csv-file').setInputFiles({
    name: 'two.csv', mimeType: 'text/csv',
    buffer: Buffer.from('id,name,phones,vip,tier\r\nzed,Zed Zebra,5551001,yes,gold\r\n' +
      'yan,Yan Yak,5551002;5551003,no,\r\n'),
  });
  await byId('btn-csv-import').click();
  await textIs(byId('csv-message'), 'Imported: 2 new, 0 changed.', 'the import result');
  await byId('cu-search').fill('zebra');
  await byId('btn-cu-search').click();
  await page.locator('[data-testid="cu-total"][data-total="1"]').waitFor();
  await page.locator('[data-testid="cu-row"][data-id="zed"]').waitFor();
  r = await api('GET', '/api/v1/customers/yan', supTok);
  check(r.status === 200 && same(r.json.phones, ['5551002', '5551003']), `yan: ${JSON.stringify(r.json)}`);
  await shot(page, 'csv-imported');

  step = 'a bad CSV: errors by line';
  await byId('csv-file').setInputFiles({
    name: 'bad.csv', mimeType: 'text/csv',
    buffer: Buffer.from('id,name,phones,vip\nb1,Bea,5552000,yes\nb2,Bob,5552000,no\nb3,Bo,,maybe\n'),
  });
  await byId('btn-csv-import').click();
  await textIs(byId('csv-message'), '2 rows refused; nothing imported', 'the refusal');
  check(await byId('csv-message').getAttribute('role') === 'alert', 'the refusal is no alert');
  await page.locator('[data-testid="csv-error"][data-line="3"]').waitFor();
  await page.locator('[data-testid="csv-error"][data-line="4"]').waitFor();
  check(await byId('csv-error').count() === 2, 'not 2 line errors');
  check((await text(page.locator('[data-testid="csv-error"][data-line="4"]'))).includes('vip'),
    'line 4 does not name vip');
  r = await api('GET', '/api/v1/customers/b1', supTok);
  check(r.status === 404, `b1 was imported: HTTP ${r.status}`);
  await shot(page, 'csv-refused');

  step = 'paging: 23 customers, 20 a page';
  let many = 'id,name\n';
  for (let i = 1; i <= 23; i++) many += `pat${i},Pat ${String(i).padStart(2, '0')}\n`;
  await byId('csv-file').setInputFiles({ name: 'many.csv', mimeType: 'text/csv',
    buffer: Buffer.from(many) });
  await byId('btn-csv-import').click();
  await textIs(byId('csv-message'), 'Imported: 23 new, 0 changed.', 'the import of 23');
  check(await byId('csv-error').count() === 0, 'line errors remain after an import');
  await byId('cu-search').fill('pat');
  await byId('btn-cu-search').click();
  await page.locator('[data-testid="cu-total"][data-total="23"]').waitFor();
  await textIs(byId('cu-total'), '1–20 of 23', 'the first page');
  check(await byId('cu-row').count() === 20, 'not 20 rows on the first page');
  check(await byId('cu-prev').isDisabled(), 'Previous on the first page');
  await byId('cu-next').click();
  await textIs(byId('cu-total'), '21–23 of 23', 'the second page');
  check(await byId('cu-row').count() === 3, 'not 3 rows on the second page');
  check(await byId('cu-next').isDisabled(), 'Next on the last page');
  await page.locator('[data-testid="cu-row"][data-id="pat23"]').waitFor();

  step = 'export';
  const [dl] = await Promise.all([page.waitForEvent('download'), byId('btn-csv-export').click()]);
  check(dl.suggestedFilename() === 'customers.csv', `download named ${dl.suggestedFilename()}`);
  const csv = await readFile(await dl.path(), 'utf8');
  check(/^id,name,phones,email,vip,priority,skill,level,notes/.test(csv), `export header: ${csv}`);
  check(csv.includes('\nzed,Zed Zebra,5551001,') && csv.includes('\nacme,Ada Lovelace,5550123,,no,'),
    `export rows: ${csv}`);

  // ---------------------------------------------------------------
  step = 'the set-up tab (by keyboard)';
  await byId('tab-setup').focus();
  await page.keyboard.press('Enter');
  const supNotice = page.locator('[data-testid="setup-notice"][data-readonly="yes"]');
  await supNotice.waitFor();
  check((await words(supNotice)).startsWith('Read only') &&
    (await words(supNotice)).includes('apply at once'), `the notice: ${await words(supNotice)}`);
  await page.locator('[data-testid="setup-queue"][data-id="sales"]').waitFor();
  await page.locator('[data-testid="setup-queue"][data-id="support"]').waitFor();
  await page.locator('[data-testid="setup-queue"][data-id="billing"]').waitFor();
  check(await byId('btn-agent-add').count() === 0 && await byId('agent-edit-1001').count() === 0 &&
    await byId('agent-remove-1001').count() === 0, 'a supervisor can change agents');
  check(await byId('tab-config').count() === 0, 'a supervisor has the configuration file tab');
  const a1001 = page.locator('[data-testid="setup-agent"][data-id="1001"]');
  check(await text(a1001.getByTestId('setup-agent-skills')) === 'spanish (7), billing (3)',
    `1001's skills: ${await text(a1001.getByTestId('setup-agent-skills'))}`);
  check(await text(a1001.getByTestId('setup-agent-queues')) === 'sales (1), support (2)',
    `1001's queues: ${await text(a1001.getByTestId('setup-agent-queues'))}`);
  check(await byId('setup-skill').count() === 2, 'not 2 skills');
  check((await text(page.locator('[data-testid="setup-number"][data-number="200"]')))
    .includes('queue sales'), 'number 200');
  await page.locator('[data-testid="setup-disposition"][data-code="sale"]').waitFor();
  await shot(page, 'setup');

  // ---------------------------------------------------------------
  step = 'the calls tab';
  await byId('tab-calls').click();
  const row = page.locator(`[data-testid="call-row"][data-call="${CALL}"]`);
  await row.waitFor();
  check(await text(row.getByTestId('call-outcome')) === 'answered', 'call outcome');
  check(await text(row.getByTestId('call-disposition')) === 'sale', 'call disposition');
  await byId('calls-outcome').selectOption('abandoned-queue');
  await byId('btn-calls-filter').click();
  await byId('calls-none').waitFor();
  await byId('btn-calls-reset').click();
  await row.waitFor();
  await byId('calls-agent').selectOption('1001');
  await byId('calls-queue').selectOption('sales');
  await byId('btn-calls-filter').click();
  await row.waitFor();

  step = "the call's record and recording";
  await row.getByTestId('call-open').click();
  const rec = page.locator(`[data-testid="call-record"][data-call="${CALL}"][data-state="ready"]`);
  await rec.waitFor();
  check(await text(rec.getByTestId('record-outcome')) === 'answered', 'record outcome');
  check(await text(rec.getByTestId('record-agent')) === '1001', 'record agent');
  check((await text(rec.locator('[data-testid="record-disposition"][data-code="sale"]')))
    .includes('wants the blue one'), 'record disposition');
  check(await rec.getByTestId('record-offers').locator('tbody tr').count() >= 1, 'no offer');
  await rec.getByTestId('btn-audio-load').first().click();
  await page.waitForFunction(() => {
    const a = document.querySelector('[data-testid="audio"]');
    return a && a.src.startsWith('blob:') && a.readyState >= 1 && a.duration > 0.5;
  }, null, { timeout: WAIT });
  await shot(page, 'call-record');

  step = 'the supervisor signs out';
  const supPageTok = await pageToken();
  await byId('btn-signout').click();
  await byId('login-form').waitFor();
  r = await api('GET', '/api/v1/me', supPageTok);
  check(r.status === 401, `the page's token after sign-out: HTTP ${r.status}`);

  step = 'a session ended elsewhere: back to the log-in form';
  await signIn('sup', 'sup-secret-1');
  await page.locator('[data-testid="whoami"][data-role="supervisor"]').waitFor();
  r = await api('POST', '/api/v1/logout', await pageToken());
  check(r.status === 200, `log out the page's session: HTTP ${r.status}`);
  // the page may notice on its own (a read it makes) before the click:
  // either way it must end on the log-in form
  if (!(await byId('login-form').isVisible())) {
    await byId('tab-customers').click({ timeout: 2000 }).catch(() => {});
  }
  await byId('login-form').waitFor();
  check(await pageToken() === null, 'the dead token is kept');
  await shot(page, 'session-ended');
}

process.exit(await runTest({
  name: 'admin', title: 'admin pages', shots: SHOTS, shot,
  viewport: { width: 1280, height: 900 }, step: () => step,
}, async ({ page }) => main(page)));
