// One finding as a card: severity, title, evidence, the knowledge-base text, and its suggested
// actions: labels, or "Fix with" buttons when the page passes `fixWith(finding)` (the ticket
// page does, for users who may run actions).

import { badge, h } from './dom.js';

export function suggestedActions(finding) {
  const actions = finding.suggested_actions ?? [];
  if (!actions.length) return null;
  return h('p', { class: 'actions' }, h('span', { class: 'label' }, 'Suggested actions: '),
    actions.map((a) => h('code', { class: 'chip' }, a)));
}

export function findingCard(f, { fixWith } = {}) {
  return h('article', { class: `finding sev-${f.severity}`, 'data-rule': f.rule },
    h('header', {}, badge('sev', f.severity), h('strong', {}, f.title || f.rule),
      h('code', { class: 'muted rule' }, f.rule)),
    f.evidence ? h('p', { class: 'evidence' }, h('span', { class: 'label' }, 'Evidence: '), f.evidence) : null,
    f.kb ? h('details', {}, h('summary', {}, 'What it means and what to do'), h('p', {}, f.kb)) : null,
    (fixWith && fixWith(f)) || suggestedActions(f));
}

export function findingList(findings, empty = 'No findings.', options = {}) {
  if (!findings?.length) return h('p', { class: 'empty' }, empty);
  const order = { critical: 0, warning: 1, info: 2 };
  return h('div', { class: 'findings' },
    [...findings].sort((a, b) => (order[a.severity] ?? 3) - (order[b.severity] ?? 3)).map((f) => findingCard(f, options)));
}
