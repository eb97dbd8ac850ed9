// Enrolled devices: search by name, online filter.

import { get, withQuery } from '../api.js';
import { badge, field, h, replace, select, table, time, toast } from '../dom.js';

export async function render(main) {
  const search = h('input', { type: 'search', name: 'q', 'data-search': true, placeholder: 'Hostname  ( / )', 'aria-label': 'Search devices' });
  const online = select('online', [['', 'Any'], ['true', 'Online'], ['false', 'Offline']], '');
  const list = h('div');
  async function refresh() {
    const res = await get(withQuery('/api/v1/devices', { q: search.value.trim(), online: online.value, revoked: 'false', limit: 200 }));
    replace(list, table([
      ['Hostname', (d) => h('a', { href: `#/devices/${encodeURIComponent(d.id)}` }, d.hostname || d.id)],
      ['State', (d) => (d.revoked ? badge('state', 'revoked') : badge('state', d.online ? 'online' : 'offline'))],
      ['Platform', (d) => d.platform || '—'],
      ['OS', (d) => d.os || '—'],
      ['Kernel', (d) => d.kernel || '—'],
      ['Last seen', (d) => time(d.last_seen)],
      ['Agent', (d) => d.agent_version || '—'],
    ], res.devices, { empty: 'No devices match.' }));
  }
  let typing = null;
  const form = h('form', {
    class: 'filters', role: 'search',
    onsubmit: (ev) => { ev.preventDefault(); refresh().catch((e) => toast(e.message, 'error')); },
    onchange: () => refresh().catch((e) => toast(e.message, 'error')),
    oninput: () => { clearTimeout(typing); typing = setTimeout(() => refresh().catch(() => {}), 300); },
  }, field('Search', search), field('Online', online));
  replace(main, h('div', { class: 'page-head' }, h('h1', {}, 'Devices')), form, list);
  await refresh();
}
