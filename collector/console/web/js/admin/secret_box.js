// A secret shown once (API token, enrollment token, webhook secret) with a copy button.

import { h } from '../dom.js';

export function secretBox(message, secret) {
  const code = h('code', { class: 'token' }, secret);
  const status = h('span', { class: 'hint', role: 'status' });
  const copy = h('button', {
    type: 'button', class: 'secondary copy',
    onclick: async () => {
      try {
        await navigator.clipboard.writeText(secret);
        status.textContent = 'Copied.';
      } catch {
        // Without clipboard permission: select it for Ctrl+C.
        const range = document.createRange();
        range.selectNodeContents(code);
        getSelection().removeAllRanges();
        getSelection().addRange(range);
        status.textContent = 'Selected: press Ctrl+C.';
      }
    },
  }, 'Copy');
  return h('div', { class: 'card secret', role: 'alert' }, h('p', {}, message), code,
    h('div', { class: 'row' }, copy, status));
}
