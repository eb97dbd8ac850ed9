// One probe run for people: what was asked, its state, the agent's reason and budget note,
// and the typed result as tables per kind (a TLS chain with expiry badges, each DNS server's
// answers, HTTP hops with their timings, sockets and connections with their processes, the
// largest directories, log lines with their levels, the network path hop by hop). Everything
// the endpoint sent goes in as text (dom.js), so a hostile process name, path or log line
// stays inert.

import { badge, bytes, h, table, text, time, when } from './dom.js';

const DAY_MS = 86400000;

const ms = (v) => (v === undefined || v === null || v === '' ? '—' : `${Number(v)} ms`);
const yes = (v) => (v ? 'yes' : 'no');

/** "192.0.2.1:443", "[2001:db8::1]:443"; "—" without an address. */
function hostPort(address, port) {
  if (!address) return '—';
  const host = String(address).includes(':') ? `[${address}]` : String(address);
  return port ? `${host}:${Number(port)}` : host;
}

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

// Each configured DNS server asked directly (`each_server`): which one answers, which fails.
function serversView(r) {
  if (!(r.servers ?? []).length && !r.servers_error) return null;
  return [h('h4', {}, 'Each DNS server'),
    r.servers_error ? h('p', { class: 'reason' }, h('span', { class: 'label' }, 'Servers not listed: '),
      text(r.servers_error)) : null,
    r.servers_error && !(r.servers ?? []).length ? null : table([
      ['Server', (x) => h('code', {}, text(x.server))],
      ['Answers', (x) => ((x.addresses ?? []).length ? x.addresses.join(', ') : 'no address')],
      ['Took', (x) => ms(x.duration_ms)],
      ['Result', (x) => (x.error ? badge('check', 'failed', x.error) : badge('check', 'passed', 'answered'))],
    ], r.servers ?? [], { empty: 'No DNS server is configured.', rowAttrs: (x) => ({ 'data-server': x.server }) })];
}

function resolveView(r) {
  return [pairs([
    ['Resolver', text(r.resolver)],
    ['Took', ms(r.duration_ms)],
    ['Error', r.error || null],
  ]), h('h4', {}, 'Addresses'), table([['Address', (a) => a]], r.addresses ?? [], { empty: 'No address.' }),
  serversView(r)];
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

function connectionsView(r) {
  return [pairs([
    ['Processes', (r.pids ?? []).length ? r.pids.join(', ') : null],
    ['Error', r.error || null],
  ]), h('div', { class: 'scroll' }, table([
    ['Protocol', (c) => text(c.protocol)],
    ['Local', (c) => hostPort(c.local_address, c.local_port)],
    ['Remote', (c) => hostPort(c.remote_address, c.remote_port)],
    ['State', (c) => text(c.state)],
    ['Process', (c) => h('span', { class: 'process' }, text(c.process))],
    ['PID', (c) => (c.pid ? String(c.pid) : '—')],
  ], r.connections ?? [], {
    empty: 'No connection.',
    rowAttrs: (c) => ({ 'data-remote-port': c.remote_port ?? 0, 'data-state': c.state || null }),
  }))];
}

// Syslog's levels: err and worse as critical, warning as a warning, the rest plain.
function level(l) {
  if (['emerg', 'alert', 'crit', 'err'].includes(l)) return badge('sev', 'critical', l);
  if (l === 'warning') return badge('sev', 'warning', l);
  return badge('level', text(l), text(l));
}

function logTime(unixMs) {
  const v = Number(unixMs);
  if (!Number.isFinite(v) || v <= 0) return '—';
  const iso = new Date(v).toISOString();
  return h('time', { datetime: iso }, when(iso));
}

function logLinesView(r) {
  const lines = r.lines ?? [];
  return [r.error ? pairs([['Error', r.error]]) : null,
    r.more ? h('p', { class: 'hint log-more' }, `Older lines left out: the newest ${lines.length} are shown.`) : null,
    h('div', { class: 'scroll' }, table([
      ['Time', (l) => logTime(l.time_unix_ms)],
      ['Level', (l) => level(l.level)],
      ['Program', (l) => h('span', { class: 'identifier', title: l.source || null },
        `${text(l.identifier || l.source)}${l.pid ? `[${Number(l.pid)}]` : ''}`)],
      ['Message', (l) => h('span', { class: 'message' }, text(l.message))],
    ], lines, { empty: 'No line at this level in this period.', rowAttrs: (l) => ({ 'data-level': l.level }) }))];
}

// A round trip: finer below 10 ms, where a LAN hop sits.
const rtt = (v) => `${Number(v ?? 0).toFixed(Number(v ?? 0) < 10 ? 2 : 1)} ms`;

function pathView(r) {
  return [pairs([
    ['Destination', r.address ? text(r.address) : '—'],
    ['Reached', r.reached ? badge('check', 'passed', 'reached') : badge('check', 'failed', 'not reached')],
    ['Method', r.method ? `${r.method} (rising time-to-live)` : null],
    ['Error', r.error || null],
  ]), h('h4', {}, 'Hops'),
  table([
    ['Hop', (x) => text(x.ttl)],
    ['Answered by', (x) => (x.address ? h('code', {}, text(x.address)) : '*')],
    ['Round trip', (x) => (x.address ? rtt(x.rtt_ms) : '—')],
    ['Note', (x) => (x.reached ? badge('check', 'passed', 'destination')
      : text(x.note || (x.address ? '' : 'no answer')))],
  ], r.hops ?? [], { empty: 'No hop was tried.', rowAttrs: (x) => ({ 'data-ttl': x.ttl, 'data-reached': Boolean(x.reached) }) })];
}

const VIEWS = {
  reach: reachView, resolve: resolveView, http_get: httpView, listening: listeningView, disk_usage: diskView,
  connections: connectionsView, log_lines: logLinesView, path: pathView,
};

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
