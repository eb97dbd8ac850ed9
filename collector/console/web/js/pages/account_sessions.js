// Your sign-in sessions: where and how each was opened, when last used; end any of them.

import { del, get } from '../api.js';
import { h, section, table, time, toast } from '../dom.js';

/** The "Sessions" section of the account page; `onChange()` reloads the page. */
export async function sessionsSection(onChange) {
  const { sessions } = await get('/api/v1/me/sessions');
  return section('Sessions',
    h('p', { class: 'muted' }, 'Every browser or script signed in as you. End any you do not recognise.'),
    table([
      ['Signed in', (s) => time(s.created_at)],
      ['Last seen', (s) => time(s.last_seen_at)],
      ['From', (s) => s.source],
      ['Browser or client', (s) => s.user_agent || '—'],
      ['Method', (s) => s.method],
      ['', (s) => (s.current ? h('span', { class: 'muted' }, 'this session') : h('button', {
        type: 'button', class: 'danger',
        onclick: async () => {
          try { await del(`/api/v1/me/sessions/${s.id}`); toast('Session ended'); await onChange(); } catch (e) { toast(e.message, 'error'); }
        },
      }, 'End'))],
    ], sessions, { empty: 'No sessions.', rowAttrs: (s) => ({ 'data-session': s.id }) }));
}
