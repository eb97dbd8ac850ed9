// Browser test of the console's live view (started by tests/browser/live_browser_test.cpp with
// a real collector and a real agent; see harness.mjs for the common variables).
//
// TRIAGE_TECH, TRIAGE_VIEWER  "name:password" of a technician and a viewer
// TRIAGE_DEVICE               an online device whose /proc shows a process named
//                             <img src=x onerror=alert(1)>
// TRIAGE_TICKET               a ticket linked to TRIAGE_DEVICE

import {
  account, check, env, finish, launch, login, newPage, noProblems, problems, shot, test, url,
} from './harness.mjs';

const tech = account('TRIAGE_TECH');
const viewer = account('TRIAGE_VIEWER');
const device = env('TRIAGE_DEVICE');
const ticketId = env('TRIAGE_TICKET');
const XSS = '<img src=x onerror=alert(1)>';
// The agent's first sample comes a second after the start, then one a second.
const SAMPLES_TIMEOUT = 30000;

const browser = await launch();

// Waits until each chart of the panel holds at least `n` points; returns the counts. Points
// are appended as they come: a locator on the data-points attribute (none of 0 .. n-1) waits
// for them in the page's own selector engine.
async function waitForPoints(page, n) {
  const charts = page.locator('#live figure.live-chart');
  await charts.first().waitFor();
  check(await charts.count() === 3, `${await charts.count()} charts`);
  const fewer = [...Array(n).keys()].map((k) => `:not([data-points="${k}"])`).join('');
  for (const key of ['cpu-memory', 'disk', 'network']) {
    const chart = `#live figure.live-chart[data-chart="${key}"]`;
    try {
      await page.locator(`${chart}${fewer}`).waitFor({ timeout: SAMPLES_TIMEOUT });
    } catch {
      throw new Error(`chart ${key}: ${await page.locator(chart).getAttribute('data-points')} point(s), ${n} wanted`);
    }
  }
  return charts.evaluateAll((els) => els.map((el) => Number(el.dataset.points)));
}

// Opens a live view from the panel's form and returns the session id the server gave.
async function openView(page, minutes) {
  await page.locator('#live-minutes').selectOption(String(minutes));
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && /\/live$/.test(r.url())),
    page.locator('#live-open').click(),
  ]);
  check(response.status() === 201, `the server answered ${response.status()}: ${await response.text()}`);
  const { id } = await response.json();
  await page.locator(`#live[data-session="${id}"]`).waitFor();
  return id;
}

async function stopView(page) {
  await page.locator('#live-stop').click();
  await page.locator('#live[data-state="ended"]').waitFor();
  check(await page.locator('#live-stop').isHidden(), 'Stop is still offered on an ended view');
  check(await page.locator('#live-extend').isHidden(), 'Extend is still offered on an ended view');
}

try {
  const page = await newPage(browser);

  await test('a technician opens a live view on the device page: points arrive, the busiest processes show', async () => {
    await login(page, tech);
    await page.goto(`${url}/#/devices/${encodeURIComponent(device)}`);
    await page.getByRole('heading', { name: 'Live view' }).waitFor();
    await openView(page, 2);
    await page.locator('#live .live-head .badge', { hasText: /starting|live/ }).waitFor();
    await page.locator('#live-extend').waitFor();
    const counts = await waitForPoints(page, 3);
    check(counts.every((n) => n >= 3), `points: ${counts}`);
    check(await page.locator('#live[data-state="live"]').count() === 1, 'the view is not live');
    check(/\d+ min \d\d s left/.test(await page.locator('#live .live-left').textContent()), 'no time left shown');
    // Each chart draws a line per series.
    const paths = await page.locator('#live figure[data-chart="cpu-memory"] svg path.series').count();
    check(paths === 2, `${paths} lines in the CPU and memory chart`);
    // The busiest processes of the newest sample, the one named like HTML as text.
    const row = page.locator('#live .live-processes tr[data-pid="4242"]');
    await row.waitFor();
    check(await row.locator('.process-name').textContent() === XSS, 'the process name is shown verbatim');
    check(await page.locator('#live .live-processes tbody tr').count() >= 2, 'fewer than two processes');
    check(await page.locator('main img').count() === 0, 'an <img> element was created from the name');
    check(problems.dialogs.length === 0, `a dialog fired: ${problems.dialogs.join(', ')}`);
    await shot(page, 'device-live', '#live');
  });

  await test('the technician extends the view, then stops it: the state is ended', async () => {
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && /\/extend$/.test(r.url())),
      page.locator('#live-extend').click(),
    ]);
    check(response.status() === 200, `extend: ${response.status()} ${await response.text()}`);
    await stopView(page);
    await page.locator('#live .live-head', { hasText: 'stopped' }).waitFor();
    // Nothing is polled for an ended view: the counts stay.
    const before = await page.locator('#live figure[data-chart="disk"]').getAttribute('data-points');
    await page.waitForTimeout(1500);
    check(await page.locator('#live figure[data-chart="disk"]').getAttribute('data-points') === before,
      'points still arrive after the stop');
  });

  await test('on the ticket, a view is recorded: listed, on the timeline, and replayed', async () => {
    await page.goto(`${url}/#/tickets/${ticketId}`);
    await page.locator('#live-recordings').getByText('No live view has been recorded on this ticket.').waitFor();
    const id = await openView(page, 1);
    await page.locator(`.timeline li[data-kind="live_opened"][data-visibility="internal"]`).waitFor();
    const counts = await waitForPoints(page, 3);
    check(counts.every((n) => n >= 3), `points: ${counts}`);
    await stopView(page);
    const ended = page.locator('.timeline li[data-kind="live_ended"]');
    await ended.waitFor();
    const sentence = await ended.locator('.event-body').textContent();
    check(/the live view of .+ ended: .+ — \d+ samples? over/.test(sentence), `live_ended reads: ${sentence}`);
    check(!sentence.includes('undefined') && !sentence.includes(id), `live_ended shows raw data: ${sentence}`);
    const opened = await page.locator('.timeline li[data-kind="live_opened"] .event-body').textContent();
    check(/^opened a live view of .+ for 1 min/.test(opened), `live_opened reads: ${opened}`);
    const row = page.locator(`#live-recordings tr[data-live-session="${id}"]`);
    await row.waitFor();
    await row.locator('.badge', { hasText: 'ended' }).waitFor();
    // Replayed after a fresh load: the samples are read back from the recording.
    await page.goto(`${url}/#/queue`);
    await page.goto(`${url}/#/tickets/${ticketId}`);
    await page.locator(`#live-recordings tr[data-live-session="${id}"]`).getByRole('button', { name: 'Replay' }).click();
    await page.locator(`#live[data-session="${id}"][data-state="ended"]`).waitFor();
    const replayed = await waitForPoints(page, 3);
    const samples = Number(await page.locator(`#live-recordings tr[data-live-session="${id}"] td`).nth(4).textContent());
    check(replayed.every((n) => n === samples), `replayed ${replayed} of ${samples} samples`);
    await page.locator('#live .live-processes tr[data-pid="4242"]').waitFor();
    check(await page.locator('#live-stop').isHidden(), 'a recording offers Stop');
    await shot(page, 'ticket-live', '#live');
  });

  await test('a viewer sees no open button, on the device or the ticket, but replays a recording', async () => {
    const v = await newPage(browser);
    await login(v, viewer);
    await v.goto(`${url}/#/devices/${encodeURIComponent(device)}`);
    await v.getByRole('heading', { name: 'Live view' }).waitFor();
    await v.locator('#live').getByText('needs the technician role').waitFor();
    check(await v.locator('#live-open').count() === 0, 'a viewer got the open button on the device');
    await v.goto(`${url}/#/tickets/${ticketId}`);
    const replay = v.locator('#live-recordings tr[data-live-session]').getByRole('button', { name: 'Replay' });
    await replay.first().waitFor();
    check(await v.locator('#live-open').count() === 0, 'a viewer got the open button on the ticket');
    await replay.first().click();
    await waitForPoints(v, 3);
    const status = await v.evaluate(async (id) => {
      const r = await fetch(`/api/v1/devices/${encodeURIComponent(id)}/live`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': sessionStorage.getItem('triage.csrf') ?? '' },
        body: JSON.stringify({ minutes: 1 }),
      });
      return r.status;
    }, device);
    check(status === 403, `the API answered ${status} to a viewer's live view`);
    await v.context().close();
  });

  await noProblems();
} finally {
  await browser.close();
}

finish();
