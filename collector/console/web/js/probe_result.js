// One probe run for people: what was asked, its state, the agent's reason and budget note,
// and the typed result as tables per kind (a TLS chain with expiry badges, HTTP hops with
// their timings, sockets with their processes, the largest directories). Everything the
// endpoint sent goes in as text (dom.js), so a hostile process name or path stays inert.

import { badge, bytes, h, table, text, time, when } from './dom.js';

const DAY_MS = 86400000;

const ms = (v) => (v === undefined || v === null || v === '' ? '—' : `${Number(v)} ms`);
const yes = (v) => (v ? 'yes' : 'no');

/** A two-column table of [label, value] rows; rows with a null value are left out. */
function pairs(rows, cls = 'kv') {
  return h('table', { class: cls }, h('tbody', {}, rows.filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => h('tr', {}, h('th', { scope: 'row' }, k), h('td', {}, v)))));
}

function expiry(cert, now) {
  const until = Number(cert.not_after_unix_ms);
  const date = Number.isFinite(until) && until > 0 ? new Date(until).toISOString() : null;
  if (cert.expired || (Number.isFinite(until) && until > 0 && until < now)) {
    return badge('cert', 'expired', `expired ${date ? when(date) : ''}`.trim());
  }
  if (!date) return badge('cert', 'unknown', 'expiry unknown');
  const days = Math.floor((until - now) / DAY_MS);
  if (days < 30) return badge('cert', 'expiring', `expires in ${days} d`);
  return badge('cert', 'valid', `valid until ${when(date)}`);
}

function tlsView(tls, now = Date.now()) {
  if (!tls || (!tls.protocol && !tls.error && !(tls.chain ?? []).length)) return null;
  return h('div', { class: 'probe-tls' }, h('h4', {}, 'TLS'),
    pairs([
      ['Protocol', text(tls.protocol)],
      ['Cipher', text(tls.cipher)],
      ['Handshake', ms(tls.handshake_ms)],
      ['Verified (this PC\'s trust store)', tls.verified ? badge('check', 'passed', 'verified')
        : [badge('check', 'failed', 'not verified'), tls.verify_error ? ` ${tls.verify_error}` : '']],
      ['Handshake error', tls.error || null],
    ]),
    (tls.chain ?? []).length ? h('ol', { class: 'cert-chain' }, tls.chain.map((c) => h('li', { class: 'cert' },
      h('div', {}, h('strong', {}, text(c.subject)), ' ', expiry(c, now)),
      h('div', { class: 'muted' }, `issued by ${text(c.issuer)}`),
      (c.names ?? []).length ? h('div', { class: 'muted' }, `names: ${c.names.join(', ')}`) : null,
      h('div', { class: 'muted hash' }, `SHA-256 ${text(c.sha256)}`)))) : null);
}

function reachView(r) {
  return [pairs([
    ['Connected', r.connected ? badge('check', 'passed', 'connected') : badge('check', 'failed', 'not connected')],
    ['Address used', r.address ? `${r.address}:${r.port ?? ''}` : '—'],
    ['Resolved to', (r.addresses ?? []).length ? r.addresses.join(', ') : null],
    ['Name lookup', ms(r.resolve_ms)],
    ['Connect', ms(r.connect_ms)],
    ['Error', r.error || null],
  ]), tlsView(r.tls)];
}

function resolveView(r) {
  return [pairs([
    ['Resolver', text(r.resolver)],
    ['Took', ms(r.duration_ms)],
    ['Error', r.error || null],
  ]), h('h4', {}, 'Addresses'), table([['Address', (a) => a]], r.addresses ?? [], { empty: 'No address.' })];
}

function httpView(r) {
  return [pairs([
    ['Status', r.status ? String(r.status) : '—'],
    ['Content type', r.content_type || null],
    ['Total', ms(r.total_ms)],
    ['Error', r.error || null],
  ]),
  h('h4', {}, 'Hops'),
  table([
    ['URL', (x) => h('span', { class: 'url' }, text(x.url))],
    ['Status', (x) => (x.status ? String(x.status) : '—')],
    ['Address', (x) => text(x.address)],
    ['Connect', (x) => ms(x.connect_ms)],
    ['First byte', (x) => ms(x.first_byte_ms)],
    ['Total', (x) => ms(x.total_ms)],
    ['Redirects to', (x) => text(x.location)],
    ['Error', (x) => text(x.error)],
  ], r.hops ?? [], { empty: 'No request was made.' }),
  (r.hops ?? []).map((x) => tlsView(x.tls)),
  r.body_prefix ? [h('h4', {}, `Body${r.body_truncated ? ' (first bytes only)' : ''}`),
    h('pre', { class: 'output body-prefix' }, r.body_prefix)] : null];
}

function listeningView(r) {
  return h('div', { class: 'scroll' }, table([
    ['Protocol', (s) => text(s.protocol)],
    ['Address', (s) => text(s.address)],
    ['Port', (s) => text(s.port)],
    ['Process', (s) => h('span', { class: 'process' }, text(s.process))],
    ['PID', (s) => (s.pid ? String(s.pid) : '—')],
    ['UID', (s) => text(s.uid)],
  ], r.sockets ?? [], { empty: 'No listening socket.', rowAttrs: (s) => ({ 'data-port': s.port }) }));
}

function diskView(r) {
  return [pairs([
    ['Path', h('span', { class: 'path' }, text(r.path))],
    ['Total', bytes(r.total_bytes)],
    ['Files', text(r.files)],
    ['Unreadable directories', r.unreadable ? String(r.unreadable) : null],
  ]), h('h4', {}, 'Largest directories'),
  table([
    ['Directory', (d) => h('span', { class: 'path' }, text(d.path))],
    ['Size', (d) => bytes(d.bytes)],
    ['Files', (d) => text(d.files)],
  ], r.largest ?? [], { empty: 'No directory.' })];
}

const VIEWS = { reach: reachView, resolve: resolveView, http_get: httpView, listening: listeningView, disk_usage: diskView };

/** The typed part of a result, or null when it holds none. */
export function probeResultView(probe, result) {
  const view = VIEWS[probe];
  const typed = result?.[probe];
  if (!view || !typed) return null;
  return h('div', { class: `probe-result probe-${probe}` }, view(typed));
}

const STATE_LABEL = {
  sent: 'waiting for the agent', completed: 'completed', failed: 'failed', refused: 'refused by the endpoint',
  unanswered: 'unanswered',
};

/** The state badge of a run. */
export function probeState(run) {
  return badge('probe', run.state, STATE_LABEL[run.state] ?? run.state);
}

/** A run: header, reason, budget note and typed result. */
export function probeRunView(run) {
  const r = run.result ?? {};
  return [
    h('header', { class: 'order-head' }, h('strong', {}, run.probe), ' ', probeState(run), ' ',
      h('code', { class: 'target' }, text(run.target))),
    h('p', { class: 'muted' }, `on ${run.device_id} · asked by ${run.requested_by} `, time(run.requested_at),
      r.duration_ms !== undefined ? ` · took ${ms(r.duration_ms)}` : '',
      run.ticket_id ? [' · ticket ', h('a', { href: `#/tickets/${run.ticket_id}` }, `#${run.ticket_id}`)] : ''),
    run.state === 'sent' ? h('p', { class: 'hint live' }, 'Live: waiting for the agent\'s answer (it expires ',
      time(run.expires_at), ').') : null,
    run.state === 'unanswered' ? h('p', { class: 'reason' }, 'The agent did not answer before the request expired '
      + '(it went offline, or the answer was lost with the connection).') : null,
    r.reason ? h('p', { class: 'reason' }, h('span', { class: 'label' }, 'Reason: '), r.reason) : null,
    r.budget_exceeded ? h('p', { class: 'budget-note' }, h('span', { class: 'label' }, 'Cut by its budget: '),
      text(r.budget_note)) : null,
    probeResultView(run.probe, r),
  ];
}
