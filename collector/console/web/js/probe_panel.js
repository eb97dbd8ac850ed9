// The Probes section of a device (and of a ticket's device): the form to run a read-only
// probe (for those allowed: technicians, and viewers where the collector lets them), the
// run being watched — polled from GET /api/v1/probes/{id} with a growing delay until the
// agent answered or the request expired —, and the device's recent runs
// (GET /api/v1/devices/{id}/probes); opening one shows its result.

import { get, post, withQuery } from './api.js';
import { h, replace, table, text, time, toast } from './dom.js';
import { probeForm } from './probe_form.js';
import { probeRunView, probeState } from './probe_result.js';
import { reaches } from './roles.js';

// First look soon (a loopback probe answers in milliseconds), then back off to a few seconds.
const POLL_MS = [250, 500, 1000, 1500, 2000, 3000];
const HISTORY = 10;

/** True when the signed-in role may run probes, given the catalog (GET /api/v1/probes). */
export function mayRunProbes(catalog) {
  return Boolean(catalog) && (reaches('technician') || catalog.viewers_may_run === true);
}

/**
 * The panel for device `device` ({id, online}; online may be unknown). `catalog` is
 * GET /api/v1/probes (null when the collector has probes switched off). With `ticketId` each
 * run is noted on that ticket; `onFinal(run)` is called when a run started here has ended;
 * `header` goes under the heading. Returns { el, stop } — call stop() when the page goes away.
 */
export function probePanel(device, catalog, { ticketId, onFinal, header } = {}) {
  const base = `/api/v1/devices/${encodeURIComponent(device.id)}/probes`;
  const slot = h('div', { class: 'probe-run-slot', 'aria-live': 'polite' });
  const history = h('div', { class: 'probe-history' });
  let stopped = false;
  let timer = null;
  let watching = null;

  async function loadHistory() {
    let runs;
    try {
      runs = await get(withQuery(base, { limit: HISTORY }));
    } catch (e) {
      replace(history, h('p', { class: 'form-status' }, e.message));
      return;
    }
    if (stopped) return;
    replace(history, table([
      ['Probe', (r) => h('button', { type: 'button', class: 'link', onclick: () => watch(r.id) }, r.probe)],
      ['Target', (r) => h('code', {}, text(r.target))],
      ['State', (r) => probeState(r)],
      ['Asked by', (r) => r.requested_by],
      ['Asked', (r) => time(r.requested_at)],
      ['Took', (r) => (r.result?.duration_ms !== undefined ? `${Number(r.result.duration_ms)} ms` : '—')],
    ], runs.items ?? [], { empty: 'No probe has been run on this device yet.', rowAttrs: (r) => ({ 'data-probe-run': r.id }) }));
  }

  function watch(id, started = false) {
    clearTimeout(timer);
    watching = id;
    const view = h('section', { class: 'card probe-run', 'data-probe-run': id },
      h('p', { class: 'loading' }, 'Loading the run…'));
    replace(slot, view);
    let attempt = 0;
    async function refresh() {
      if (stopped || watching !== id) return;
      let run;
      try {
        run = await get(`/api/v1/probes/${encodeURIComponent(id)}`);
      } catch (e) {
        replace(view, h('p', { class: 'form-status' }, e.message));
        return;
      }
      if (stopped || watching !== id) return;
      replace(view, probeRunView(run));
      view.dataset.state = run.state;
      if (run.state !== 'sent') {
        await loadHistory();
        if (started && !stopped) onFinal?.(run);
        return;
      }
      timer = setTimeout(refresh, POLL_MS[Math.min(attempt, POLL_MS.length - 1)]);
      attempt += 1;
    }
    refresh();
  }

  async function run(request) {
    const body = ticketId ? { ...request, ticket_id: ticketId } : request;
    const created = await post(base, body);
    toast(`Probe ${created.probe} sent to the device`);
    watch(created.id, true);
    await loadHistory();
  }

  const may = mayRunProbes(catalog);
  const el = h('section', { class: 'card probes', id: 'probes' },
    h('h2', {}, 'Probes'),
    header,
    h('p', { class: 'muted' }, 'Read-only checks the agent runs itself, now, without approval: '
      + 'each is audited, bounded in time and output, and the endpoint may switch any of them off.'),
    catalog ? [
      may ? [
        device.online !== false ? null : h('p', { class: 'hint' }, 'This device is offline: probes run only on a connected device.'),
        probeForm(catalog, run),
      ] : null,
      slot,
      h('h3', {}, 'Recent probe runs'),
      history,
    ] : h('p', { class: 'muted' }, 'Probes are not enabled on this collector.'));
  if (catalog) loadHistory();
  return {
    el,
    stop: () => { stopped = true; clearTimeout(timer); },
  };
}
