// Browser test of the console's probes panel (started by tests/browser/probes_browser_test.cpp
// with a real collector and a real agent; see harness.mjs for the common variables).
//
// TRIAGE_TECH, TRIAGE_VIEWER  "name:password" of a technician and a viewer
// TRIAGE_DEVICE               an online device whose /proc shows a process named
//                             <img src=x onerror=alert(1)> listening on 127.0.0.1:8080 and
//                             connected from 192.168.1.23:51000 to 10.20.30.40:443
// TRIAGE_OFFLINE_DEVICE       an enrolled device that is not connected
// TRIAGE_TICKET               a ticket linked to TRIAGE_DEVICE
// TRIAGE_TLS_PORT             a TLS server on 127.0.0.1 with an expired certificate
// TRIAGE_DISK_PATH            a directory holding a subdirectory named <img src=x onerror=alert(1)>

import {
  account, check, env, finish, launch, login, newPage, noProblems, problems, shot, test, url,
} from './harness.mjs';

const tech = account('TRIAGE_TECH');
const viewer = account('TRIAGE_VIEWER');
const device = env('TRIAGE_DEVICE');
const offlineDevice = env('TRIAGE_OFFLINE_DEVICE');
const ticketId = env('TRIAGE_TICKET');
const tlsPort = env('TRIAGE_TLS_PORT');
const diskPath = env('TRIAGE_DISK_PATH');
const XSS = '<img src=x onerror=alert(1)>';
const ANSWER_TIMEOUT = 30000;

const browser = await launch();

// Runs the form's probe and waits for the agent's answer; returns the run's panel.
async function runAndWait(page) {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && /\/probes$/.test(r.url())),
    page.locator('#probe-run').click(),
  ]);
  check(response.status() === 201, `the server answered ${response.status()}: ${await response.text()}`);
  const { id } = await response.json();
  const panel = page.locator(`#probes .probe-run[data-probe-run="${id}"]`);
  await page.locator(`#probes .probe-run[data-probe-run="${id}"][data-state]:not([data-state="sent"])`)
    .waitFor({ timeout: ANSWER_TIMEOUT });
  const state = await panel.getAttribute('data-state');
  check(state === 'completed', `run ${id} ended ${state}: ${await panel.textContent()}`);
  return panel;
}

try {
  const page = await newPage(browser);
  let posts = 0;
  page.on('request', (r) => {
    if (r.method() === 'POST' && /\/api\/v1\/devices\/[^/]+\/probes$/.test(r.url())) posts += 1;
  });

  await test('a technician gets the probe form on the device page; the browser checks the server\'s rules', async () => {
    await login(page, tech);
    await page.goto(`${url}/#/devices/${encodeURIComponent(device)}`);
    await page.getByRole('heading', { name: 'Probes' }).waitFor();
    const kinds = await page.locator('#probe-kind option').evaluateAll((os) => os.map((o) => o.value));
    check(kinds.join(',') === 'reach,resolve,http_get,listening,disk_usage,connections,log_lines,path',
      `kinds: ${kinds}`);
    await page.locator('#probe-param-host').fill('10.0.0.0/24');
    await page.locator('#probe-param-port').fill('22');
    await page.locator('#probe-run').click();
    await page.locator('#probe-param-host-error', { hasText: 'no lists, ranges' }).waitFor();
    check(await page.locator('#probe-param-host').getAttribute('aria-invalid') === 'true', 'host not marked invalid');
    await page.locator('#probe-param-host').fill('127.0.0.1');
    await page.locator('#probe-param-port').fill('70000');
    await page.locator('#probe-run').click();
    await page.locator('#probe-param-port-error', { hasText: '1 to 65535' }).waitFor();
    await page.locator('#probe-kind').selectOption('disk_usage');
    await page.locator('#probe-param-path').fill('/home/../etc');
    await page.locator('#probe-run').click();
    await page.locator('#probe-param-path-error', { hasText: '..' }).waitFor();
    // connections: a pid or a process name, exactly one, and a name is no pattern.
    await page.locator('#probe-kind').selectOption('connections');
    await page.locator('#probe-run').click();
    await page.locator('#probe-param-pid-error', { hasText: 'give a process id or a process name' }).waitFor();
    await page.locator('#probe-param-pid').fill('4242');
    await page.locator('#probe-param-process').fill('sshd');
    await page.locator('#probe-run').click();
    await page.locator('#probe-param-pid-error', { hasText: 'not both' }).waitFor();
    await page.locator('#probe-param-pid').fill('');
    await page.locator('#probe-param-process').fill('/usr/sbin/ssh*');
    await page.locator('#probe-run').click();
    await page.locator('#probe-param-process-error', { hasText: 'no wildcards' }).waitFor();
    await page.locator('#probe-kind').selectOption('log_lines');
    check(await page.locator('#probe-param-min_level').inputValue() === 'warning', 'min_level is not warning by default');
    await page.locator('#probe-param-source').fill('cups*');
    await page.locator('#probe-run').click();
    await page.locator('#probe-param-source-error', { hasText: 'no patterns' }).waitFor();
    await page.locator('#probe-param-source').fill('cups.service');
    await page.locator('#probe-param-since_minutes').fill('2000');
    await page.locator('#probe-run').click();
    await page.locator('#probe-param-since_minutes-error', { hasText: '1 to 1440' }).waitFor();
    await page.locator('#probe-kind').selectOption('path');
    await page.locator('#probe-param-host').fill('10.0.0.0/24');
    await page.locator('#probe-run').click();
    await page.locator('#probe-param-host-error', { hasText: 'no lists, ranges' }).waitFor();
    await page.locator('#probe-param-host').fill('127.0.0.1');
    await page.locator('#probe-param-max_hops').fill('31');
    await page.locator('#probe-run').click();
    await page.locator('#probe-param-max_hops-error', { hasText: '1 to 30' }).waitFor();
    check(posts === 0, `${posts} request(s) reached the server`);
  });

  await test('a technician runs a reach probe with TLS and reads the expired chain', async () => {
    await page.locator('#probe-kind').selectOption('reach');
    await page.locator('#probe-param-host').fill('127.0.0.1');
    await page.locator('#probe-param-port').fill(tlsPort);
    await page.locator('#probe-param-tls').check();
    const panel = await runAndWait(page);
    check(posts === 1, `${posts} POSTs`);
    await panel.locator('.badge.check-passed', { hasText: 'connected' }).waitFor();
    check((await panel.locator('table.kv').first().textContent()).includes(`127.0.0.1:${tlsPort}`), 'address used');
    await panel.locator('.probe-tls .badge.check-failed', { hasText: 'not verified' }).waitFor();
    check(await panel.locator('.cert-chain .badge.cert-expired').count() >= 1, 'no expired badge on the chain');
    await page.locator('#probes .probe-history tr[data-probe-run]').first().waitFor();
    await shot(page, 'device-probes', '#probes');
  });

  await test('a technician runs a listening probe: a process named like HTML renders as text', async () => {
    await page.locator('#probe-kind').selectOption('listening');
    const panel = await runAndWait(page);
    const row = panel.locator('tr[data-port="8080"]');
    await row.waitFor();
    check(await row.locator('.process').textContent() === XSS, 'the process name is shown verbatim');
    check((await row.textContent()).includes('127.0.0.1'), 'the address is shown');
    check(await page.locator('main img').count() === 0, 'an <img> element was created from the name');
    check(problems.dialogs.length === 0, `a dialog fired: ${problems.dialogs.join(', ')}`);
  });

  await test('a technician runs a disk-usage probe: a directory named like HTML renders as text', async () => {
    await page.locator('#probe-kind').selectOption('disk_usage');
    await page.locator('#probe-param-path').fill(diskPath);
    await page.locator('#probe-param-max_depth').fill('1');
    const panel = await runAndWait(page);
    const paths = await panel.locator('.probe-disk_usage td .path').allTextContents();
    check(paths.some((p) => p.endsWith(`/${XSS}`)), `largest directories: ${paths.join(' | ')}`);
    check(await page.locator('main img').count() === 0, 'an <img> element was created from the path');
    // The history lists the three runs (it reloads when a run ends). A locator waits with the
    // page's own selector engine: waitForFunction polls through eval, which the console's CSP
    // refuses whenever the rows are not there at the first look.
    const runs = page.locator('#probes .probe-history tr[data-probe-run]');
    await runs.nth(2).waitFor();
    check(await runs.count() === 3, `probe history rows: ${await runs.count()}`);
  });

  await test('a technician runs a connections probe by process name: the HTML name renders as text', async () => {
    await page.locator('#probe-kind').selectOption('connections');
    await page.locator('#probe-param-process').fill(XSS);
    const panel = await runAndWait(page);
    const row = panel.locator('.probe-connections tr[data-state="ESTABLISHED"]');
    await row.waitFor();
    check(await row.count() === 1, `ESTABLISHED rows: ${await row.count()}`);
    check(await row.locator('.process').textContent() === XSS, 'the process name is shown verbatim');
    const cells = await row.locator('td').allTextContents();
    check(cells.includes('192.168.1.23:51000') && cells.includes('10.20.30.40:443'), `cells: ${cells.join(' | ')}`);
    check(cells.includes('4242'), `no pid: ${cells.join(' | ')}`);
    check(await panel.locator('.probe-connections table:not(.kv) tbody tr').count() === 1,
      'a socket that only listens is not a connection');
    check((await panel.locator('table.kv').first().textContent()).includes('4242'), 'the matched process is listed');
    check(await page.locator('main img').count() === 0, 'an <img> element was created from the name');
    check(problems.dialogs.length === 0, `a dialog fired: ${problems.dialogs.join(', ')}`);
  });

  await test('a technician runs a path probe to 127.0.0.1: the hops show, the destination is reached', async () => {
    await page.locator('#probe-kind').selectOption('path');
    await page.locator('#probe-param-host').fill('127.0.0.1');
    await page.locator('#probe-param-max_hops').fill('3');
    const panel = await runAndWait(page);
    await panel.locator('table.kv .badge.check-passed', { hasText: 'reached' }).waitFor();
    const reached = panel.locator('.probe-path tr[data-reached]');
    await reached.waitFor();
    await reached.locator('.badge.check-passed', { hasText: 'destination' }).waitFor();
    check((await reached.textContent()).includes('127.0.0.1'), `the reached hop: ${await reached.textContent()}`);
    check(/\d ms/.test(await reached.locator('td').nth(2).textContent()), 'the reached hop has no round trip');
    const hops = await panel.locator('.probe-path table:not(.kv) tbody tr').count();
    check(hops >= 1 && hops <= 3, `${hops} hops for max_hops 3`);
  });

  await test('a probe on an offline device shows the server\'s refusal', async () => {
    const before = posts;
    await page.goto(`${url}/#/devices/${encodeURIComponent(offlineDevice)}`);
    await page.locator('#probes').getByText('This device is offline').waitFor();
    await page.locator('#probe-kind').selectOption('resolve');
    await page.locator('#probe-param-name').fill('intranet.example.com');
    await page.locator('#probe-run').click();
    await page.locator('#probe-form .form-status', { hasText: 'probes run only on a connected device' }).waitFor();
    check(posts === before + 1, 'the request did not reach the server');
  });

  await test('a technician runs a probe from the ticket: request and answer are noted on its timeline', async () => {
    await page.goto(`${url}/#/tickets/${ticketId}`);
    await page.locator('#probes #probe-form').waitFor();
    await page.locator('#probe-kind').selectOption('resolve');
    await page.locator('#probe-param-name').fill('localhost');
    const panel = await runAndWait(page);
    check(await panel.locator('.probe-resolve tbody tr').count() >= 1, 'no address for localhost');
    const entry = page.locator('.timeline li[data-kind="probe_run"][data-visibility="internal"]');
    await entry.waitFor();
    check((await entry.textContent()).includes('resolve localhost: completed'), `entry: ${await entry.textContent()}`);
    await page.locator('.timeline li[data-kind="probe_requested"][data-visibility="internal"]').waitFor();
    await entry.getByRole('button', { name: 'Show result' }).click();
    await entry.locator('.probe-resolve tbody tr').first().waitFor();
    await shot(page, 'ticket-probe', '#probes');
  });

  await test('with two devices on the ticket, the choosers name them by host name, values stay ids', async () => {
    // The device records as the API has them: the expected label is the host name, or the
    // shortened id of a device that has none.
    const records = await page.evaluate(async (ids) => Promise.all(ids.map(async (id) => {
      const r = await fetch(`/api/v1/devices/${encodeURIComponent(id)}`);
      return r.ok ? r.json() : null;
    })), [device, offlineDevice]);
    const label = (id, d) => d?.hostname || `${id.slice(0, 8)}…`;
    const expected = [[device, label(device, records[0])], [offlineDevice, label(offlineDevice, records[1])]];
    check(records[0]?.hostname, `the online device has no host name: ${JSON.stringify(records[0])}`);
    const linked = await page.evaluate(async ([id, deviceId]) => {
      const r = await fetch(`/api/v1/tickets/${id}/devices`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': sessionStorage.getItem('triage.csrf') ?? '' },
        body: JSON.stringify({ device_id: deviceId }),
      });
      return `${r.status} ${await r.text()}`;
    }, [ticketId, offlineDevice]);
    check(/^2\d\d /.test(linked), `linking the second device: ${linked}`);
    await page.goto(`${url}/#/`);
    await page.goto(`${url}/#/tickets/${ticketId}`);
    const options = async (select) => page.locator(`${select} option`).evaluateAll(
      (os) => os.map((o) => [o.value, o.textContent, o.title]));
    // The probes panel's chooser.
    await page.locator('#probe-device').waitFor();
    const probeOptions = await options('#probe-device');
    check(JSON.stringify(probeOptions) === JSON.stringify(expected.map(([id, name]) => [id, name, id])),
      `probe chooser: ${JSON.stringify(probeOptions)}`);
    // Choosing by id (the value) still opens that device's panel.
    await page.locator('#probe-device').selectOption(offlineDevice);
    await page.locator('#probes').getByText('No probe has been run on this device yet.').waitFor();
    check(await page.locator('#probe-device').inputValue() === offlineDevice, 'the chooser lost the chosen device');
    // The Diagnostics heading of the online device.
    const heading = page.locator(`.diagnostics h3 a[data-device="${device}"]`);
    await heading.waitFor();
    check(await heading.textContent() === expected[0][1], `diagnostics heading: ${await heading.textContent()}`);
    check(await heading.getAttribute('title') === device, 'the heading\'s title is not the device id');
    // The "Run action" dialog's chooser (the built-in catalog).
    await page.locator('#run-action-button').click();
    const dialog = page.locator('dialog.action-dialog');
    await dialog.waitFor();
    const runOptions = await options('#run-device');
    check(JSON.stringify(runOptions) === JSON.stringify(expected.map(([id, name]) => [id, name, id])),
      `action chooser: ${JSON.stringify(runOptions)}`);
    await dialog.locator('#run-device').selectOption(offlineDevice);
    check(await dialog.locator('#run-device').inputValue() === offlineDevice, 'the action chooser lost the chosen device');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  });

  await test('a viewer sees the runs but no probe form, and the API refuses her', async () => {
    const v = await newPage(browser);
    await login(v, viewer);
    await v.goto(`${url}/#/devices/${encodeURIComponent(device)}`);
    await v.getByRole('heading', { name: 'Recent probe runs' }).waitFor();
    await v.locator('#probes .probe-history tr[data-probe-run]').first().waitFor();
    check(await v.locator('#probe-form').count() === 0, 'a viewer got the probe form');
    check(await v.locator('#probe-run').count() === 0, 'a viewer got the Run probe button');
    await v.locator('#probes .probe-history tr[data-probe-run]', { hasText: 'listening' }).getByRole('button').click();
    await v.locator('#probes .probe-run tr[data-port="8080"] .process', { hasText: XSS }).waitFor();
    const status = await v.evaluate(async (id) => {
      const r = await fetch(`/api/v1/devices/${encodeURIComponent(id)}/probes`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': sessionStorage.getItem('triage.csrf') ?? '' },
        body: JSON.stringify({ probe: 'listening', params: {} }),
      });
      return r.status;
    }, device);
    check(status === 403, `the API answered ${status} to a viewer's probe`);
    check(await v.locator('main img').count() === 0, 'an <img> element was created');
    // On the ticket: no probe form, but the run noted on the timeline opens for her.
    await v.goto(`${url}/#/tickets/${ticketId}`);
    const entry = v.locator('.timeline li[data-kind="probe_run"]');
    await entry.getByRole('button', { name: 'Show result' }).click();
    await entry.locator('.probe-resolve tbody tr').first().waitFor();
    check(await v.locator('#probes').count() === 0, 'a viewer got the probes panel on the ticket');
    await v.context().close();
  });

  await noProblems();
} finally {
  await browser.close();
}

finish();
