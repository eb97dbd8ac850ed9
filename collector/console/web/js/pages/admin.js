// Administration: people and service accounts, roles, required password changes, API tokens
// (an admin mints them for service accounts and for themselves; people mint their own) and
// agent enrollment tokens (secrets shown once at creation), webhooks, and the action catalog
// (custom actions editable).

import { del, get, patch, post } from '../api.js';
import { field, h, replace, section, select, table, time, toast } from '../dom.js';
import { catalogSection } from '../admin/catalog.js';
import { enrollmentTokens } from '../admin/enrollment_tokens.js';
import { secretBox } from '../admin/secret_box.js';
import { webhooksSection } from '../admin/webhooks.js';

const ROLES = ['viewer', 'technician', 'senior', 'admin'];
const SERVICE_ROLES = ['viewer', 'technician', 'senior'];

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
    const kind = select('kind', [['person', 'person'], ['service', 'service account']], 'person');
    // A service account has no password and is never an admin.
    kind.addEventListener('change', () => {
      const service = kind.value === 'service';
      password.disabled = service;
      password.required = !service;
      if (service) password.value = '';
      for (const o of role.options) o.disabled = service && o.value === 'admin';
      if (service && role.value === 'admin') role.value = 'technician';
    });
    const userForm = h('form', {
      id: 'user-form',
      class: 'inline',
      onsubmit: async (ev) => {
        ev.preventDefault();
        const body = { name: name.value, role: role.value };
        if (kind.value === 'service') body.kind = 'service'; else body.password = password.value;
        try { await post('/api/v1/users', body); toast(kind.value === 'service' ? 'Service account created' : 'User created; they choose their own password at first login'); await reload(); } catch (e) { toast(e.message, 'error'); }
      },
    }, field('Name', name), field('Kind', kind), field('Role', role), field('First password', password), h('button', { type: 'submit' }, 'Add user'));

    // Tokens are personal: for yourself, or (admin) for a service account.
    const holders = [ctx.me.name, ...users.users.filter((u) => u.kind === 'service' && !u.disabled).map((u) => u.name)];
    const tokenUser = select('user', holders.map((n) => [n, n === ctx.me.name ? `${n} (you)` : `${n} (service)`]), ctx.me.name);
    const tokenName = h('input', { name: 'name', required: true, placeholder: 'what uses it' });
    const ttl = h('input', { name: 'ttl_days', type: 'number', min: 1, max: 365, value: 90, size: 4 });
    const tokenForm = h('form', {
      id: 'api-token-form',
      class: 'inline',
      onsubmit: async (ev) => {
        ev.preventDefault();
        try {
          const t = await post('/api/v1/auth/tokens', { user: tokenUser.value, name: tokenName.value, ttl_days: Number(ttl.value) });
          await reload({ apiToken: t });
        } catch (e) { toast(e.message, 'error'); }
      },
    }, field('For', tokenUser), field('Label', tokenName), field('Days', ttl), h('button', { type: 'submit' }, 'Create API token'));

    replace(main, h('div', { class: 'page-head' }, h('h1', {}, 'Administration')),
      section('Users', table([
        ['Name', (u) => u.name],
        ['Kind', (u) => (u.kind === 'service' ? 'service account' : 'person')],
        ['Role', (u) => {
          const s = select('role', u.kind === 'service' ? SERVICE_ROLES : ROLES, u.role);
          s.setAttribute('aria-label', `Role of ${u.name}`);
          s.addEventListener('change', () => change(u, { role: s.value })());
          return s;
        }],
        ['State', (u) => (u.disabled ? 'disabled' : u.locked_until ? ['locked until ', time(u.locked_until)]
          : u.password_change_required ? 'must choose a new password' : 'active')],
        ['Created', (u) => time(u.created_at)],
        ['', (u) => [
          u.kind === 'person' && !u.password_change_required && !u.disabled ? h('button', {
            type: 'button', class: 'secondary', onclick: change(u, { password_change_required: true }),
          }, 'Require new password') : null,
          h('button', { type: 'button', class: u.disabled ? 'secondary' : 'danger', onclick: change(u, { disabled: !u.disabled }) },
            u.disabled ? 'Enable' : 'Disable')]],
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
