// The charts of a live view: CPU and memory used (%), disk read and write, network received
// and sent (bytes per second), drawn as inline SVG and redrawn as samples are appended. No
// library: paths and text nodes only, coloured by console.css (so they follow the theme).
// The time axis runs from the first sample and grows with the session (at least a minute).

import { bytes, h, replace, svg } from './dom.js';

const WIDTH = 380;
const HEIGHT = 160;
const LEFT = 62;
const RIGHT = 8;
const TOP = 8;
const BOTTOM = 20;
const MIN_SPAN_MS = 60 * 1000;

const num = (v) => (v === null || v === undefined || v === '' || !Number.isFinite(Number(v)) ? null : Number(v));

function memoryUsed(s) {
  const total = num(s.memory_total_bytes);
  const available = num(s.memory_available_bytes);
  if (!total || total <= 0 || available === null) return null;
  return (100 * Math.min(Math.max(total - available, 0), total)) / total;
}

/** The charts: [key, title, unit, [label, value(sample)] per series]. */
export const LIVE_CHARTS = [
  ['cpu-memory', 'CPU and memory used', '%', [
    ['CPU', (s) => num(s.cpu_percent)], ['Memory used', memoryUsed]]],
  ['disk', 'Disk', 'B/s', [
    ['Read', (s) => num(s.disk_read_bytes_per_s)], ['Write', (s) => num(s.disk_write_bytes_per_s)]]],
  ['network', 'Network', 'B/s', [
    ['Received', (s) => num(s.net_rx_bytes_per_s)], ['Sent', (s) => num(s.net_tx_bytes_per_s)]]],
];

/** "12.5 %", "1.2 MiB/s"; "—" for a missing value. */
export function formatValue(value, unit) {
  if (value === null || value === undefined) return '—';
  return unit === '%' ? `${(Math.round(value * 10) / 10).toFixed(1)} %` : `${bytes(value)}/s`;
}

// The top of a rate axis: 1, 2 or 5 times a power of ten in the unit the value reads in
// (a KiB/s axis ends at 2 KiB/s or 50 KiB/s, not 1843 B/s).
function rateCeiling(max) {
  let scale = 1;
  while (max / scale >= 1024 && scale < 1024 ** 4) scale *= 1024;
  const m = Math.max(max / scale, 1);
  const power = 10 ** Math.floor(Math.log10(m));
  const step = [1, 2, 5, 10].find((f) => f * power >= m) * power;
  return step * scale;
}

function elapsed(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

const round = (v) => Math.round(v * 10) / 10;

// The SVG path of one series: gaps where a sample lacks the value.
function pathOf(points, x, y) {
  let d = '';
  let pen = false;
  for (const [t, v] of points) {
    if (v === null) { pen = false; continue; }
    d += `${pen ? 'L' : 'M'}${round(x(t))} ${round(y(v))}`;
    pen = true;
  }
  return d;
}

function chart([key, title, unit, series]) {
  const plot = svg('svg', {
    class: 'live-plot', viewBox: `0 0 ${WIDTH} ${HEIGHT}`, width: WIDTH, height: HEIGHT,
    role: 'img', 'aria-label': `${title}, second by second`,
  });
  const note = h('p', { class: 'muted chart-note' }, 'No sample yet.');
  const legend = h('span', { class: 'legend' }, series.map(([label], i) =>
    h('span', { class: `key series-${i}` }, h('span', { class: 'swatch' }), label)));
  const el = h('figure', { class: 'chart live-chart', 'data-chart': key, 'data-points': 0 },
    h('figcaption', {}, title, ' ', legend), plot, note);

  function draw(samples) {
    el.dataset.points = String(samples.length);
    if (!samples.length) return;
    const columns = series.map(([, value]) => samples.map((s) => [s.t, value(s.sample)]));
    const t0 = samples[0].t;
    const span = Math.max(samples[samples.length - 1].t - t0, MIN_SPAN_MS);
    const values = columns.flat().map(([, v]) => v).filter((v) => v !== null);
    // A quiet disk or network still gets a readable axis: 1 KiB/s at least.
    const top = unit === '%' ? 100 : rateCeiling(Math.max(1024, ...values) * 1.1);
    const x = (t) => LEFT + ((t - t0) / span) * (WIDTH - LEFT - RIGHT);
    const y = (v) => TOP + (1 - Math.min(Math.max(v, 0), top) / top) * (HEIGHT - TOP - BOTTOM);
    const label = (v) => (unit === '%' ? `${v} %` : `${bytes(v)}/s`);
    replace(plot,
      [0, 0.5, 1].map((f) => svg('g', {},
        svg('line', { class: 'grid', x1: LEFT, x2: WIDTH - RIGHT, y1: round(y(top * f)), y2: round(y(top * f)) }),
        svg('text', { class: 'axis', x: LEFT - 4, y: round(y(top * f)) + 3, 'text-anchor': 'end' }, label(top * f)))),
      svg('text', { class: 'axis', x: LEFT, y: HEIGHT - 4 }, elapsed(0)),
      svg('text', { class: 'axis', x: WIDTH - RIGHT, y: HEIGHT - 4, 'text-anchor': 'end' }, elapsed(span)),
      columns.map((points, i) => {
        const last = [...points].reverse().find(([, v]) => v !== null);
        return svg('g', { class: `series-${i}` },
          svg('path', { class: 'series', d: pathOf(points, x, y) }),
          last ? svg('circle', { class: 'last', cx: round(x(last[0])), cy: round(y(last[1])), r: 2.5 }) : null);
      }));
    const newest = samples[samples.length - 1].sample;
    note.textContent = `${samples.length} point(s) · now ${series.map(([name, value]) =>
      `${name.toLowerCase()} ${formatValue(value(newest), unit)}`).join(', ')}`;
  }
  return { el, draw };
}

// What the charts read of a sample (the processes and error lines are not kept).
const FIELDS = ['cpu_percent', 'memory_total_bytes', 'memory_available_bytes', 'disk_read_bytes_per_s',
  'disk_write_bytes_per_s', 'net_rx_bytes_per_s', 'net_tx_bytes_per_s'];

/**
 * The charts of one session. add(samples) appends samples (GET /api/v1/live/{id}) in seq
 * order and redraws; each figure's data-points says how many it holds.
 */
export function liveCharts() {
  const samples = [];
  const charts = LIVE_CHARTS.map(chart);
  return {
    el: h('div', { class: 'charts live-charts' }, charts.map((c) => c.el)),
    add(more) {
      for (const sample of more) {
        const t = Date.parse(sample.at);
        // A sample without a readable time sits a second after the one before it.
        const at = Number.isFinite(t) ? t : (samples.length ? samples[samples.length - 1].t + 1000 : 0);
        samples.push({ t: at, sample: Object.fromEntries(FIELDS.map((f) => [f, sample[f]])) });
      }
      if (more.length) for (const c of charts) c.draw(samples);
    },
    get count() { return samples.length; },
  };
}
