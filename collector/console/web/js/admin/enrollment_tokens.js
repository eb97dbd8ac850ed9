// Agent enrollment tokens: create (uses, validity) — the secret is shown once with a copy
// button —, list with uses and state, revoke.

import { del, get, post } from '../api.js';
import { badge, field, h, section, select, table, time, toast } from '../dom.js';
import { secretBox } from './secret_box.js';

const VALIDITY = [['1h', '1 hour'], ['24h', '1 day'], ['7d', '7 days'], ['30d', '30 days'], ['90d', '90 days']];

/** The section; `reload(shown)` re-renders the admin page (shown: a just-created token). */
export async function enrollmentTokens(reload, shown) {
  const tokens = await get('/api/v1/enrollment-tokens');
  const uses = h('input', { name: 'uses', type: 'number', min: 1, max: 1000000, value: 1, size: 6, required: true });
  const ttl = select('ttl', VALIDITY, '24h');
  const form = h('form', {
    class: 'inline', id: 'enrollment-token-form',
    onsubmit: async (ev) => {
      ev.preventDefault();
      try {
        const t = await post('/api/v1/enrollment-tokens', { uses: Number(uses.value), ttl: ttl.value });
        await reload({ enrollmentToken: t });
      } catch (e) { toast(e.message, 'error'); }
    },
  }, field('Devices it may enroll', uses), field('Valid for', ttl),
  h('button', { type: 'submit' }, 'Create enrollment token'));
  return section('Enrollment tokens',
    shown ? secretBox(`Enrollment token ${shown.id}: copy it now, it is not shown again. `
      + 'On the device: triage-agent enroll --token TOKEN …', shown.token) : null,
    table([
      ['Id', (t) => h('code', {}, t.id)],
      ['State', (t) => badge('token', t.state)],
      ['Uses', (t) => `${t.uses} of ${t.max_uses}`],
      ['Created', (t) => [time(t.created_at), ` by ${t.created_by}`]],
      ['Expires', (t) => time(t.expires_at)],
      ['', (t) => (t.state === 'active' ? h('button', {
        type: 'button', class: 'danger',
        onclick: async () => {
          if (!window.confirm(`Revoke the enrollment token ${t.id}? Devices it enrolled keep working.`)) return;
          try { await del(`/api/v1/enrollment-tokens/${t.id}`); toast('Enrollment token revoked'); await reload(); } catch (e) { toast(e.message, 'error'); }
        },
      }, 'Revoke') : '')],
    ], tokens.items, { empty: 'No enrollment tokens.' }),
    form);
}
