// One device: identity, open tickets, current findings, probes (run one, watch it, recent
// runs), the live view, history charts, recent orders, and the latest snapshot's facts by
// category (as reported by the endpoint), with a search over installed software.

import { get, post, withQuery } from '../api.js';
import { badge, duration, h, replace, section, table, time, toast } from '../dom.js';
import { factsView } from '../facts_view.js';
import { findingList } from '../findings_view.js';
import { historyCharts } from '../history_chart.js';
import { livePanel } from '../live_panel.js';
import { orderPanel, orderTable } from '../order_view.js';
import { probePanel } from '../probe_panel.js';
import { can } from '../roles.js';

const CATEGORIES = ['system', 'hardware', 'network', 'security', 'health'];

function softwareSearch(snapshot) {
  const packages = snapshot?.software?.packages ?? [];
  const input = h('input', { type: 'search', 'data-search': true, placeholder: 'Search installed software  ( / )', 'aria-label': 'Search installed software' });
  const out = h('div');
  const show = () => {
    const q = input.value.trim().toLowerCase();
    const rows = packages.filter((p) => !q || String(p.name ?? '').toLowerCase().includes(q));
    replace(out, h('p', { class: 'muted' }, `${rows.length} of ${packages.length} packages`),
      factsView(rows.slice(0, 200)));
  };
  input.addEventListener('input', show);
  show();
  const rest = { ...(snapshot?.software ?? {}) };
  delete rest.packages;
  return section('Software', input, out, h('details', {}, h('summary', {}, 'Services and processes'), factsView(rest)));
}

function recentOrders(orders, me, watched) {
  const slot = h('div');
  const open = (o) => {
    watched.panel?.stop();
    watched.panel = orderPanel(o.id, me);
    replace(slot, watched.panel.el);
  };
  return section('Recent orders', slot,
    orderTable(orders, open, { empty: 'No action has been run on this device.', ticket: true }));
}

export async function render(main, [id], ctx) {
  const path = `/api/v1/devices/${encodeURIComponent(id)}`;
  const mayListOrders = can('GET', '/api/v1/orders');
  const [d, findings, tickets, orders, probeCatalog] = await Promise.all([
    get(path), get(`${path}/findings`),
    get(withQuery('/api/v1/tickets', { device_id: id, status: 'new,open,pending', sort: 'priority' })),
    mayListOrders ? get(withQuery('/api/v1/orders', { device_id: id, limit: 20 })).catch(() => null) : null,
    get('/api/v1/probes').catch(() => null),
  ]);
  const watched = { panel: null };
  const probes = probePanel(d, probeCatalog);
  const live = livePanel(d.revoked ? null : d, probeCatalog);
  let snap = null;
  try { snap = await get(`${path}/snapshots/latest`); } catch { snap = null; }
  const revoke = can('POST', '/api/v1/devices/{id}/revoke') && !d.revoked ? h('button', {
    type: 'button', class: 'danger',
    onclick: async () => {
      if (!window.confirm(`Revoke ${d.hostname}? Its agent is disconnected and cannot reconnect.`)) return;
      try { await post(`${path}/revoke`, {}); toast('Device revoked'); location.reload(); } catch (e) { toast(e.message, 'error'); }
    },
  }, 'Revoke device') : null;
  const snapshot = snap?.snapshot;
  replace(main,
    h('div', { class: 'card' }, h('h1', {}, d.hostname || d.id),
      h('p', {}, d.revoked ? badge('state', 'revoked') : badge('state', d.online ? 'online' : 'offline'),
        ` ${d.platform || '—'} · ${d.os ?? ''} · ${d.kernel ?? ''} · ${d.arch ?? ''} · agent ${d.agent_version ?? '—'}`),
      h('p', { class: 'muted' }, `id ${d.id} · enrolled `, time(d.enrolled_at), ' · last seen ', time(d.last_seen)),
      revoke),
    section('Open tickets', table([
      ['#', (t) => h('a', { href: `#/tickets/${t.id}` }, `#${t.id}`)],
      ['Priority', (t) => badge('prio', t.priority)],
      ['Title', (t) => h('a', { href: `#/tickets/${t.id}` }, t.title)],
      ['Status', (t) => badge('status', t.status)],
      ['Updated', (t) => time(t.updated_at)],
    ], tickets.tickets, { empty: 'No open tickets for this device.' })),
    section('Findings', findingList(findings.findings, 'No current findings.')),
    probes.el,
    live.el,
    section('History (7 days up to the latest snapshot, as reported by the endpoint)',
      historyCharts(d.id, { untilMs: Number(snapshot?.collected_at_unix_ms) })),
    orders ? recentOrders(orders.items, ctx.me, watched) : null,
    snapshot ? [
      h('p', { class: 'provenance' }, h('span', { class: 'badge reported' }, 'as reported by the endpoint'),
        ' latest snapshot received ', time(snap.received_at),
        snap.age_seconds !== undefined ? ` (age ${duration(snap.age_seconds).replace(' ago', '')})` : ''),
      CATEGORIES.filter((c) => snapshot[c]).map((c) => h('details', { class: 'card facts-card', open: c === 'system' },
        h('summary', {}, h('h2', {}, c)), factsView(snapshot[c]))),
      softwareSearch(snapshot),
    ] : section('Facts', h('p', { class: 'muted' }, 'This device has not sent a snapshot yet.')));
  return () => { watched.panel?.stop(); probes.stop(); live.stop(); };
}
