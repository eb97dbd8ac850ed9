// The queue: tickets sorted by priority, then SLA due time; filters; a worst-finding badge per
// ticket; refreshed by polling every REFRESH_MS while the tab is visible.

import { get, post, withQuery } from '../api.js';
import { badge, field, h, relative, replace, select, table, time, toast, when } from '../dom.js';
import { can } from '../roles.js';

export const REFRESH_MS = 15000;
const STATUSES = [['new,open,pending', 'Open (new, open, pending)'], ['new', 'New'],
  ['open', 'Open'], ['pending', 'Pending'], ['resolved', 'Resolved'], ['closed', 'Closed'], ['', 'Any']];
const filters = { status: 'new,open,pending', priority: '', tier: '', assignee: '', q: '' };

function slaBadge(t) {
  const state = t.sla?.resolution ?? 'ok';
  const label = state === 'ok' ? `due ${relative(t.due_at)}` : state.replace('_', ' ');
  return h('span', { class: `badge sla-${state}`, title: `resolution due ${when(t.due_at)}` }, label);
}

// The collector aggregates the linked devices' current findings into each summary.
function findingsBadge(t) {
  if (!t.findings_count || !t.worst_severity) {
    return h('span', { class: 'muted' }, (t.devices ?? []).length ? 'none' : '—');
  }
  return badge('sev', t.worst_severity, `${t.worst_severity} · ${t.findings_count}`);
}

function newTicketForm(onCreated) {
  const title = h('input', { name: 'title', required: true, maxlength: 200 });
  const requester = h('input', { name: 'requester' });
  const device = h('input', { name: 'device_id', placeholder: 'device id (optional)' });
  const priority = select('priority', ['P1', 'P2', 'P3', 'P4'], 'P3');
  const description = h('textarea', { name: 'description', rows: 3 });
  return h('form', {
    class: 'card inline-form',
    onsubmit: async (ev) => {
      ev.preventDefault();
      const body = { title: title.value, requester: requester.value, priority: priority.value,
        description: description.value };
      if (device.value.trim()) body.device_id = device.value.trim();
      try {
        const t = await post('/api/v1/tickets', body);
        toast(`Ticket #${t.id} created`);
        onCreated(t);
      } catch (e) { toast(e.message, 'error'); }
    },
  }, h('h2', {}, 'New ticket'), field('Title', title), field('Requester', requester),
  field('Priority', priority), field('Device', device), field('Description', description),
  h('button', { type: 'submit' }, 'Create ticket'));
}

export async function render(main, _params, ctx) {
  const list = h('div', { class: 'queue-list' });
  const stamp = h('span', { class: 'muted' });
  const search = h('input', {
    type: 'search', name: 'q', placeholder: 'Search titles  ( / )', value: filters.q,
    'data-search': true, 'aria-label': 'Search ticket titles',
  });
  const status = select('status', STATUSES, filters.status);
  const priority = select('priority', [['', 'Any'], ['1', 'P1'], ['2', 'P2'], ['3', 'P3'], ['4', 'P4']],
    filters.priority);
  const tier = select('tier', [['', 'Any'], 'L1', 'L2', 'L3'], filters.tier);
  const assignee = h('input', { name: 'assignee', value: filters.assignee, size: 10 });
  const mine = h('button', { type: 'button', class: 'secondary' }, 'Mine');
  const formHolder = h('div');

  async function refresh() {
    Object.assign(filters, {
      status: status.value, priority: priority.value, tier: tier.value,
      assignee: assignee.value.trim(), q: search.value.trim(),
    });
    const res = await get(withQuery('/api/v1/tickets', { ...filters, sort: 'priority', limit: 100 }));
    // A keyboard user's place in the list survives the periodic refresh.
    const focused = list.contains(document.activeElement) ? document.activeElement.getAttribute('href') : null;
    replace(list, table([
      ['#', (t) => h('a', { href: `#/tickets/${t.id}` }, `#${t.id}`)],
      ['Priority', (t) => badge('prio', t.priority)],
      ['Title', (t) => h('a', { href: `#/tickets/${t.id}`, class: 'title' }, t.title)],
      ['Findings', (t) => findingsBadge(t)],
      ['Status', (t) => badge('status', t.status)],
      ['Tier', (t) => t.tier],
      ['Assignee', (t) => t.assignee ?? h('span', { class: 'muted' }, 'unassigned')],
      ['Requester', (t) => t.requester || '—'],
      ['SLA', slaBadge],
      ['Updated', (t) => time(t.updated_at)],
    ], res.tickets, { empty: 'No tickets match these filters.', rowClass: (t) => `row-${t.priority}` }));
    if (focused) list.querySelector(`a.title[href="${CSS.escape(focused)}"]`)?.focus();
    replace(stamp, `${res.total} ticket${res.total === 1 ? '' : 's'} · updated ${new Date().toLocaleTimeString()} · refreshes every ${REFRESH_MS / 1000} s`);
  }

  let typing = null;
  const form = h('form', {
    class: 'filters',
    role: 'search',
    onsubmit: (ev) => { ev.preventDefault(); refresh().catch((e) => toast(e.message, 'error')); },
    onchange: () => refresh().catch((e) => toast(e.message, 'error')),
    oninput: (ev) => {
      if (ev.target !== search && ev.target !== assignee) return;
      clearTimeout(typing);
      typing = setTimeout(() => refresh().catch((e) => toast(e.message, 'error')), 300);
    },
  }, field('Search', search), field('Status', status), field('Priority', priority),
  field('Tier', tier), field('Assignee', assignee), mine);
  mine.addEventListener('click', () => {
    assignee.value = ctx.me.name;
    refresh().catch((e) => toast(e.message, 'error'));
  });

  const newButton = can('POST', '/api/v1/tickets') ? h('button', {
    type: 'button',
    onclick: () => {
      if (formHolder.firstChild) { formHolder.replaceChildren(); return; }
      replace(formHolder, newTicketForm((t) => { location.hash = `#/tickets/${t.id}`; }));
      formHolder.querySelector('input').focus();
    },
  }, 'New ticket') : null;

  replace(main, h('div', { class: 'page-head' }, h('h1', {}, 'Queue'), stamp, newButton),
    formHolder, form, list);
  await refresh();
  const timer = setInterval(() => {
    if (!document.hidden) refresh().catch(() => {});
  }, REFRESH_MS);
  return () => clearInterval(timer);
}
