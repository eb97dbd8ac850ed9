// The ticket's enrichment summary: per device the diagnostics "as reported by the endpoint"
// and their age, findings, what changed since a day-older snapshot, and the verification
// comparison taken on resolve.

import { h, section, time } from '../dom.js';
import { findingList } from '../findings_view.js';

function changeLines(changes) {
  const lines = [];
  const sw = changes.software ?? {};
  for (const p of sw.installed ?? []) lines.push(`installed ${p.name} ${p.version}`);
  for (const p of sw.removed ?? []) lines.push(`removed ${p.name} ${p.version}`);
  for (const p of sw.updated ?? []) lines.push(`updated ${p.name} ${p.old_version} → ${p.new_version}`);
  for (const s of changes.services ?? []) {
    lines.push(`service ${s.unit}: ${s.old?.active ?? '—'}/${s.old?.sub ?? ''} → ${s.new?.active ?? '—'}/${s.new?.sub ?? ''}`);
  }
  for (const f of changes.filesystems_filled ?? []) {
    lines.push(`${f.mount_point} filled ${f.old_used_percent} % → ${f.new_used_percent} %`);
  }
  const net = changes.network ?? {};
  for (const a of net.addresses ?? []) {
    lines.push(`${a.interface}: +${(a.added ?? []).join(', ') || '—'} −${(a.removed ?? []).join(', ') || '—'}`);
  }
  const pair = (label, c) => { if (c) lines.push(`${label}: ${c.old ?? '—'} → ${c.new ?? '—'}`); };
  pair('default gateway', net.default_gateway);
  pair('default gateway (IPv6)', net.default_gateway_v6);
  if (net.dns_servers) {
    lines.push(`DNS servers: +${(net.dns_servers.added ?? []).join(', ') || '—'} −${(net.dns_servers.removed ?? []).join(', ') || '—'}`);
  }
  pair('kernel', changes.system?.kernel);
  pair('OS', changes.system?.os);
  pair('CPU', changes.hardware?.cpu_model);
  const mem = changes.hardware?.memory_total;
  if (mem) lines.push(`memory ${mem.old_bytes} → ${mem.new_bytes} bytes`);
  return lines;
}

function whatChanged(changes) {
  if (!changes) return null;
  if (!changes.baseline_at) {
    return h('p', { class: 'muted' }, changes.note ?? 'No older snapshot to compare with.');
  }
  const lines = changeLines(changes);
  return h('div', { class: 'changes' },
    h('p', {}, 'Compared with the snapshot of ', time(changes.baseline_at), ':'),
    lines.length ? h('ul', {}, lines.map((l) => h('li', {}, l))) : h('p', { class: 'muted' }, 'Nothing changed.'));
}

function provenance(d) {
  return h('p', { class: 'provenance' },
    h('span', { class: 'badge reported' }, 'as reported by the endpoint'), ' ',
    h('span', { class: `badge source-${d.source}` }, d.source), ' ',
    d.snapshot_at ? ['snapshot taken ', time(d.snapshot_at)] : 'no snapshot',
    d.note ? h('span', { class: 'muted' }, ` · ${d.note}`) : null);
}

function verification(v) {
  if (!v) return null;
  const c = v.comparison ?? {};
  const col = (title, list, cls) => h('div', { class: `verify ${cls}` },
    h('h4', {}, `${title} (${(list ?? []).length})`),
    (list ?? []).length ? h('ul', {}, list.map((f) => h('li', {}, f.title || f.rule))) : h('p', { class: 'muted' }, 'none'));
  return section('Verification',
    provenance(v),
    h('div', { class: 'verify-grid' },
      col('Cleared', c.cleared, 'cleared'), col('Remaining', c.remaining, 'remaining'),
      col('New', c.new, 'new')));
}

/**
 * The enrichment section of the ticket page. `options.fixWith(finding)`: its "Fix with"
 * buttons; `options.deviceName(id)`: a device's name in its heading (the id as the tooltip).
 */
export function enrichment(ticket, options = {}) {
  const deviceName = options.deviceName ?? String;
  const diagnostics = ticket.diagnostics ?? [];
  if (!diagnostics.length && !(ticket.devices ?? []).length) {
    return section('Diagnostics', h('p', { class: 'muted' }, 'No device is linked to this ticket.'));
  }
  // The newest diagnostics of each device (refreshes supersede older ones).
  const latest = new Map();
  for (const d of diagnostics) {
    if (d.purpose === 'verification') continue;
    latest.set(d.device_id, d);
  }
  const perDevice = [...latest.values()].map((d) => h('div', { class: 'diagnostics' },
    h('h3', {}, 'Device ', h('a', {
      href: `#/devices/${encodeURIComponent(d.device_id)}`, class: 'device-ref', title: d.device_id, 'data-device': d.device_id,
    }, deviceName(d.device_id))),
    provenance(d),
    h('h4', {}, 'Findings'),
    findingList(d.findings, 'No findings on this device.', {
      fixWith: options.fixWith && ((f) => options.fixWith({ device_id: d.device_id, ...f })),
    }),
    h('h4', {}, 'What changed'),
    whatChanged(d.changes)));
  return [
    section('Diagnostics', perDevice.length ? perDevice : h('p', { class: 'muted' }, 'Waiting for the device\'s diagnostics…')),
    verification(ticket.verification),
  ];
}
