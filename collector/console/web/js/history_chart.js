// History charts of a device's metrics (GET /api/v1/devices/{id}/history?metric=...), drawn
// with uPlot (vendored from npm at build time, served from /vendor/). Colours come from the
// page's CSS variables, so the charts follow the light or dark theme.

import uPlot from '/vendor/uPlot.esm.js';
import { get, withQuery } from './api.js';
import { h } from './dom.js';

/** The charts of the device page: [metric, title, unit]. */
export const METRICS = [
  ['cpu.load1', 'CPU load (1 min)', ''],
  ['memory.used_pct', 'Memory used', '%'],
  ['disk.root.used_pct', 'Disk used (/)', '%'],
  ['battery.charge_pct', 'Battery charge', '%'],
  ['battery.health_pct', 'Battery health', '%'],
];

const WIDTH = 380;
const HEIGHT = 160;

function cssVar(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

function chart(holder, title, unit, points, [fromMs, toMs]) {
  const xs = points.map((p) => Date.parse(p.t) / 1000);
  const ys = points.map((p) => p.value);
  const fg = cssVar('--muted');
  const grid = cssVar('--line');
  const axis = { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
  const opts = {
    width: WIDTH,
    height: HEIGHT,
    legend: { show: false },
    cursor: { show: true, points: { show: true } },
    // The whole window, not just the span of the points (one point would fill the axis).
    scales: { x: { time: true, range: [fromMs / 1000, toMs / 1000] }, y: unit === '%' ? { range: [0, 100] } : { auto: true } },
    axes: [axis, { ...axis, size: 44, values: (_u, vals) => vals.map((v) => `${v}${unit}`) }],
    series: [{}, {
      label: title, stroke: cssVar('--accent'), width: 2,
      points: { show: points.length < 40, size: 5, fill: cssVar('--accent') },
    }],
  };
  return new uPlot(opts, [xs, ys], holder);
}

const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * A card per metric with its chart over the `days` days up to `untilMs` (points carry the
 * endpoint's own collection time, so the device page passes its latest snapshot's; default
 * now); metrics without points say so. Returns the element; the charts draw once their data
 * arrives.
 */
export function historyCharts(deviceId, { days = 7, untilMs } = {}) {
  const end = Number.isFinite(untilMs) && untilMs > 0 ? untilMs + 1000 : Date.now();
  const until = iso(end);
  const since = iso(end - days * 86400 * 1000);
  const cards = METRICS.map(([metric, title, unit]) => {
    const plot = h('div', { class: 'plot', role: 'img', 'aria-label': `${title} over the last ${days} days` });
    const note = h('p', { class: 'muted chart-note' }, 'Loading…');
    const card = h('figure', { class: 'chart', 'data-metric': metric }, h('figcaption', {}, title), plot, note);
    get(withQuery(`/api/v1/devices/${encodeURIComponent(deviceId)}/history`, { metric, since, until }))
      .then((r) => {
        const points = r.points ?? [];
        if (!points.length) {
          note.textContent = 'No data in this period.';
          card.classList.add('empty');
          return;
        }
        const last = points[points.length - 1];
        const latest = Math.round(last.value * 10) / 10;
        note.textContent = `${points.length} point(s) · latest ${latest}${unit}${r.truncated ? ' · truncated' : ''}`;
        chart(plot, title, unit, points, [end - days * 86400 * 1000, end]);
      })
      .catch((e) => { note.textContent = e.message; });
    return card;
  });
  return h('div', { class: 'charts' }, cards);
}
