// Browser tests of the web console: Debian's chromium, headless, driven by playwright-core
// against a real collector (started by tests/integration/console_browser_test.cpp, which
// passes everything in environment variables). Prints one line per case; exits non-zero when
// any case fails.
//
// TRIAGE_URL            https://127.0.0.1:PORT
// TRIAGE_SERVER_CERT    the collector's server certificate (PEM): chromium trusts exactly its
//                       key (SPKI pin), nothing else
// TRIAGE_TECH, TRIAGE_VIEWER, TRIAGE_ADMIN   "name:password"
// TRIAGE_TICKET         id of a ticket enriched by a real agent (findings expected)
// TRIAGE_XSS_TICKET     id of the ticket titled <img src=x onerror=alert(1)>
// TRIAGE_SCREENSHOT_DIR optional: save screenshots of the main pages there
// CHROMIUM              optional: the browser binary (default /usr/bin/chromium)

import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`environment variable ${name} is required`);
  return v;
};
const url = env('TRIAGE_URL');
const account = (name) => {
  const [user, ...rest] = env(name).split(':');
  return { user, password: rest.join(':') };
};
const tech = account('TRIAGE_TECH');
const viewer = account('TRIAGE_VIEWER');
const admin = account('TRIAGE_ADMIN');
const ticketId = env('TRIAGE_TICKET');
const xssTicketId = env('TRIAGE_XSS_TICKET');
const shots = process.env.TRIAGE_SCREENSHOT_DIR || '';
const XSS_TITLE = '<img src=x onerror=alert(1)>';
const EXPECTED_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
  + "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
const TIMEOUT = 20000;

const cert = new X509Certificate(readFileSync(env('TRIAGE_SERVER_CERT')));
const spki = cert.publicKey.export({ type: 'spki', format: 'der' });
const pin = createHash('sha256').update(spki).digest('base64');

let failures = 0;
const problems = { dialogs: [], csp: [], pageErrors: [] };

function check(condition, message) {
  if (!condition) throw new Error(message);
}

async function test(name, fn) {
  try {
    await fn();
    console.log(`ok - ${name}`);
  } catch (e) {
    failures += 1;
    console.log(`not ok - ${name}\n  ${String(e.stack || e).split('\n').join('\n  ')}`);
  }
}

function watch(page) {
  page.on('dialog', async (d) => {
    problems.dialogs.push(d.message());
    await d.dismiss();
  });
  page.on('console', (m) => {
    if (/Content.Security.Policy/i.test(m.text())) problems.csp.push(m.text());
  });
  page.on('pageerror', (e) => problems.pageErrors.push(String(e)));
}

async function newPage(browser, colorScheme = 'light') {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme });
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  watch(page);
  return page;
}

async function login(page, who) {
  const response = await page.goto(`${url}/`);
  await page.getByLabel('User name').fill(who.user);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.locator('#who .name').getByText(who.user, { exact: true }).waitFor();
  return response;
}

async function shot(page, name) {
  if (!shots) return;
  mkdirSync(shots, { recursive: true });
  await page.waitForLoadState('networkidle');
  await page.evaluate(() => { document.activeElement?.blur(); window.scrollTo(0, 0); });
  await page.locator('#toast').evaluate((el) => el.replaceChildren());
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: false });
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: [`--ignore-certificate-errors-spki-list=${pin}`],
});

try {
  const page = await newPage(browser);
  let first = null;

  await test('the console is served with its security headers', async () => {
    first = await page.goto(`${url}/`);
    check(first.status() === 200, `GET / answered ${first.status()}`);
    const headers = first.headers();
    check(headers['content-security-policy'] === EXPECTED_CSP, `CSP: ${headers['content-security-policy']}`);
    check(headers['x-content-type-options'] === 'nosniff', 'nosniff missing');
    check(headers['referrer-policy'] === 'no-referrer', 'Referrer-Policy missing');
    const deep = await page.goto(`${url}/tickets/12`);
    check(deep.status() === 200, `a client-side route answered ${deep.status()}`);
    await page.getByRole('button', { name: 'Log in' }).waitFor();  // index.html, running
  });

  await test('a technician logs in and sees the queue with tickets', async () => {
    await login(page, tech);
    await page.getByRole('heading', { name: 'Queue' }).waitFor();
    await page.locator(`a[href="#/tickets/${ticketId}"]`).first().waitFor();
    check(await page.locator('.queue-list tbody tr').count() >= 2, 'the queue lists the tickets');
    await page.locator('.queue-list .badge.sev-critical, .queue-list .badge.sev-warning').first().waitFor();
    await shot(page, 'queue');
  });

  await test('a hostile ticket title renders as text', async () => {
    const cell = page.locator('.queue-list a.title', { hasText: XSS_TITLE });
    await cell.waitFor();
    check(await cell.textContent() === XSS_TITLE, 'the title is shown verbatim');
    await page.goto(`${url}/#/tickets/${xssTicketId}`);
    const title = page.locator('.ticket-title');
    await title.waitFor();
    check(await title.textContent() === XSS_TITLE, 'ticket page title is shown verbatim');
    check(await page.locator('main img').count() === 0, 'an <img> element was created from the title');
    check(problems.dialogs.length === 0, `a dialog fired: ${problems.dialogs.join(', ')}`);
  });

  await test('"/" focuses the search box; Enter on a ticket link opens it', async () => {
    await page.goto(`${url}/#/queue`);
    await page.getByRole('heading', { name: 'Queue' }).waitFor();
    await page.locator('main h1').click();
    await page.keyboard.press('/');
    check(await page.evaluate(() => document.activeElement?.getAttribute('name')) === 'q', 'search not focused');
    await page.locator(`.queue-list a.title[href="#/tickets/${ticketId}"]`).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/#/tickets/${ticketId}`);
  });

  await test('a ticket shows its findings, as reported by the endpoint', async () => {
    await page.goto(`${url}/#/tickets/${ticketId}`);
    await page.locator('.finding').first().waitFor();
    check(await page.locator('.finding').count() >= 3, 'the fixture laptop has several findings');
    await page.locator('.finding', { hasText: 'Battery BAT0 worn' }).first().waitFor();
    await page.locator('.finding .evidence').first().waitFor();
    await page.getByText('as reported by the endpoint').first().waitFor();
    check(await page.locator('form.controls').count() === 1, 'a technician has the header controls');
  });

  await test('an internal note appears in the timeline, marked internal', async () => {
    const text = `checked the charger ${Date.now()}`;
    await page.locator('#note-form textarea').fill(text);
    await page.locator('#note-form').getByRole('button', { name: 'Add note' }).click();
    const entry = page.locator('.timeline li[data-kind="note"][data-visibility="internal"]', { hasText: text });
    await entry.waitFor();
    check(await entry.locator('.badge.vis-internal').textContent() === 'Internal', 'not labelled internal');
    await shot(page, 'ticket');
  });

  await test('a technician changes the priority from the header', async () => {
    await page.locator('form.controls select[name="priority"]').selectOption('P1');
    await page.locator('form.controls').getByRole('button', { name: 'Save' }).click();
    await page.locator('.ticket-head .badge.prio-p1').waitFor();
    await page.locator('.timeline li[data-kind="priority_change"]').waitFor();
  });

  await test('resolving shows the verification comparison when the device answers', async () => {
    await page.locator('form.controls select[name="status"]').selectOption('resolved');
    await page.locator('form.controls').getByRole('button', { name: 'Save' }).click();
    await page.locator('.ticket-head .badge.status-resolved').waitFor();
    await page.getByRole('heading', { name: 'Verification' }).waitFor();
    // Nothing was fixed on the fixture machine: every finding remains, none cleared.
    check(/^Remaining \([1-9]\d*\)$/.test(await page.locator('.verify.remaining h4').textContent()),
      'findings remain');
    check(await page.locator('.verify.cleared h4').textContent() === 'Cleared (0)', 'nothing cleared');
  });

  await test('device and fleet pages show the device\'s facts and findings', async () => {
    await page.locator('.diagnostics h3 a').first().click();
    await page.getByRole('heading', { name: 'Findings' }).waitFor();
    await page.locator('.finding').first().waitFor();
    await page.getByText('lt-sales-17').first().waitFor();
    await shot(page, 'device');
    await page.goto(`${url}/#/findings`);
    await page.getByRole('heading', { name: 'Findings across devices' }).waitFor();
    await page.locator('table').first().getByText('battery.worn').waitFor();
    await shot(page, 'fleet-findings');
  });

  await test('a viewer sees no technician-only controls', async () => {
    const v = await newPage(browser);
    await login(v, viewer);
    await v.goto(`${url}/#/tickets/${ticketId}`);
    await v.locator('.finding').first().waitFor();
    await v.locator('#note-form').waitFor();  // L1 documents work
    check(await v.locator('form.controls').count() === 0, 'viewer sees ticket field controls');
    check(await v.getByRole('button', { name: 'Refresh diagnostics' }).count() === 0, 'viewer sees Refresh diagnostics');
    check(await v.getByText('Link a device').count() === 0, 'viewer sees Link a device');
    check(await v.locator('#nav').getByText('Admin').count() === 0, 'viewer sees Admin');
    await v.goto(`${url}/#/findings`);
    await v.getByRole('heading', { name: 'Findings across devices' }).waitFor();
    check(await v.getByRole('button', { name: 'Open problem' }).count() === 0, 'viewer sees Open problem');
    await v.context().close();
  });

  await test('an admin manages users and API tokens', async () => {
    const a = await newPage(browser);
    await login(a, admin);
    await a.goto(`${url}/#/admin`);
    await a.getByRole('heading', { name: 'Users' }).waitFor();
    await a.locator('td', { hasText: viewer.user }).first().waitFor();
    await shot(a, 'admin');
    await a.context().close();
  });

  if (shots) {
    await test('dark theme screenshot', async () => {
      const d = await newPage(browser, 'dark');
      await login(d, tech);
      await d.goto(`${url}/#/tickets/${ticketId}`);
      await d.locator('.finding').first().waitFor();
      await shot(d, 'ticket-dark');
      await d.context().close();
    });
  }

  await test('no CSP violation, page error or dialog happened', async () => {
    check(problems.csp.length === 0, `CSP violations: ${problems.csp.join(' | ')}`);
    check(problems.pageErrors.length === 0, `page errors: ${problems.pageErrors.join(' | ')}`);
    check(problems.dialogs.length === 0, `dialogs: ${problems.dialogs.join(' | ')}`);
  });
} finally {
  await browser.close();
}

console.log(failures ? `${failures} case(s) failed` : 'all cases passed');
process.exit(failures ? 1 : 0);
