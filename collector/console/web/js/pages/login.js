// Login: a cookie session for this browser; the CSRF token stays in this tab.

import { login } from '../api.js';
import { field, h, replace } from '../dom.js';

export function render(main, { message, onLogin }) {
  const name = h('input', { name: 'name', autocomplete: 'username', required: true, autofocus: true });
  const password = h('input', {
    name: 'password', type: 'password', autocomplete: 'current-password', required: true,
  });
  const status = h('p', { class: 'form-status', role: 'alert' }, message ?? '');
  const button = h('button', { type: 'submit' }, 'Log in');
  const form = h('form', {
    class: 'login card',
    onsubmit: async (ev) => {
      ev.preventDefault();
      button.disabled = true;
      replace(status, 'Logging in…');
      try {
        await login(name.value, password.value);
        password.value = '';
        await onLogin();
      } catch (e) {
        replace(status, e.message);
        button.disabled = false;
        password.focus();
      }
    },
  }, h('h1', {}, 'triage'), h('p', { class: 'muted' }, 'Helpdesk console'),
  field('User name', name), field('Password', password), button, status);
  replace(main, form);
  name.focus();
}
