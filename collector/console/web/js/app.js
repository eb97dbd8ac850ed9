// The console's shell: who is signed in, the navigation, hash routes to pages.
// A page is a module exporting `render(main, params, ctx)`; it may return a function that
// stops its timers when the user leaves. A new page is one more entry in ROUTES.

import { ApiError, get, logout, onUnauthorized, forgetSession } from './api.js';
import { h, replace, toast } from './dom.js';
import { can, loadOperations, setRole } from './roles.js';
import * as loginPage from './pages/login.js';
import * as queuePage from './pages/queue.js';
import * as ticketPage from './pages/ticket.js';
import * as devicesPage from './pages/devices.js';
import * as devicePage from './pages/device.js';
import * as findingsPage from './pages/findings.js';
import * as problemPage from './pages/problem.js';
import * as approvalsPage from './pages/approvals.js';
import * as auditPage from './pages/audit.js';
import * as adminPage from './pages/admin.js';
import * as accountPage from './pages/account.js';
import { renderTotpRequired } from './pages/account_totp.js';

const ROUTES = [
  { pattern: /^\/queue$/, page: queuePage, nav: 'Queue', href: '#/queue' },
  { pattern: /^\/tickets\/(\d+)$/, page: ticketPage, section: '#/queue' },
  { pattern: /^\/devices$/, page: devicesPage, nav: 'Devices', href: '#/devices' },
  { pattern: /^\/devices\/([0-9A-Za-z._-]+)$/, page: devicePage, section: '#/devices' },
  { pattern: /^\/findings$/, page: findingsPage, nav: 'Fleet findings', href: '#/findings' },
  { pattern: /^\/problems\/(\d+)$/, page: problemPage, section: '#/findings' },
  {
    pattern: /^\/approvals$/, page: approvalsPage, nav: 'Approvals', href: '#/approvals',
    visible: () => can('POST', '/api/v1/orders/{id}/approve'),
  },
  {
    pattern: /^\/audit$/, page: auditPage, nav: 'Audit', href: '#/audit',
    visible: () => can('GET', '/api/v1/audit'),
  },
  {
    pattern: /^\/admin$/, page: adminPage, nav: 'Admin', href: '#/admin',
    visible: () => can('GET', '/api/v1/users'),
  },
  { pattern: /^\/account$/, page: accountPage, nav: 'Account', href: '#/account' },
];

const ctx = { me: null, totpRequired: false };
let stopPage = null;

function main() { return document.getElementById('main'); }

function showLogin(message) {
  if (stopPage) stopPage();
  stopPage = null;
  ctx.me = null;
  document.getElementById('top').hidden = true;
  loginPage.render(main(), { message, onLogin: start });
}

function renderNav(current) {
  const nav = document.getElementById('nav');
  replace(nav, ROUTES.filter((r) => r.nav && (!r.visible || r.visible())).map((r) => h('a', {
    href: r.href,
    'aria-current': current === r.href ? 'page' : null,
  }, r.nav)));
}

async function route() {
  if (!ctx.me) return;
  if (ctx.me.password_change_required) {
    showPasswordRequired();
    return;
  }
  if (ctx.totpRequired) {
    showTotpRequired();
    return;
  }
  const path = location.hash.replace(/^#/, '') || '/queue';
  const match = ROUTES.map((r) => [r, path.match(r.pattern)]).find(([, m]) => m);
  if (stopPage) stopPage();
  stopPage = null;
  const el = main();
  if (!match) {
    location.replace('#/queue');
    return;
  }
  const [r, m] = match;
  renderNav(r.href ?? r.section);
  replace(el, h('p', { class: 'loading' }, 'Loading…'));
  try {
    const stop = await r.page.render(el, m.slice(1).map(decodeURIComponent), ctx);
    stopPage = typeof stop === 'function' ? stop : null;
  } catch (e) {
    if (e instanceof ApiError && (e.status === 401 || e.code === 'csrf'
      || e.code === 'password_change_required' || e.code === 'totp_enrollment_required')) return;
    replace(el, h('div', { class: 'card error' }, h('h1', {}, 'Could not load this page'),
      h('p', {}, e.message)));
  }
  if (!el.contains(document.activeElement)) el.focus({ preventScroll: true });
}

// Until the user sets their own password the server answers nothing else: show only that.
function showPasswordRequired() {
  if (ctx.me) ctx.me.password_change_required = true;
  if (stopPage) stopPage();
  stopPage = null;
  replace(document.getElementById('nav'));
  accountPage.renderRequired(main(), async () => {
    toast('Password changed');
    await start();
  });
}

// An admin without a second factor where one is required: only setting it up answers.
function showTotpRequired() {
  ctx.totpRequired = true;
  if (stopPage) stopPage();
  stopPage = null;
  replace(document.getElementById('nav'));
  renderTotpRequired(main(), async () => {
    toast('Two-factor sign-in set up');
    await start();
  });
}

async function start() {
  try {
    const me = await get('/api/v1/auth/me');
    ctx.me = me.user;
    ctx.totpRequired = Boolean(me.totp_required);
  } catch {
    showLogin();
    return;
  }
  document.getElementById('top').hidden = false;
  replace(document.getElementById('who'), h('span', { class: 'name' }, ctx.me.name),
    h('span', { class: 'role' }, ctx.me.role));
  if (ctx.me.password_change_required) {
    showPasswordRequired();
    return;
  }
  if (ctx.totpRequired) {
    showTotpRequired();
    return;
  }
  await loadOperations();
  setRole(ctx.me.role);
  await route();
}

onUnauthorized((e) => {
  if (!ctx.me) return;
  if (e.code === 'password_change_required') {
    showPasswordRequired();
    return;
  }
  if (e.code === 'totp_enrollment_required') {
    showTotpRequired();
    return;
  }
  forgetSession();
  showLogin(e.code === 'csrf' ? 'This tab has no valid session token: please log in again.'
    : 'Your session ended: please log in again.');
});

document.getElementById('logout').addEventListener('click', async () => {
  try { await logout(); } catch (e) { toast(e.message, 'error'); }
  showLogin('Logged out.');
});

// "/" jumps to the page's search box, as in most consoles.
document.addEventListener('keydown', (ev) => {
  if (ev.key !== '/' || ev.ctrlKey || ev.metaKey || ev.altKey) return;
  const t = ev.target;
  if (t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement
      || t instanceof HTMLSelectElement || t?.isContentEditable) return;
  const search = document.querySelector('[data-search]');
  if (search) {
    ev.preventDefault();
    search.focus();
    search.select?.();
  }
});

window.addEventListener('hashchange', route);
start();
