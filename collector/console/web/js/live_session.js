// One live session's samples, as they arrive or as recorded: the charts, the busiest processes
// of the newest sample and the new error lines. Samples come from
// GET /api/v1/live/{id}?after=SEQ, polled every interval_ms while the session is starting or
// live; an ended session (a recording) is read page by page and then left alone.

import { get, withQuery } from './api.js';
import { badge, bytes, h, replace, table, text, when } from './dom.js';
import { liveCharts } from './live_chart.js';

const PAGE = 600;
const KEPT_ERRORS = 200;
const RETRY_MS = 3000;

const running = (session) => session?.state === 'starting' || session?.state === 'live';

function processTable(sample) {
  return table([
    ['PID', (p) => text(p.pid)],
    ['Process', (p) => h('span', { class: 'process-name' }, text(p.name))],
    ['CPU (of one core)', (p) => `${(Math.round(Number(p.cpu_percent) * 10) / 10).toFixed(1)} %`],
    ['Memory', (p) => bytes(p.rss_bytes)],
  ], sample?.top_processes ?? [], {
    empty: sample ? 'The device reported no process.' : 'No sample yet.',
    rowAttrs: (p) => ({ 'data-pid': p.pid }),
  });
}

// The time of day a line was logged (the date as its title).
function clock(iso) {
  const d = new Date(iso);
  if (!iso || Number.isNaN(d.getTime())) return null;
  return h('time', { datetime: iso, title: when(iso) }, d.toLocaleTimeString());
}

// A new error line: emerg, alert, crit or err, each shown as critical.
function errorItem(e) {
  const program = e.identifier || e.source;
  return h('li', { class: 'live-error' },
    clock(e.at), ' ', badge('sev', 'critical', text(e.level)), ' ',
    h('span', { class: 'program' }, text(program)), ': ', h('span', { class: 'message' }, text(e.message)));
}

/**
 * The view of session `id`. onSession(session) is called with the session as each poll read
 * it (state, ends_at, samples). Returns { el, stop, refresh }: stop() ends the polling (the
 * session itself runs on); refresh() polls now (after an extension or a stop).
 */
export function liveSessionView(id, { onSession } = {}) {
  const charts = liveCharts();
  const processes = h('div', { class: 'live-processes' }, processTable(null));
  const errors = h('ol', { class: 'live-errors' });
  const noErrors = h('p', { class: 'muted live-no-errors' }, 'No new error lines.');
  const status = h('p', { class: 'form-status live-poll-status', 'aria-live': 'polite' });
  const el = h('div', { class: 'live-session', 'data-live-session': id },
    charts.el,
    h('h3', {}, 'Busiest processes (newest sample)'), processes,
    h('h3', {}, 'New error lines'), noErrors, errors,
    status);
  let after = 0;
  let stopped = false;
  let timer = null;
  let busy = false;
  let again = false;

  function show(samples) {
    if (!samples.length) return;
    charts.add(samples);
    replace(processes, processTable(samples[samples.length - 1]));
    for (const s of samples) {
      for (const e of s.new_errors ?? []) errors.append(errorItem(e));
      if (Number(s.errors_left_out) > 0) {
        errors.append(h('li', { class: 'live-error left-out muted' }, `${Number(s.errors_left_out)} more error line(s) left out`));
      }
    }
    while (errors.childElementCount > KEPT_ERRORS) errors.firstElementChild.remove();
    noErrors.hidden = errors.childElementCount > 0;
  }

  async function poll() {
    if (stopped) return;
    if (busy) { again = true; return; }
    busy = true;
    clearTimeout(timer);
    let page = null;
    try {
      page = await get(withQuery(`/api/v1/live/${encodeURIComponent(id)}`, { after, limit: PAGE }));
      status.textContent = '';
    } catch (e) {
      status.textContent = `${e.message}; trying again.`;
    }
    busy = false;
    if (stopped) return;
    if (!page) {
      timer = setTimeout(poll, RETRY_MS);
      return;
    }
    const samples = page.samples ?? [];
    show(samples);
    after = Math.max(after, Number(page.next_after) || 0, ...samples.map((s) => Number(s.seq) || 0));
    el.dataset.state = page.session?.state ?? '';
    onSession?.(page.session ?? {});
    if (again || samples.length >= PAGE) {
      again = false;
      poll();
    } else if (running(page.session)) {
      const interval = Math.min(Math.max(Number(page.session.interval_ms) || 1000, 250), 10000);
      timer = setTimeout(poll, interval);
    }
  }

  poll();
  return {
    el,
    stop() { stopped = true; clearTimeout(timer); },
    refresh() { poll(); },
  };
}
