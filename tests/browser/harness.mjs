// What a browser spec needs around its cases: the environment the Catch2 test passes,
// Debian's chromium (headless) trusting exactly the collector's server key, pages that
// record CSP violations, page errors and dialogs, login, screenshots, and one line per case
// ("ok - ..." / "not ok - ..." with the reason). finish() exits non-zero when a case failed.
//
// TRIAGE_URL            https://127.0.0.1:PORT
// TRIAGE_SERVER_CERT    the collector's server certificate (PEM)
// TRIAGE_SCREENSHOT_DIR optional: save screenshots there
// CHROMIUM              optional: the browser binary (default /usr/bin/chromium)

import { createHash, X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const TIMEOUT = 20000;

/** The environment variable `name`; throws when it is missing. */
export function env(name) {
  const v = process.env[name];
  if (!v) throw new Error(`environment variable ${name} is required`);
  return v;
}

/** {user, password} from an environment variable holding "name:password". */
export function account(name) {
  const [user, ...rest] = env(name).split(':');
  return { user, password: rest.join(':') };
}

export const url = env('TRIAGE_URL');
const shots = process.env.TRIAGE_SCREENSHOT_DIR || '';
let failures = 0;

/** What went wrong in any page over the whole run. */
export const problems = { dialogs: [], csp: [], pageErrors: [] };

export function check(condition, message) {
  if (!condition) throw new Error(message);
}

/** Runs one case and prints its line. */
export async function test(name, fn) {
  try {
    await fn();
    console.log(`ok - ${name}`);
  } catch (e) {
    failures += 1;
    console.log(`not ok - ${name}\n  ${String(e.stack || e).split('\n').join('\n  ')}`);
  }
}

/** Chromium, headless, trusting the collector's server key (its SPKI pin) and nothing else. */
export async function launch() {
  const cert = new X509Certificate(readFileSync(env('TRIAGE_SERVER_CERT')));
  const spki = cert.publicKey.export({ type: 'spki', format: 'der' });
  const pin = createHash('sha256').update(spki).digest('base64');
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [`--ignore-certificate-errors-spki-list=${pin}`],
  });
}

/** A page in a fresh context (its own session) whose problems are recorded. */
export async function newPage(browser, colorScheme = 'light') {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme });
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  page.on('dialog', async (d) => {
    problems.dialogs.push(d.message());
    await d.dismiss();
  });
  page.on('console', (m) => {
    if (/Content.Security.Policy/i.test(m.text())) problems.csp.push(m.text());
  });
  page.on('pageerror', (e) => problems.pageErrors.push(String(e)));
  return page;
}

export async function login(page, who) {
  await page.goto(`${url}/`);
  await page.getByLabel('User name').fill(who.user);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.locator('#who .name').getByText(who.user, { exact: true }).waitFor();
}

/** Saves `name`.png when screenshots are asked for; `scrollTo` is brought to the top. */
export async function shot(page, name, scrollTo = null) {
  if (!shots) return;
  mkdirSync(shots, { recursive: true });
  await page.waitForLoadState('networkidle');
  await page.evaluate((selector) => {
    document.activeElement?.blur();
    const el = selector && document.querySelector(selector);
    if (el) el.scrollIntoView({ block: 'start' }); else window.scrollTo(0, 0);
  }, scrollTo);
  await page.locator('#toast').evaluate((el) => el.replaceChildren());
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: false });
}

/** The last case: nothing went wrong in any page. */
export async function noProblems() {
  await test('no CSP violation, page error or dialog happened', async () => {
    check(problems.csp.length === 0, `CSP violations: ${problems.csp.join(' | ')}`);
    check(problems.pageErrors.length === 0, `page errors: ${problems.pageErrors.join(' | ')}`);
    check(problems.dialogs.length === 0, `dialogs: ${problems.dialogs.join(' | ')}`);
  });
}

/** Prints the summary and exits: non-zero when a case failed. */
export function finish() {
  console.log(failures ? `${failures} case(s) failed` : 'all cases passed');
  process.exit(failures ? 1 : 0);
}
