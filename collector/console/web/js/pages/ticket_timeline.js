// The ticket's timeline: typed events, oldest first; internal entries are marked apart from
// what the requester sees. A probe's answer opens its typed result in place.

import { get } from '../api.js';
import { h, replace, time } from '../dom.js';
import { probeRunView } from '../probe_result.js';

// The run as GET /api/v1/probes/{id} has it, shown under the entry on demand.
function probeRun(d) {
  const slot = h('div', { class: 'probe-run-entry' });
  const show = h('button', {
    type: 'button', class: 'link show-probe-result',
    onclick: async () => {
      show.disabled = true;
      try {
        const run = await get(`/api/v1/probes/${encodeURIComponent(d.probe_run_id ?? '')}`);
        replace(slot, h('section', { class: 'probe-run', 'data-probe-run': run.id, 'data-state': run.state }, probeRunView(run)));
        show.remove();
      } catch (e) {
        replace(slot, h('p', { class: 'form-status' }, e.message));
        show.disabled = false;
      }
    },
  }, 'Show result');
  const took = d.duration_ms !== undefined && d.duration_ms !== null ? ` in ${Number(d.duration_ms)} ms` : '';
  return [
    `probe ${d.probe ?? '?'} ${d.target ?? ''}: ${d.state ?? '?'}${took}`.replace(/\s+:/, ':'),
    d.reason ? ` — ${d.reason}` : '',
    d.budget_note ? ` (cut: ${d.budget_note})` : '',
    d.requested_by ? `, asked by ${d.requested_by}` : '',
    ' ', show, slot,
  ];
}

function describe(e) {
  const d = e.data ?? {};
  switch (e.kind) {
    case 'created': return `created the ticket (P${d.priority ?? '?'}, ${d.source ?? 'staff'})`;
    case 'note': return h('div', { class: 'note-text' }, d.text ?? '');
    case 'time_entry': return `logged ${d.minutes} min${d.note ? ` — ${d.note}` : ''}`;
    case 'escalation':
      return `escalated L${d.from} → L${d.to}: ${d.reason ?? ''}${d.unassigned ? ` (unassigned ${d.unassigned})` : ''}`;
    case 'diagnostics':
    case 'verification':
      return `${e.kind} from device ${d.device_id ?? '?'} (${d.source ?? '?'}): ${d.findings ?? 0} findings${d.worst_severity ? `, worst ${d.worst_severity}` : ''}${d.note ? ` — ${d.note}` : ''}`;
    case 'device_linked': return `linked device ${d.device_id ?? ''}`;
    case 'probe_requested':
      return `asked device ${d.device_id ?? '?'} for a ${d.probe ?? '?'} probe${d.target ? ` of ${d.target}` : ''}`;
    case 'probe_run': return probeRun(d);
    default: {
      if (e.kind.endsWith('_change')) {
        const what = e.kind.replace('_change', '');
        // Priorities and tiers travel as numbers; staff know them as P1 and L2.
        const prefix = { priority: 'P', tier: 'L' }[what] ?? '';
        const show = (v) => (v === null || v === undefined || v === '' ? '—' : `${typeof v === 'number' ? prefix : ''}${v}`);
        const from = show(d.from ?? d.old);
        const to = show(d.to ?? d.new);
        return `${what}: ${from} → ${to}${d.reason ? ` (${d.reason})` : ''}`;
      }
      const parts = Object.entries(d).filter(([, v]) => typeof v !== 'object' || v === null)
        .map(([k, v]) => `${k}: ${v}`);
      return `${e.kind.replaceAll('_', ' ')}${parts.length ? ` — ${parts.join(', ')}` : ''}`;
    }
  }
}

export function timeline(events) {
  return h('ol', { class: 'timeline' }, (events ?? []).map((e) => h('li', {
    class: `event kind-${e.kind} vis-${e.visibility}`, 'data-kind': e.kind, 'data-visibility': e.visibility,
  }, h('div', { class: 'event-head' },
    h('span', { class: `badge vis-${e.visibility}` }, e.visibility === 'internal' ? 'Internal' : 'Public'),
    h('strong', {}, e.actor), ' ', time(e.at)),
  h('div', { class: 'event-body' }, describe(e)))));
}
