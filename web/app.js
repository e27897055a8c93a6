// faxd web UI entry point: plain ES modules talking to the public REST API only.
// Hash routes (#/inbox, #/fax/ID, ...); each role sees its own pages and nothing more.
import { api, ApiError } from './lib/api.js';
import { el } from './lib/dom.js';
import { faxList, faxDetail, sendPage } from './pages/faxes.js';
import {
  brandsPage, companiesPage, carriersPage, routesPage, ddisPage, virtualFaxesPage, usersPage, forbiddenPage,
} from './pages/admin.js';
import { tokensPage, webhooksPage } from './pages/account.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const who = document.getElementById('who');

// route -> [label in the menu (null: not in the menu), page]
const pages = {
  send: ['Send a fax', sendPage],
  inbox: ['Inbox', faxList('inbound')],
  sent: ['Sent', faxList('outbound')],
  'virtual-faxes': ['Virtual faxes', virtualFaxesPage],
  brands: ['Brands', brandsPage],
  companies: ['Companies', companiesPage],
  carriers: ['Carriers', carriersPage],
  routes: ['Routes', routesPage],
  ddis: ['DDIs', ddisPage],
  users: ['Users', usersPage],
  tokens: ['API tokens', tokensPage],
  webhooks: ['Webhooks', webhooksPage],
};

// Every role has its own API tokens and webhooks (they act with the owner's rights).
const rolePages = {
  platform_admin: ['brands', 'users', 'tokens', 'webhooks'],
  brand_admin: ['companies', 'carriers', 'routes', 'ddis', 'users', 'inbox', 'sent', 'tokens', 'webhooks'],
  company_admin: ['send', 'inbox', 'sent', 'virtual-faxes', 'ddis', 'users', 'tokens', 'webhooks'],
  user: ['send', 'inbox', 'sent', 'tokens', 'webhooks'],
};

let me = null;
let stopPage = null;
let flash = '';

function showLogin(message = '') {
  me = null;
  if (stopPage) { stopPage(); stopPage = null; }
  nav.replaceChildren();
  who.replaceChildren();
  const err = el('p', { class: 'error', id: 'login-error', role: 'alert' }, message);
  const form = el('form', { class: 'card form narrow', id: 'login-form', 'aria-label': 'Log in' },
    el('h1', {}, 'Log in to faxd'),
    el('div', { class: 'field' }, el('label', { for: 'username' }, 'Username'),
      el('input', { id: 'username', name: 'username', autocomplete: 'username', required: true })),
    el('div', { class: 'field' }, el('label', { for: 'password' }, 'Password'),
      el('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true })),
    err,
    el('div', { class: 'actions' }, el('button', { type: 'submit' }, 'Log in')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      await api.login(form.username.value, form.password.value);
      await start();
    } catch (e) {
      err.textContent = e instanceof ApiError ? e.message : 'Cannot reach faxd';
    }
  });
  main.replaceChildren(form);
  form.username.focus();
}

function renderNav(current) {
  nav.replaceChildren(el('ul', {}, rolePages[me.role].map((key) =>
    el('li', {}, el('a', { href: `#/${key}`, 'aria-current': key === current ? 'page' : null }, pages[key][0])))));
}

// A page's first data asked for while /me is on its way (first load only): [route key, data].
let prefetched = null;

function routeKey() {
  return location.hash.split('/')[1] || '';
}

async function route() {
  if (!me) return;
  if (stopPage) { stopPage(); stopPage = null; }
  const allowed = rolePages[me.role] || [];
  const [, key = '', arg] = location.hash.split('/');
  const early = prefetched && prefetched[0] === key ? prefetched[1] : null;
  prefetched = null;
  const ctx = { me, flash, setFlash: (m) => { flash = m; }, prefetched: early };
  flash = '';
  renderNav(key === 'fax' ? null : key);
  try {
    if (key === 'fax' && arg && allowed.includes('inbox')) {
      stopPage = await faxDetail(main, ctx, arg) || null;
    } else if (!key) {
      location.replace(`#/${allowed[0]}`);
      return;
    } else if (pages[key] && allowed.includes(key)) {
      stopPage = await pages[key][1](main, ctx) || null;
    } else {
      forbiddenPage(main);
    }
    if (!me) {  // the session ended while the page loaded: the login form wins
      if (stopPage) { stopPage(); stopPage = null; }
      showLogin('Your session ended. Log in again.');
      return;
    }
    const h1 = main.querySelector('h1');
    document.title = h1 ? `${h1.textContent} · faxd` : 'faxd';
    // After following a menu link, start reading at the new page (unless it focused a field).
    if (!main.contains(document.activeElement)) main.focus();
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) { showLogin('Your session ended. Log in again.'); return; }
    main.replaceChildren(el('section', { class: 'card' }, el('h1', {}, 'Something went wrong'),
      el('p', { class: 'error' }, e instanceof ApiError ? e.message : 'faxd is not answering. Try again shortly.')));
  }
}

async function start() {
  // The API scopes every answer to the caller, so asking before knowing the role is safe: a
  // page the role may not see just drops what was fetched.
  const page = pages[routeKey()];
  prefetched = page && page[1].prefetch ? [routeKey(), page[1].prefetch()] : null;
  try {
    me = await api.get('/me');
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) showLogin();
    else main.replaceChildren(el('p', { class: 'error' }, 'faxd is not answering. Try again shortly.'));
    return;
  }
  const logout = el('button', { type: 'button', class: 'secondary', id: 'logout' }, 'Log out');
  logout.addEventListener('click', async () => {
    try { await api.logout(); } catch { /* the session is gone either way */ }
    history.replaceState(null, '', '/');
    showLogin();
  });
  who.replaceChildren(el('span', { class: 'me' }, `${me.username} · ${me.role.replace('_', ' ')}`), logout);
  await route();
}

window.addEventListener('hashchange', route);
window.addEventListener('faxd:unauthorized', () => { if (me) showLogin('Your session ended. Log in again.'); });
start();
