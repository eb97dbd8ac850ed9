// Fleet findings (one row per rule across devices) and problems (one incident behind many
// tickets), opened from a finding by technicians.

import { get, post } from '../api.js';
import { badge, h, replace, section, table, time, toast } from '../dom.js';
import { can } from '../roles.js';

export async function render(main) {
  async function reload() {
    const [fleet, problems] = await Promise.all([get('/api/v1/findings'), get('/api/v1/problems')]);
    const open = can('POST', '/api/v1/problems');
    // Worst first, then the widest.
    const rank = { critical: 0, warning: 1, info: 2 };
    fleet.findings.sort((a, b) => (rank[a.severity] ?? 3) - (rank[b.severity] ?? 3) || b.devices - a.devices);
    replace(main, h('div', { class: 'page-head' }, h('h1', {}, 'Fleet findings')),
      section('Findings across devices', table([
        ['Severity', (f) => badge('sev', f.severity)],
        ['Finding', (f) => h('span', {}, h('strong', {}, f.title), ' ', h('code', { class: 'muted' }, f.rule))],
        ['Devices', (f) => h('span', {}, String(f.devices), ' ', (f.example_devices ?? []).slice(0, 3).map((d) =>
          h('a', { href: `#/devices/${encodeURIComponent(d)}`, class: 'chip' }, d.slice(0, 8))))],
        ['First seen', (f) => time(f.first_seen)],
        ['Problem', (f) => (f.problem ? h('a', { href: `#/problems/${f.problem.id ?? f.problem}` }, `#${f.problem.id ?? f.problem}`)
          : open ? h('button', {
            type: 'button', class: 'secondary',
            onclick: async () => {
              try {
                const p = await post('/api/v1/problems', { rule: f.rule, link_open_tickets: true });
                location.hash = `#/problems/${p.id}`;
              } catch (e) { toast(e.message, 'error'); }
            },
          }, 'Open problem') : '—')],
      ], fleet.findings, { empty: 'No findings on any device.' })),
      section('Problems', table([
        ['#', (p) => h('a', { href: `#/problems/${p.id}` }, `#${p.id}`)],
        ['Title', (p) => h('a', { href: `#/problems/${p.id}` }, p.title)],
        ['Rule', (p) => h('code', {}, p.rule)],
        ['Status', (p) => badge('status', p.status)],
        ['Opened', (p) => time(p.created_at)],
      ], problems.problems, { empty: 'No problems.' })));
  }
  await reload();
}
