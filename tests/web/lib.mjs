// tests/web/lib.mjs  What the browser tests (tests/web/*.test.mjs) share:
// launching Debian's chromium through playwright-core, numbered
// screenshots, signing in through a page's log-in form, the API from
// node (outside the browser), check()/Failure, and the run that turns a
// test into an exit code.
//
//   import { runTest, check, screenshots, makeApi, signIn } from './lib.mjs';
//   const shot = screenshots(SHOTS);
//   const api = makeApi(BASE);
//   process.exit(await runTest({ name: 'desktop', title: 'desktop', shots:
//     SHOTS, shot, viewport: {width: 900, height: 640}, step: () => step },
//     async ({ page }) => { ... }));
//
// Every wait is on a condition with WAIT ms (the context's default
// timeout), never a fixed sleep.  A failure prints "FAIL NAME: STEP: why"
// (a Failure's message, else the stack), the page's uncaught errors and
// console, saves SHOTS/failure.png, and the run returns 1; a last guard
// exits 1 should chromium hang where no wait catches it.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const WAIT = 15000;         // every wait on a page, every API call
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

export class Failure extends Error {}

export function check(ok, why) {
  if (!ok) throw new Failure(why);
}

// The API from node, outside the browser: api(METHOD, PATH, TOKEN, BODY)
// resolves to {status, json} (json null when the body is not JSON).
export function makeApi(base) {
  return async function api(method, path, token, body) {
    const headers = {};
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body) headers['Content-Type'] = 'application/json';
    const res = await fetch(base + path, {
      method,
      headers,
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(WAIT),
    });
    let json = null;
    try {
      json = await res.json();
    } catch {
      // not JSON
    }
    return { status: res.status, json };
  };
}

// A token of the test's own (POST /api/v1/login), checked.
export async function ownToken(api, user, password) {
  const own = await api('POST', '/api/v1/login', null, { user, password });
  check(own.status === 200 && /^[0-9a-f]{64}$/.test(own.json?.token ?? ''),
    `the test's own log-in: HTTP ${own.status}`);
  return own.json.token;
}

// shot(page, NAME) saves DIR/NN-NAME.png (full page); shot.count says
// how many so far.
export function screenshots(dir) {
  const shot = async (page, name) => {
    shot.count++;
    const file = join(dir,
      `${String(shot.count).padStart(2, '0')}-${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
  };
  shot.count = 0;
  return shot;
}

// Fill a page's log-in form (labelled User and Password) and submit it.
export async function signIn(page, user, password) {
  await page.getByLabel('User').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByTestId('login-submit').click();
}

// Launch chromium, run main({page, context, browser}) and report.
//   name     the test's name in "FAIL NAME: ..."
//   title    what "ok: TITLE in chromium VERSION" names
//   shots    the screenshot directory (created); shot: its screenshots()
//   viewport the page's size
//   step     () => the step under way, for the failure message
//   alertId  optional: a data-testid whose text is printed on failure
// @return the exit code: 0 passed, 1 failed
export async function runTest(opts, main) {
  const { name, title, shots, shot, viewport, step } = opts;
  const logs = [];                 // the page's console, for a failure
  const errors = [];
  let where = 'launch chromium';
  const stepNow = () => (where ? where : step());
  const guard = setTimeout(() => {
    console.error(`FAIL ${name}: ${stepNow()}: no end after 240 s`);
    process.exit(1);
  }, 240000);
  mkdirSync(shots, { recursive: true });
  let browser = null;
  let page = null;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--headless=new'],
      timeout: 60000,
    });
    const context = await browser.newContext({ viewport });
    context.setDefaultTimeout(WAIT);
    page = await context.newPage();
    page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => errors.push(e.message));
    where = null;
    await main({ page, context, browser, errors, logs });
    where = 'page errors';
    check(errors.length === 0,
      `uncaught errors in the page: ${errors.join('; ')}`);
    console.log(`ok: ${title} in chromium ${browser.version()}, ` +
      `${shot.count} screenshots`);
    return 0;
  } catch (e) {
    const why = e instanceof Failure ? e.message : (e.stack || String(e));
    console.error(`FAIL ${name}: ${stepNow()}: ${why}`);
    if (errors.length) console.error(`page errors: ${errors.join('; ')}`);
    if (logs.length) console.error(`page console:\n  ${logs.join('\n  ')}`);
    if (page) {
      try {
        await page.screenshot({ path: join(shots, 'failure.png'),
          fullPage: true });
        if (opts.alertId) {
          const text = await page.getByTestId(opts.alertId)
            .textContent({ timeout: 1000 });
          console.error(`the page's alert: ${JSON.stringify(text)}`);
        }
      } catch {
        // the page is gone: the message above is what we have
      }
    }
    return 1;
  } finally {
    clearTimeout(guard);
    if (browser) await browser.close().catch(() => {});
  }
}
