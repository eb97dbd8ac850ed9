// A snapshot's facts as tables, by category, without knowing every field: scalars become
// rows, lists of objects become tables, nested objects nest.

import { h, table } from './dom.js';

const MAX_ROWS = 200;

function scalar(v) {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function label(key) { return key.replaceAll('_', ' '); }

export function factsView(value, depth = 0) {
  if (Array.isArray(value)) {
    if (!value.length) return h('span', { class: 'muted' }, 'none');
    if (value.every((x) => x === null || typeof x !== 'object')) return value.map(scalar).join(', ');
    const rows = value.slice(0, MAX_ROWS);
    const keys = [...new Set(rows.flatMap((r) => Object.keys(r ?? {})))].slice(0, 10);
    return h('div', { class: 'scroll' }, table(keys.map((k) => [label(k), (r) => scalar(r?.[k])]), rows),
      value.length > MAX_ROWS ? h('p', { class: 'muted' }, `${value.length - MAX_ROWS} more not shown`) : null);
  }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value);
    if (!entries.length) return h('span', { class: 'muted' }, 'none');
    return h('dl', { class: `facts depth-${depth}` }, entries.flatMap(([k, v]) => [
      h('dt', {}, label(k)),
      h('dd', {}, v && typeof v === 'object' && depth < 3 ? factsView(v, depth + 1) : scalar(v)),
    ]));
  }
  return scalar(value);
}
