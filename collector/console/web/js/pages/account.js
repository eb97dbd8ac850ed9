// Your account: change your own password, your second factor, your sessions and API tokens.
// A company directory user (source `ldap`) sees where they signed in instead of the password
// and second-factor controls: those live in the directory.
// The password form is the whole console while a new password is required (an account an
// admin created, a reset an admin forced, a generated first password): the server answers
// nothing else until it is set.

import { del, get, post } from '../api.js';
import { field, h, replace, section, table, time, toast } from '../dom.js';
import { secretBox } from '../admin/secret_box.js';
import { sessionsSection } from './account_sessions.js';
import { totpSection } from './account_totp.js';

/** The password change form; `onDone(user)` after the server accepted it. */
export function passwordForm(onDone) {
  const current = h('input', {
    name: 'current_password', type: 'password', autocomplete: 'current-password', required: true,
  });
  const next = h('input', {
    name: 'new_password', type: 'password', autocomplete: 'new-password', required: true, minlength: 12,
  });
  const again = h('input', {
    name: 'new_password_again', type: 'password', autocomplete: 'new-password', required: true, minlength: 12,
  });
  const status = h('p', { class: 'form-status', role: 'alert' });
  const button = h('button', { type: 'submit' }, 'Change password');
  return h('form', {
    id: 'password-form',
    class: 'password-form',
    onsubmit: async (ev) => {
      ev.preventDefault();
      if (next.value !== again.value) {
        replace(status, 'The new passwords differ.');
        return;
      }
      button.disabled = true;
      try {
        const res = await post('/api/v1/me/password', {
          current_password: current.value, new_password: next.value,
        });
        for (const input of [current, next, again]) input.value = '';
        replace(status, '');
        await onDone(res.user);
      } catch (e) {
        replace(status, e.message);
      } finally {
        button.disabled = false;
      }
    },
  }, field('Current password', current), field('New password', next, 'At least 12 characters.'),
  field('New password again', again, 'Not your user name.'), button, status);
}

/** The forced-reset page: nothing but the form (and the header's Log out). */
export function renderRequired(main, onDone) {
  replace(main, h('div', { class: 'card login' },
    h('h1', {}, 'Choose a new password'),
    h('p', {}, 'Your password was set by someone else or must be renewed. Choose your own before going on.'),
    passwordForm(onDone)));
  main.querySelector('input')?.focus();
}

export async function render(main, _params, ctx) {
  async function reload(shown = null) {
    const [tokens, me] = await Promise.all([get('/api/v1/auth/tokens'), get('/api/v1/auth/me')]);
    const label = h('input', { name: 'name', required: true, placeholder: 'what uses it' });
    const ttl = h('input', { name: 'ttl_days', type: 'number', min: 1, max: 365, value: 90, size: 4 });
    const mine = tokens.tokens.filter((t) => t.user === ctx.me.name);
    // A company directory account has its password and second factor in the directory.
    const directory = me.user.source === 'ldap';
    replace(main, h('div', { class: 'page-head' }, h('h1', {}, 'Your account')),
      directory
        ? section('Sign-in',
          h('p', { id: 'directory-account' }, `Signed in as ${me.user.name} (${me.user.role}) with the company directory.`),
          h('p', { class: 'muted' }, 'Your password, second factor and role come from the company directory: change them there. Your role follows your directory groups.'))
        : section('Password',
          h('p', { class: 'muted' }, `Signed in as ${ctx.me.name} (${ctx.me.role}). Changing the password signs out your other sessions.`),
          passwordForm(async () => { toast('Password changed'); await reload(); })),
      directory ? null : totpSection(me, () => reload()),
      await sessionsSection(() => reload()),
      section('Your API tokens',
        h('p', { class: 'muted' }, 'A token acts as you, with your role, for your own scripts. Nobody else can mint one for you.'),
        shown ? secretBox('Copy this token now; it is not shown again:', shown.token) : null,
        table([
          ['Label', (t) => t.name], ['Created', (t) => time(t.created_at)], ['Expires', (t) => time(t.expires_at)],
          ['Last used', (t) => time(t.last_used_at)], ['State', (t) => (t.active ? 'active' : 'revoked or expired')],
          ['', (t) => (t.active ? h('button', {
            type: 'button', class: 'danger',
            onclick: async () => {
              try { await del(`/api/v1/auth/tokens/${t.id}`); await reload(); } catch (e) { toast(e.message, 'error'); }
            },
          }, 'Revoke') : '')],
        ], mine, { empty: 'No API tokens.' }),
        h('form', {
          id: 'own-token-form',
          class: 'inline',
          onsubmit: async (ev) => {
            ev.preventDefault();
            try {
              const t = await post('/api/v1/auth/tokens', { name: label.value, ttl_days: Number(ttl.value) });
              await reload(t);
            } catch (e) { toast(e.message, 'error'); }
          },
        }, field('Label', label), field('Days', ttl), h('button', { type: 'submit' }, 'Create API token'))));
  }
  await reload();
}
