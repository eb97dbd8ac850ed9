// The ticket's Probes section: the probes panel of one of the ticket's devices (a chooser
// when it has several), each run asked with the ticket's id so the collector notes the request
// and the agent's answer on the ticket's timeline as internal entries. Only for users who may
// run probes, and not on a closed ticket.

import { get } from '../api.js';
import { h } from '../dom.js';
import { mayRunProbes, probePanel } from '../probe_panel.js';

/**
 * State kept across re-renders of the ticket page (the same panel element is moved into each
 * new render). `onRunEnded()` reloads the ticket, whose timeline then holds the run.
 */
export function ticketProbes(onRunEnded) {
  const state = { catalog: undefined, ticket: null, deviceId: null, panel: null };

  function open(deviceId) {
    state.panel?.stop();
    state.deviceId = deviceId;
    const devices = state.ticket.devices ?? [];
    const chooser = devices.length > 1 ? h('label', { class: 'field' },
      h('span', { class: 'label' }, 'Device'),
      h('select', {
        name: 'probe-device', id: 'probe-device',
        onchange: (ev) => {
          const old = state.panel.el;
          open(ev.target.value);
          old.replaceWith(state.panel.el);
        },
      }, devices.map((d) => h('option', { value: d, selected: d === deviceId }, d)))) : null;
    state.panel = probePanel({ id: deviceId }, state.catalog, {
      ticketId: state.ticket.id, onFinal: () => onRunEnded(), header: chooser,
    });
  }

  return {
    /** Loads the probe catalog (once) and keeps the panel of a device still linked. */
    async load(ticket) {
      state.ticket = ticket;
      if (state.catalog === undefined) state.catalog = await get('/api/v1/probes').catch(() => null);
      const devices = ticket.devices ?? [];
      const usable = mayRunProbes(state.catalog) && ticket.status !== 'closed' && devices.length;
      if (!usable) {
        state.panel?.stop();
        state.panel = null;
        state.deviceId = null;
      } else if (!state.panel || !devices.includes(state.deviceId)) {
        open(devices[0]);
      }
    },
    /** The section (the panel's own card), or null. */
    section() { return state.panel ? state.panel.el : null; },
    stop() { state.panel?.stop(); },
  };
}
