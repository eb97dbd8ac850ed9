// Administration: users and roles, API tokens and agent enrollment tokens (secrets shown once
// at creation), webhooks, and the action catalog (custom actions editable).

import { del, get, patch, post } from '../api.js';
import { field, h, replace, section, select, table, time, toast } from '../dom.js';
import { catalogSection } from '../admin/catalog.js';
import { enrollmentTokens } from '../admin/enrollment_tokens.js';
import { secretBox } from '../admin/secret_box.js';
import { webhooksSection } from '../admin/webhooks.js';

const ROLES = ['viewer', 'technician', 'senior', 'admin'];

export async function render(main, _params, ctx) {
  async function reload(shown = {}) {
    // A section whose API fails says so; the rest of the page still works.
    const orNote = (title, promise) => promise.catch((e) => section(title, h('p', { class: 'muted' }, e.message)));
    const [users, tokens, enrollment, webhooks, catalog] = await Promise.all([
      get('/api/v1/users'), get('/api/v1/auth/tokens'),
      orNote('Enrollment tokens', enrollmentTokens(reload, shown.enrollmentToken)),
      orNote('Webhooks', webhooksSection(reload, shown.webhookSecret)), catalogSection(reload, ctx.me)]);
    const shownToken = shown.apiToken;
    const change = (u, body) => async () => {
      try { await patch(`/api/v1/users/${u.id}`, body); toast(`${u.name} updated`); await reload(); } catch (e) { toast(e.message, 'error'); await reload(); }
    };
    const name = h('input', { name: 'name', required: true, autocomplete: 'off' });
    const password = h('input', { name: 'password', type: 'password', required: true, autocomplete: 'new-password', minlength: 12 });
    const role = select('role', ROLES, 'viewer');
    const userForm = h('form', {
      class: 'inline',
      onsubmit: async (ev) => {
        ev.preventDefault();
        try { await post('/api/v1/users', { name: name.value, role: role.value, password: password.value }); toast('User created'); await reload(); } catch (e) { toast(e.message, 'error'); }
      },
    }, field('Name', name), field('Role', role), field('Password', password), h('button', { type: 'submit' }, 'Add user'));

    const tokenUser = select('user', users.users.filter((u) => !u.disabled).map((u) => u.name), ctx.me.name);
    const tokenName = h('input', { name: 'name', required: true, placeholder: 'what uses it' });
    const ttl = h('input', { name: 'ttl_days', type: 'number', min: 1, max: 365, value: 90, size: 4 });
    const tokenForm = h('form', {
      class: 'inline',
      onsubmit: async (ev) => {
        ev.preventDefault();
        try {
          const t = await post('/api/v1/auth/tokens', { user: tokenUser.value, name: tokenName.value, ttl_days: Number(ttl.value) });
          await reload({ apiToken: t });
        } catch (e) { toast(e.message, 'error'); }
      },
    }, field('User', tokenUser), field('Label', tokenName), field('Days', ttl), h('button', { type: 'submit' }, 'Create API token'));

    replace(main, h('div', { class: 'page-head' }, h('h1', {}, 'Administration')),
      section('Users', table([
        ['Name', (u) => u.name],
        ['Role', (u) => {
          const s = select('role', ROLES, u.role);
          s.setAttribute('aria-label', `Role of ${u.name}`);
          s.addEventListener('change', () => change(u, { role: s.value })());
          return s;
        }],
        ['State', (u) => (u.disabled ? 'disabled' : u.locked_until ? ['locked until ', time(u.locked_until)] : 'active')],
        ['Created', (u) => time(u.created_at)],
        ['', (u) => h('button', { type: 'button', class: u.disabled ? 'secondary' : 'danger', onclick: change(u, { disabled: !u.disabled }) },
          u.disabled ? 'Enable' : 'Disable')],
      ], users.users), userForm),
      section('API tokens',
        shownToken ? secretBox('Copy this token now; it is not shown again:', shownToken.token) : null,
        table([
          ['Label', (t) => t.name], ['User', (t) => t.user], ['Created', (t) => time(t.created_at)],
          ['Expires', (t) => time(t.expires_at)], ['Last used', (t) => time(t.last_used_at)],
          ['State', (t) => (t.active ? 'active' : 'revoked or expired')],
          ['', (t) => (t.active ? h('button', {
            type: 'button', class: 'danger',
            onclick: async () => {
              if (!window.confirm(`Revoke the token "${t.name}"?`)) return;
              try { await del(`/api/v1/auth/tokens/${t.id}`); await reload(); } catch (e) { toast(e.message, 'error'); }
            },
          }, 'Revoke') : '')],
        ], tokens.tokens, { empty: 'No API tokens.' }), tokenForm),
      enrollment, webhooks, catalog);
  }
  await reload();
}
