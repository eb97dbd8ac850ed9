// The ticket's Live view section: the live panel of one of the ticket's devices (a chooser by
// host name when it has several), each view opened with the ticket's id so it is recorded on
// the ticket and noted on its timeline, and the ticket's recordings
// (GET /api/v1/tickets/{id}/live, newest first): a running one can be watched, an ended one
// replayed in the panel.

import { get } from '../api.js';
import { badge, duration, h, replace, table, text, time } from '../dom.js';
import { livePanel } from '../live_panel.js';

// How long a recording ran (or has run so far).
function length(s) {
  const from = Date.parse(s.started_at);
  const to = s.ended_at ? Date.parse(s.ended_at) : Math.min(Date.now(), Date.parse(s.ends_at));
  if (!Number.isFinite(from) || !Number.isFinite(to)) return '—';
  return duration(Math.max(0, Math.round((to - from) / 1000))).replace(' ago', '');
}

/**
 * State kept across re-renders of the ticket page (the same section element is moved into
 * each new render). `onChange()` reloads the ticket (its timeline then holds the view);
 * `deviceName(id)` labels the device chooser and the recordings.
 */
export function ticketLive(onChange, { deviceName = String } = {}) {
  const state = {
    catalog: undefined, ticket: null, deviceId: null, closed: false, panel: null, header: null, el: null, recorded: 0,
  };
  const recordings = h('div', { class: 'live-recordings' });

  function showChooser() {
    const devices = state.ticket.devices ?? [];
    replace(state.header, devices.length > 1 ? h('label', { class: 'field' },
      h('span', { class: 'label' }, 'Device'),
      h('select', {
        name: 'live-device', id: 'live-device',
        onchange: (ev) => { open(ev.target.value); showChooser(); },
      }, devices.map((d) => h('option',
        { value: d, title: d, selected: d === state.deviceId }, deviceName(d))))) : null);
  }

  function open(deviceId) {
    const old = state.panel?.el;
    state.panel?.stop();
    state.deviceId = deviceId;
    state.closed = state.ticket.status === 'closed';
    state.header = h('div', { class: 'live-device' });
    state.panel = livePanel(deviceId ? { id: deviceId } : null, state.catalog, {
      ticketId: state.ticket.id,
      onChange,
      header: state.header,
      allowOpen: !state.closed,
    });
    state.el = h('div', { class: 'ticket-live' }, state.panel.el,
      h('section', { class: 'card', id: 'live-recordings' }, h('h2', {}, 'Live view recordings'), recordings));
    old?.closest('.ticket-live')?.replaceWith(state.el);
  }

  async function loadRecordings() {
    let r;
    try {
      r = await get(`/api/v1/tickets/${encodeURIComponent(state.ticket.id)}/live`);
    } catch (e) {
      replace(recordings, h('p', { class: 'form-status' }, e.message));
      return;
    }
    state.recorded = (r.items ?? []).length;
    const watch = (s) => {
      if (!state.panel) return;
      state.panel.watch(s.id);
      state.panel.el.scrollIntoView({ block: 'start' });
    };
    replace(recordings, table([
      ['Started', (s) => time(s.started_at)],
      ['Device', (s) => h('a', { href: `#/devices/${encodeURIComponent(s.device_id)}`, title: s.device_id }, deviceName(s.device_id))],
      ['By', (s) => text(s.started_by)],
      ['Length', length],
      ['Samples', (s) => text(s.samples)],
      ['State', (s) => [badge('live', s.state), s.end_reason ? ` ${s.end_reason}` : '']],
      ['', (s) => h('button', { type: 'button', class: 'link live-replay', onclick: () => watch(s) },
        s.state === 'ended' ? 'Replay' : 'Watch')],
    ], r.items ?? [], { empty: 'No live view has been recorded on this ticket.', rowAttrs: (s) => ({ 'data-live-session': s.id }) }));
  }

  return {
    /** Loads the probe catalog (once; it says whether viewers may open views), the recordings,
     * and keeps the panel of a device still linked. */
    async load(ticket) {
      state.ticket = ticket;
      if (state.catalog === undefined) state.catalog = await get('/api/v1/probes').catch(() => null);
      const devices = ticket.devices ?? [];
      if (!state.panel || (state.deviceId !== null && !devices.includes(state.deviceId))
          || (state.deviceId === null && devices.length) || state.closed !== (ticket.status === 'closed')) {
        open(devices[0] ?? null);
      }
      await loadRecordings();
    },
    /** The section (panel and recordings), its device chooser up to date; null for a ticket
     * without devices or recordings. */
    section() {
      if (!(state.ticket.devices ?? []).length && !state.recorded) return null;
      showChooser();
      return state.el;
    },
    /** Shows a recording or a running view in the panel. */
    show(id) { state.panel?.watch(id); state.panel?.el.scrollIntoView({ block: 'start' }); },
    stop() { state.panel?.stop(); },
  };
}
