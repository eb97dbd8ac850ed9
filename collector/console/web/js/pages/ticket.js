// One ticket: header with its controls (for roles that may use them), the enrichment
// summary, actions, probes and live views on its devices, the timeline, and the forms L1 uses
// all day (note, time, escalation).

import { get, patch, post } from '../api.js';
import { badge, field, h, relative, replace, section, select, time, toast, when } from '../dom.js';
import { deviceNamer } from '../device_name.js';
import { can } from '../roles.js';
import { ticketActions } from './ticket_actions.js';
import { enrichment } from './ticket_enrichment.js';
import { ticketLive } from './ticket_live.js';
import { ticketProbes } from './ticket_probes.js';
import { timeline } from './ticket_timeline.js';

const BASE = '/api/v1/tickets/{id}';
const STATUS_MOVES = {
  new: ['new', 'open', 'pending', 'resolved'],
  open: ['open', 'pending', 'resolved'],
  pending: ['pending', 'open', 'resolved'],
  resolved: ['resolved', 'open', 'closed'],
  closed: ['closed'],
};

function headerControls(t, reload) {
  const status = select('status', STATUS_MOVES[t.status] ?? [t.status], t.status);
  const priority = select('priority', ['P1', 'P2', 'P3', 'P4'], t.priority);
  const tier = select('tier', ['L1', 'L2', 'L3'], t.tier);
  const assignee = h('input', { name: 'assignee', value: t.assignee ?? '', size: 12, placeholder: 'unassigned' });
  const queue = h('input', { name: 'queue', value: t.queue ?? '', size: 10 });
  const reason = h('input', { name: 'reason', size: 24, placeholder: 'reason (optional)' });
  const closed = t.status === 'closed';
  const form = h('form', {
    class: 'controls',
    'aria-label': 'Ticket fields',
    onsubmit: async (ev) => {
      ev.preventDefault();
      const body = {};
      if (status.value !== t.status) body.status = status.value;
      if (priority.value !== t.priority) body.priority = priority.value;
      if (tier.value !== t.tier) body.tier = tier.value;
      const a = assignee.value.trim();
      if (a !== (t.assignee ?? '')) body.assignee = a === '' ? null : a;
      if (queue.value.trim() !== (t.queue ?? '')) body.queue = queue.value.trim();
      if (!Object.keys(body).length) { toast('Nothing changed.'); return; }
      if (reason.value.trim()) body.reason = reason.value.trim();
      try {
        await patch(`/api/v1/tickets/${t.id}`, body);
        toast(body.status === 'resolved' ? 'Resolved; the verification snapshot follows.' : 'Ticket updated');
        // Resolving asks the devices for a verification snapshot: show it when it lands.
        const waitFor = body.status === 'resolved' && (t.devices ?? []).length
          ? { awaitDiagnosticsAfter: (t.diagnostics ?? []).length } : {};
        await reload(waitFor);
      } catch (e) { toast(e.message, 'error'); }
    },
  }, field('Status', status), field('Priority', priority), field('Tier', tier),
  field('Assignee', assignee), field('Queue', queue), field('Reason', reason),
  h('button', { type: 'submit', disabled: closed }, 'Save'));
  for (const el of form.elements) if (closed) el.disabled = true;
  return form;
}

function deviceTools(t, reload) {
  const tools = [];
  if (can('POST', `${BASE}/diagnostics`) && (t.devices ?? []).length) {
    tools.push(h('button', {
      type: 'button', class: 'secondary',
      onclick: async () => {
        try {
          await post(`/api/v1/tickets/${t.id}/diagnostics`, {});
          toast('Diagnostics requested; they appear when the device answers.');
          await reload({ awaitDiagnosticsAfter: (t.diagnostics ?? []).length });
        } catch (e) { toast(e.message, 'error'); }
      },
    }, 'Refresh diagnostics'));
  }
  if (can('POST', `${BASE}/devices`)) {
    const device = h('input', { name: 'device_id', placeholder: 'device id', size: 36 });
    tools.push(h('form', {
      class: 'inline',
      onsubmit: async (ev) => {
        ev.preventDefault();
        try {
          await post(`/api/v1/tickets/${t.id}/devices`, { device_id: device.value.trim() });
          toast('Device linked; diagnostics follow.');
          await reload();
        } catch (e) { toast(e.message, 'error'); }
      },
    }, field('Link a device', device), h('button', { type: 'submit', class: 'secondary' }, 'Link')));
  }
  return tools.length ? h('div', { class: 'tools' }, tools) : null;
}

function workForms(t, reload) {
  const forms = [];
  const closed = t.status === 'closed';
  const submit = (path, read, done) => async (ev) => {
    ev.preventDefault();
    try {
      await post(`/api/v1/tickets/${t.id}/${path}`, read());
      ev.target.reset();
      toast(done);
      await reload();
    } catch (e) { toast(e.message, 'error'); }
  };
  if (can('POST', `${BASE}/notes`)) {
    const text = h('textarea', { name: 'text', rows: 3, required: true, 'aria-label': 'Note text' });
    const visibility = select('visibility', [['internal', 'Internal (staff only)'], ['public', 'Public (the requester sees it)']], 'internal');
    text.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) ev.target.form.requestSubmit();
    });
    forms.push(h('form', {
      class: 'card work', id: 'note-form',
      onsubmit: submit('notes', () => ({ text: text.value, visibility: visibility.value }), 'Note added'),
    }, h('h3', {}, 'Add a note'), text, h('div', { class: 'row' }, field('Visibility', visibility),
      h('button', { type: 'submit', disabled: closed }, 'Add note'), h('span', { class: 'hint' }, 'Ctrl+Enter'))));
  }
  if (can('POST', `${BASE}/time`)) {
    const minutes = h('input', { name: 'minutes', type: 'number', min: 1, max: 1440, required: true, size: 5 });
    const note = h('input', { name: 'note', size: 30 });
    forms.push(h('form', {
      class: 'card work', id: 'time-form',
      onsubmit: submit('time', () => ({ minutes: Number(minutes.value), note: note.value }), 'Time logged'),
    }, h('h3', {}, 'Log time'), h('div', { class: 'row' }, field('Minutes', minutes), field('Note', note),
      h('button', { type: 'submit', disabled: closed }, 'Log time'))));
  }
  if (can('POST', `${BASE}/escalate`)) {
    const reason = h('input', { name: 'reason', required: true, size: 40 });
    const tiers = ['L2', 'L3'].filter((x) => x > t.tier);
    const to = select('to_tier', tiers.length ? tiers : [t.tier], tiers[0]);
    forms.push(h('form', {
      class: 'card work', id: 'escalate-form',
      onsubmit: submit('escalate', () => ({ reason: reason.value, to_tier: to.value }), 'Escalated'),
    }, h('h3', {}, 'Escalate'), h('div', { class: 'row' }, field('Reason', reason), field('To', to),
      h('button', { type: 'submit', disabled: closed || !tiers.length }, 'Escalate'))));
  }
  return forms;
}

function header(t, reload) {
  const sla = t.sla ?? {};
  return h('div', { class: 'ticket-head card' },
    h('h1', {}, h('span', { class: 'muted' }, `#${t.id} `), h('span', { class: 'ticket-title' }, t.title)),
    h('p', { class: 'badges' }, badge('status', t.status), ' ', badge('prio', t.priority), ' ',
      badge('tier', t.tier), ' ', h('span', { class: `badge sla-${sla.resolution}`, title: `due ${when(t.due_at)}` },
        `resolution ${String(sla.resolution ?? '').replace('_', ' ')}${sla.resolution === 'met' ? '' : ` · due ${relative(t.due_at)}`}`), ' ',
      h('span', { class: `badge sla-${sla.response}` }, `response ${String(sla.response ?? '').replace('_', ' ')}`)),
    h('dl', { class: 'facts' },
      h('dt', {}, 'Requester'), h('dd', {}, t.requester || '—'),
      h('dt', {}, 'Assignee'), h('dd', {}, t.assignee ?? 'unassigned'),
      h('dt', {}, 'Queue'), h('dd', {}, t.queue),
      h('dt', {}, 'Created'), h('dd', {}, time(t.created_at), ` by ${t.created_by ?? '—'}`),
      h('dt', {}, 'Time spent'), h('dd', {}, `${t.time_spent_minutes ?? 0} min`),
      h('dt', {}, 'Source'), h('dd', {}, t.source)),
    t.description ? h('div', { class: 'description' }, t.description) : null,
    (t.problems ?? []).length ? h('p', {}, 'Problems: ', t.problems.map((p) =>
      h('a', { href: `#/problems/${p.id}`, class: 'chip' }, `#${p.id} ${p.title ?? p.rule ?? ''}`))) : null,
    can('PATCH', BASE) ? headerControls(t, reload) : null,
    deviceTools(t, reload));
}

function attachments(t) {
  if (!(t.attachments ?? []).length) return null;
  return section('Attachments', h('ul', {}, t.attachments.map((a) => h('li', {},
    h('a', { href: a.url, download: a.name }, a.name), ` · ${a.kind} · ${a.visibility} · ${a.size} bytes · `,
    time(a.created_at)))));
}

// What the user typed in the work forms survives a re-render.
function keepTyped(main, render) {
  const typed = [...main.querySelectorAll('.work textarea, .work input')]
    .filter((el) => el.value).map((el) => [el.form?.id, el.name, el.value]);
  render();
  for (const [form, name, value] of typed) {
    const el = main.querySelector(`#${form} [name="${name}"]`);
    if (el) el.value = value;
  }
}

// The devices a ticket names (linked, or in its timeline: orders, diagnostics, agents as
// actors), so the timeline shows host names.
function deviceIds(t) {
  const ids = new Set(t.devices ?? []);
  for (const e of t.timeline ?? []) {
    if (typeof e.data?.device_id === 'string') ids.add(e.data.device_id);
    for (const d of Array.isArray(e.data?.devices) ? e.data.devices : []) ids.add(d);
    if (String(e.actor ?? '').startsWith('device:')) ids.add(e.actor.slice('device:'.length));
  }
  return [...ids].filter((d) => typeof d === 'string' && d !== '');
}

// Fetches each device once per page visit (GET /api/v1/devices/{id}); one that cannot be
// read stays null and the timeline, the Diagnostics headings and the device choosers show its
// shortened id. Bounded: a ticket naming more devices than that shows the rest by id.
const MAX_DEVICE_LOOKUPS = 50;
async function loadDevices(t, known) {
  const missing = deviceIds(t).filter((d) => !known.has(d)).slice(0, Math.max(0, MAX_DEVICE_LOOKUPS - known.size));
  await Promise.all(missing.map(async (d) => {
    known.set(d, await get(`/api/v1/devices/${encodeURIComponent(d)}`).catch(() => null));
  }));
  return known;
}

export async function render(main, [id], ctx) {
  let left = false;
  const devices = new Map();
  const deviceName = deviceNamer(devices);
  // A device's platform as its agent's hello gave it (null while unknown): the actions offered
  // for it are that platform's only.
  const devicePlatform = (d) => devices.get(d)?.platform || null;
  const actions = ticketActions(ctx.me, () => (left ? undefined : reload()), { deviceName, devicePlatform });
  const probes = ticketProbes(() => (left ? undefined : reload()), { deviceName });
  const live = ticketLive(() => (left ? undefined : reload()), { deviceName });
  async function reload({ awaitDiagnosticsAfter } = {}) {
    let t = await get(`/api/v1/tickets/${id}`);
    await Promise.all([actions.load(t), probes.load(t), live.load(t), loadDevices(t, devices)]);
    const show = () => keepTyped(main, () => {
      document.title = `#${t.id} ${t.title} · triage`;
      replace(main, header(t, reload),
        h('div', { class: 'ticket-body' },
          h('div', { class: 'col-main' }, enrichment(t, { fixWith: actions.fixWith(), deviceName }),
            actions.section(), probes.section(), live.section(), attachments(t)),
          h('div', { class: 'col-side' },
            section('Timeline', timeline(t.timeline, {
              devices, onOrder: actions.hasPanel() ? actions.show : null, onLive: live.show,
            })),
            workForms(t, reload))));
    });
    show();
    if (awaitDiagnosticsAfter === undefined) return;
    // Bounded: the collector answers from the stored snapshot after its own timeout.
    for (let i = 0; i < 20 && !left && (t.diagnostics ?? []).length <= awaitDiagnosticsAfter; i += 1) {
      await new Promise((resolve) => { setTimeout(resolve, 1000); });
      t = await get(`/api/v1/tickets/${id}`);
    }
    if (!left) show();
  }
  await reload();
  return () => { left = true; actions.stop(); probes.stop(); live.stop(); document.title = 'triage console'; };
}
