// The Live view section of a device (and of a ticket's devices): for those allowed, "Open live
// view" (POST /api/v1/devices/{id}/live, with the ticket's id on a ticket; a session already
// running on the device is joined, not doubled), then the watched session — its state, who
// started it, the time left, "Extend" and "Stop" — above its charts, busiest processes and new
// error lines as they arrive. A recording is watched the same way, without the controls.

import { post } from './api.js';
import { badge, h, relative, replace, select, time, toast } from './dom.js';
import { liveSessionView } from './live_session.js';
import { reaches } from './roles.js';

const MINUTES = [[1, '1 min'], [2, '2 min'], [5, '5 min'], [10, '10 min']];
const EXTEND_MINUTES = 10;

/**
 * True when the signed-in role may open live views: technicians, and viewers where the
 * collector lets them run probes (`catalog`: GET /api/v1/probes, or null).
 */
export function mayOpenLive(catalog) {
  return reaches('technician') || catalog?.viewers_may_run === true;
}

const running = (session) => session?.state === 'starting' || session?.state === 'live';

/** "4 min 05 s left" until `iso`. */
function timeLeft(iso) {
  const s = Math.max(0, Math.round((Date.parse(iso) - Date.now()) / 1000));
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s left`;
}

function summary(session) {
  const samples = `${Number(session.samples) || 0} sample(s)`;
  if (running(session)) {
    return [`started by ${session.started_by ?? '?'} `, time(session.started_at), ` · ${samples} · `,
      h('span', { class: 'live-left' }, timeLeft(session.ends_at))];
  }
  return [`started by ${session.started_by ?? '?'} `, time(session.started_at), ` · ended ${relative(session.ended_at ?? session.ends_at)}`,
    session.end_reason ? `: ${session.end_reason}` : '', ` · ${samples}`];
}

/**
 * The panel for device `device` ({id, online}; online may be unknown; null: no device to open
 * a view on). `catalog` is GET /api/v1/probes (or null). With `ticketId` a view is opened on
 * that ticket. `onChange()` is called when a view opened here starts or a watched one ends;
 * `header` goes under the heading, `allowOpen: false` hides the open form (a closed ticket).
 * Returns { el, stop, watch(id) } — watch shows a session (running or recorded); call stop()
 * when the page goes away.
 */
export function livePanel(device, catalog, { ticketId, onChange, header, allowOpen = true } = {}) {
  const may = mayOpenLive(catalog);
  const info = h('p', { class: 'live-info' });
  // Built once: redrawn at each poll, a button would lose a click or the keyboard focus.
  const controls = may ? h('div', { class: 'row live-controls', hidden: true },
    control('live-extend', `Extend ${EXTEND_MINUTES} min`, 'extend', { minutes: EXTEND_MINUTES },
      (s) => `The live view now ends ${relative(s.ends_at)}.`),
    control('live-stop', 'Stop', 'stop', {}, () => 'Live view stopped.')) : null;
  const head = h('div', { class: 'live-head' }, info, controls);
  const slot = h('div', { class: 'live-slot' });
  const formStatus = h('p', { class: 'form-status', 'aria-live': 'polite' });
  let view = null;
  let session = null;
  let ticker = null;

  function control(id, label, path, body, done) {
    const button = h('button', {
      type: 'button', class: 'secondary', id,
      onclick: async () => {
        if (!session) return;
        button.disabled = true;
        try {
          const s = await post(`/api/v1/live/${encodeURIComponent(session.id)}/${path}`, body);
          toast(done(s));
        } catch (e) {
          toast(e.message, 'error');
        }
        button.disabled = false;
        view?.refresh();
      },
    }, label);
    return button;
  }

  function showHead() {
    el.dataset.state = session.state ?? '';
    const live = running(session);
    // One view at a time per device: opening again would only join this one.
    if (openForm) openForm.hidden = live;
    replace(info, badge('live', session.state ?? '?'), ' ', summary(session));
    if (controls) controls.hidden = !live;
    clearInterval(ticker);
    if (live) {
      ticker = setInterval(() => {
        const left = info.querySelector('.live-left');
        if (left) left.textContent = timeLeft(session.ends_at);
      }, 1000);
    }
  }

  function watch(id) {
    view?.stop();
    clearInterval(ticker);
    session = null;
    el.dataset.session = id;
    if (controls) controls.hidden = true;
    replace(info, h('span', { class: 'loading' }, 'Loading the live view…'));
    view = liveSessionView(id, {
      onSession: (s) => {
        const wasRunning = session === null ? null : running(session);
        session = { id, ...s };
        showHead();
        if (wasRunning && !running(session)) onChange?.();
      },
    });
    replace(slot, view.el);
  }

  async function open(minutes) {
    replace(formStatus);
    const body = { minutes };
    if (ticketId) body.ticket_id = ticketId;
    let s;
    try {
      s = await post(`/api/v1/devices/${encodeURIComponent(device.id)}/live`, body);
    } catch (e) {
      formStatus.textContent = e.message;
      return;
    }
    toast(s.joined ? `Joined the live view ${s.started_by ?? ''} started.` : 'Live view opened; the first samples follow.');
    watch(s.id);
    if (!s.joined) onChange?.();
  }

  const minutes = select('minutes', MINUTES.map(([v, l]) => [String(v), l]), '10');
  minutes.id = 'live-minutes';
  const form = device && may && allowOpen ? h('form', {
    class: 'row live-open',
    onsubmit: (ev) => { ev.preventDefault(); open(Number(minutes.value)); },
  }, h('label', { class: 'field' }, h('span', { class: 'label' }, 'For'), minutes),
  h('button', { type: 'submit', id: 'live-open' }, 'Open live view')) : null;

  const openForm = form ? h('div', { class: 'live-open-form' },
    device.online === false ? h('p', { class: 'hint' }, 'This device is offline: a live view needs a connected device.') : null,
    form, formStatus) : null;
  const el = h('section', { class: 'card live', id: 'live' },
    h('h2', {}, 'Live view'),
    header,
    h('p', { class: 'muted' }, 'The agent sends a sample every second — CPU, memory, disk and network, '
      + 'the busiest processes, new error lines — while you or the user reproduce the problem; '
      + 'it stops by itself at its end. One opened from a ticket stays on the ticket as a recording.'),
    openForm,
    !may ? h('p', { class: 'hint' }, 'Opening a live view needs the technician role.') : null,
    head, slot);
  return {
    el,
    watch,
    stop() { view?.stop(); clearInterval(ticker); },
  };
}
