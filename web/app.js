// faxd web UI entry point: plain ES modules talking to the public REST API only.
// Hash routes (#/inbox, #/fax/ID, ...); each role sees its own pages and nothing more.
import { api, ApiError } from './lib/api.js';
import { el } from './lib/dom.js';
import { t, setLanguage, setTimeZone, chooseLanguage, browserLanguages, applySettings } from './lib/i18n.js';
import { errorText } from './lib/errors.js';
import { faxList, faxDetail, sendPage } from './pages/faxes.js';
import {
  brandsPage, companiesPage, carriersPage, routesPage, ddisPage, virtualFaxesPage, usersPage, forbiddenPage,
} from './pages/admin.js';
import { tokensPage, webhooksPage } from './pages/account.js';
import { accountPage } from './pages/me.js';
import { lookPage } from './pages/look.js';
import { templatesPage } from './pages/templates.js';
import { coverPage } from './pages/cover.js';
import { callsPage, callReportsPage, auditPage } from './pages/accounting.js';
import { loadBrand, productName, titled } from './lib/brand.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const who = document.getElementById('who');

// route -> [catalogue key of its label in the menu, page]
const pages = {
  send: ['nav.send', sendPage],
  inbox: ['nav.inbox', faxList('inbound')],
  sent: ['nav.sent', faxList('outbound')],
  'virtual-faxes': ['nav.virtual_faxes', virtualFaxesPage],
  brands: ['nav.brands', brandsPage],
  companies: ['nav.companies', companiesPage],
  carriers: ['nav.carriers', carriersPage],
  routes: ['nav.routes', routesPage],
  ddis: ['nav.ddis', ddisPage],
  users: ['nav.users', usersPage],
  tokens: ['nav.tokens', tokensPage],
  webhooks: ['nav.webhooks', webhooksPage],
  account: ['nav.account', accountPage],
  look: ['nav.look', lookPage],
  templates: ['nav.templates', templatesPage],
  cover: ['nav.cover', coverPage],
  calls: ['nav.calls', callsPage],
  'call-reports': ['nav.call_reports', callReportsPage],
  audit: ['nav.audit', auditPage],
};

// Every role has its own API tokens and webhooks (they act with the owner's rights).
const rolePages = {
  platform_admin: ['brands', 'companies', 'carriers', 'routes', 'ddis', 'users', 'templates', 'calls', 'audit', 'tokens', 'webhooks'],
  brand_admin: ['companies', 'virtual-faxes', 'carriers', 'routes', 'ddis', 'users', 'inbox', 'sent', 'look', 'templates', 'calls', 'call-reports', 'audit', 'tokens', 'webhooks'],
  company_admin: ['send', 'inbox', 'sent', 'virtual-faxes', 'ddis', 'users', 'templates', 'cover', 'calls', 'call-reports', 'audit', 'tokens', 'webhooks'],
  user: ['send', 'inbox', 'sent', 'tokens', 'webhooks'],
};

let me = null;
let stopPage = null;
let flash = '';

async function showLogin(messageKey = '') {
  me = null;
  menuButton.remove();
  setTimeZone(null);
  await setLanguage(chooseLanguage(browserLanguages()));
  const message = messageKey ? t(messageKey) : '';
  if (stopPage) { stopPage(); stopPage = null; }
  nav.replaceChildren();
  nav.setAttribute('aria-label', t('nav.main'));
  who.replaceChildren();
  const err = el('p', { class: 'error', id: 'login-error', role: 'alert' }, message);
  const form = el('form', { class: 'card form narrow', id: 'login-form', 'aria-label': t('login.button') },
    el('h1', {}, t('login.title', { product: productName() })),
    el('div', { class: 'field' }, el('label', { for: 'username' }, t('login.username')),
      el('input', { id: 'username', name: 'username', autocomplete: 'username', required: true })),
    el('div', { class: 'field' }, el('label', { for: 'password' }, t('login.password')),
      el('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true })),
    err,
    el('div', { class: 'actions' }, el('button', { type: 'submit' }, t('login.button'))));
  document.title = productName();
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      await api.login(form.username.value, form.password.value);
      await start();
    } catch (e) {
      err.textContent = errorText(e);
    }
  });
  main.replaceChildren(form);
  form.username.focus();
}

// On a phone the menu folds behind a button (the header keeps to one line); a link followed
// folds it again.
const menuButton = el('button', { type: 'button', class: 'menu-toggle', id: 'menu-toggle', 'aria-controls': 'nav', 'aria-expanded': 'false' });
menuButton.addEventListener('click', () => setMenu(menuButton.getAttribute('aria-expanded') !== 'true'));
function setMenu(open) {
  menuButton.setAttribute('aria-expanded', String(open));
  nav.dataset.open = String(open);
}

function renderNav(current) {
  menuButton.textContent = t('nav.menu');
  if (!menuButton.isConnected) nav.before(menuButton);
  setMenu(false);
  nav.setAttribute('aria-label', t('nav.main'));
  nav.replaceChildren(el('ul', {}, rolePages[me.role].map((key) =>
    el('li', {}, el('a', { href: `#/${key}`, 'aria-current': key === current ? 'page' : null }, t(pages[key][0]))))));
}

// A page's first data asked for while /me is on its way (first load only): [route key, data].
let prefetched = null;

// #/key/arg?name=value: the route key, its argument and its query (a list narrowed to a brand).
function parseHash() {
  const [path, q = ''] = location.hash.split('?');
  const [, key = '', arg] = path.split('/');
  return { key, arg, params: Object.fromEntries(new URLSearchParams(q)) };
}

function routeKey() {
  return parseHash().key;
}

// Each navigation draws into a view of its own inside <main>. A page whose data comes after the
// user has gone on draws into a view no longer shown (and is stopped), never over the newer page.
let navigation = 0;

async function route() {
  if (!me) return;
  const current = ++navigation;
  const stale = () => current !== navigation;
  if (stopPage) { stopPage(); stopPage = null; }
  const allowed = rolePages[me.role] || [];
  const { key, arg, params } = parseHash();
  const early = prefetched && prefetched[0] === key ? prefetched[1] : null;
  prefetched = null;
  const ctx = { me, flash, setFlash: (m) => { flash = m; }, prefetched: early, params };
  flash = '';
  renderNav(key === 'fax' ? null : key);
  const view = el('div', { class: 'view' });
  main.replaceChildren(view);
  const settle = (stop) => {
    if (!stale()) { stopPage = stop || null; return true; }
    if (stop) stop();
    return false;
  };
  try {
    if (key === 'fax' && arg && allowed.includes('inbox')) {
      if (!settle(await faxDetail(view, ctx, arg))) return;
    } else if (!key) {
      location.replace(`#/${allowed[0]}`);
      return;
    } else if (pages[key] && (allowed.includes(key) || key === 'account' || (key === 'look' && me.role === 'platform_admin')
      // A company's cover page, from its row in the companies list.
      || (key === 'cover' && ['platform_admin', 'brand_admin'].includes(me.role)))) {
      if (!settle(await pages[key][1](view, ctx))) return;
    } else {
      forbiddenPage(view);
    }
    if (!me) {  // the session ended while the page loaded: the login form wins
      if (stopPage) { stopPage(); stopPage = null; }
      showLogin('error.session_ended');
      return;
    }
    // A switched-off company or brand: said on every page, from the login on, in the user's
    // language (which switch is off: disabled_by).
    if (me.disabled) {
      main.prepend(el('p', { class: 'notice tenant-disabled', role: 'alert', id: 'tenant-disabled' },
        t(me.disabled_by === 'brand' ? 'tenant.disabled_brand' : 'tenant.disabled_company')));
    }
    const h1 = main.querySelector('h1');
    document.title = titled(h1 ? h1.textContent : '');
    // After following a menu link, start reading at the new page (unless it focused a field).
    if (!main.contains(document.activeElement)) main.focus();
  } catch (e) {
    if (stale()) return;  // a page left behind failed: the newer one stands
    if (e instanceof ApiError && e.status === 401) { showLogin('error.session_ended'); return; }
    main.replaceChildren(el('section', { class: 'card' }, el('h1', {}, t('error.title')),
      el('p', { class: 'error' }, errorText(e))));
  }
}

async function start() {
  // The API scopes every answer to the caller, so asking before knowing the role is safe: a
  // page the role may not see just drops what was fetched.
  const page = pages[routeKey()];
  prefetched = page && page[1].prefetch ? [routeKey(), page[1].prefetch()] : null;
  const brand = loadBrand();
  try {
    me = await api.get('/me');
    await brand;
  } catch (e) {
    await brand;
    if (e instanceof ApiError && e.status === 401) showLogin();
    else {
      await setLanguage(chooseLanguage(browserLanguages()));
      main.replaceChildren(el('p', { class: 'error' }, t('error.unreachable')));
    }
    return;
  }
  await applySettings(me);
  const logout = el('button', { type: 'button', class: 'secondary', id: 'logout' }, t('nav.logout'));
  logout.addEventListener('click', async () => {
    try { await api.logout(); } catch { /* the session is gone either way */ }
    history.replaceState(null, '', '/');
    showLogin();
  });
  who.replaceChildren(el('a', { class: 'me', href: '#/account', id: 'my-account', title: t('nav.account') },
    `${me.username} · ${t(`role.${me.role}`)}`), logout);
  await route();
}

window.addEventListener('hashchange', route);
// My account changed the language or time zone: everything is drawn again in them.
window.addEventListener('faxd:settings', () => { start(); });
window.addEventListener('faxd:unauthorized', () => { if (me) showLogin('error.session_ended'); });
start();
