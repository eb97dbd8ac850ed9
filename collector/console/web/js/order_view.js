// One remediation order as a panel: state, who asked and approved, the command, the live
// output (polled from GET /api/v1/orders/{id} about every second until the order is final),
// exit status, duration, post-check, and a cancel button while it has not been sent.

import { get, post } from './api.js';
import { badge, h, replace, table, text, time, toast } from './dom.js';
import { can } from './roles.js';

const FINAL = new Set(['succeeded', 'failed', 'refused', 'expired', 'cancelled']);
const CANCELLABLE = new Set(['awaiting_approval', 'queued']);
const POLL_MS = 1000;

export const isFinal = (order) => FINAL.has(order.state);

function outcome(o) {
  const r = o.result ?? {};
  const parts = [];
  if (r.exit_code !== undefined && r.exit_code !== null) parts.push(`exit status ${r.exit_code}`);
  if (r.term_signal) parts.push(`killed by signal ${r.term_signal}`);
  if (r.timed_out) parts.push('timed out');
  if (r.duration_ms !== undefined && r.duration_ms !== null) parts.push(`took ${(r.duration_ms / 1000).toFixed(1)} s`);
  if (r.output_truncated) parts.push('output truncated');
  return parts.join(' · ');
}

function postCheck(o) {
  const pc = o.result?.post_check;
  if (!pc) return null;
  const passed = pc.passed ?? (pc.exit_code !== undefined && pc.exit_code === pc.expect_exit_code);
  return h('p', { class: 'post-check' }, h('span', { class: 'label' }, 'Post-check: '),
    badge('check', passed ? 'passed' : 'failed'),
    pc.exit_code !== undefined ? ` exit status ${pc.exit_code}` : '',
    pc.output ? h('pre', { class: 'output' }, pc.output) : null);
}

function output(o) {
  const out = o.output ?? {};
  const stdout = out.stdout ?? '';
  const stderr = out.stderr ?? '';
  if (!stdout && !stderr) {
    return h('p', { class: 'muted output-empty' }, isFinal(o) ? 'No output.' : 'Waiting for output…');
  }
  return [
    stdout ? h('pre', { class: 'output stdout', 'aria-label': 'Standard output' }, stdout) : null,
    stderr ? h('pre', { class: 'output stderr', 'aria-label': 'Standard error' }, stderr) : null,
  ];
}

function panelBody(o, me, onCancel) {
  const mayCancel = CANCELLABLE.has(o.state) && can('POST', '/api/v1/orders/{id}/cancel')
    && (o.requested_by === me?.name || ['senior', 'admin'].includes(me?.role));
  return [
    h('header', { class: 'order-head' },
      h('strong', {}, o.action), ' ', badge('order', o.state, o.state.replace('_', ' ')), ' ',
      badge('risk', o.risk, `${o.risk} risk`),
      mayCancel ? h('button', { type: 'button', class: 'danger', onclick: onCancel }, 'Cancel order') : null),
    h('p', { class: 'muted' }, `on ${o.device_id} · asked by ${o.requested_by} `, time(o.created_at),
      o.approved_by ? ` · ${o.state === 'cancelled' ? 'rejected' : 'approved'} by ${o.approved_by}` : ''),
    h('p', { class: 'argv' }, h('code', {}, (o.argv ?? []).join(' '))),
    o.reason ? h('p', { class: 'reason' }, h('span', { class: 'label' }, 'Reason: '), o.reason) : null,
    output(o),
    outcome(o) ? h('p', { class: 'outcome' }, outcome(o)) : null,
    postCheck(o),
    isFinal(o) ? null : h('p', { class: 'hint live' }, 'Live: refreshed every second until it finishes.'),
  ];
}

/**
 * A panel showing order `id`, refreshed every second until it is final. Returns
 * { el, stop } — call stop() when the page goes away. `onFinal(order)` runs once at the end.
 */
export function orderPanel(id, me, { onFinal } = {}) {
  const el = h('section', { class: 'card order-panel', 'data-order': id, 'aria-live': 'polite' },
    h('p', { class: 'loading' }, 'Loading the order…'));
  let stopped = false;
  let timer = null;
  async function cancel() {
    try {
      await post(`/api/v1/orders/${id}/cancel`, {});
      toast('Order cancelled');
      await refresh();
    } catch (e) { toast(e.message, 'error'); }
  }
  async function refresh() {
    clearTimeout(timer);
    if (stopped) return;
    let o;
    try {
      o = await get(`/api/v1/orders/${encodeURIComponent(id)}`);
    } catch (e) {
      replace(el, h('p', { class: 'form-status' }, e.message));
      return;
    }
    if (stopped) return;
    // Keep the reader's scroll position in the output while it grows.
    const pre = el.querySelector('pre.stdout');
    const atBottom = !pre || pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
    replace(el, panelBody(o, me, cancel));
    const next = el.querySelector('pre.stdout');
    if (next && atBottom) next.scrollTop = next.scrollHeight;
    if (isFinal(o)) {
      onFinal?.(o);
      return;
    }
    timer = setTimeout(refresh, POLL_MS);
  }
  refresh();
  return { el, stop: () => { stopped = true; clearTimeout(timer); } };
}

/** A table of orders (no output); `onOpen(order)` shows one. */
export function orderTable(orders, onOpen, { empty = 'No orders.', ticket = false } = {}) {
  return table([
    ['Action', (o) => h('button', { type: 'button', class: 'link', onclick: () => onOpen(o) }, o.action)],
    ['State', (o) => badge('order', o.state, o.state.replace('_', ' '))],
    ['Risk', (o) => badge('risk', o.risk)],
    ticket ? ['Ticket', (o) => h('a', { href: `#/tickets/${o.ticket_id}` }, `#${o.ticket_id}`)] : null,
    ['Asked by', (o) => o.requested_by],
    ['Asked', (o) => time(o.created_at)],
    ['Result', (o) => text(outcome(o))],
  ].filter(Boolean), orders, { empty, rowAttrs: (o) => ({ 'data-order': o.id }) });
}
