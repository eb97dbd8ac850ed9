// Your second factor (TOTP): set it up with any authenticator app (the secret as text and as
// an otpauth:// URI; no QR code: the console bundles no QR library), confirm it with a first
// code, keep the recovery codes shown once; remove it with your password.

import { api, post } from '../api.js';
import { field, h, replace, section, toast } from '../dom.js';

function passwordInput() {
  return h('input', {
    name: 'current_password', type: 'password', autocomplete: 'current-password', required: true,
  });
}

/** The enrollment steps in `box`; `onDone()` once the user has seen their recovery codes. */
function enrollForm(box, onDone) {
  const password = passwordInput();
  const status = h('p', { class: 'form-status', role: 'alert' });
  const start = h('form', {
    id: 'totp-start-form',
    class: 'inline',
    onsubmit: async (ev) => {
      ev.preventDefault();
      try {
        const enrollment = await post('/api/v1/me/totp', { current_password: password.value });
        password.value = '';
        replace(box, confirmForm(enrollment, box, onDone));
        box.querySelector('input')?.focus();
      } catch (e) { replace(status, e.message); }
    },
  }, field('Current password', password), h('button', { type: 'submit' }, 'Set up two-factor sign-in'), status);
  return start;
}

function confirmForm(enrollment, box, onDone) {
  const code = h('input', {
    name: 'code', autocomplete: 'one-time-code', inputmode: 'numeric', required: true, maxlength: 6,
  });
  const status = h('p', { class: 'form-status', role: 'alert' });
  return h('form', {
    id: 'totp-confirm-form',
    class: 'secret',
    onsubmit: async (ev) => {
      ev.preventDefault();
      try {
        const done = await post('/api/v1/me/totp/confirm', { code: code.value.trim() });
        replace(box, recoveryCodes(done.recovery_codes, onDone));
      } catch (e) { replace(status, e.message); }
    },
  },
  h('p', {}, 'Add this account to your authenticator app: type the secret, or paste the URI into an app that imports it.'),
  h('p', {}, 'Secret: ', h('code', { id: 'totp-secret', class: 'token' }, enrollment.secret)),
  h('p', {}, 'URI: ', h('code', { id: 'totp-uri', class: 'token' }, enrollment.otpauth_uri)),
  field('Code from the app', code, `${enrollment.digits} digits, new every ${enrollment.period_seconds} seconds.`),
  h('button', { type: 'submit' }, 'Confirm'), status);
}

function recoveryCodes(codes, onDone) {
  return h('div', { class: 'secret' },
    h('p', {}, 'Two-factor sign-in is on. Keep these recovery codes somewhere safe: each signs you in once if you lose your authenticator. They are not shown again.'),
    h('ul', { id: 'recovery-codes' }, codes.map((c) => h('li', {}, h('code', {}, c)))),
    h('button', { type: 'button', onclick: () => onDone() }, 'Done'));
}

/** The "Two-factor sign-in" section of the account page; `onChange()` reloads the page. */
export function totpSection(me, onChange) {
  const box = h('div', { id: 'totp' });
  if (!me.user.totp_enabled) {
    replace(box, h('p', { class: 'muted' }, 'Off: your password alone signs you in.'), enrollForm(box, onChange));
    return section('Two-factor sign-in', box);
  }
  const password = passwordInput();
  const status = h('p', { class: 'form-status', role: 'alert' });
  replace(box,
    h('p', {}, `On. ${me.recovery_codes_left ?? 0} recovery codes left.`),
    h('button', {
      type: 'button', class: 'secondary',
      onclick: () => replace(box, enrollForm(box, onChange)),
    }, 'Move to a new device'),
    h('form', {
      id: 'totp-remove-form',
      class: 'inline',
      onsubmit: async (ev) => {
        ev.preventDefault();
        try {
          await api('DELETE', '/api/v1/me/totp', { current_password: password.value });
          toast('Two-factor sign-in removed');
          await onChange();
        } catch (e) { replace(status, e.message); }
      },
    }, field('Current password', password), h('button', { type: 'submit', class: 'danger' }, 'Remove'), status));
  return section('Two-factor sign-in', box);
}

/** The whole console for an admin who must set up a second factor first. */
export function renderTotpRequired(main, onDone) {
  const box = h('div', { id: 'totp' });
  replace(box, enrollForm(box, onDone));
  replace(main, h('div', { class: 'card login' },
    h('h1', {}, 'Set up two-factor sign-in'),
    h('p', {}, 'Admins of this collector sign in with a second factor. Set yours up before going on.'),
    box));
  main.querySelector('input')?.focus();
}
