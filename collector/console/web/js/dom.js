// DOM helpers. Every piece of text goes in through text nodes: nothing from the server or the
// user is ever parsed as HTML.

/** h('a', {href, class, onclick}, child, ...): an element; strings become text nodes. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else if (key === 'value') el.value = value;
    else if (key === 'checked' || key === 'disabled' || key === 'selected') el[key] = Boolean(value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** svg('path', {d, class}, child, ...): an SVG element; strings become text nodes. */
export function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value !== null && value !== undefined && value !== false) el.setAttribute(key, String(value));
  }
  return append(el, children);
}

/** Appends children (nodes, strings, numbers, arrays; null skipped) to `el`. */
export function append(el, children) {
  for (const child of [children].flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Replaces the content of `el`. */
export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

export const text = (value) => (value === null || value === undefined || value === '' ? '—' : String(value));

/** "3 min ago", "in 2 h" for an RFC 3339 time; "—" for null. */
export function relative(iso, now = Date.now()) {
  if (!iso) return '—';
  const seconds = Math.round((Date.parse(iso) - now) / 1000);
  // Clocks of browser and server differ by a little; a fresh event is "just now", not "in 2 s".
  if (Math.abs(seconds) < 45) return 'just now';
  return duration(Math.abs(seconds), seconds >= 0);
}

/** A duration in seconds, to the nearest fitting unit. */
export function duration(seconds, future = false) {
  const units = [['d', 86400], ['h', 3600], ['min', 60], ['s', 1]];
  const [unit, size] = units.find(([, s]) => seconds >= s) ?? ['s', 1];
  const n = Math.floor(seconds / size);
  return future ? `in ${n} ${unit}` : `${n} ${unit} ago`;
}

/** An absolute local time for tooltips and tables. */
export function when(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleString();
}

/** A <time> showing a relative time with the absolute one as its title. */
export function time(iso) {
  return h('time', { datetime: iso ?? '', title: when(iso) }, relative(iso));
}

const SEVERITY_RANK = { critical: 3, warning: 2, info: 1 };

/** The worst severity of a list of findings, or null. */
export function worst(findings) {
  let best = null;
  for (const f of findings ?? []) {
    if ((SEVERITY_RANK[f.severity] ?? 0) > (SEVERITY_RANK[best] ?? 0)) best = f.severity;
  }
  return best;
}

export function badge(kind, value, label = value) {
  return h('span', { class: `badge ${kind}-${String(value).toLowerCase().replace(/[^a-z0-9]/g, '_')}` }, label);
}

export function bytes(n) {
  const v = Number(n);
  if (!Number.isFinite(v)) return text(n);
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let x = v;
  while (x >= 1024 && i < units.length - 1) { x /= 1024; i += 1; }
  return `${x.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

/** A short message in the live region. */
export function toast(message, kind = 'info') {
  const el = document.getElementById('toast');
  replace(el, h('div', { class: `toast ${kind}` }, message));
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => el.replaceChildren(), 6000);
}

/** A labelled form field. */
export function field(label, control, hint) {
  return h('label', { class: 'field' }, h('span', { class: 'label' }, label), control,
    hint ? h('span', { class: 'hint' }, hint) : null);
}

export function select(name, options, value) {
  return h('select', { name },
    options.map((o) => {
      const [v, l] = Array.isArray(o) ? o : [o, o];
      return h('option', { value: v, selected: v === value }, l);
    }));
}

/** A section with a heading. */
export function section(title, ...children) {
  return h('section', { class: 'card' }, h('h2', {}, title), ...children);
}

/** A table from rows: columns = [[heading, row => cell], ...]; rowAttrs(row) adds attributes. */
export function table(columns, rows, { empty = 'Nothing here.', rowClass, rowAttrs } = {}) {
  if (!rows.length) return h('p', { class: 'empty' }, empty);
  return h('table', {},
    h('thead', {}, h('tr', {}, columns.map(([title]) => h('th', { scope: 'col' }, title)))),
    h('tbody', {}, rows.map((row) => h('tr', { class: rowClass ? rowClass(row) : null, ...(rowAttrs ? rowAttrs(row) : {}) },
      columns.map(([, cell]) => h('td', {}, cell(row)))))));
}
