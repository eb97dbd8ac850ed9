// Approvals inbox (senior and admin): orders awaiting a second person, oldest risk first in
// view, with requester, action, command, risk and ticket; approve, or reject with a reason.
// The requester's own orders are listed without Approve (the server refuses it anyway).

import { get, post, withQuery } from '../api.js';
import { badge, h, replace, section, table, time, toast } from '../dom.js';
import { can } from '../roles.js';

export async function render(main, _params, ctx) {
  async function reload() {
    const page = await get(withQuery('/api/v1/orders', { state: 'awaiting_approval', limit: 200 }));
    const decide = (o, verb, body) => async () => {
      try {
        await post(`/api/v1/orders/${o.id}/${verb}`, body());
        toast(verb === 'approve' ? `Approved: ${o.action} is queued for ${o.device_id}` : 'Rejected');
        await reload();
      } catch (e) { toast(e.message, 'error'); await reload(); }
    };
    const mayApprove = can('POST', '/api/v1/orders/{id}/approve');
    const mayReject = can('POST', '/api/v1/orders/{id}/reject');
    replace(main,
      h('div', { class: 'page-head' }, h('h1', {}, 'Approvals'),
        h('span', { class: 'muted' }, `${page.items.length} order(s) awaiting a second person`),
        h('button', { type: 'button', class: 'secondary', onclick: () => reload() }, 'Refresh')),
      section('Awaiting approval', table([
        ['Ticket', (o) => h('a', { href: `#/tickets/${o.ticket_id}` }, `#${o.ticket_id}`)],
        ['Action', (o) => h('strong', {}, o.action)],
        ['Command', (o) => h('code', { class: 'argv' }, (o.argv ?? []).join(' '))],
        ['Risk', (o) => badge('risk', o.risk)],
        ['Device', (o) => h('a', { href: `#/devices/${encodeURIComponent(o.device_id)}` }, o.device_id)],
        ['Requested by', (o) => o.requested_by],
        ['Asked', (o) => time(o.created_at)],
        ['Expires', (o) => time(o.expires_at)],
        ['', (o) => {
          if (o.requested_by === ctx.me.name) {
            return h('span', { class: 'muted own-order' }, 'Your own order: another senior approves it');
          }
          const reason = h('input', { name: 'reason', size: 18, placeholder: 'reason', 'aria-label': `Reason for order ${o.id}` });
          return h('div', { class: 'decide' },
            mayApprove ? h('button', { type: 'button', class: 'approve', onclick: decide(o, 'approve', () => ({})) }, 'Approve') : null,
            mayReject ? [reason, h('button', {
              type: 'button', class: 'danger',
              onclick: decide(o, 'reject', () => (reason.value.trim() ? { reason: reason.value.trim() } : {})),
            }, 'Reject')] : null);
        }],
      ], page.items, { empty: 'Nothing awaits approval.', rowClass: (o) => `order-row risk-${o.risk}`, rowAttrs: (o) => ({ 'data-order': o.id }) })));
  }
  await reload();
}
