// The action catalog: what each action runs, its risk, approval rule, and the SHA-256 of its
// definition (the agent checks the signed order against it). Admins propose custom actions as
// TOML definitions (the server validates them with the same rules as built-in files), new
// versions, or deletions; each is in force only once a second admin or senior approves it
// (catalog_proposals.js). Built-in and file-defined actions are read-only.

import { api, del, get, post } from '../api.js';
import { badge, field, h, section, select, table, toast } from '../dom.js';
import { can } from '../roles.js';
import { proposalsTable } from './catalog_proposals.js';

const EXAMPLE = `id = "restart-cups"
version = 1
title = "Restart the print service"
argv = ["/usr/bin/systemctl", "restart", "cups.service"]
risk = "medium"`;

function deleteButton(a, reload) {
  // Two steps instead of window.confirm: the console raises no dialogs.
  const button = h('button', { type: 'button', class: 'danger' }, 'Delete');
  button.addEventListener('click', async () => {
    if (button.dataset.armed !== 'yes') {
      button.dataset.armed = 'yes';
      button.textContent = `Delete ${a.id}?`;
      return;
    }
    try {
      await del(`/api/v1/actions/${encodeURIComponent(a.id)}`);
      toast(`Deleting ${a.id} proposed: a second admin or senior must approve it`);
      await reload();
    } catch (e) { toast(e.message, 'error'); }
  });
  return button;
}

function editor(items, reload) {
  const custom = items.filter((a) => a.source === 'api').map((a) => [a.id, `new version of ${a.id}`]);
  const target = select('target', [['', 'a new action'], ...custom], '');
  const text = h('textarea', {
    name: 'definition', rows: 8, cols: 72, spellcheck: 'false', required: true,
    placeholder: EXAMPLE, 'aria-label': 'Action definition (TOML)',
  });
  const error = h('p', { class: 'field-error', role: 'alert' });
  return h('form', {
    id: 'custom-action-form',
    class: 'stacked',
    onsubmit: async (ev) => {
      ev.preventDefault();
      error.textContent = '';
      try {
        const body = { definition: text.value };
        const proposed = target.value
          ? await api('PUT', `/api/v1/actions/${encodeURIComponent(target.value)}`, body)
          : await post('/api/v1/actions', body);
        toast(`${proposed.action_id} v${proposed.version} proposed: a second admin or senior must approve it`);
        await reload();
      } catch (e) { error.textContent = e.message; }
    },
  }, field('Save as', target), field('Definition (TOML)', text), error,
  h('button', { type: 'submit' }, 'Propose custom action'));
}

export async function catalogSection(reload, me) {
  let items = [];
  let proposals = null;
  try {
    items = (await get('/api/v1/actions')).items ?? [];
    if (can('GET', '/api/v1/actions/proposals')) proposals = (await get('/api/v1/actions/proposals')).items ?? [];
  } catch (e) {
    return section('Action catalog', h('p', { class: 'muted' }, e.message));
  }
  const manage = reload && can('POST', '/api/v1/actions');
  return section('Action catalog', table([
    ['Action', (a) => [h('strong', {}, a.title), h('br'), h('code', { class: 'muted' }, `${a.id} v${a.version}`)]],
    ['Runs', (a) => h('code', { class: 'argv' }, (a.argv ?? []).join(' '))],
    ['Risk', (a) => badge('risk', a.risk)],
    ['Who', (a) => (a.approval === 'second_person' ? `${a.min_role}, approved by a second senior` : a.min_role)],
    ['Fixes', (a) => (a.fixes ?? []).map((f) => h('code', { class: 'chip' }, f))],
    ['Source', (a) => (a.source === 'api' ? 'custom' : a.source)],
    ['SHA-256', (a) => h('code', { class: 'hash', title: a.sha256 }, `${String(a.sha256).slice(0, 16)}…`)],
    ['', (a) => (manage && a.source === 'api' ? deleteButton(a, reload) : '')],
  ], items, { empty: 'The catalog is empty.' }),
  proposals ? proposalsTable(proposals, me, can('POST', '/api/v1/actions/proposals/{id}/approve') ? reload : null) : null,
  manage ? editor(items, reload) : null);
}
