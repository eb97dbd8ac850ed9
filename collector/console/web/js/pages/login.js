// Login: a cookie session for this browser; the CSRF token stays in this tab. A user with a
// second factor is asked for their authenticator's code after the password.

import { login } from '../api.js';
import { field, h, replace } from '../dom.js';

export function render(main, { message, onLogin }) {
  const name = h('input', { name: 'name', autocomplete: 'username', required: true, autofocus: true });
  const password = h('input', {
    name: 'password', type: 'password', autocomplete: 'current-password', required: true,
  });
  const code = h('input', {
    name: 'totp_code', autocomplete: 'one-time-code', inputmode: 'numeric', maxlength: 24,
  });
  const codeField = field('Authentication code', code,
    'The 6 digits your authenticator app shows, or one of your recovery codes.');
  codeField.hidden = true;
  const status = h('p', { class: 'form-status', role: 'alert' }, message ?? '');
  const button = h('button', { type: 'submit' }, 'Log in');
  const form = h('form', {
    class: 'login card',
    onsubmit: async (ev) => {
      ev.preventDefault();
      button.disabled = true;
      replace(status, 'Logging in…');
      try {
        await login(name.value, password.value, codeField.hidden ? '' : code.value.trim());
        password.value = '';
        code.value = '';
        await onLogin();
      } catch (e) {
        button.disabled = false;
        if (e.code === 'totp_required') {
          codeField.hidden = false;
          code.required = true;
          replace(status, 'Enter the code from your authenticator app.');
          code.focus();
          return;
        }
        replace(status, e.message);
        code.value = '';
        (codeField.hidden ? password : code).focus();
      }
    },
  }, h('h1', {}, 'triage'), h('p', { class: 'muted' }, 'Helpdesk console'),
  field('User name', name), field('Password', password), codeField, button, status);
  replace(main, form);
  name.focus();
}
