// The ticket's Probes section: the probes panel of one of the ticket's devices (a chooser by
// host name when it has several), each run asked with the ticket's id so the collector notes
// the request and the agent's answer on the ticket's timeline as internal entries. Only for
// users who may run probes, and not on a closed ticket.

import { get } from '../api.js';
import { h, replace } from '../dom.js';
import { mayRunProbes, probePanel } from '../probe_panel.js';

/**
 * State kept across re-renders of the ticket page (the same panel element is moved into each
 * new render). `onRunEnded()` reloads the ticket, whose timeline then holds the run;
 * `deviceName(id)` labels the device chooser's options (their values are the ids).
 */
export function ticketProbes(onRunEnded, { deviceName = String } = {}) {
  const state = { catalog: undefined, ticket: null, deviceId: null, panel: null, header: null };

  // The chooser, rebuilt at each render: the ticket's devices and their names may have
  // changed since the panel was opened.
  function showChooser() {
    const devices = state.ticket.devices ?? [];
    replace(state.header, devices.length > 1 ? h('label', { class: 'field' },
      h('span', { class: 'label' }, 'Device'),
      h('select', {
        name: 'probe-device', id: 'probe-device',
        onchange: (ev) => {
          const old = state.panel.el;
          open(ev.target.value);
          showChooser();
          old.replaceWith(state.panel.el);
        },
      }, devices.map((d) => h('option',
        { value: d, title: d, selected: d === state.deviceId }, deviceName(d))))) : null);
  }

  function open(deviceId) {
    state.panel?.stop();
    state.deviceId = deviceId;
    state.header = h('div', { class: 'probe-device' });
    state.panel = probePanel({ id: deviceId }, state.catalog, {
      ticketId: state.ticket.id, onFinal: () => onRunEnded(), header: state.header,
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
    /** The section (the panel's own card, its device chooser up to date), or null. */
    section() {
      if (!state.panel) return null;
      showChooser();
      return state.panel.el;
    },
    stop() { state.panel?.stop(); },
  };
}
