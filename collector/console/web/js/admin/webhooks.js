// Webhooks: list, create, edit (name, URL, events, enabled, internal), rotate the secret
// (shown once), ping, and the delivery log of one webhook with "Redeliver".

import { get, patch, post, withQuery } from '../api.js';
import { badge, field, h, replace, section, table, text, time, toast } from '../dom.js';
import { secretBox } from './secret_box.js';

function eventBoxes(types, chosen) {
  return h('fieldset', { class: 'events' }, h('legend', {}, 'Events'),
    types.map((t) => h('label', { class: 'check', title: t.description ?? '' },
      h('input', { type: 'checkbox', name: 'events', value: t.name, checked: chosen.includes(t.name) }),
      ` ${t.name}`)));
}

function webhookForm(types, w, onSubmit) {
  const name = h('input', { name: 'name', value: w?.name ?? '', size: 16 });
  const url = h('input', { name: 'url', type: 'url', value: w?.url ?? '', size: 40, required: true, placeholder: 'https://…' });
  const active = h('input', { name: 'active', type: 'checkbox', checked: w ? w.active : true });
  const internal = h('input', { name: 'internal', type: 'checkbox', checked: w?.internal ?? false });
  const events = eventBoxes(types, w?.events ?? []);
  return h('form', {
    class: 'webhook-form',
    onsubmit: async (ev) => {
      ev.preventDefault();
      const chosen = [...events.querySelectorAll('input:checked')].map((i) => i.value);
      await onSubmit({ name: name.value.trim(), url: url.value.trim(), events: chosen,
        active: active.checked, internal: internal.checked });
    },
  }, h('div', { class: 'row' }, field('Name', name), field('URL', url),
    h('label', { class: 'check' }, active, ' enabled'),
    h('label', { class: 'check', title: 'send internal notes and diagnostics too' }, internal, ' internal view')),
  events, h('button', { type: 'submit' }, w ? 'Save webhook' : 'Create webhook'));
}

async function deliveryLog(w, holder) {
  const page = await get(withQuery(`/api/v1/webhooks/${w.id}/deliveries`, { limit: 50 }));
  replace(holder, h('h3', {}, `Deliveries of ${w.name || w.url}`), table([
    ['Event', (d) => h('code', {}, d.event_type)],
    ['Ticket', (d) => (d.ticket_id ? h('a', { href: `#/tickets/${d.ticket_id}` }, `#${d.ticket_id}`) : '—')],
    ['Status', (d) => badge('delivery', d.status)],
    ['Attempts', (d) => d.attempts],
    ['HTTP', (d) => text(d.last_http_status)],
    ['Error', (d) => text(d.last_error)],
    ['Queued', (d) => time(d.queued_at)],
    ['', (d) => (d.status === 'pending' ? '' : h('button', {
      type: 'button', class: 'secondary',
      onclick: async () => {
        try { await post(`/api/v1/webhooks/${w.id}/deliveries/${d.id}/redeliver`, {}); toast('Queued again'); await deliveryLog(w, holder); } catch (e) { toast(e.message, 'error'); }
      },
    }, 'Redeliver'))],
  ], page.deliveries, { empty: 'Nothing delivered yet.' }));
}

/** The section; `reload(shown)` re-renders the admin page (shown: a secret to show once). */
export async function webhooksSection(reload, shown) {
  const [list, types] = await Promise.all([get('/api/v1/webhooks'), get('/api/v1/webhooks/event-types')]);
  const detail = h('div', { class: 'webhook-detail' });
  const act = (fn, done) => async () => {
    try { const r = await fn(); if (done) toast(done); await reload(r?.secret ? { webhookSecret: r } : undefined); } catch (e) { toast(e.message, 'error'); }
  };
  const edit = (w) => {
    replace(detail, h('h3', {}, `Edit ${w.name || w.url}`), webhookForm(types.event_types, w, async (body) => {
      try { await patch(`/api/v1/webhooks/${w.id}`, body); toast('Webhook saved'); await reload(); } catch (e) { toast(e.message, 'error'); }
    }));
  };
  const deliveries = (w) => deliveryLog(w, detail).catch((e) => toast(e.message, 'error'));
  return section('Webhooks',
    shown ? secretBox(`Signing secret of webhook ${shown.id}: copy it now, it is not shown again.`, shown.secret) : null,
    table([
      ['Name', (w) => w.name || '—'],
      ['URL', (w) => h('code', {}, w.url)],
      ['Events', (w) => w.events.map((e) => h('code', { class: 'chip' }, e))],
      ['State', (w) => (w.active ? badge('state', 'enabled') : [badge('state', 'disabled'), w.disabled_reason ? ` ${w.disabled_reason}` : ''])],
      ['Deliveries', (w) => `${w.deliveries.delivered} ok · ${w.deliveries.failed} failed · ${w.deliveries.pending} pending`],
      ['', (w) => h('div', { class: 'row' },
        h('button', { type: 'button', class: 'secondary', onclick: () => edit(w) }, 'Edit'),
        h('button', { type: 'button', class: 'secondary', onclick: () => deliveries(w) }, 'Deliveries'),
        h('button', { type: 'button', class: 'secondary', onclick: act(() => post(`/api/v1/webhooks/${w.id}/ping`, {}), 'Ping queued') }, 'Ping'),
        h('button', {
          type: 'button', class: 'danger',
          onclick: () => { if (window.confirm('Rotate the signing secret? The receiver must get the new one.')) act(() => post(`/api/v1/webhooks/${w.id}/secret`, {}))(); },
        }, 'Rotate secret'))],
    ], list.webhooks, { empty: 'No webhooks.' }),
    detail,
    h('details', { class: 'new-webhook' }, h('summary', {}, 'New webhook'),
      webhookForm(types.event_types, null, async (body) => {
        try { const w = await post('/api/v1/webhooks', body); await reload({ webhookSecret: w }); } catch (e) { toast(e.message, 'error'); }
      })));
}
