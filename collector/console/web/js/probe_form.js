// The "Run a probe" form: a kind chooser and, per kind, its typed parameters (text, integer
// with its range, a checkbox, a choice from a list), checked in the browser with the server's
// own rules (probe_checks.js), those across fields too (a pid or a process name, not both).
// The kinds offered are those the collector's catalog lists and this console knows how to ask
// for; the catalog's own description of each parameter is its hint.

import { field, h, replace } from './dom.js';
import {
  LOG_LEVELS, checkDnsName, checkHost, checkInteger, checkLogLevel, checkLogSource, checkPath,
  checkPidOrProcess, checkProcessName, checkUrl,
} from './probe_checks.js';

/**
 * What each probe asks for. A parameter's `check(value, params)` returns null or a message; a
 * kind's `check(params)` (the rules across its fields) returns null or a message naming the
 * field it is shown on.
 */
export const PROBE_KINDS = {
  reach: {
    title: 'Reach host:port',
    params: [
      { name: 'host', label: 'Host', type: 'text', required: true, placeholder: 'vpn.example.com', check: (v) => checkHost(v, 'host') },
      { name: 'port', label: 'Port', type: 'integer', required: true, min: 1, max: 65535, placeholder: '443' },
      { name: 'tls', label: 'TLS handshake (certificate chain, verification)', type: 'boolean' },
      {
        name: 'server_name', label: 'TLS server name', type: 'text', placeholder: 'default: the host',
        check: (v, p) => (p.tls ? checkDnsName(v, 'server_name') : '`server_name` is for TLS only'),
      },
    ],
  },
  resolve: {
    title: 'Resolve a name',
    params: [
      { name: 'name', label: 'Name', type: 'text', required: true, placeholder: 'intranet.example.com', check: (v) => checkDnsName(v, 'name') },
      { name: 'each_server', label: 'Also ask each configured DNS server', type: 'boolean' },
    ],
  },
  http_get: {
    title: 'HTTP(S) GET',
    params: [
      { name: 'url', label: 'URL', type: 'text', required: true, placeholder: 'https://intranet.example.com/', size: 48, check: checkUrl },
      { name: 'max_redirects', label: 'Redirects to follow', type: 'integer', min: 0, max: 5, placeholder: '3' },
    ],
  },
  listening: { title: 'Listening sockets', params: [] },
  disk_usage: {
    title: 'Disk usage under a path',
    params: [
      { name: 'path', label: 'Directory', type: 'text', required: true, placeholder: '/home', size: 40, check: checkPath },
      { name: 'max_depth', label: 'Depth', type: 'integer', min: 1, max: 8, placeholder: '2' },
      { name: 'top', label: 'Largest directories shown', type: 'integer', min: 1, max: 50, placeholder: '10' },
    ],
  },
  connections: {
    title: 'Connections of a process',
    params: [
      { name: 'pid', label: 'Process id', type: 'integer', min: 1, max: 2147483647, placeholder: '4242' },
      { name: 'process', label: 'or process name', type: 'text', placeholder: 'outlook.exe', check: checkProcessName },
    ],
    check: checkPidOrProcess,
  },
  log_lines: {
    title: 'Recent log lines',
    params: [
      { name: 'source', label: 'Unit, program or channel', type: 'text', required: true, placeholder: 'cups.service', size: 36, check: checkLogSource },
      { name: 'min_level', label: 'At least', type: 'choice', options: LOG_LEVELS, value: 'warning', check: checkLogLevel },
      { name: 'since_minutes', label: 'Last minutes', type: 'integer', min: 1, max: 1440, placeholder: '10' },
      { name: 'max_lines', label: 'Lines shown', type: 'integer', min: 1, max: 500, placeholder: '100' },
    ],
  },
  path: {
    title: 'Network path to a host',
    params: [
      { name: 'host', label: 'Host', type: 'text', required: true, placeholder: 'vpn.example.com', check: (v) => checkHost(v, 'host') },
      { name: 'max_hops', label: 'Hops at most', type: 'integer', min: 1, max: 30, placeholder: '20' },
    ],
  },
};

function control(p) {
  const id = `probe-param-${p.name}`;
  if (p.type === 'boolean') return h('input', { type: 'checkbox', name: p.name, id });
  if (p.type === 'choice') {
    return h('select', { name: p.name, id }, p.options.map((o) => h('option', { value: o, selected: o === p.value }, o)));
  }
  if (p.type === 'integer') {
    return h('input', {
      type: 'number', name: p.name, id, step: 1, min: p.min, max: p.max, placeholder: p.placeholder,
      required: p.required, size: 6,
    });
  }
  return h('input', {
    type: 'text', name: p.name, id, required: p.required, placeholder: p.placeholder, size: p.size ?? 28,
    autocomplete: 'off', spellcheck: 'false',
  });
}

/**
 * The form for the probes of `catalog` (GET /api/v1/probes) this console knows. `onRun(request)`
 * gets {probe, params, time_budget_ms?} once every field passes; it may throw an ApiError,
 * whose message is shown on the field it names or under the form.
 */
export function probeForm(catalog, onRun) {
  const offered = (catalog?.items ?? []).filter((i) => PROBE_KINDS[i.probe]);
  const kind = h('select', { name: 'probe', id: 'probe-kind' },
    offered.map((i) => h('option', { value: i.probe }, `${PROBE_KINDS[i.probe].title} (${i.probe})`)));
  const budget = catalog?.time_budget_ms ?? { default: 10000, max: 30000 };
  const time = h('input', {
    type: 'number', name: 'time_budget_ms', id: 'probe-param-time_budget_ms', step: 1, min: 1,
    max: budget.max, placeholder: String(budget.default), size: 7,
  });
  const timeError = h('span', { class: 'field-error', id: 'probe-param-time_budget_ms-error' });
  time.setAttribute('aria-describedby', timeError.id);
  const fields = h('div', { class: 'probe-params row' });
  const status = h('p', { class: 'form-status', role: 'alert' });
  const submit = h('button', { type: 'submit', id: 'probe-run' }, 'Run probe');
  let rows = [];

  function show() {
    const item = offered.find((i) => i.probe === kind.value);
    const def = PROBE_KINDS[kind.value];
    rows = (def?.params ?? []).map((p) => {
      const hint = item?.params?.[p.name];
      const c = control(p);
      const error = h('span', { class: 'field-error', id: `${c.id}-error` });
      c.setAttribute('aria-describedby', `${c.id}-error`);
      return { p, c, error, hint: typeof hint === 'string' ? hint : null };
    });
    status.replaceChildren();
    replace(fields, rows.length ? rows.map(({ p, c, error, hint }) => h('div', { class: 'param' },
      p.type === 'boolean' ? h('label', { class: 'check' }, c, p.label) : field(p.label, c, hint), error))
      : h('p', { class: 'muted' }, 'No parameters: lists every listening TCP and UDP socket with its process.'),
    h('div', { class: 'param' }, field('Time budget (ms)', time), timeError));
  }

  function clear() {
    status.replaceChildren();
    for (const { c, error } of rows) { error.replaceChildren(); c.removeAttribute('aria-invalid'); }
    timeError.replaceChildren();
    time.removeAttribute('aria-invalid');
  }

  function mark(name, message) {
    const row = rows.find((r) => r.p.name === name);
    const [c, error] = row ? [row.c, row.error] : name === 'time_budget_ms' ? [time, timeError] : [null, null];
    if (!c) {
      status.textContent = message;
      return;
    }
    error.textContent = message;
    c.setAttribute('aria-invalid', 'true');
    c.focus();
  }

  // The parameters as the API takes them, or null after marking the first field at fault.
  function read() {
    const params = {};
    for (const { p, c } of rows) {
      if (p.type === 'boolean') params[p.name] = c.checked;
      else if (c.value.trim() !== '') params[p.name] = c.value.trim();
    }
    for (const { p } of rows) {
      const v = params[p.name];
      let message = null;
      if (p.required && (v === undefined || v === '')) message = `parameter \`${p.name}\` is required`;
      else if (v !== undefined && p.type === 'integer') message = checkInteger(v, p.name, p.min, p.max);
      else if (v !== undefined && p.check) message = p.check(v, params);
      if (message) {
        mark(p.name, message);
        return null;
      }
      if (v !== undefined && p.type === 'integer') params[p.name] = Number(v);
    }
    const across = PROBE_KINDS[kind.value]?.check?.(params);
    if (across) {
      mark(/^`([^`]+)`/.exec(across)?.[1], across);
      return null;
    }
    for (const { p } of rows) if (p.type === 'boolean' && params[p.name] === false) delete params[p.name];
    const request = { probe: kind.value, params };
    if (time.value.trim() !== '') {
      const message = checkInteger(time.value.trim(), 'time_budget_ms', 1, budget.max);
      if (message) {
        mark('time_budget_ms', message);
        return null;
      }
      request.time_budget_ms = Number(time.value.trim());
    }
    return request;
  }

  kind.addEventListener('change', show);
  show();
  const form = h('form', {
    class: 'probe-form', id: 'probe-form', 'aria-label': 'Run a probe', novalidate: true,
    onsubmit: async (ev) => {
      ev.preventDefault();
      clear();
      const request = read();
      if (!request) return;
      submit.disabled = true;
      try {
        await onRun(request);
      } catch (e) {
        // "parameter `port`: …", "`url host` …": the server names the field at fault.
        const m = /^(?:unknown )?(?:parameter )?`([^`]+)`/.exec(e.message ?? '');
        const name = m ? m[1].split(' ')[0] : null;
        if (name && (rows.some((r) => r.p.name === name) || name === 'time_budget_ms')) mark(name, e.message);
        else status.textContent = e.message;
      } finally {
        submit.disabled = false;
      }
    },
  }, field('Probe', kind), fields, h('div', { class: 'row' }, submit), status);
  return form;
}
