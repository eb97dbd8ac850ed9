// Proposed changes to the custom actions, waiting for a second person: an admin proposes, and
// a different admin or senior approves (the change is in force from then on) or rejects it;
// the proposer may withdraw it. The server refuses the proposer's own approval whatever this
// page shows.

import { post } from '../api.js';
import { badge, h, table, time, toast } from '../dom.js';

const CHANGE = { create: 'new action', update: 'new version', delete: 'deletion' };

function decide(p, verb, reload, body = {}) {
  return async () => {
    try {
      const after = await post(`/api/v1/actions/proposals/${p.id}/${verb}`, body);
      toast(`${p.action_id}: proposal ${after.status}`);
      await reload();
    } catch (e) { toast(e.message, 'error'); }
  };
}

function decisionButtons(p, me, reload) {
  if (p.proposed?.user === me?.name) {
    return [h('span', { class: 'muted' }, 'yours: a second person must approve '),
      h('button', { type: 'button', class: 'secondary', onclick: decide(p, 'reject', reload) }, 'Withdraw')];
  }
  return [h('button', { type: 'button', onclick: decide(p, 'approve', reload) }, 'Approve'), ' ',
    h('button', { type: 'button', class: 'danger', onclick: decide(p, 'reject', reload) }, 'Reject')];
}

/** The pending proposals as a table with Approve / Reject (or Withdraw for one's own). */
export function proposalsTable(proposals, me, reload) {
  return h('div', { id: 'catalog-proposals' },
    h('h3', {}, 'Awaiting approval'),
    table([
      ['Change', (p) => [h('strong', {}, `${p.action_id} v${p.version}`), h('br'), h('span', { class: 'muted' }, CHANGE[p.change] ?? p.change)]],
      ['Runs', (p) => (p.argv ? h('code', { class: 'argv' }, p.argv.join(' ')) : '')],
      ['Risk', (p) => (p.risk ? badge('risk', p.risk) : '')],
      ['Proposed', (p) => [p.proposed?.user ?? '', h('br'), time(p.proposed?.at)]],
      ['Definition', (p) => (p.definition ? h('details', {}, h('summary', {}, 'TOML'), h('pre', {}, p.definition)) : '')],
      ['', (p) => (reload ? decisionButtons(p, me, reload) : '')],
    ], proposals, { empty: 'No catalog change is awaiting approval.', rowAttrs: (p) => ({ 'data-proposal': p.id }) }));
}
