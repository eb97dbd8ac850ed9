// One problem: its linked tickets, how many devices show the finding now, and (technicians)
// rename, resolve, reopen, link a ticket.

import { get, patch, post } from '../api.js';
import { badge, field, h, replace, section, table, time, toast } from '../dom.js';
import { can } from '../roles.js';

export async function render(main, [id]) {
  async function reload() {
    const p = await get(`/api/v1/problems/${id}`);
    const tools = [];
    if (can('PATCH', '/api/v1/problems/{id}')) {
      const resolution = h('input', { name: 'resolution', size: 40 });
      tools.push(p.status === 'open' ? h('form', {
        class: 'inline',
        onsubmit: async (ev) => {
          ev.preventDefault();
          try { await patch(`/api/v1/problems/${id}`, { status: 'resolved', resolution: resolution.value }); await reload(); } catch (e) { toast(e.message, 'error'); }
        },
      }, field('Resolution', resolution), h('button', { type: 'submit' }, 'Resolve problem'))
        : h('button', {
          type: 'button',
          onclick: async () => {
            try { await patch(`/api/v1/problems/${id}`, { status: 'open' }); await reload(); } catch (e) { toast(e.message, 'error'); }
          },
        }, 'Reopen'));
    }
    if (can('POST', '/api/v1/problems/{id}/tickets') && p.status === 'open') {
      const ticket = h('input', { name: 'ticket_id', type: 'number', min: 1, size: 6 });
      tools.push(h('form', {
        class: 'inline',
        onsubmit: async (ev) => {
          ev.preventDefault();
          try { await post(`/api/v1/problems/${id}/tickets`, { ticket_id: Number(ticket.value) }); await reload(); } catch (e) { toast(e.message, 'error'); }
        },
      }, field('Link ticket #', ticket), h('button', { type: 'submit', class: 'secondary' }, 'Link')));
    }
    replace(main, h('div', { class: 'card' },
      h('h1', {}, h('span', { class: 'muted' }, `Problem #${p.id} `), p.title),
      h('p', {}, badge('status', p.status), ' ', h('code', {}, p.rule), ` · ${p.devices_now} device(s) show it now (as reported by the endpoints) · opened `, time(p.created_at)),
      p.resolution ? h('p', {}, 'Resolution: ', p.resolution) : null,
      h('div', { class: 'tools' }, tools)),
    section('Linked tickets', table([
      ['#', (t) => h('a', { href: `#/tickets/${t.id}` }, `#${t.id}`)],
      ['Priority', (t) => badge('prio', t.priority)],
      ['Title', (t) => h('a', { href: `#/tickets/${t.id}` }, t.title)],
      ['Status', (t) => badge('status', t.status)],
      ['Assignee', (t) => t.assignee ?? '—'],
    ], p.linked_tickets ?? [], { empty: 'No linked tickets.' })));
  }
  await reload();
}
