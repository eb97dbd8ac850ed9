// The audit log (senior and admin): the filters GET /api/v1/audit supports (since, until,
// event type prefix, actor, target), pages of 100 newest first, and "Export" of everything
// matching as JSON lines, fetched page by page from the API's ndjson format.

import { get, getText, withQuery } from '../api.js';
import { field, h, replace, section, table, time, toast } from '../dom.js';

const PAGE = 100;
const EXPORT_PAGE = 5000;
const EXPORT_MAX_PAGES = 200;
const filters = { since: '', until: '', type: '', actor: '', target: '' };

// <input type="datetime-local"> speaks local time without a zone; the API wants RFC 3339.
function rfc3339(local) {
  if (!local) return '';
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function query() {
  return {
    since: rfc3339(filters.since), until: rfc3339(filters.until),
    type: filters.type, actor: filters.actor, target: filters.target,
  };
}

function details(e) {
  const d = e.details;
  if (d === null || d === undefined || (typeof d === 'object' && !Object.keys(d).length)) return '';
  return h('code', { class: 'details' }, typeof d === 'string' ? d : JSON.stringify(d));
}

async function exportLines(button) {
  button.disabled = true;
  try {
    const parts = [];
    let before = '';
    for (let i = 0; i < EXPORT_MAX_PAGES; i += 1) {
      const r = await getText(withQuery('/api/v1/audit',
        { ...query(), format: 'ndjson', limit: EXPORT_PAGE, before }));
      parts.push(r.text);
      before = r.headers.get('X-Next-Before') ?? '';
      if (!before) break;
    }
    const blob = new Blob(parts, { type: 'application/x-ndjson' });
    const link = h('a', {
      href: URL.createObjectURL(blob),
      download: `triage-audit-${new Date().toISOString().replace(/[:.]/g, '-')}.jsonl`,
      hidden: true,
    });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 60000);
    toast('Audit export downloaded');
  } catch (e) {
    toast(e.message, 'error');
  } finally {
    button.disabled = false;
  }
}

export async function render(main) {
  const input = (name, attrs = {}) => h('input', { name, value: filters[name], ...attrs });
  const since = input('since', { type: 'datetime-local' });
  const until = input('until', { type: 'datetime-local' });
  const type = input('type', { size: 18, placeholder: 'auth. or order.approved', pattern: '[a-z0-9_.]*', 'data-search': true });
  const actor = input('actor', { size: 12 });
  const target = input('target', { size: 18, placeholder: 'ticket:12' });
  const list = h('div', { class: 'audit-list' });
  const pager = h('div', { class: 'row pager' });
  const stack = [];  // `before` cursors of the pages behind the current one
  let latest = 0;  // a slower, older answer must not overwrite the page asked for last

  async function load(before) {
    const asked = ++latest;
    list.setAttribute('aria-busy', 'true');
    let page;
    try {
      page = await get(withQuery('/api/v1/audit', { ...query(), limit: PAGE, before }));
    } finally {
      if (asked === latest) list.setAttribute('aria-busy', 'false');
    }
    if (asked !== latest) return;
    replace(list, table([
      ['#', (e) => e.seq],
      ['When', (e) => time(e.at)],
      ['Type', (e) => h('code', {}, e.type)],
      ['Actor', (e) => [e.actor, h('span', { class: 'muted' }, ` (${e.actor_kind})`)]],
      ['Target', (e) => e.target],
      ['Outcome', (e) => e.outcome],
      ['Source', (e) => e.source],
      ['Details', details],
    ], page.events, { empty: 'No audit event matches.' }));
    replace(pager,
      h('button', {
        type: 'button', class: 'secondary', disabled: !stack.length,
        onclick: () => { stack.pop(); load(stack[stack.length - 1]).catch((e) => toast(e.message, 'error')); },
      }, 'Newer'),
      h('button', {
        type: 'button', class: 'secondary', disabled: page.next_before === null,
        onclick: () => { stack.push(page.next_before); load(page.next_before).catch((e) => toast(e.message, 'error')); },
      }, 'Older'));
  }

  const exportButton = h('button', { type: 'button', class: 'secondary', onclick: () => exportLines(exportButton) },
    'Export (JSON lines)');
  const form = h('form', {
    class: 'filters card',
    'aria-label': 'Audit filters',
    onsubmit: async (ev) => {
      ev.preventDefault();
      Object.assign(filters, {
        since: since.value, until: until.value, type: type.value.trim(),
        actor: actor.value.trim(), target: target.value.trim(),
      });
      stack.length = 0;
      try { await load(); } catch (e) { toast(e.message, 'error'); }
    },
  }, field('Since', since), field('Until', until), field('Type (prefix)', type), field('Actor', actor),
  field('Target', target), h('button', { type: 'submit' }, 'Filter'), exportButton);

  replace(main, h('div', { class: 'page-head' }, h('h1', {}, 'Audit log'),
    h('span', { class: 'muted' }, 'every security-relevant change, hash-chained')),
  form, section('Events', list, pager));
  await load();
}
