// The ticket's remediation actions: "Fix with" buttons on findings, a "Run action" button, the
// ticket's orders, and the panel of the order being watched (live output). Only for users
// who may request actions; the catalog is filtered to what the user's role may run, and for a
// device to its platform's actions (a Windows PC is never offered a Linux action: its agent
// would refuse it).

import { get } from '../api.js';
import { h, section } from '../dom.js';
import { loadCatalog, runActionDialog, runsOn } from '../action_dialog.js';
import { orderPanel, orderTable } from '../order_view.js';
import { can, reaches } from '../roles.js';

/**
 * State kept across re-renders of the ticket page: the catalog, the ticket's orders and the
 * watched order's panel (the same element is moved into each new render). `deviceName(id)`
 * names the ticket's devices in the dialog's device chooser; `devicePlatform(id)` gives a device's
 * platform ("linux", "windows"; null while unknown: then every action is offered).
 */
export function ticketActions(me, onChange, { deviceName, devicePlatform = () => null } = {}) {
  const state = { catalog: [], orders: [], panel: null, ticket: null };
  const mayRun = () => can('POST', '/api/v1/tickets/{id}/actions');
  const runnable = () => mayRun() && state.catalog.length && (state.ticket.devices ?? []).length;

  function watch(id) {
    state.panel?.stop();
    state.panel = orderPanel(id, me, { onFinal: () => onChange() });
    const slot = document.getElementById('order-slot');
    slot?.replaceChildren(state.panel.el);
    state.panel.el.scrollIntoView({ block: 'nearest' });
  }

  async function open(action, deviceId) {
    const order = await runActionDialog(state.ticket, action, state.catalog,
      { deviceId, deviceName, devicePlatform });
    if (!order) return;
    state.orders = [order, ...state.orders];
    watch(order.id);
    await onChange();  // the orders table and the timeline show the new order
  }

  return {
    /** Loads the catalog (once) and the ticket's orders. */
    async load(ticket) {
      state.ticket = ticket;
      const [catalog, orders] = await Promise.all([
        mayRun() ? loadCatalog(get).catch(() => []) : [],
        get(`/api/v1/tickets/${ticket.id}/orders`).catch(() => ({ items: [] })),
      ]);
      state.catalog = catalog.filter((a) => reaches(a.min_role));
      state.orders = [...(orders.items ?? [])].reverse();  // newest first
    },
    /** `fixWith` for the findings: buttons for the catalog actions that fix the finding. */
    fixWith() {
      if (!mayRun() || !state.catalog.length) return undefined;
      return (f) => {
        const suggested = new Set(f.suggested_actions ?? []);
        const fixes = state.catalog
          .filter((a) => suggested.has(a.id) || (a.fixes ?? []).includes(f.rule))
          .filter((a) => runsOn(a, devicePlatform(f.device_id)));
        if (!fixes.length) return null;
        return h('p', { class: 'actions' }, h('span', { class: 'label' }, 'Fix with: '),
          fixes.map((a) => h('button', {
            type: 'button', class: 'secondary fix-with', 'data-action': a.id,
            onclick: () => open(a, f.device_id),
          }, a.title)));
      };
    },
    /** The Actions section of the ticket page. */
    section() {
      const closed = state.ticket.status === 'closed';
      const runButton = runnable()
        ? h('button', { type: 'button', id: 'run-action-button', disabled: closed, onclick: () => open(null) }, 'Run action')
        : null;
      const slot = h('div', { id: 'order-slot' }, state.panel ? state.panel.el : null);
      if (!runButton && !state.orders.length) return null;
      return section('Actions',
        runButton ? h('div', { class: 'tools' }, runButton) : null,
        slot,
        h('h3', {}, 'Orders of this ticket'),
        orderTable(state.orders, (o) => watch(o.id), { empty: 'No action has been run on this ticket.' }));
    },
    /** Whether section() shows the order panel (it does once the ticket has orders). */
    hasPanel() { return state.orders.length > 0 || Boolean(runnable()); },
    /** Opens order `id` in the panel (as clicking its row does). */
    show(id) { watch(id); },
    stop() { state.panel?.stop(); },
  };
}
