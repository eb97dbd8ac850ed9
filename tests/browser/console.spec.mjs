// Browser tests of the web console: Debian's chromium, headless, driven by playwright-core
// against a real collector (started by tests/browser/console_browser_test.cpp, which
// passes everything in environment variables; launch, login, screenshots and the problems
// recorded over the run are in harness.mjs). Prints one line per case; exits non-zero when
// any case fails.
//
// TRIAGE_URL            https://127.0.0.1:PORT
// TRIAGE_SERVER_CERT    the collector's server certificate (PEM): chromium trusts exactly its
//                       key (SPKI pin), nothing else
// TRIAGE_TECH, TRIAGE_VIEWER, TRIAGE_SENIOR, TRIAGE_ADMIN, TRIAGE_ADMIN2   "name:password"
//                       (TRIAGE_ADMIN2: a second admin, who approves the first one's
//                       catalog proposals)
// TRIAGE_FIRST_LOGIN    "name:password" of a technician whose password was generated: it must
//                       be changed at first login
// TRIAGE_TOTP_USER      "name:password" of a technician who sets up two-factor sign-in here
// TRIAGE_SESSIONS_USER  "name:password" of a viewer who ends one of their sessions here
// TRIAGE_TICKET         id of a ticket enriched by a real agent (findings expected; the test
//                       catalog's echo-low action fixes one of them)
// TRIAGE_XSS_TICKET     id of the ticket titled <img src=x onerror=alert(1)>
// TRIAGE_HIGH_ORDER     a high-risk order awaiting approval, asked by the admin
// TRIAGE_OWN_ORDER      a high-risk order awaiting approval, asked by the senior
// TRIAGE_SCREENSHOT_DIR optional: save screenshots of the main pages there
// CHROMIUM              optional: the browser binary (default /usr/bin/chromium)

import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  account, check, env, finish, launch, login, newPage, noProblems, problems, shot, test, url,
} from './harness.mjs';

const tech = account('TRIAGE_TECH');
const viewer = account('TRIAGE_VIEWER');
const admin = account('TRIAGE_ADMIN');
const admin2 = account('TRIAGE_ADMIN2');
const senior = account('TRIAGE_SENIOR');
const firstLogin = account('TRIAGE_FIRST_LOGIN');
const totpUser = account('TRIAGE_TOTP_USER');
const sessionsUser = account('TRIAGE_SESSIONS_USER');
const highOrder = env('TRIAGE_HIGH_ORDER');
const ownOrder = env('TRIAGE_OWN_ORDER');
const ticketId = env('TRIAGE_TICKET');
const xssTicketId = env('TRIAGE_XSS_TICKET');
const shots = process.env.TRIAGE_SCREENSHOT_DIR || '';
const XSS_TITLE = '<img src=x onerror=alert(1)>';
const EXPECTED_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
  + "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

// The code an authenticator app shows for a base32 secret (RFC 6238: HMAC-SHA1, 30 s, 6
// digits), `steps` 30-second steps from now; written here apart from the collector's own.
function totp(secret, steps = 0) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secret.replace(/=+$/, '')) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30000) + steps));
  const mac = createHmac('sha1', key).update(message).digest();
  const at = mac[19] & 0xf;
  const value = ((mac[at] & 0x7f) << 24) | (mac[at + 1] << 16) | (mac[at + 2] << 8) | mac[at + 3];
  return String(value % 1000000).padStart(6, '0');
}

const browser = await launch();

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

  await test('a technician runs a low-risk action from a finding and watches its output', async () => {
    const finding = page.locator('.finding[data-rule="battery.worn"]').first();
    const fix = finding.locator('button.fix-with[data-action="echo-low"]');
    await fix.waitFor();
    await fix.click();
    const dialog = page.locator('dialog.action-dialog');
    await dialog.waitFor();
    await dialog.locator('.badge.risk-low').waitFor();
    await dialog.locator('.badge.approval-none').waitFor();  // runs without approval
    const hint = await dialog.locator('.param .hint').first().textContent();
    check(hint.includes('^[a-z]{1,20}$') && hint.includes('20 characters'), `pattern shown: ${hint}`);
    check(await dialog.locator('#param-text').getAttribute('maxlength') === '20', 'maxlength from the catalog');
    // The server refuses a value outside the pattern: its message lands on the field.
    await dialog.locator('#param-text').fill('Not Valid 1');
    await dialog.getByRole('button', { name: 'Run' }).click();
    await dialog.locator('#param-text-error', { hasText: 'text' }).waitFor();
    check(await dialog.locator('#param-text').getAttribute('aria-invalid') === 'true', 'the field is marked invalid');
    await dialog.locator('#param-text').fill('hello');
    await dialog.getByRole('button', { name: 'Run' }).click();
    await dialog.waitFor({ state: 'detached' });
    const panel = page.locator('.order-panel');
    await panel.locator('pre.stdout', { hasText: 'console says hello' }).waitFor({ timeout: 30000 });
    await panel.locator('.badge.order-succeeded').waitFor({ timeout: 30000 });
    check((await panel.locator('.outcome').textContent()).includes('exit status 0'), 'exit status shown');
    await page.locator('tr[data-order] .badge.order-succeeded').first().waitFor();
    await shot(page, 'ticket-action', '.order-panel');
  });

  // The laptop's device id, as the timeline links it; linked to another ticket further down.
  let deviceId = '';

  await test('the action\'s timeline entries read as sentences naming the device by host name', async () => {
    const requested = page.locator('.timeline li[data-kind="action_requested"]').last();
    const ran = page.locator('.timeline li[data-kind="action_run"]').last();
    await ran.waitFor();
    const asked = await requested.locator('.event-body').textContent();
    check(asked.includes('requested Echo a word (echo-low) on lt-sales-17 (low risk) — runs without approval'),
      `request entry: ${asked}`);
    const result = await ran.locator('.event-body').textContent();
    check(/^echo-low on lt-sales-17 succeeded: exit 0 in \d/.test(result), `run entry: ${result}`);
    for (const text of [asked, result]) {
      check(!text.includes('sha256') && !text.includes('credential'), `a hash or credential shown: ${text}`);
      check(!/:\s*(,|$)/.test(text) && !/\b[a-z]+_[a-z_]+:/.test(text), `a raw field dump: ${text}`);
    }
    const host = ran.locator('.event-body a.device-ref');
    check(await host.textContent() === 'lt-sales-17', 'the device is not named by its host name');
    deviceId = await host.getAttribute('title');
    check(deviceId && await host.getAttribute('href') === `#/devices/${deviceId}`, 'device link and title');
    check((await ran.locator('.event-head').textContent()).includes('device lt-sales-17'), 'the agent acting is not named');
    const created = await page.locator('.timeline li[data-kind="created"] .event-body').textContent();
    check(created.includes(' for lt-sales-17'), `created entry: ${created}`);
    await page.locator('.timeline li[data-kind="diagnostics"] a.device-ref', { hasText: 'lt-sales-17' }).first().waitFor();
    // The order reference opens the order in the ticket's order panel.
    const orderId = await ran.locator('button.order-ref').getAttribute('title');
    await ran.locator('button.order-ref').click();
    await page.locator(`.order-panel[data-order="${orderId}"] .badge.order-succeeded`).waitFor();
  });

  await test('the "Run action" dialog builds typed fields from the catalog, for the user\'s role', async () => {
    await page.locator('#run-action-button').click();
    const dialog = page.locator('dialog.action-dialog');
    await dialog.waitFor();
    const offered = await dialog.locator('#run-action option').evaluateAll((os) => os.map((o) => o.value));
    check(offered.includes('echo-low') && offered.includes('kill-process'), `offered: ${offered.join(', ')}`);
    check(!offered.includes('echo-high') && !offered.includes('reboot'), 'a technician is offered senior actions');
    // The ticket's device is a Linux agent: no Windows action is offered for it.
    check(!offered.includes('restart-windows-service') && !offered.includes('flush-dns-windows'),
      `a Linux device is offered Windows actions: ${offered.join(', ')}`);
    await dialog.locator('#run-action').selectOption('kill-process');  // integer + regex
    await dialog.locator('.badge.risk-medium').waitFor();
    const pid = dialog.locator('input[type="number"][name^="param-"]');
    check(await pid.getAttribute('min') === '2' && await pid.getAttribute('max') === '4194304', 'integer range');
    await dialog.locator('#run-action').selectOption('clear-temp-files');  // enum
    check(await dialog.locator('select[name^="param-"] option').count() === 4, 'enum values as options');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
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
    // The Diagnostics heading names the device by host name, its id as the title.
    const heading = page.locator('.diagnostics h3 a').first();
    check(await heading.textContent() === 'lt-sales-17', `diagnostics heading: ${await heading.textContent()}`);
    check(deviceId && await heading.getAttribute('title') === deviceId, 'the heading\'s title is not the device id');
    await heading.click();
    await page.getByRole('heading', { name: 'Findings' }).waitFor();
    await page.locator('.finding').first().waitFor();
    await page.getByText('lt-sales-17').first().waitFor();
    // History charts drawn by uPlot from the device's metric history, and its recent orders.
    const memory = page.locator('figure.chart[data-metric="memory.used_pct"]');
    await memory.locator('.chart-note').filter({ hasNotText: 'Loading' }).waitFor();
    const note = await memory.locator('.chart-note').textContent();
    check(await memory.locator('.uplot canvas').count() === 1, `memory chart not drawn: ${note}`);
    await page.locator('tr[data-order] .badge.order-succeeded').first().waitFor();
    await shot(page, 'device');
    await page.goto(`${url}/#/findings`);
    await page.getByRole('heading', { name: 'Findings across devices' }).waitFor();
    await page.locator('table').first().getByText('battery.worn').waitFor();
    await shot(page, 'fleet-findings');
  });

  await test('a device linked on the timeline shows its host name, its id as the title', async () => {
    check(deviceId, 'no device id from the action entries');
    await page.goto(`${url}/#/tickets/${xssTicketId}`);
    await page.locator('input[name="device_id"]').fill(deviceId);
    await page.getByRole('button', { name: 'Link', exact: true }).click();
    const linked = page.locator('.timeline li[data-kind="device_linked"] .event-body');
    await linked.waitFor();
    check(await linked.textContent() === 'linked device lt-sales-17', `linked entry: ${await linked.textContent()}`);
    check(await linked.locator('a.device-ref').getAttribute('title') === deviceId, 'the device id is not the title');
    check(await page.locator('main img').count() === 0, 'an <img> element was created');
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
    check(await v.locator('button.fix-with').count() === 0, 'viewer sees Fix with buttons');
    check(await v.locator('#run-action-button').count() === 0, 'viewer sees Run action');
    check(await v.locator('#nav').getByText('Approvals').count() === 0, 'viewer sees Approvals');
    check(await v.locator('#nav').getByText('Audit').count() === 0, 'viewer sees Audit');
    await v.goto(`${url}/#/findings`);
    await v.getByRole('heading', { name: 'Findings across devices' }).waitFor();
    check(await v.getByRole('button', { name: 'Open problem' }).count() === 0, 'viewer sees Open problem');
    await v.context().close();
  });

  await test('a senior approves a high-risk order in the inbox; her own has no Approve', async () => {
    const s = await newPage(browser);
    await login(s, senior);
    await s.locator('#nav').getByText('Approvals').click();
    await s.getByRole('heading', { name: 'Approvals' }).waitFor();
    const row = s.locator(`tr[data-order="${highOrder}"]`);
    const own = s.locator(`tr[data-order="${ownOrder}"]`);
    await row.waitFor();
    await own.waitFor();
    check(await row.locator('.badge.risk-high').count() === 1, 'risk shown');
    check((await row.textContent()).includes('/bin/echo approved and ran'), 'argv shown');
    check((await row.textContent()).includes(admin.user), 'requester shown');
    check(await own.getByRole('button', { name: 'Approve' }).count() === 0, 'own order offers Approve');
    await own.getByText('Your own order').waitFor();
    await shot(s, 'approvals');
    await row.getByRole('button', { name: 'Approve' }).click();
    await row.waitFor({ state: 'detached' });
    await own.waitFor();  // still waiting for another senior
    await s.context().close();
  });

  await test('a senior filters the audit log and exports it as JSON lines', async () => {
    const s = await newPage(browser);
    await login(s, senior);
    await s.locator('#nav').getByText('Audit').click();
    await s.getByRole('heading', { name: 'Audit log' }).waitFor();
    await s.locator('.audit-list tbody tr').first().waitFor();
    await s.locator('input[name="type"]').fill('auth.');
    await s.getByRole('button', { name: 'Filter' }).click();
    // The unfiltered rows stay on screen until the filtered page arrives: wait for that answer.
    await s.locator('.audit-list[aria-busy="false"] tbody tr').first().waitFor();
    const types = await s.locator('.audit-list tbody tr td:nth-child(3)').allTextContents();
    check(types.length > 0 && types.every((t) => t.startsWith('auth.')), `filtered types: ${types.join(', ')}`);
    await shot(s, 'audit');
    const [download] = await Promise.all([
      s.waitForEvent('download'),
      s.getByRole('button', { name: 'Export (JSON lines)' }).click(),
    ]);
    const lines = readFileSync(await download.path(), 'utf8').split('\n').filter(Boolean);
    check(lines.length >= types.length, `exported ${lines.length} lines, the page shows ${types.length}`);
    for (const line of lines) {
      const e = JSON.parse(line);
      check(e.type.startsWith('auth.') && typeof e.hash === 'string', `exported line: ${line}`);
    }
    await s.context().close();
  });

  await test('an admin manages users, API tokens, custom actions (a second admin approves) and creates an enrollment token', async () => {
    const a = await newPage(browser);
    await login(a, admin);
    await a.goto(`${url}/#/admin`);
    await a.getByRole('heading', { name: 'Users' }).waitFor();
    await a.locator('td', { hasText: viewer.user }).first().waitFor();
    await a.getByRole('heading', { name: 'Action catalog' }).waitFor();
    await a.locator('td', { hasText: 'echo-low v1' }).waitFor();
    // A custom action: refused with the server's reason when it names a shell or rates a root
    // command low, then proposed. It is not in the catalog until a second admin approves it;
    // its proposer is offered only Withdraw.
    const actionForm = a.locator('#custom-action-form');
    const definition = actionForm.locator('textarea[name="definition"]');
    const propose = actionForm.getByRole('button', { name: 'Propose custom action' });
    const refusal = actionForm.locator('.field-error');
    await definition.fill('id = "console-echo"\nversion = 1\ntitle = "Echo from the console"\n' +
      'argv = ["/bin/sh", "-c", "echo hi"]\nrisk = "low"\n');
    await propose.click();
    await refusal.filter({ hasText: 'interpreter' }).waitFor();
    await definition.fill('id = "console-echo"\nversion = 1\ntitle = "Echo from the console"\n' +
      'argv = ["/usr/bin/systemctl", "stop", "cups.service"]\nrisk = "low"\n');
    await propose.click();
    await refusal.filter({ hasText: 'risk = "medium" or higher' }).waitFor();
    await definition.fill('id = "console-echo"\nversion = 1\ntitle = "Echo from the console"\n' +
      'argv = ["/bin/echo", "hi"]\nrisk = "low"\n');
    await propose.click();
    const pending = a.locator('#catalog-proposals tr', { hasText: 'console-echo v1' });
    await pending.waitFor();
    check((await pending.textContent()).includes('new action'), 'the proposal says what it changes');
    check(await pending.getByRole('button', { name: 'Approve' }).count() === 0, 'the proposer is offered Approve');
    await pending.getByRole('button', { name: 'Withdraw' }).waitFor();
    const customRow = (page) => page.locator('tr', { has: page.locator('td', { hasText: 'console-echo v1' }) })
      .filter({ hasText: 'custom' });
    check(await customRow(a).count() === 0, 'a proposed action is in the catalog before approval');

    // The second admin approves it: now it is in the catalog, listed as custom. Deleting it is
    // proposed in turn (two clicks, no dialog) and the first admin approves that.
    const b = await newPage(browser);
    await login(b, admin2);
    await b.goto(`${url}/#/admin`);
    const toApprove = b.locator('#catalog-proposals tr', { hasText: 'console-echo v1' });
    await toApprove.getByRole('button', { name: 'Approve' }).click();
    await customRow(b).waitFor();
    await toApprove.waitFor({ state: 'detached' });
    await customRow(b).getByRole('button', { name: 'Delete' }).click();
    await customRow(b).getByRole('button', { name: 'Delete console-echo?' }).click();
    await b.locator('#catalog-proposals tr', { hasText: 'deletion' }).waitFor();
    await b.context().close();
    await a.reload();
    const deletion = a.locator('#catalog-proposals tr', { hasText: 'deletion' });
    await deletion.getByRole('button', { name: 'Approve' }).click();
    await deletion.waitFor({ state: 'detached' });
    await customRow(a).waitFor({ state: 'detached' });
    await a.getByRole('heading', { name: 'Webhooks' }).waitFor();
    const form = a.locator('#enrollment-token-form');
    await form.locator('input[name="uses"]').fill('2');
    await form.locator('select[name="ttl"]').selectOption('7d');
    await form.getByRole('button', { name: 'Create enrollment token' }).click();
    const secret = a.locator('.secret code.token');
    await secret.waitFor();
    const token = await secret.textContent();
    check(/^tri_[0-9a-f]{12}_/.test(token), `token shown once: ${token}`);
    await a.locator('.secret').getByRole('button', { name: 'Copy' }).waitFor();
    await a.locator('td', { hasText: '0 of 2' }).waitFor();
    await shot(a, 'admin');
    // Shown once: after a reload the page lists the token but not its secret.
    await a.reload();
    await a.locator('td', { hasText: '0 of 2' }).waitFor();
    check(!(await a.locator('main').textContent()).includes(token), 'the secret is shown again');
    await a.context().close();
  });

  await test('a generated password must be changed at first login, then the console opens', async () => {
    const f = await newPage(browser);
    await login(f, firstLogin);
    await f.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    check(await f.locator('#nav a').count() === 0, 'navigation shown before the new password');
    // Nothing else answers meanwhile: a deep link lands on the same form.
    await f.goto(`${url}/#/queue`);
    await f.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    const form = f.locator('#password-form');
    await form.locator('input[name="current_password"]').fill(firstLogin.password);
    await form.locator('input[name="new_password"]').fill('nora chose this one herself');
    await form.locator('input[name="new_password_again"]').fill('nora chose this one herself');
    await form.getByRole('button', { name: 'Change password' }).click();
    await f.getByRole('heading', { name: 'Queue' }).waitFor();
    // The account page changes it again, and mints her own API token.
    await f.goto(`${url}/#/account`);
    await f.getByRole('heading', { name: 'Your API tokens' }).waitFor();
    const own = f.locator('#own-token-form');
    await own.locator('input[name="name"]').fill('nora-script');
    await own.getByRole('button', { name: 'Create API token' }).click();
    const secret = f.locator('.secret code.token');
    await secret.waitFor();
    check(/^trt_[0-9a-f]{12}_/.test(await secret.textContent()), 'own API token shown once');
    await f.locator('td', { hasText: 'nora-script' }).waitFor();
    await f.context().close();
  });

  await test('an admin adds a service account and can require a new password', async () => {
    const a = await newPage(browser);
    await login(a, admin);
    await a.goto(`${url}/#/admin`);
    const form = a.locator('#user-form');
    await form.locator('input[name="name"]').fill('rt-sync');
    await form.locator('select[name="kind"]').selectOption('service');
    check(await form.locator('input[name="password"]').isDisabled(), 'a service account got a password field');
    await form.locator('select[name="role"]').selectOption('technician');
    await form.getByRole('button', { name: 'Add user' }).click();
    const row = a.locator('tr', { has: a.locator('td', { hasText: 'rt-sync' }) });
    await row.locator('td', { hasText: 'service account' }).waitFor();
    check(await row.getByRole('button', { name: 'Require new password' }).count() === 0,
      'a service account offered a password reset');
    // Tokens: for the admin or a service account, never another person.
    const holders = await a.locator('#api-token-form select[name="user"] option').allTextContents();
    check(holders.some((t) => t.startsWith('rt-sync')), `service account not offered: ${holders}`);
    check(!holders.some((t) => t.startsWith(tech.user)), `a person offered for a token: ${holders}`);
    const lena = a.locator('tr', { has: a.locator('td', { hasText: viewer.user }) });
    await lena.getByRole('button', { name: 'Require new password' }).click();
    await lena.locator('td', { hasText: 'must choose a new password' }).waitFor();
    await a.context().close();
  });

  async function signIn(p, who, code) {
    await p.getByRole('button', { name: 'Log in' }).waitFor();
    await p.getByLabel('User name').fill(who.user);
    await p.getByLabel('Password').fill(who.password);
    await p.getByRole('button', { name: 'Log in' }).click();
    const codeInput = p.getByLabel('Authentication code');
    await codeInput.waitFor();
    await codeInput.fill(code);
    await p.getByRole('button', { name: 'Log in' }).click();
  }

  await test('a user sets up two-factor sign-in, then signs in with a code; a replayed code is refused', async () => {
    const k = await newPage(browser);
    await login(k, totpUser);
    await k.goto(`${url}/#/account`);
    const start = k.locator('#totp-start-form');
    await start.locator('input[name="current_password"]').fill(totpUser.password);
    await start.getByRole('button', { name: 'Set up two-factor sign-in' }).click();
    const secret = (await k.locator('#totp-secret').textContent()).trim();
    const uri = await k.locator('#totp-uri').textContent();
    check(uri.startsWith(`otpauth://totp/triage:${totpUser.user}?secret=${secret}`), `otpauth URI: ${uri}`);
    await k.locator('#totp-confirm-form input[name="code"]').fill(totp(secret));
    await k.locator('#totp-confirm-form').getByRole('button', { name: 'Confirm' }).click();
    await k.locator('#recovery-codes li').nth(9).waitFor();
    check(await k.locator('#recovery-codes li').count() === 10, 'ten recovery codes are shown');
    await k.getByRole('button', { name: 'Done' }).click();
    await k.locator('#totp', { hasText: '10 recovery codes left' }).waitFor();

    // The password alone no longer signs in: the console asks for the code.
    await k.locator('#logout').click();
    const code = totp(secret, 1);
    await signIn(k, totpUser, code);
    await k.locator('#who .name').getByText(totpUser.user, { exact: true }).waitFor();
    await k.goto(`${url}/#/account`);
    await k.locator('tr[data-session]', { hasText: 'password+totp' }).first().waitFor();

    await k.locator('#logout').click();
    await signIn(k, totpUser, code);
    await k.locator('.login .form-status', { hasText: 'used already' }).waitFor();
    check(await k.locator('#who .name').isHidden(), 'a replayed code signed in');
    await k.context().close();
  });

  await test('a user ends another of their sessions from the account page', async () => {
    const here = await newPage(browser);
    const there = await newPage(browser);
    await login(there, sessionsUser);
    await login(here, sessionsUser);
    await here.goto(`${url}/#/account`);
    const rows = here.locator('tr[data-session]');
    await rows.nth(1).waitFor();
    check(await rows.count() === 2, `sessions listed: ${await rows.count()}`);
    await here.locator('tr[data-session]', { hasText: 'this session' }).waitFor();
    await here.locator('tr[data-session]').getByRole('button', { name: 'End' }).click();
    await here.locator('#toast', { hasText: 'Session ended' }).waitFor();
    await rows.nth(1).waitFor({ state: 'detached' });
    await there.goto(`${url}/#/devices`);
    await there.getByRole('button', { name: 'Log in' }).waitFor();
    await here.context().close();
    await there.context().close();
  });

  if (shots) {
    await test('dark theme screenshot', async () => {
      const d = await newPage(browser, 'dark');
      await login(d, tech);
      await d.goto(`${url}/#/tickets/${ticketId}`);
      await d.locator('.finding').first().waitFor();
      await shot(d, 'ticket-dark');
      await d.locator('.diagnostics h3 a').first().click();
      await d.locator('figure.chart .uplot canvas').first().waitFor();
      await shot(d, 'device-dark', '.charts');
      await d.context().close();
    });
  }

  await noProblems();
} finally {
  await browser.close();
}

finish();
