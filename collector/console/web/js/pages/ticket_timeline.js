// The ticket's timeline: typed events, oldest first; internal entries are marked apart from
// what the requester sees. Each kind the collector writes reads as a sentence built from the
// fields its event really holds (an empty field is left out, hashes and credentials never
// show); devices appear by host name, linked to their page. A probe's answer opens its typed
// result in place; an order opens in the ticket's order panel, a live view's recording in the
// ticket's Live view panel.

import { get } from '../api.js';
import { h, replace, time } from '../dom.js';
import { shortId as short } from '../device_name.js';
import { probeRunView } from '../probe_result.js';

const present = (v) => v !== null && v !== undefined && v !== '';

const plural = (n, one, many = `${one}s`) => `${n} ${Number(n) === 1 ? one : many}`;

function took(ms) {
  if (!present(ms)) return '';
  const n = Number(ms);
  return n < 1000 ? ` in ${n} ms` : ` in ${(n / 1000).toFixed(1)} s`;
}

// What the renderers below need from the page: host names, opening an order or a recording.
function context(events, devices, onOrder, onLive) {
  const names = new Map();
  // A link event names the device as it was then; the device's current record wins.
  for (const e of events) {
    if (e.kind === 'device_linked' && e.data?.device_id && e.data?.hostname) {
      names.set(e.data.device_id, e.data.hostname);
    }
  }
  for (const [id, d] of devices ?? []) if (d?.hostname) names.set(id, d.hostname);

  /** The device as a link to its page: host name (UUID as title), else a shortened id. */
  const device = (id) => (present(id)
    ? h('a', { href: `#/devices/${encodeURIComponent(id)}`, class: 'device-ref', title: id, 'data-device': id },
      names.get(id) ?? short(id))
    : 'an unknown device');

  /** "order 3f2c1a9e…": opens the order's panel on the ticket page when it can. */
  const order = (id) => {
    if (!present(id)) return null;
    const label = `order ${short(id)}`;
    return [' · ', onOrder
      ? h('button', { type: 'button', class: 'link order-ref', title: id, 'data-order-ref': id, onclick: () => onOrder(id) }, label)
      : h('span', { class: 'order-ref', title: id }, label)];
  };
  /** "recording l-3f2c1a…": replays the live view in the ticket's panel when it can. */
  const recording = (id) => {
    if (!present(id) || !onLive) return null;
    return [' · ', h('button', {
      type: 'button', class: 'link live-ref', title: id, 'data-live-ref': id, onclick: () => onLive(id),
    }, 'recording')];
  };
  return { device, order, recording };
}

// The action as staff know it: "Echo a word (echo-low)"; the command and definition hash
// only as its tooltip.
function actionName(d) {
  const id = d.action ?? '?';
  const tip = [
    Array.isArray(d.argv) && d.argv.length ? d.argv.join(' ') : null,
    present(d.definition_sha256) ? `definition ${d.definition_sha256}` : null,
  ].filter(Boolean).join('\n');
  return h('span', { class: 'action-name', title: tip || null }, present(d.title) ? `${d.title} (${id})` : id);
}

const requestedBy = (d, actor) => (present(d.requested_by) && d.requested_by !== actor ? `, requested by ${d.requested_by}` : '');
const because = (reason) => (present(reason) ? `: ${reason}` : '');

// What an agent reported about a run: "succeeded: exit 0 in 1.2 s; post-check passed".
function outcome(d) {
  const facts = [];
  if (present(d.ran)) facts.push(`${d.ran}${took(d.duration_ms)}`);
  else if (present(d.duration_ms)) facts.push(took(d.duration_ms).trim());
  if (d.fixed === 'passed' || d.fixed === 'failed') facts.push(`post-check ${d.fixed}`);
  if (d.output_truncated === true) facts.push('output truncated');
  if (present(d.attachment?.name)) facts.push(`output filed as ${d.attachment.name}`);
  return facts.join('; ');
}

function excerpt(d) {
  if (!present(d.output_excerpt)) return null;
  return h('details', { class: 'order-excerpt' }, h('summary', {}, 'Output'),
    h('pre', { class: 'output' }, d.output_excerpt));
}

function actionEvent(e, d, { device, order }) {
  const name = actionName(d);
  const on = [' on ', device(d.device_id)];
  switch (e.kind) {
    case 'action_requested': {
      const waits = { awaiting_approval: ' — waits for approval', queued: ' — runs without approval' }[d.state] ?? '';
      return ['requested ', name, on, present(d.risk) ? ` (${d.risk} risk)` : '', waits, order(d.order_id)];
    }
    case 'action_approved':
      return ['approved ', name, on, requestedBy(d, e.actor), order(d.order_id)];
    case 'action_rejected':
      return ['rejected ', name, on, requestedBy(d, e.actor), because(d.reason), order(d.order_id)];
    case 'action_cancel_requested':
      return ['asked to stop ', name, on, because(d.reason), order(d.order_id)];
    case 'action_expired':
      return [name, on, ' expired', because(d.reason), order(d.order_id)];
    case 'action_refused':
      return [device(d.device_id), ' refused ', name, because(d.reason), order(d.order_id)];
    case 'action_cancelled':
      // Cancelled before it was sent (by a user: no outcome), or stopped on the device.
      if (!present(d.ran)) return ['cancelled ', name, on, because(d.reason), order(d.order_id)];
      return [name, on, ' stopped', because(d.reason), outcome(d) ? ` (${outcome(d)})` : '',
        order(d.order_id), excerpt(d)];
    default: {  // action_run
      const verb = { succeeded: 'succeeded', failed: 'failed' }[d.state] ?? 'finished';
      return [name, on, ` ${verb}`, because(outcome(d)),
        d.state === 'failed' && present(d.reason) ? ` — ${d.reason}` : '', order(d.order_id), excerpt(d)];
    }
  }
}

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
  const ms = d.duration_ms !== undefined && d.duration_ms !== null ? ` in ${Number(d.duration_ms)} ms` : '';
  return [
    `probe ${d.probe ?? '?'} ${d.target ?? ''}: ${d.state ?? '?'}${ms}`.replace(/\s+:/, ':'),
    d.reason ? ` — ${d.reason}` : '',
    d.budget_note ? ` (cut: ${d.budget_note})` : '',
    d.requested_by ? `, asked by ${d.requested_by}` : '',
    ' ', show, slot,
  ];
}

// "3 min 12 s", "45 s", "10 min".
function seconds(n) {
  const s = Math.max(0, Math.round(Number(n)));
  if (!Number.isFinite(s)) return '';
  const m = Math.floor(s / 60);
  return [m ? `${m} min` : '', s % 60 || !m ? `${s % 60} s` : ''].filter(Boolean).join(' ');
}

function liveEvent(e, d, { device, recording }) {
  if (e.kind === 'live_opened') {
    return ['opened a live view of ', device(d.device_id), present(d.minutes) ? ` for ${d.minutes} min` : '',
      recording(d.live_session_id)];
  }
  const facts = [present(d.samples) ? plural(d.samples, 'sample') : '', present(d.seconds) ? `over ${seconds(d.seconds)}` : '']
    .filter(Boolean).join(' ');
  return ['the live view of ', device(d.device_id), ' ended', because(d.reason), facts ? ` — ${facts}` : '',
    present(d.started_by) && d.started_by !== e.actor ? ` (started by ${d.started_by})` : '',
    recording(d.live_session_id)];
}

function problem(d, verb) {
  const label = `#${d.problem_id ?? '?'}${present(d.title) ? ` ${d.title}` : ''}`;
  const link = present(d.problem_id)
    ? h('a', { href: `#/problems/${encodeURIComponent(d.problem_id)}`, title: d.rule ?? null }, label) : label;
  return verb(link);
}

function enrichmentEvent(kind, d, { device }) {
  const snapshot = { fresh: ' (fresh snapshot)', stored: ' (stored snapshot)', none: ' (no snapshot)' }[d.source] ?? '';
  const facts = [plural(d.findings ?? 0, 'finding')];
  if (present(d.worst_severity) && d.worst_severity !== 'none') facts.push(`worst ${d.worst_severity}`);
  if (present(d.cleared)) facts.push(`${d.cleared} cleared`);
  if (present(d.remaining)) facts.push(`${d.remaining} remaining`);
  return [`${kind} from `, device(d.device_id), snapshot, `: ${facts.join(', ')}`, present(d.note) ? ` — ${d.note}` : ''];
}

function change(kind, d) {
  const what = kind.replace(/_change$/, '');
  if (what === 'description') return `changed the description${d.reason ? ` (${d.reason})` : ''}`;
  // Priorities and tiers travel as numbers; staff know them as P1 and L2.
  const prefix = { priority: 'P', tier: 'L' }[what] ?? '';
  const show = (v) => (v === null || v === undefined || v === '' ? '—' : `${typeof v === 'number' ? prefix : ''}${v}`);
  return `${what}: ${show(d.from ?? d.old)} → ${show(d.to ?? d.new)}${d.reason ? ` (${d.reason})` : ''}`;
}

// An unknown kind: its plain fields, without empty ones, hashes or credentials.
function generic(e, d, { device }) {
  const parts = Object.entries(d)
    .filter(([k, v]) => present(v) && typeof v !== 'object' && !/(sha256|credential)$/.test(k))
    .map(([k, v]) => (k === 'device_id' ? [`${k.replaceAll('_', ' ')} `, device(v)] : `${k.replaceAll('_', ' ')} ${v}`));
  const body = parts.flatMap((p, i) => (i ? [', ', p] : [p]));
  return [String(e.kind ?? '').replaceAll('_', ' '), body.length ? ' — ' : '', body];
}

function describe(e, ctx) {
  const d = e.data && typeof e.data === 'object' ? e.data : {};
  const kind = String(e.kind ?? '');
  if (kind.startsWith('action_')) return actionEvent(e, d, ctx);
  if (kind.endsWith('_change')) return change(kind, d);
  switch (kind) {
    case 'created': {
      const devices = Array.isArray(d.devices) ? d.devices : [];
      return [`created the ticket (P${d.priority ?? '?'}, ${d.source || 'staff'})`,
        devices.length ? [' for ', devices.flatMap((id, i) => (i ? [', ', ctx.device(id)] : [ctx.device(id)]))] : '',
        present(d.external_id) ? ` from ${d.external_system || 'another system'} ticket ${d.external_id}` : ''];
    }
    case 'note': return h('div', { class: 'note-text' }, d.text ?? '');
    case 'time_entry': return `logged ${d.minutes} min${d.note ? ` — ${d.note}` : ''}`;
    case 'escalation':
      return `escalated L${d.from} → L${d.to}${because(d.reason)}${d.unassigned ? ` (unassigned ${d.unassigned})` : ''}`;
    case 'diagnostics':
    case 'verification':
      return enrichmentEvent(kind, d, ctx);
    case 'device_linked': return ['linked device ', ctx.device(d.device_id)];
    case 'probe_requested':
      return ['asked ', ctx.device(d.device_id), ` for a ${d.probe ?? '?'} probe${d.target ? ` of ${d.target}` : ''}`];
    case 'probe_run': return probeRun(d);
    case 'live_opened':
    case 'live_ended':
      return liveEvent(e, d, ctx);
    case 'problem_linked': return problem(d, (p) => ['linked to problem ', p]);
    case 'problem_unlinked': return problem(d, (p) => ['unlinked from problem ', p]);
    case 'problem_reopened': return problem(d, (p) => ['reopened problem ', p]);
    case 'problem_resolved': return problem(d, (p) => ['resolved problem ', p, because(d.resolution)]);
    case 'external_link': {
      const where = `${d.system || 'another system'} ticket ${d.external_id ?? '?'}`;
      return d.created_there ? `created ${where} and linked it` : `linked to ${where}`;
    }
    default: return generic(e, d, ctx);
  }
}

// "device:<id>" acts for an agent: shown as the device.
function actor(name, ctx) {
  const s = String(name ?? '');
  if (s.startsWith('device:')) return h('strong', {}, 'device ', ctx.device(s.slice('device:'.length)));
  return h('strong', {}, s);
}

/**
 * The timeline of `events`. `devices`: Map device id → {hostname} of the devices the page
 * knows; `onOrder(id)`: opens an order (its reference is plain text without it); `onLive(id)`:
 * shows a live view's recording (no reference without it).
 */
export function timeline(events, { devices, onOrder, onLive } = {}) {
  const list = events ?? [];
  const ctx = context(list, devices, onOrder, onLive);
  return h('ol', { class: 'timeline' }, list.map((e) => h('li', {
    class: `event kind-${e.kind} vis-${e.visibility}`, 'data-kind': e.kind, 'data-visibility': e.visibility,
  }, h('div', { class: 'event-head' },
    h('span', { class: `badge vis-${e.visibility}` }, e.visibility === 'internal' ? 'Internal' : 'Public'),
    actor(e.actor, ctx), ' ', time(e.at)),
  h('div', { class: 'event-body' }, describe(e, ctx)))));
}
