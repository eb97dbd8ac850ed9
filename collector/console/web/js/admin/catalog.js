// The action catalog, read-only: what each action runs, its risk, approval rule, and the
// SHA-256 of its definition (the agent checks the signed order against it).

import { get } from '../api.js';
import { badge, h, section, table } from '../dom.js';

export async function catalogSection() {
  let items = [];
  try {
    items = (await get('/api/v1/actions')).items ?? [];
  } catch (e) {
    return section('Action catalog', h('p', { class: 'muted' }, e.message));
  }
  return section('Action catalog', table([
    ['Action', (a) => [h('strong', {}, a.title), h('br'), h('code', { class: 'muted' }, `${a.id} v${a.version}`)]],
    ['Runs', (a) => h('code', { class: 'argv' }, (a.argv ?? []).join(' '))],
    ['Risk', (a) => badge('risk', a.risk)],
    ['Who', (a) => (a.approval === 'second_person' ? `${a.min_role}, approved by a second senior` : a.min_role)],
    ['Fixes', (a) => (a.fixes ?? []).map((f) => h('code', { class: 'chip' }, f))],
    ['Source', (a) => a.source],
    ['SHA-256', (a) => h('code', { class: 'hash', title: a.sha256 }, `${String(a.sha256).slice(0, 16)}…`)],
  ], items, { empty: 'The catalog is empty.' }));
}
