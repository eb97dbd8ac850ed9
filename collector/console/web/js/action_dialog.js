// The "Run action" dialog: a form generated from the catalog entry of the chosen action
// (enum → select, integer → number with its range, regex → text with its length and pattern),
// the risk and approval rule, a device chooser when the ticket has several devices (by host
// name, the id as the tooltip and the value sent); the actions offered are the chosen device's
// platform's. The server validates everything again; its 400 message is shown on the field it
// names.

import { post } from './api.js';
import { badge, field, h, replace } from './dom.js';

let catalogCache = null;

/** The action catalog (GET /api/v1/actions), loaded once per page view. */
export async function loadCatalog(getter) {
  if (!catalogCache) catalogCache = getter('/api/v1/actions').then((r) => r.items ?? []);
  try {
    return await catalogCache;
  } catch (e) {
    catalogCache = null;
    throw e;
  }
}

export function forgetCatalog() { catalogCache = null; }

/** Whether catalog action `a` runs on a device of `platform` (null: not known, any runs). */
export function runsOn(a, platform) {
  return !platform || (a.platform || 'linux') === platform;
}

function paramControl(p) {
  const name = `param-${p.name}`;
  if (p.type === 'enum') {
    return h('select', { name, id: name, required: true },
      (p.values ?? []).map((v) => h('option', { value: v }, v)));
  }
  if (p.type === 'integer') {
    return h('input', { name, id: name, type: 'number', step: 1, min: p.min, max: p.max, required: true });
  }
  return h('input', {
    name, id: name, type: 'text', required: true, maxlength: p.max_length, size: 32,
    autocomplete: 'off', spellcheck: 'false',
  });
}

function paramHint(p) {
  if (p.type === 'integer') return `${p.description ? `${p.description} · ` : ''}${p.min} to ${p.max}`;
  if (p.type === 'regex') {
    return `${p.description ? `${p.description} · ` : ''}at most ${p.max_length} characters, matching ${p.pattern}`;
  }
  return p.description || null;
}

function paramValue(p, control) {
  if (p.type === 'integer') return control.value === '' ? null : Number(control.value);
  return control.value;
}

// "parameter `unit`: ..." or "`device_id`: ..." name the field at fault.
function faultyField(message) {
  const m = /^(?:parameter )?`([^`]+)`/.exec(message ?? '');
  return m ? m[1] : null;
}

/**
 * Opens the dialog for `action` (preselected; any of `catalog` can be chosen) on ticket
 * `ticket`, on device `deviceId` when given; `deviceName(id)` labels the device chooser's
 * options (the id when not given); `devicePlatform(id)` limits the actions to that device's
 * platform. Resolves to the created order, or null when the user cancels.
 */
export function runActionDialog(ticket, action, catalog,
  { deviceId, deviceName = String, devicePlatform = () => null } = {}) {
  return new Promise((resolve) => {
    const devices = ticket.devices ?? [];
    const choose = h('select', { name: 'action', id: 'run-action' });
    const body = h('div', { class: 'action-form' });
    const errors = new Map();
    const status = h('p', { class: 'form-status', role: 'alert' });
    const device = devices.length > 1
      ? h('select', { name: 'device_id', id: 'run-device' }, devices.map((d) => h('option',
        { value: d, title: d, selected: d === deviceId }, deviceName(d))))
      : null;
    if (device) errors.set('device_id', h('span', { class: 'field-error' }));
    const chosenDevice = () => (device ? device.value : deviceId ?? devices[0]);
    // The chosen device's platform's actions; the chosen action stays chosen while offered.
    function offer() {
      const keep = choose.value || action?.id;
      const platform = devicePlatform(chosenDevice());
      replace(choose, catalog.filter((a) => runsOn(a, platform)).map((a) => h('option',
        { value: a.id, selected: a.id === keep }, `${a.title} (${a.id})`)));
    }
    offer();

    let controls = [];
    const current = () => catalog.find((a) => a.id === choose.value);
    function show() {
      const a = current();
      controls = (a?.params ?? []).map((p) => {
        const control = paramControl(p);
        const error = h('span', { class: 'field-error', id: `${control.id}-error` });
        control.setAttribute('aria-describedby', `${control.id}-error`);
        errors.set(p.name, error);
        return [p, control, error];
      });
      status.replaceChildren();
      replace(body,
        a ? [
          h('p', { class: 'action-meta' }, badge('risk', a.risk, `${a.risk} risk`), ' ',
            a.approval === 'second_person'
              ? h('span', { class: 'badge approval' }, 'needs a second person\'s approval (senior)')
              : h('span', { class: 'badge approval-none' }, 'runs without approval'),
            ` · needs ${a.min_role} · times out after ${a.timeout_s} s`),
          a.description ? h('p', { class: 'muted' }, a.description) : null,
          h('p', { class: 'argv' }, h('span', { class: 'label' }, 'Runs: '), h('code', {}, (a.argv ?? []).join(' '))),
          a.post_check ? h('p', { class: 'argv' }, h('span', { class: 'label' }, 'Then checks: '),
            h('code', {}, (a.post_check.argv ?? []).join(' '))) : null,
          controls.map(([p, control, error]) => h('div', { class: 'param' },
            field(p.name, control, paramHint(p)), error)),
        ] : h('p', { class: 'muted' }, 'No action chosen.'));
    }
    choose.addEventListener('change', show);
    device?.addEventListener('change', () => {
      offer();
      show();
    });
    show();

    const submit = h('button', { type: 'submit' }, 'Run');
    const cancel = h('button', { type: 'button', class: 'secondary', onclick: () => dialog.close() }, 'Cancel');
    const form = h('form', {
      method: 'dialog',
      onsubmit: async (ev) => {
        ev.preventDefault();
        for (const e of errors.values()) e.replaceChildren();
        status.replaceChildren();
        const a = current();
        const params = {};
        for (const [p, control] of controls) params[p.name] = paramValue(p, control);
        const request = { action: a.id, params };
        if (device) request.device_id = device.value;
        submit.disabled = true;
        try {
          const order = await post(`/api/v1/tickets/${ticket.id}/actions`, request);
          resolve(order);
          dialog.close('ran');
        } catch (e) {
          const at = errors.get(faultyField(e.message));
          if (at) {
            at.textContent = e.message;
            const control = at.parentElement?.querySelector('input, select');
            control?.setAttribute('aria-invalid', 'true');
            control?.focus();
          } else {
            status.textContent = e.message;
          }
        } finally {
          submit.disabled = false;
        }
      },
    },
    h('h2', {}, `Run an action on ticket #${ticket.id}`),
    field('Action', choose),
    device ? h('div', { class: 'param' }, field('Device', device), errors.get('device_id')) : null,
    body, status,
    h('div', { class: 'row dialog-buttons' }, submit, cancel));

    const dialog = h('dialog', { class: 'action-dialog', 'aria-label': 'Run an action' }, form);
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(null);
    });
    document.body.append(dialog);
    dialog.showModal();
    (controls[0]?.[1] ?? choose).focus();
  });
}
